// The regx npm package: `node scripts/pack-cli.mjs` packs the built CLI, `npm install -g` installs it
// from the tarball into a prefix of its own (no network: it has no dependencies), and the installed
// `regx` runs on its own against the real open registry, far from this checkout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { seedImage } from '../support/seeding';
import { testServices } from '../support/services';

const root = path.join(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };

test('the regx package installs with npm install -g from its tarball and runs on its own', { timeout: 120_000 }, async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-npm-'));
  try {
    const tarball = execFileSync('node', [path.join(root, 'scripts', 'pack-cli.mjs'), work], { cwd: root, encoding: 'utf8' }).trim();
    assert.equal(path.basename(tarball), `regx-cli-${manifest.version}.tgz`);
    const prefix = path.join(work, 'prefix');
    execFileSync('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, tarball], { encoding: 'utf8', stdio: 'pipe' });
    const bin = path.join(prefix, 'bin', 'regx');
    const installed = path.join(prefix, 'lib', 'node_modules', 'regx-cli');
    assert.deepEqual(fs.readdirSync(path.join(installed, 'dist')).filter((f) => !/^cloud-(aws|azure|google)\.js$/.test(f)).sort(), ['cli-core.js', 'cli.js']);
    assert.ok(!fs.existsSync(path.join(installed, 'node_modules')), 'no dependencies installed: the bundles carry them');

    // Run from elsewhere, with a HOME of its own: nothing of this checkout is on its path.
    const env = { PATH: process.env.PATH, HOME: work, DOCKER_CONFIG: path.join(work, 'docker') };
    const version = spawnSync(bin, ['--version'], { cwd: work, env, encoding: 'utf8' });
    assert.equal(version.stdout.trim(), `regx ${manifest.version}`);
    const repository = `npm-${Date.now().toString(36)}/app`;
    await seedImage(testServices().open.host, repository, '1.0', { seed: repository });
    const tags = spawnSync(bin, ['tags', `${testServices().open.host}/${repository}`], { cwd: work, env, encoding: 'utf8' });
    assert.equal(tags.status, 0, tags.stderr);
    assert.equal(tags.stdout, '1.0\n');
    const bad = spawnSync(bin, ['tags', 'not a reference!'], { cwd: work, env, encoding: 'utf8' });
    assert.equal(bad.status, 2);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});
