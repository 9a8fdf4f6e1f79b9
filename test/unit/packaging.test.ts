// What a user installs and what the next engineer relies on: the .vsix holds only the allowlisted
// files, the bundles are built as DESIGN.md says, the contract ids are declared, and the pure layers
// never reach for the editor API.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
/** A manifest string as VS Code shows it in English: "%key%" looked up in package.nls.json. */
const english = (value: string): string => {
  const nls = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
  return value.replace(/^%([^%]+)%$/, (_, key: string) => nls[key] ?? value);
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Each cloud's SDK is a bundle of its own, loaded on first use (src/registries/clouds/load.ts). */
const CLOUD_BUNDLE = /^dist\/cloud-(aws|azure|google)\.js$/;
/** Required on first use, and taking the main bundle's modules (scripts/bundles.mjs): the error words, the Image Details reader, a build's context. */
const LAZY_BUNDLES = ['dist/errorWords.js', 'dist/imageDetails.js', 'dist/buildContext.js'];
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
        !['package.json', 'package.nls.json', 'package.nls.qps-ploc.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'dist/extension.js', 'dist/undiciParts.js', 'dist/cli.js', 'dist/cli-core.js'].includes(file) &&
        !file.startsWith('media/') &&
        !file.startsWith('l10n/') &&
        !CLOUD_BUNDLE.test(file) &&
        !LAZY_BUNDLES.includes(file) &&
        !WEBVIEW_FILES.includes(file),
    );
    assert.deepEqual(unexpected, []);
    for (const needed of [...WEBVIEW_FILES, ...LAZY_BUNDLES]) assert.ok(listed.includes(needed), `${needed} missing from the .vsix`);
    for (const needed of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'media/icon.png', 'dist/extension.js', 'dist/undiciParts.js', 'dist/cli.js', 'dist/cli-core.js']) {
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
    // undici (a third of the extension, with its WebAssembly HTTP parser) is required on the first
    // connection, not at activation; regx keeps it in its own bundle. The bench probe never ships.
    assert.match(extension, /require\("\.\/undiciParts"\)/);
    assert.doesNotMatch(extension, /llhttp/, 'undici\'s HTTP parser is in dist/undiciParts.js, not in dist/extension.js');
    assert.match(readFileSync(join(root, 'dist', 'undiciParts.js'), 'utf8'), /llhttp/);
    assert.match(cli, /llhttp/);
    assert.doesNotMatch(extension, /no such probe path/, 'the bench probe is dist/benchProbe.js, loaded only under REGX_BENCH_PROBE');
    for (const bundle of [extension, launcher, cli]) assert.doesNotMatch(bundle, /keytar/);
    // The error words and the Image Details reader are required on first use, and hold no copy of the
    // main bundle's modules (the error classes, @vscode/l10n): they take those from it.
    assert.match(extension, /require\("\.\/errorWords\.js"\)/);
    assert.match(extension, /require\("\.\/imageDetails\.js"\)/);
    assert.match(extension, /require\("\.\/buildContext\.js"\)/);
    assert.doesNotMatch(extension, /did not match its digest/, 'the error words are in dist/errorWords.js');
    for (const lazy of LAZY_BUNDLES) {
      const bundle = readFileSync(join(root, lazy), 'utf8');
      assert.match(bundle, /require\("\.\/extension\.js"\)\.__shared\[\d+\]/, `${lazy} takes modules from the main bundle`);
      assert.doesNotMatch(bundle, /kind\s*=\s*"distribution"|Unsupported protocol/, `${lazy} carries its own copy of the error classes or @vscode/l10n`);
    }
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

  it('is ready for the Marketplace: a PNG icon, categories, keywords, a changelog, a walkthrough whose links work', () => {
    const icon = readFileSync(join(root, manifest.icon));
    assert.deepEqual([...icon.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'the icon is a PNG (the Marketplace refuses SVG icons)');
    assert.ok(icon.readUInt32BE(16) >= 128 && icon.readUInt32BE(20) >= 128, 'the icon is at least 128×128');
    assert.ok(manifest.categories.length > 0 && !manifest.categories.every((c: string) => c === 'Other'));
    assert.ok(manifest.keywords.length >= 5 && manifest.keywords.length <= 30, 'the Marketplace takes up to 30 keywords');
    assert.match(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), /^# Changelog/);
    const contributes = manifest.contributes;
    const commands = new Set([...contributes.commands.map((c: { command: string }) => c.command), 'registryExplorer.registries.focus']);
    const [walkthrough] = contributes.walkthroughs;
    assert.deepEqual(walkthrough.steps.map((s: { id: string }) => s.id), ['connect', 'browse', 'pull', 'push', 'build']);
    for (const step of walkthrough.steps as { description: string; media: { markdown: string }; completionEvents: string[] }[]) {
      assert.ok(existsSync(join(root, step.media.markdown)), `${step.media.markdown} exists`);
      for (const [, id] of english(step.description).matchAll(/\(command:([\w.]+)/g)) assert.ok(commands.has(id), `${id} is a declared command`);
      for (const event of step.completionEvents) {
        const [kind, id] = event.split(':');
        if (kind === 'onCommand') assert.ok(commands.has(id), `${event} names a declared command`);
      }
    }
    const welcome = contributes.viewsWelcome.find((w: { view: string }) => w.view === 'registryExplorer.registries');
    assert.ok(english(welcome.contents).includes(`command:workbench.action.openWalkthrough?${encodeURIComponent(JSON.stringify([`${manifest.publisher}.${manifest.name}#${walkthrough.id}`, false]))}`), 'the welcome links to the walkthrough');
  });

  it('every user-visible string of the manifest is localisable: a %key% of package.nls.json, and the pseudo-locale is current', () => {
    const nls = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
    const pseudo = JSON.parse(readFileSync(join(root, 'package.nls.qps-ploc.json'), 'utf8')) as Record<string, string>;
    const literal: string[] = [];
    const used = new Set<string>();
    // The fields VS Code shows a person; ids, commands, when-clauses and types are not words.
    const shown = new Set(['displayName', 'description', 'title', 'shortTitle', 'category', 'name', 'contextualTitle', 'contents', 'markdownDescription', 'deprecationMessage', 'markdownDeprecationMessage', 'enumDescriptions', 'markdownEnumDescriptions']);
    const visit = (value: unknown, where: string, field?: string): void => {
      if (typeof value === 'string') {
        if (!field || !shown.has(field)) return;
        const m = /^%([^%]+)%$/.exec(value);
        if (m) used.add(m[1]);
        else literal.push(`${where}: ${value.slice(0, 60)}`);
      } else if (Array.isArray(value)) {
        value.forEach((v, i) => visit(v, `${where}[${i}]`, field === 'enumDescriptions' || field === 'markdownEnumDescriptions' ? field : undefined));
      } else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) visit(v, `${where}.${k}`, k);
      }
    };
    visit({ displayName: manifest.displayName, description: manifest.description }, 'manifest');
    // A setting's or task property's own name is an id even though the field is called "name" elsewhere.
    visit(manifest.contributes, 'contributes');
    assert.deepEqual(literal, [], 'literal strings shown to people');
    assert.deepEqual([...used].filter((k) => !(k in nls)), [], 'keys without a string');
    assert.deepEqual(Object.keys(nls).filter((k) => !used.has(k)), [], 'strings nothing uses');
    assert.deepEqual(Object.keys(pseudo).sort(), Object.keys(nls).sort());
    const check = spawnSync(process.execPath, [join(root, 'scripts', 'pseudo-locale.mjs'), '--check'], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
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
    const packaged = spawnSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', out], { cwd: root, encoding: 'utf8' });
    assert.equal(packaged.status, 0, packaged.stderr);
    // Clean of warnings: vsce prints "WARNING" for a missing icon, LICENSE, categories, an SVG icon, …
    assert.doesNotMatch(`${packaged.stdout}\n${packaged.stderr}`, /WARNING|warn/i);
    // A .vsix is a zip: read its central directory's file names without an unzip tool.
    const zip = readFileSync(out);
    const names: string[] = [];
    for (let at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); at >= 0; at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4)) {
      const nameLength = zip.readUInt16LE(at + 28);
      names.push(zip.subarray(at + 46, at + 46 + nameLength).toString('utf8'));
    }
    require('node:fs').rmSync(out, { force: true });
    const payload = names.filter((name) => name.startsWith('extension/')).map((name) => name.slice('extension/'.length)).sort();
    assert.ok(payload.includes('l10n/bundle.l10n.json') && payload.includes('l10n/bundle.l10n.qps-ploc.json'), 'the runtime string bundles ship');
    assert.deepEqual(payload.filter((name) => !name.startsWith('media/') && !name.startsWith('l10n/') && !CLOUD_BUNDLE.test(name) && !WEBVIEW_FILES.includes(name) && !LAZY_BUNDLES.includes(name)), ['LICENSE.txt', 'changelog.md', 'dist/cli-core.js', 'dist/cli.js', 'dist/extension.js', 'dist/undiciParts.js', 'package.json', 'package.nls.json', 'package.nls.qps-ploc.json', 'readme.md']);
    for (const name of ['aws', 'azure', 'google']) {
      if (existsSync(join(root, 'src', 'registries', 'clouds', `cloud-${name}.ts`))) assert.ok(payload.includes(`dist/cloud-${name}.js`), `dist/cloud-${name}.js missing from the .vsix`);
    }
    for (const file of [...WEBVIEW_FILES, ...LAZY_BUNDLES]) assert.ok(payload.includes(file), `${file} missing from the .vsix`);
  });
});
