#!/usr/bin/env node
// Extension-host tier: runs out/test/exthost/suite/*.test.js inside the real extension host of
// code-server (VS Code 1.100), driven by headless Chromium.
//
// It builds nothing: test/run.mjs has already built dist/ and compiled out/. Standalone:
//   npm run build && npx tsc -p tsconfig.test.json && npm run test:exthost
//
// Env in:  REGX_TIER_RESULT      where to write { passed, failed, skipped, failures } (contract with test/run.mjs)
//          REGX_TEST_SERVICES    JSON of the real registries; handed to the extension host through code-server's env
//          REGX_EXTHOST_SETTINGS JSON object merged into the user settings.json (e.g. {"registryExplorer.pageSize": 5})
//          REGX_EXTHOST_GREP     run only tests whose full name contains this (or matches /regex/)
//          REGX_EXTHOST_TIMEOUT  per-test timeout in ms (default 20000)
//          REGX_EXTHOST_RUN_TIMEOUT  whole-suite timeout in ms (default 300000)
//          REGX_CODE_SERVER_PORT fixed port (default: first free in 15500-15599)
//          REGX_CODE_SERVER_BIN  use this code-server instead of .cache/code-server
//          REGX_KEEP_TMP=1       keep /tmp/h6/exthost-* (logs, user data) even on success
// Exit: 0 when every test passed, 1 otherwise.

import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ROOT, cleanup, elapsed, freePort, launchChromium, makeRunDir, reapStale, startCodeServer, tail, writeTierResult,
} from './codeserver.mjs';

const RUN_TIMEOUT = Number(process.env.REGX_EXTHOST_RUN_TIMEOUT) || 5 * 60_000;
const suiteIndex = path.join(ROOT, 'out/test/exthost/suite/index.js');

function fail(name, message) {
  return { passed: 0, failed: 1, skipped: 0, failures: [{ name, message }] };
}

function parseSettings() {
  const raw = process.env.REGX_EXTHOST_SETTINGS;
  if (!raw) return {};
  const v = JSON.parse(raw);
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('REGX_EXTHOST_SETTINGS must be a JSON object');
  return v;
}

let runDir;

async function main() {
  console.log('extension host tier (code-server + Chromium)');
  for (const [what, p] of [['compiled suite', suiteIndex], ['extension bundle', path.join(ROOT, 'dist/extension.js')]]) {
    if (!fs.existsSync(p)) return fail('extension-host setup', `${what} missing: ${p} (run \`npm run build && npx tsc -p tsconfig.test.json\`)`);
  }
  await reapStale();
  runDir = makeRunDir('exthost');
  const resultPath = path.join(runDir, 'result.json');
  const progressPath = path.join(runDir, 'progress.log');
  fs.writeFileSync(progressPath, '');

  const env = { REGX_EXTHOST_RESULT: resultPath, REGX_EXTHOST_PROGRESS: progressPath };
  if (process.env.REGX_TEST_SERVICES) env.REGX_EXTHOST_SERVICES_EXPECTED = '1';

  const server = await startCodeServer({ runDir, port: await freePort(15500), settings: parseSettings(), env });
  console.log(`[${elapsed()}] code-server on ${server.url} ready in ${server.startupMs} ms (log ${server.logPath})`);

  const browser = await launchChromium();
  const page = await browser.newPage();
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(ROOT)],
    ['extensionTestsPath', remote(suiteIndex)],
  ]);
  const browserLog = path.join(runDir, 'browser-console.log');
  page.on('console', (m) => fs.appendFileSync(browserLog, `[${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => fs.appendFileSync(browserLog, `[pageerror] ${e.stack ?? e}\n`));
  await page.goto(`${server.url}/?folder=${encodeURIComponent(server.workspace)}&payload=${encodeURIComponent(payload)}`);
  console.log(`[${elapsed()}] workbench opened with the test payload`);

  // Wait for the suite's results file, printing its progress lines as they arrive.
  const deadline = Date.now() + RUN_TIMEOUT;
  let printed = 0;
  const flush = () => {
    const text = fs.readFileSync(progressPath, 'utf8');
    if (text.length > printed) {
      process.stdout.write(text.slice(printed).replace(/^(?=.)/gm, '  '));
      printed = text.length;
    }
  };
  while (!fs.existsSync(resultPath)) {
    flush();
    if (server.exited()) {
      return fail('extension-host suite', `code-server exited before the suite finished; see ${server.logPath}\n${tail(server.logPath)}`);
    }
    if (Date.now() > deadline) {
      // Report what finished, and name the test that was still running.
      let partial = { passed: 0, failed: 0, skipped: 0, failures: [] };
      try { partial = JSON.parse(fs.readFileSync(resultPath + '.partial', 'utf8')); } catch { /* suite never started */ }
      const where = partial.running ? `"${partial.running}" was still running` : 'the suite never started (see the logs)';
      return {
        passed: partial.passed,
        failed: partial.failed + 1,
        skipped: partial.skipped,
        failures: [
          ...partial.failures,
          {
            name: partial.running ?? 'extension-host suite',
            message:
              `no results after ${RUN_TIMEOUT / 1000} s (REGX_EXTHOST_RUN_TIMEOUT): ${where}; see the code-server log ${server.logPath}, ` +
              `the extension host log under ${server.userDataDir}/logs and the browser console ${browserLog}\n${tail(server.logPath, 15)}`,
          },
        ],
      };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  flush();
  console.log(`[${elapsed()}] suite finished`);
  return JSON.parse(fs.readFileSync(resultPath, 'utf8'));
}

let result;
try {
  result = await main();
} catch (e) {
  result = fail('extension-host setup', e?.stack ?? String(e));
}
await cleanup();
writeTierResult(result);
for (const f of result.failures) console.log(`\n✗ ${f.name}\n${f.message.replace(/^/gm, '    ')}`);
console.log(`\nextension host: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped (${elapsed()})`);
// Keep the run folder (logs, user data) when something failed or when asked; otherwise tidy up.
if (runDir && (result.failed > 0 || process.env.REGX_KEEP_TMP === '1')) console.log(`logs kept in ${runDir}`);
else if (runDir) fs.rmSync(runDir, { recursive: true, force: true });
process.exit(result.failed > 0 ? 1 : 0);
