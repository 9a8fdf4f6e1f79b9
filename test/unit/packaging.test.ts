// What a user installs and what the next engineer relies on: the .vsix holds only the allowlisted
// files, the bundles are built as DESIGN.md says, the contract ids are declared, and the pure layers
// never reach for the editor API.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Each cloud's SDK is a bundle of its own, loaded on first use (src/registries/clouds/load.ts). */
const CLOUD_BUNDLE = /^dist\/cloud-(aws|azure|google)\.js$/;
/** The Image Details webview: its script and CSS, and the codicon font (no source maps). */
const WEBVIEW_FILES = ['dist/webview/codicon.css', 'dist/webview/codicon.ttf', 'dist/webview/details.css', 'dist/webview/details.js'];

describe('packaging', () => {
  it('the .vsix holds only the bundles, media, README, LICENSE and package.json', () => {
    assert.ok(existsSync(join(root, 'dist', 'extension.js')), 'build first: node scripts/build.mjs');
    const vsce = join(root, 'node_modules', '.bin', 'vsce');
    const listed = execFileSync(vsce, ['ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    const unexpected = listed.filter(
      (file) =>
        !['package.json', 'README.md', 'LICENSE', 'dist/extension.js', 'dist/cli.js', 'dist/cli-core.js'].includes(file) &&
        !file.startsWith('media/') &&
        !CLOUD_BUNDLE.test(file) &&
        !WEBVIEW_FILES.includes(file),
    );
    assert.deepEqual(unexpected, []);
    for (const needed of WEBVIEW_FILES) assert.ok(listed.includes(needed), `${needed} missing from the .vsix`);
    for (const needed of ['package.json', 'README.md', 'LICENSE', 'dist/extension.js', 'dist/cli.js', 'dist/cli-core.js']) {
      assert.ok(listed.includes(needed), `${needed} missing from the .vsix`);
    }
  });

  it('bundles leave vscode external, carry no keytar, and the CLI is runnable as regx', () => {
    const extension = readFileSync(join(root, 'dist', 'extension.js'), 'utf8');
    assert.match(extension, /require\("vscode"\)/);
    const launcher = readFileSync(join(root, 'dist', 'cli.js'), 'utf8');
    const cli = readFileSync(join(root, 'dist', 'cli-core.js'), 'utf8');
    assert.ok(launcher.startsWith('#!/usr/bin/env node'), 'dist/cli.js needs a shebang for npm bin');
    assert.match(launcher, /cli-core\.js/, 'dist/cli.js runs dist/cli-core.js');
    assert.doesNotMatch(cli, /require\("vscode"\)/);
    for (const bundle of [extension, launcher, cli]) assert.doesNotMatch(bundle, /keytar/);
    // The webview's code (lit, the toolkit) is its own bundle: none of it is in the extension's.
    assert.doesNotMatch(extension, /vscode-elements|litElementVersions/);
    assert.equal(manifest.bin?.regx, 'dist/cli.js');
    assert.equal(manifest.main, './dist/extension.js');
    assert.match(manifest.engines.vscode, /^\^1\.9\d/);
  });

  it('declares the contract of DESIGN.md: container, views, commands, settings', () => {
    const contributes = manifest.contributes ?? {};
    const containers = contributes.viewsContainers?.activitybar ?? [];
    assert.ok(containers.some((c: { id: string }) => c.id === 'registryExplorer'), 'activity-bar container registryExplorer');
    const views = (contributes.views?.registryExplorer ?? []).map((v: { id: string }) => v.id);
    assert.deepEqual([...views].sort(), ['registryExplorer.images', 'registryExplorer.registries']);
    const commands = new Set((contributes.commands ?? []).map((c: { command: string }) => c.command));
    const verbs = ['connectRegistry', 'disconnectRegistry', 'login', 'logout', 'refresh', 'loadMore', 'search', 'filter', 'pull', 'push',
      'tag', 'retag', 'copyImage', 'delete', 'inspect', 'copyReference', 'copyDigest', 'copyPullCommand'];
    const missing = verbs.map((verb) => `registryExplorer.${verb}`).filter((id) => !commands.has(id));
    assert.deepEqual(missing, []);
    const settings = Object.keys(contributes.configuration?.properties ?? {});
    for (const key of ['registryExplorer.registries', 'registryExplorer.pageSize', 'registryExplorer.tags.sort', 'registryExplorer.docker.host',
      'registryExplorer.useDockerConfig']) {
      assert.ok(settings.includes(key), `setting ${key} is declared`);
    }
  });

  it('the pure layers never import vscode', () => {
    // The webview is browser code: it has no editor API either (it talks through postMessage).
    const pure = ['reference', 'distribution', 'registries', 'credentials', 'docker', 'cli', 'errors', 'details', 'webview'];
    const offenders = pure
      .flatMap((layer) => filesUnder(join(root, 'src', layer)))
      .filter((file) => /from 'vscode'|require\('vscode'\)|import 'vscode'/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file));
    assert.deepEqual(offenders, []);
  });
});

describe('npm run package', () => {
  it('vsce packages the built extension into a .vsix holding only the allowlisted files', { timeout: 120_000 }, () => {
    const out = join(require('node:os').tmpdir(), `regx-package-${process.pid}.vsix`);
    const vsce = join(root, 'node_modules', '.bin', 'vsce');
    // The same flags as the package script (the build and type check are done by npm test already).
    const script: string = manifest.scripts.package;
    assert.match(script, /vsce package --no-dependencies --allow-missing-repository --no-rewrite-relative-links/);
    execFileSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', out], { cwd: root, stdio: 'pipe' });
    // A .vsix is a zip: read its central directory's file names without an unzip tool.
    const zip = readFileSync(out);
    const names: string[] = [];
    for (let at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); at >= 0; at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4)) {
      const nameLength = zip.readUInt16LE(at + 28);
      names.push(zip.subarray(at + 46, at + 46 + nameLength).toString('utf8'));
    }
    require('node:fs').rmSync(out, { force: true });
    const payload = names.filter((name) => name.startsWith('extension/')).map((name) => name.slice('extension/'.length)).sort();
    assert.deepEqual(payload.filter((name) => !name.startsWith('media/') && !CLOUD_BUNDLE.test(name) && !WEBVIEW_FILES.includes(name)), ['LICENSE.txt', 'dist/cli-core.js', 'dist/cli.js', 'dist/extension.js', 'package.json', 'readme.md']);
    for (const name of ['aws', 'azure', 'google']) {
      if (existsSync(join(root, 'src', 'registries', 'clouds', `cloud-${name}.ts`))) assert.ok(payload.includes(`dist/cloud-${name}.js`), `dist/cloud-${name}.js missing from the .vsix`);
    }
    for (const file of WEBVIEW_FILES) assert.ok(payload.includes(file), `${file} missing from the .vsix`);
  });
});
