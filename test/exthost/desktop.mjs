#!/usr/bin/env node
// The same extension-host suite (out/test/exthost/suite) under desktop VS Code via @vscode/test-electron.
// Where desktop VS Code can be downloaded, this downloads it into .vscode-test/; otherwise point
// VSCODE_EXECUTABLE_PATH at an installed `code` binary. This machine has no internet, so here it
// fails with a message saying so; `npm run test:exthost` runs the suite in code-server instead.
//
//   npm run build && npx tsc -p tsconfig.test.json && npm run test:desktop
// Env: VSCODE_EXECUTABLE_PATH  desktop VS Code binary to use (skips the download)
//      VSCODE_VERSION          version to download (default: stable)
//      REGX_TEST_SERVICES, REGX_EXTHOST_GREP, REGX_EXTHOST_TIMEOUT  passed to the extension host

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const extensionTestsPath = path.join(ROOT, 'out/test/exthost/suite/index.js');
if (!fs.existsSync(extensionTestsPath)) {
  console.error(`compiled suite missing: ${extensionTestsPath} (run \`npm run build && npx tsc -p tsconfig.test.json\`)`);
  process.exit(1);
}

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-desktop-'));
const extensionTestsEnv = {};
for (const k of ['REGX_TEST_SERVICES', 'REGX_EXTHOST_GREP', 'REGX_EXTHOST_TIMEOUT']) {
  if (process.env[k]) extensionTestsEnv[k] = process.env[k];
}
if (process.env.REGX_TEST_SERVICES) extensionTestsEnv.REGX_EXTHOST_SERVICES_EXPECTED = '1';

const options = {
  extensionDevelopmentPath: ROOT,
  extensionTestsPath,
  extensionTestsEnv,
  // Downloads go under the gitignored .cache/, not ./.vscode-test.
  cachePath: path.join(ROOT, '.cache/vscode-test'),
  launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
};
if (process.env.VSCODE_EXECUTABLE_PATH) options.vscodeExecutablePath = process.env.VSCODE_EXECUTABLE_PATH;
else options.version = process.env.VSCODE_VERSION || 'stable';

function looksOffline(e) {
  const text = `${e?.code ?? ''} ${e?.message ?? e} ${e?.cause?.code ?? ''}`;
  return /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|getaddrinfo|update\.code\.visualstudio\.com|Failed to get|download/i.test(text);
}

try {
  // runTests resolves with VS Code's exit code, which is 1 when the suite's run() rejects (a test failed).
  const code = await runTests(options);
  process.exitCode = code;
} catch (e) {
  if (!options.vscodeExecutablePath && looksOffline(e)) {
    console.error(
      `\ntest:desktop: could not download desktop VS Code (${options.version}) from update.code.visualstudio.com: ` +
        `${e?.message ?? e}\nThis machine has no internet access. Set VSCODE_EXECUTABLE_PATH to an installed VS Code, ` +
        `or run the same suite in code-server with \`npm run test:exthost\`.`,
    );
  } else {
    console.error(`test:desktop failed: ${e?.stack ?? e}`);
  }
  process.exitCode = 1;
} finally {
  fs.rmSync(workspace, { recursive: true, force: true });
}
