#!/usr/bin/env node
// UI tier: Playwright + Chromium against code-server's normal workbench, with this checkout's
// extension installed. Runs every out/test/ui/*.test.js through out/test/ui/harness.js.
//
// It builds nothing: test/run.mjs has already built dist/ and compiled out/. Standalone:
//   npm run build && npx tsc -p tsconfig.test.json && npm run test:ui
//
// How the extension gets in: by default the checkout is symlinked into a fresh --extensions-dir as
// registry-explorer.registry-explorer-<version> (code-server records it in extensions.json on start):
// no packaging step, and it always runs the dist/ just built. REGX_UI_VSIX=path/to.vsix installs a
// packaged build instead (`code-server --install-extension`), to test exactly what ships.
//
// Env in:  REGX_TIER_RESULT      where to write { passed, failed, skipped, failures } (contract with test/run.mjs)
//          REGX_TEST_SERVICES    JSON of the real registries (read by the tests; also in code-server's env);
//                                its dockerHost, when present, becomes code-server's DOCKER_HOST, so Local Images
//                                shows the test dockerd (a test wanting another engine or none sets
//                                registryExplorer.docker.host, which wins over DOCKER_HOST)
//          REGX_UI_SETTINGS      JSON object merged into the user settings.json for the whole run
//          REGX_UI_GREP          run only tests whose name contains this (or matches /regex/)
//          REGX_UI_TIMEOUT       per-test timeout in ms (default 60000)
//          REGX_UI_RUN_TIMEOUT   whole-tier timeout in ms (default 900000): a watchdog that reports and cleans up
//          REGX_UI_VSIX          install this .vsix instead of symlinking the checkout
//          REGX_HEADED=1         show the browser (needs a display)
//          REGX_CODE_SERVER_PORT, REGX_CODE_SERVER_BIN, REGX_KEEP_TMP=1 as for test/exthost/run.mjs
// Screenshots: test-results/<name>.png; failures: test-results/ui-failures/<test>.png.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import {
  ROOT, cleanup, codeServerBin, elapsed, freePort, launchChromium, makeRunDir, onCleanup, reapStale, startCodeServer, writeTierResult,
} from '../exthost/codeserver.mjs';

const require = createRequire(import.meta.url);
const outDir = path.join(ROOT, 'out/test/ui');

function fail(name, message) {
  return { passed: 0, failed: 1, skipped: 0, failures: [{ name, message }] };
}

function parseSettings() {
  const raw = process.env.REGX_UI_SETTINGS;
  if (!raw) return {};
  const v = JSON.parse(raw);
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('REGX_UI_SETTINGS must be a JSON object');
  return v;
}

/** code-server's extra environment: DOCKER_HOST of the tier's dockerd (the extension host inherits it). */
function serverEnv() {
  const raw = process.env.REGX_TEST_SERVICES;
  if (!raw) return {};
  const dockerHost = JSON.parse(raw).dockerHost;
  return dockerHost ? { DOCKER_HOST: dockerHost } : {};
}

function installExtension(runDir, extensionsDir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  fs.mkdirSync(extensionsDir, { recursive: true });
  const vsix = process.env.REGX_UI_VSIX;
  if (!vsix) {
    fs.symlinkSync(ROOT, path.join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`));
    return `symlinked ${ROOT}`;
  }
  const r = spawnSync(
    codeServerBin(),
    ['--user-data-dir', path.join(runDir, 'user-data'), '--extensions-dir', extensionsDir, '--install-extension', path.resolve(vsix), '--force'],
    { encoding: 'utf8', env: { ...process.env, VSCODE_CLI: undefined } },
  );
  if (r.status !== 0) throw new Error(`code-server --install-extension ${vsix} failed:\n${r.stdout}${r.stderr}`);
  return `installed ${vsix}`;
}

let runDir;

async function main() {
  console.log('UI tier (code-server + Chromium + Playwright)');
  const harnessPath = path.join(outDir, 'harness.js');
  for (const [what, p] of [['compiled UI harness', harnessPath], ['extension bundle', path.join(ROOT, 'dist/extension.js')]]) {
    if (!fs.existsSync(p)) return fail('UI setup', `${what} missing: ${p} (run \`npm run build && npx tsc -p tsconfig.test.json\`)`);
  }
  const files = fs.readdirSync(outDir).filter((f) => f.endsWith('.test.js')).sort().map((f) => path.join(outDir, f));
  if (files.length === 0) return { passed: 0, failed: 0, skipped: 0, failures: [] };

  await reapStale();
  runDir = makeRunDir('ui');
  const extensionsDir = path.join(runDir, 'extensions');
  const how = installExtension(runDir, extensionsDir);
  // The clouds' environment must be code-server's own (its extension host inherits it): see cloudEnvironment.ts.
  const clouds = await require(path.join(outDir, 'cloudEnvironment.js')).startUiClouds(path.join(runDir, 'clouds'));
  onCleanup(() => clouds.close());
  require(path.join(outDir, 'cloudEnvironment.js')).installMicrosoftAccounts(extensionsDir, path.join(outDir, 'microsoftAccounts.js'));
  // The pseudo-locale's language pack, for the tests that switch the display language (UiTestOptions.locale).
  require(path.join(outDir, 'pseudoLanguagePack.js')).installPseudoLanguagePack(extensionsDir, path.join(runDir, 'user-data'));
  const env = { ...serverEnv(), ...clouds.env };
  const server = await startCodeServer({ runDir, port: await freePort(15550), settings: parseSettings(), env, extensionsDir });
  console.log(`[${elapsed()}] code-server on ${server.url} ready in ${server.startupMs} ms, extension ${how} (log ${server.logPath})`);
  if (env.DOCKER_HOST) console.log(`[${elapsed()}] DOCKER_HOST=${env.DOCKER_HOST} (the tier's dockerd)`);
  else console.log(`[${elapsed()}] no test dockerd: DOCKER_HOST ${process.env.DOCKER_HOST ? `stays ${process.env.DOCKER_HOST}` : 'is not set'}`);
  const browser = await launchChromium();
  console.log(`[${elapsed()}] Chromium ${browser.version()} launched`);

  const { runUiTests } = require(harnessPath);
  const result = await runUiTests({
    browser,
    url: server.url,
    workspace: server.workspace,
    userDataDir: server.userDataDir,
    resultsDir: path.join(ROOT, 'test-results'),
    files,
    log: (line) => console.log(`  ${line.replace(/\n/g, '\n  ')}`),
  });
  if (server.exited()) {
    result.failed++;
    result.failures.push({ name: 'code-server', message: `code-server exited during the run; see ${server.logPath}` });
  }
  for (const f of result.failures) f.message += `\ncode-server log: ${server.logPath}`;
  return result;
}

// Per-test timeouts bound the tests; this bounds everything else (a wedged browser, a hung launch).
const RUN_TIMEOUT = Number(process.env.REGX_UI_RUN_TIMEOUT) || 15 * 60_000;
const watchdog = setTimeout(async () => {
  const r = fail('UI tier', `the UI tier did not finish within ${RUN_TIMEOUT / 1000} s (REGX_UI_RUN_TIMEOUT)${runDir ? `; logs in ${runDir}` : ''}`);
  console.log(`\n✗ ${r.failures[0].message}`);
  await cleanup();
  writeTierResult(r);
  process.exit(1);
}, RUN_TIMEOUT);
watchdog.unref();

let result;
try {
  result = await main();
} catch (e) {
  result = fail('UI setup', e?.stack ?? String(e));
}
await cleanup();
writeTierResult(result);
for (const f of result.failures) console.log(`\n✗ ${f.name}\n${f.message.replace(/^/gm, '    ')}`);
console.log(`\nUI: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped (${elapsed()})`);
if (runDir && (result.failed > 0 || process.env.REGX_KEEP_TMP === '1')) console.log(`logs kept in ${runDir}`);
else if (runDir) fs.rmSync(runDir, { recursive: true, force: true });
process.exit(result.failed > 0 ? 1 : 0);
