// A node:test reporter that keeps {passed, failed, skipped} in the file REGX_TIER_RESULT names, for
// test/run.mjs. Suites (describe blocks) are not counted, only tests; a file that fails to load counts
// as one failure. The file is rewritten, synchronously, after every test, so the counts so far
// survive a tier that run.mjs stops at its time limit.
import fs from 'node:fs';

export default async function* countReporter(source) {
  const file = process.env.REGX_TIER_RESULT;
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const save = () => file && fs.writeFileSync(file, `${JSON.stringify(counts)}\n`);
  save();
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (event.data.details?.type === 'suite') continue;
    if (event.data.skip !== undefined || event.data.todo !== undefined) counts.skipped++;
    else if (event.type === 'test:pass') counts.passed++;
    else counts.failed++;
    save();
  }
  save();
}
