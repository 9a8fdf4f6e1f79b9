// The README's first command: `npm run demo` builds, seeds real registries, starts code-server with the
// extension, and prints the URL to open. REGX_DEMO_EXIT_WHEN_READY=1 makes it stop once everything is up.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

// Run from the checkout (npm test and node --test both start there).
const root = process.cwd();

describe('npm run demo', () => {
  it('starts a seeded registry and code-server with the extension, prints the URL, and cleans up', { timeout: 600_000 }, () => {
    const portBase = Number(process.env.REGX_TEST_PORT_BASE ?? 25000) + 60;
    const result = spawnSync(process.execPath, ['scripts/demo.mjs'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, REGX_DEMO_EXIT_WHEN_READY: '1', REGX_DEMO_PORT_BASE: String(portBase), REGX_DEMO_PORT: String(portBase + 10) },
      timeout: 580_000,
    });
    assert.equal(result.status, 0, `demo failed:\n${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, new RegExp(`Open http://127\\.0\\.0\\.1:${portBase + 10}/\\?folder=`));
    assert.match(result.stdout, /seeded sample images/);
    assert.match(result.stdout, /demo\/many-tags has 300 tags/);
    const leftovers = spawnSync('sh', ['-c', `ps -eo args | grep -E "127.0.0.1:${portBase + 10}|:${portBase + 1}" | grep -v grep`], { encoding: 'utf8' });
    assert.equal(leftovers.stdout.trim(), '', 'the demo left processes running');
  });
});
