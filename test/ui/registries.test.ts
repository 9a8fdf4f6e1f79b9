// The Registries view clicked through in code-server with Chromium, against the real registries:
// connect from the palette, expand to a repository with more tags than a page, Load more, filter,
// copy a reference from the context menu, and recover from a 401 through "Sign in…".
// Screenshots land in test-results/registries-*.png (the README uses them).
import * as assert from 'node:assert/strict';
import { seedImage, seedIndex, seedManyTags } from '../support/seeding';
import { services, skip, suite, test, type Workbench } from './harness';

const PAGE = 5;

/** Accept the open quick pick as it is (multi-select pickers take Enter as OK). */
async function acceptQuickPick(wb: Workbench): Promise<void> {
  await wb.quickInput();
  await wb.page.keyboard.press('Enter');
}

/**
 * Right-click a row and pick an entry. The tree redraws rows as pages and details arrive; a right-click
 * that lands during a redraw opens no menu, so try again a few times before giving up.
 */
async function contextMenu(wb: Workbench, label: string, entry: string): Promise<void> {
  const menu = wb.page.locator('.context-view .monaco-menu').first();
  for (let attempt = 1; ; attempt++) {
    await (await wb.treeItem('Registries', label)).click({ button: 'right' });
    try {
      await menu.waitFor({ state: 'visible', timeout: 3_000 });
      break;
    } catch (error) {
      if (attempt === 4) throw error;
      await wb.page.keyboard.press('Escape');
    }
  }
  const item = menu.locator('.action-item .action-label').filter({ hasText: new RegExp(`^\\s*${entry.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }).first();
  // A click while the menu is still laying out can be swallowed: the menu closing is the proof it ran.
  for (let attempt = 1; ; attempt++) {
    await item.click();
    try {
      await menu.waitFor({ state: 'hidden', timeout: 3_000 });
      return;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

/** Rows of the Registries view whose label matches, e.g. the tags under an expanded repository. */
async function labels(wb: Workbench, pattern: RegExp): Promise<string[]> {
  return (await wb.treeLabels('Registries')).filter((l) => pattern.test(l));
}

async function waitForLabels(wb: Workbench, pattern: RegExp, count: number): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = await labels(wb, pattern);
    if (found.length === count || Date.now() > deadline) return found;
    await wb.page.waitForTimeout(200);
  }
}

suite('registries view', () => {
  test(
    'connect from the palette, page through tags, filter, copy a reference',
    async (wb) => {
      const open = services()?.open ?? skip('REGX_TEST_SERVICES is not set');
      await seedManyTags(open.host, 'uitree/many', 12, { prefix: 'v1.' });
      await seedIndex(open.host, 'uitree/multi', '2.0', { platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] });

      await wb.openViewContainer('Registry Explorer');
      await wb.view('Registries');
      await wb.page.locator('.part.sidebar .welcome-view-content').filter({ hasText: 'No registry is connected yet.' }).first().waitFor();
      await wb.screenshot('registries-welcome');

      await wb.runCommand('Registry Explorer: Connect Registry…');
      // Docker Hub, GHCR, GitLab, Harbor, Quay, Artifactory and the clouds are offered by name; any other registry by its URL.
      // The list is longer than the picker shows: each kind is looked for by filtering, as a person would type.
      const input = (await wb.quickInput()).locator('.quick-input-box input');
      const offered: string[] = [];
      for (const typed of ['Docker', 'GitHub', 'GitLab', 'Harbor', 'Quay', 'Artifactory', 'Amazon', 'Azure', 'Google', 'Another']) {
        await input.fill(typed);
        offered.push(...(await wb.quickPickItems()));
      }
      for (const kind of [/Docker Hub/, /GitHub Container Registry/, /GitLab/, /Self-managed GitLab/, /Harbor/, /Quay/, /JFrog Artifactory/, /^Amazon ECR…$/, /Amazon ECR Public/, /Azure Container Registry/, /Google Artifact Registry \/ GCR/, /Another registry/]) {
        assert.ok(offered.some((k) => kind.test(k)), `Connect Registry offers ${kind}: ${offered.join(' | ')}`);
      }
      await input.fill('');
      await wb.screenshot('connect-registry-kinds');
      await wb.pickQuickPickItem('Another registry…');
      // A bad URL is refused with the reference parser's words before anything is saved.
      assert.match(await wb.inputBoxValidation('ftp://nowhere'), /scheme/i);
      await wb.answerInputBox(`http://${open.host}`);
      await wb.answerInputBox('Local test registry'); // display name
      await acceptQuickPick(wb); // connection options: none
      await wb.pickQuickPickItem(/Continue anonymously/, { filter: false });

      // Connect reveals the new registry expanded; clicking its twistie now could race that and collapse it.
      await wb.page.locator('.part.sidebar .monaco-list-row[aria-expanded="true"]').filter({ has: wb.page.locator('.label-name', { hasText: /^\s*Local test registry\s*$/ }) }).first().waitFor();
      // Other suites seed this registry too: filter its repositories to ours (the filter shows on the node).
      await contextMenu(wb, 'Local test registry', 'Filter…');
      await wb.answerInputBox('uitree/');
      await wb.page.locator('.part.sidebar .monaco-list-row .label-description').filter({ hasText: 'filter: "uitree/"' }).first().waitFor();
      await wb.expandTreeItem('Registries', 'uitree');
      await wb.expandTreeItem('Registries', 'many');
      // The registry's first page (name order), shown newest version first: sorting never fetches more pages.
      assert.deepEqual(await waitForLabels(wb, /^v1\.\d+$/, PAGE), ['v1.04', 'v1.03', 'v1.02', 'v1.01', 'v1.00']);
      await wb.screenshot('registries-first-page');

      await (await wb.treeItem('Registries', 'Load more…')).click();
      assert.equal((await waitForLabels(wb, /^v1\.\d+$/, 2 * PAGE)).length, 2 * PAGE);
      // Tag details (short digest · size · age) arrive after the first paint.
      await wb.page.locator('.part.sidebar .monaco-list-row .label-description').filter({ hasText: /^[0-9a-f]{12} · / }).first().waitFor();
      await wb.screenshot('registries-load-more');

      await contextMenu(wb, 'many', 'Filter…');
      // The filter fetches on until it has matches (v1.10 and v1.11 are on the third page).
      await wb.answerInputBox('v1.1');
      assert.deepEqual(await waitForLabels(wb, /^v1\.\d+$/, 2), ['v1.11', 'v1.10']);
      await wb.page.locator('.part.sidebar .monaco-list-row .label-description').filter({ hasText: 'filter: "v1.1"' }).first().waitFor();
      await wb.screenshot('registries-filter');

      await contextMenu(wb, 'v1.10', 'Copy Reference');
      assert.equal(await wb.clipboard(), `${open.host}/uitree/many:v1.10`);

      // A multi-platform tag expands to its platforms.
      await wb.expandTreeItem('Registries', 'multi');
      // It becomes expandable once its details say it is an index (after first paint).
      const tag = wb.page.locator('.part.sidebar .monaco-list-row[aria-expanded]').filter({ has: wb.page.locator('.label-name', { hasText: /^\s*2\.0\s*$/ }) }).first();
      await tag.waitFor();
      await wb.expand(tag);
      await wb.treeItem('Registries', 'linux/arm64');
      await wb.screenshot('registries-platforms');
    },
    { settings: { 'registryExplorer.pageSize': PAGE, 'registryExplorer.registries': [], 'registryExplorer.useDockerConfig': false }, timeout: 120_000 },
  );

  test(
    '401 shows Sign in…, which signs in to the token registry and recovers',
    async (wb) => {
      const token = services()?.token ?? skip('REGX_TEST_SERVICES is not set');
      await seedImage(token.host, 'uitree/secure', '1.0', { auth: token.user });

      await wb.openViewContainer('Registry Explorer');
      await wb.expandTreeItem('Registries', 'Token registry');
      await wb.treeItem('Registries', /127\.0\.0\.1:\d+/); // the error, in describeError's words
      const signIn = await wb.treeItem('Registries', 'Sign in…');
      await wb.screenshot('registries-401');

      await signIn.click();
      await wb.answerInputBox('reader');
      await wb.answerInputBox('not-the-password');
      // Refused credentials are not stored: the prompt comes back and says why.
      const prompt = await wb.answerInputBox('reader');
      assert.match(prompt, /try again/i);
      await wb.answerInputBox('reader-pass');
      await wb.notification('Signed in to');

      await wb.expandTreeItem('Registries', 'uitree');
      await wb.expandTreeItem('Registries', 'secure');
      await wb.treeItem('Registries', '1.0');
      await wb.page.locator('.part.sidebar .monaco-list-row .label-description').filter({ hasText: 'signed in' }).first().waitFor();
      await wb.screenshot('registries-signed-in');
    },
    {
      settings: {
        'registryExplorer.registries': [{ url: services()?.token.host ?? 'localhost:1', name: 'Token registry' }],
        'registryExplorer.useDockerConfig': false,
      },
      timeout: 120_000,
    },
  );

  test(
    'from the palette, commands ask with quick picks: Copy Pull Command',
    async (wb) => {
      const open = services()?.open ?? skip('REGX_TEST_SERVICES is not set');
      await seedImage(open.host, 'uipalette/app', '1.0', { seed: 'uipalette-1' });
      await seedImage(open.host, 'uipalette/app', '2.0', { seed: 'uipalette-2' });

      await wb.openViewContainer('Registry Explorer');
      await wb.treeItem('Registries', 'Palette registry');
      await wb.runCommand('Registry Explorer: Copy Pull Command');
      await wb.pickQuickPickItem('Palette registry');
      // The repository picker pages like the tree; a name can always be typed instead.
      await wb.pickQuickPickItem(/Enter a repository name/, { filter: false });
      await wb.answerInputBox('uipalette/app');
      assert.deepEqual(await wb.quickPickItems(), ['2.0', '1.0']);
      await wb.screenshot('registries-palette-tag-pick');
      await wb.pickQuickPickItem('2.0');
      assert.equal(await wb.clipboard(), `docker pull ${open.host}/uipalette/app:2.0`);
    },
    {
      settings: {
        'registryExplorer.registries': [{ url: `http://${services()?.open.host ?? 'localhost:1'}`, name: 'Palette registry' }],
        'registryExplorer.pageSize': PAGE,
        'registryExplorer.useDockerConfig': false,
      },
      timeout: 90_000,
    },
  );
});
