import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from './harness';

test('the workbench opens with Registry Explorer in the activity bar', async (wb) => {
  // ready() has already waited for the activity bar, the status bar and the extension host connection.
  await wb.page.locator('.part.activitybar a.action-label[aria-label^="Registry Explorer"]').waitFor({ state: 'visible' });
  const file = await wb.screenshot('workbench');
  assert.ok(fs.statSync(file).size > 0, `${file} is empty`);
});

test('the Registry Explorer container shows its views', async (wb) => {
  await wb.openViewContainer('Registry Explorer');
  await wb.view('Registries');
  await wb.view('Local Images');
  await wb.screenshot('registry-explorer-views');
});
