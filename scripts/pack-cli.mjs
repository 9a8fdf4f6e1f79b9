// `npm run package:cli`: the regx CLI as an npm package of its own — the launcher, the CLI bundle and
// the cloud SDK bundles it loads on first use, with a package.json naming only what they need (no
// dependencies: the bundles carry them). Writes regx-cli-<version>.tgz, which installs with
// `npm install -g ./regx-cli-<version>.tgz` and runs as `regx` without the extension.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
const outDir = path.resolve(process.argv[2] ?? repo);

const bundles = ['cli.js', 'cli-core.js', ...fs.readdirSync(path.join(repo, 'dist')).filter((f) => /^cloud-(aws|azure|google)\.js$/.test(f))];
for (const file of ['cli.js', 'cli-core.js']) {
  if (!fs.existsSync(path.join(repo, 'dist', file))) throw new Error(`dist/${file} is missing: run npm run build first`);
}

const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-pack-'));
try {
  fs.mkdirSync(path.join(stage, 'dist'));
  for (const file of bundles) fs.copyFileSync(path.join(repo, 'dist', file), path.join(stage, 'dist', file));
  fs.chmodSync(path.join(stage, 'dist', 'cli.js'), 0o755);
  fs.copyFileSync(path.join(repo, 'LICENSE'), path.join(stage, 'LICENSE'));
  fs.copyFileSync(path.join(repo, 'docs', 'regx.md'), path.join(stage, 'README.md'));
  const cli = {
    name: 'regx-cli',
    version: manifest.version,
    description: 'regx: browse, copy, retag, delete, scan and build container images in any registry — the CLI of Registry Explorer.',
    license: manifest.license,
    keywords: ['docker', 'oci', 'registry', 'container', 'cli', 'crane', 'skopeo'],
    bin: { regx: 'dist/cli.js' },
    files: ['dist', 'README.md', 'LICENSE'],
    engines: { node: manifest.engines.node },
  };
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(cli, null, 2)}\n`);
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', outDir], { cwd: stage, encoding: 'utf8' }).trim().split('\n').pop();
  console.log(path.join(outDir, name));
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}
