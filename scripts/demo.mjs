#!/usr/bin/env node
// `npm run demo`: the extension in a real VS Code, connected to a local registry full of sample images.
//   1. builds the extension (dist/)
//   2. starts local registries (test/services/start.mjs) and seeds them (test/support/seed.mjs):
//      repositories across namespaces, a multi-platform index, a repository with hundreds of tags,
//      an SBOM artifact that refers to an image, and a private repository behind token auth
//   3. installs code-server once (scripts/install-code-server.sh, cached in .cache/code-server)
//   4. starts code-server with this checkout as an installed extension and both registries in its
//      settings, and prints the URL to open. Ctrl-C stops everything.
//
// Env: REGX_DEMO_PORT_BASE (default 15740: registries on base+1…base+5), REGX_DEMO_PORT (code-server,
// default 15750), REGX_DEMO_HOST (bind address, default 127.0.0.1).
// Needs the Debian packages docker-registry (and for code-server's install: see the install script).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeServicesRoot, startServices } from '../test/services/start.mjs';
import { seedArtifact, seedImage, seedIndex, seedManyTags } from '../test/support/seed.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PORT_BASE = Number(process.env.REGX_DEMO_PORT_BASE) || 15740;
const PORT = Number(process.env.REGX_DEMO_PORT) || 15750;
const BIND = process.env.REGX_DEMO_HOST || '127.0.0.1';
const DEMO_DIR = path.join(ROOT, '.cache', 'demo');

const say = (line) => process.stdout.write(`[demo] ${line}\n`);

function fail(message) {
  process.stderr.write(`[demo] ${message}\n`);
  process.exit(1);
}

function run(command, args, what) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (result.status !== 0) fail(`${what} failed (${command} ${args.join(' ')})`);
  return result.stdout;
}

/** Sample content: what a small team's registry looks like, plus the awkward cases the explorer handles. */
async function seed(open, token) {
  const started = Date.now();
  const platforms = [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64' },
    { os: 'linux', architecture: 'arm', variant: 'v7' },
  ];
  const hello = await seedImage(open, 'demo/hello', '1.0', { layers: [180_000, 2_400_000], labels: { 'org.opencontainers.image.title': 'hello' }, created: '2024-05-02T10:00:00Z' });
  await seedImage(open, 'demo/hello', '1.1', { layers: [180_000, 2_500_000], created: '2024-09-14T10:00:00Z' });
  await seedImage(open, 'demo/hello', 'latest', { layers: [180_000, 2_500_000], created: '2024-09-14T10:00:00Z', seed: 'demo/hello:1.1' });
  // An SBOM that refers to demo/hello:1.0 (the referrers tag-schema fallback: Distribution 2.8 has no referrers API).
  await seedArtifact(open, 'demo/hello', hello, { artifactType: 'application/spdx+json', payload: { spdxVersion: 'SPDX-2.3', name: 'demo/hello:1.0' } });
  await seedIndex(open, 'demo/multiarch', '1.0', { platforms, layers: [900_000], created: '2025-01-20T08:30:00Z' });
  await seedIndex(open, 'demo/multiarch', 'latest', { platforms, layers: [900_000], created: '2025-01-20T08:30:00Z' });
  await seedManyTags(open, 'demo/many-tags', 300, { prefix: 'build-' });
  for (const [repo, tags] of [
    ['team-a/api', ['2.3.0', '2.3.1', '2.4.0', 'main']],
    ['team-a/web', ['1.0.0', '1.0.1', 'main']],
    ['team-b/worker', ['0.9.0', '1.0.0-rc.1', '1.0.0']],
    ['tools/debug', ['latest']],
  ]) {
    for (const [i, tag] of tags.entries()) {
      await seedImage(open, repo, tag, { layers: [50_000 * (i + 1), 400_000], created: new Date(Date.UTC(2025, 0, 1 + i * 20)).toISOString() });
    }
  }
  await seedImage(token.host, 'private/app', '3.1.4', { auth: token.user, layers: [1_200_000], created: '2025-03-14T15:09:26Z' });
  say(`seeded sample images in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** A fresh machine has neither the Debian packages nor node_modules yet: install them the way CI does. */
function ensurePrerequisites() {
  const haveRegistry = spawnSync('sh', ['-c', 'command -v docker-registry'], { stdio: 'ignore' }).status === 0;
  const haveModules = fs.existsSync(path.join(ROOT, 'node_modules', 'esbuild'));
  if (haveRegistry && haveModules) return;
  if (process.getuid?.() !== 0) fail('first run `sudo bash .ci/run --setup` (Debian packages and npm ci), then `npm run demo` again');
  say('first run: installing the Debian packages and npm dependencies (bash .ci/run --setup)');
  const setup = spawnSync('bash', ['.ci/run', '--setup'], { cwd: ROOT, stdio: 'inherit' });
  if (setup.status !== 0) fail('setup failed; see test-results/ci/*.log');
}

async function main() {
  ensurePrerequisites();
  say('building the extension');
  run(process.execPath, ['scripts/build.mjs'], 'build');

  say(`starting local registries on ports ${PORT_BASE + 1}-${PORT_BASE + 5}`);
  fs.mkdirSync(DEMO_DIR, { recursive: true });
  const servicesRoot = path.join(DEMO_DIR, 'services');
  removeServicesRoot(servicesRoot);
  // A private Docker engine too, when dockerd is installed, so Local Images, pull and push work in the demo.
  const docker = spawnSync('sh', ['-c', 'command -v dockerd'], { stdio: 'ignore' }).status === 0;
  const { services, stop } = await startServices({ portBase: PORT_BASE, root: servicesRoot, docker });
  const stops = [stop];
  let shuttingDown = false;
  const shutdown = async (code) => {
    if (shuttingDown) return;
    shuttingDown = true;
    for (const s of stops.reverse()) await Promise.resolve(s()).catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    await seed(services.open.host, services.token);

    say('installing code-server (once; cached in .cache/code-server)');
    const bin = run('bash', ['scripts/install-code-server.sh'], 'installing code-server').trim().split('\n').pop();

    // A fresh profile each run; the checkout itself is the installed extension (symlinked), so the
    // demo always runs the dist/ just built.
    const userData = path.join(DEMO_DIR, 'user-data');
    const extensions = path.join(DEMO_DIR, 'extensions');
    const workspace = path.join(DEMO_DIR, 'workspace');
    for (const d of [userData, extensions]) fs.rmSync(d, { recursive: true, force: true });
    for (const d of [path.join(userData, 'User'), extensions, workspace]) fs.mkdirSync(d, { recursive: true });
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    fs.symlinkSync(ROOT, path.join(extensions, `${pkg.publisher}.${pkg.name}-${pkg.version}`));
    fs.writeFileSync(
      path.join(userData, 'User', 'settings.json'),
      JSON.stringify(
        {
          'workbench.startupEditor': 'none',
          'workbench.tips.enabled': false,
          'telemetry.telemetryLevel': 'off',
          'security.workspace.trust.enabled': false,
          // The demo workspace sits inside the checkout: do not offer to open the parent git repository.
          'git.openRepositoryInParentFolders': 'never',
          'registryExplorer.registries': [
            { url: `http://${services.open.host}`, name: 'Demo registry' },
            { url: services.token.host, name: 'Private registry (token auth)' },
          ],
          'registryExplorer.pageSize': 50,
          ...(services.dockerHost ? { 'registryExplorer.docker.host': services.dockerHost } : {}),
          // Keep this machine's own docker logins out of the demo.
          'registryExplorer.useDockerConfig': false,
        },
        null,
        2,
      ),
    );
    fs.writeFileSync(path.join(workspace, 'README.md'), '# Registry Explorer demo\n\nOpen the Registry Explorer view in the activity bar.\n');

    const log = path.join(DEMO_DIR, 'code-server.log');
    const fd = fs.openSync(log, 'w');
    const child = spawn(
      bin,
      ['--auth', 'none', '--bind-addr', `${BIND}:${PORT}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
        '--disable-getting-started-override', '--ignore-last-opened', '--user-data-dir', userData, '--extensions-dir', extensions, workspace],
      { cwd: DEMO_DIR, stdio: ['ignore', fd, fd], detached: true, env: { ...process.env, VSCODE_CLI: undefined, ELECTRON_RUN_AS_NODE: undefined } },
    );
    fs.closeSync(fd);
    stops.push(() => {
      try {
        process.kill(-child.pid, 'SIGTERM'); // its process group: the server and its extension host
      } catch {
        /* already gone */
      }
    });
    child.on('exit', (code) => {
      say(`code-server exited (${code}); log: ${log}`);
      void shutdown(1);
    });

    const url = `http://${BIND}:${PORT}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        if ((await fetch(`${url}/healthz`)).ok) break;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline) throw new Error(`code-server did not start; see ${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    say('');
    say(`Open ${url}/?folder=${encodeURIComponent(workspace)}`);
    say('  then the Registry Explorer icon in the activity bar.');
    say(`  Demo registry:    ${services.open.host} (open: demo/, team-a/, team-b/, tools/ — demo/many-tags has 300 tags)`);
    say(`  Private registry: ${services.token.host} (token auth: click "Sign in…", user reader / reader-pass, or pusher / pusher-pass)`);
    if (services.dockerHost) say(`  Docker engine:    ${services.dockerHost} (private, empty: pull something from the demo registry)`);
    say('Ctrl-C stops code-server, the registries and the engine.');
    if (process.env.REGX_DEMO_EXIT_WHEN_READY === '1') await shutdown(0); // for scripted checks of the demo itself
  } catch (error) {
    process.stderr.write(`[demo] ${error instanceof Error ? error.message : String(error)}\n`);
    await shutdown(1);
  }
}

await main();
