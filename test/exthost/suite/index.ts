// Entry point VS Code calls in the extension host (extensionTestsPath): code-server through
// test/exthost/run.mjs, or desktop VS Code through @vscode/test-electron (test/exthost/desktop.mjs).
// It loads every compiled *.test.js beside it, runs them serially, writes the results JSON to
// REGX_EXTHOST_RESULT when set, and rejects when a test failed (test-electron turns that into exit 1).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { runAll, type TierResult } from './harness';

export async function run(): Promise<void> {
  const resultPath = process.env.REGX_EXTHOST_RESULT;
  let result: TierResult;
  try {
    const files = fs
      .readdirSync(__dirname)
      .filter((f) => f.endsWith('.test.js'))
      .sort()
      .map((f) => path.join(__dirname, f));
    result = await runAll(files);
  } catch (e) {
    result = {
      passed: 0,
      failed: 1,
      skipped: 0,
      failures: [{ name: 'extension-host suite', message: e instanceof Error ? e.stack ?? e.message : String(e) }],
    };
  }
  if (resultPath) {
    // Written whole and renamed, so the driver never reads half a file.
    fs.writeFileSync(resultPath + '.tmp', JSON.stringify(result, null, 2));
    fs.renameSync(resultPath + '.tmp', resultPath);
  }
  console.log(`extension host: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped`);
  if (result.failed > 0 && !resultPath) {
    throw new Error(`${result.failed} extension-host test(s) failed`);
  }
}
