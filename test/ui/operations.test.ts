// Image operations clicked through in code-server with Chromium, against the real registry and engine:
// pull from a tag's context menu into Local Images, start a big pull and press the notification's
// Cancel, delete one of two tags sharing a digest through the modal's safe choice, and search.
// Screenshots: test-results/operations-*.png.
import * as assert from 'node:assert/strict';
import { seedImage } from '../support/seeding';
import { services, skip, suite, test, type Workbench } from './harness';

/** Right-click a row of `view` and pick `entry` (retries: a menu opened during a redraw can vanish). */
async function contextMenu(wb: Workbench, view: string, label: string, entry: string): Promise<void> {
  const menu = wb.page.locator('.context-view .monaco-menu').first();
  for (let attempt = 1; ; attempt++) {
    await (await wb.treeItem(view, label)).click({ button: 'right' });
    try {
      await menu.waitFor({ state: 'visible', timeout: 3_000 });
      break;
    } catch (error) {
      if (attempt === 4) throw error;
      await wb.page.keyboard.press('Escape');
    }
  }
  const item = menu.locator('.action-item').filter({ has: wb.page.locator('.action-label', { hasText: new RegExp(`^\\s*${entry.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }) }).first();
  await item.hover();
  await wb.page.waitForFunction((el) => !!el && (el.classList.contains('focused') || el.querySelector('.focused') !== null), await item.elementHandle());
  await wb.page.keyboard.press('Enter');
  await menu.waitFor({ state: 'hidden' });
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

suite('image operations', () => {
  test(
    'pull into Local Images, cancel a big pull, delete one of two shared tags, search',
    async (wb) => {
      const svc = services() ?? skip('REGX_TEST_SERVICES is not set');
      if (!svc.dockerHost) skip('no test dockerd');
      const open = svc.open.host;
      const ns = `uiops${Date.now().toString(36)}`;
      await seedImage(open, `${ns}/app`, '1.0', { seed: `${ns}-app`, layers: [4096, 8192] });
      await seedImage(open, `${ns}/app`, 'latest', { seed: `${ns}-app`, layers: [4096, 8192] });
      await seedImage(open, `${ns}/big`, '1', { seed: `${ns}-big`, layers: [48_000_000, 48_000_000, 48_000_000] });

      await wb.openViewContainer('Registry Explorer');
      await wb.expandTreeItem('Registries', 'Open registry');
      await contextMenu(wb, 'Registries', 'Open registry', 'Filter…');
      await wb.answerInputBox(`${ns}/`);
      await wb.expandTreeItem('Registries', ns);
      await wb.expandTreeItem('Registries', 'app');

      // Pull from the tag's context menu: the image shows in Local Images, grouped by repository.
      await contextMenu(wb, 'Registries', '1.0', 'Pull Image…');
      await wb.expandTreeItem('Local Images', `${open}/${ns}/app`);
      await wb.treeItem('Local Images', '1.0');
      await wb.page.locator('.part.sidebar .monaco-list-row .label-description').filter({ hasText: /^[0-9a-f]{12} · \d/ }).first().waitFor();
      await wb.screenshot('operations-local-images');

      // A big pull shows layers and bytes; Cancel stops it and nothing lands in the engine.
      await wb.expandTreeItem('Registries', 'big');
      await contextMenu(wb, 'Registries', '1', 'Pull Image…');
      const toast = await wb.notification(`Pulling ${open}/${ns}/big:1`);
      await toast.locator('.notification-list-item-message').filter({ hasText: /layers/ }).first().waitFor({ timeout: 20_000 }).catch(() => undefined);
      await wb.screenshot('operations-pull-progress');
      await toast.locator('.monaco-button, .action-label').filter({ hasText: /^\s*Cancel\s*$/ }).first().click();
      await toast.waitFor({ state: 'hidden', timeout: 15_000 });
      await new Promise((r) => setTimeout(r, 3000));
      await wb.viewAction('Local Images', 'Refresh Local Images');
      assert.ok(!(await wb.treeLabels('Local Images')).includes(`${open}/${ns}/big`), 'the cancelled pull left no image');

      // Delete "latest", which shares its image with "1.0": the modal names 1.0 and offers the safe choice.
      await contextMenu(wb, 'Registries', 'latest', 'Delete…');
      const dialog = wb.page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible' });
      assert.match((await dialog.textContent()) ?? '', /also tagged 1\.0/);
      await wb.screenshot('operations-delete-shared');
      await wb.answerDialog('Remove Only Selected Tags');
      await waitUntil('"latest" to leave the Registries view', async () => !(await wb.treeLabels('Registries')).includes('latest'));
      assert.ok((await wb.treeLabels('Registries')).includes('1.0'), '1.0 survives');
      await wb.screenshot('operations-after-delete');

      // Search all connected registries: results in a quick pick.
      await wb.runCommand('Registry Explorer: Search Registries…');
      await wb.answerInputBox(ns);
      await waitUntil('search results', async () => (await wb.quickPickItems()).some((l) => l === `${ns}/app`));
      await wb.screenshot('operations-search');
      await wb.page.keyboard.press('Escape');
    },
    {
      settings: {
        'registryExplorer.registries': [{ url: `http://${services()?.open.host ?? 'localhost:1'}`, name: 'Open registry' }],
        'registryExplorer.useDockerConfig': false,
        'registryExplorer.docker.host': services()?.dockerHost ?? '',
      },
      timeout: 180_000,
    },
  );

  test(
    'Local Images without an engine names the socket tried and the setting',
    async (wb) => {
      const svc = services() ?? skip('REGX_TEST_SERVICES is not set');
      await wb.openViewContainer('Registry Explorer');
      const row = await wb.treeItem('Local Images', /Could not reach the Docker engine/);
      const text = (await row.getAttribute('aria-label')) ?? (await row.textContent()) ?? '';
      assert.ok(text.includes(`${svc.root}/no-engine.sock`), text);
      assert.ok(text.includes('registryExplorer.docker.host'), text);
      const fix = await wb.treeItem('Local Images', 'Set registryExplorer.docker.host…');
      assert.match((await fix.textContent()) ?? '', /tried .*no-engine\.sock/);
      await wb.screenshot('operations-no-engine');
    },
    { settings: { 'registryExplorer.docker.host': `unix://${services()?.root ?? '/tmp'}/no-engine.sock` }, timeout: 60_000 },
  );
});
