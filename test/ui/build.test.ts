// Building from a Dockerfile, the keyboard-only path through the Registries view, and the getting-
// started walkthrough, in code-server + Chromium against the real registry and engine. Screenshots:
// test-results/build-output.png, build-failed.png, keyboard-navigation.png, walkthrough.png.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DockerEngine } from '../../src/docker/engine';
import { busyboxPath, busyboxRootfsTar } from '../support/engineImages';
import { seedImage } from '../support/seeding';
import { services, skip, suite, test, type Workbench } from './harness';

const run = Date.now().toString(36);

async function openFile(wb: Workbench, name: string): Promise<void> {
  // Quick Open (Ctrl+P) by keyboard: the file's name, then Enter on the first match.
  await wb.page.keyboard.press('Control+P');
  const widget = await wb.quickInput();
  await widget.locator('.quick-input-box input').fill(name);
  // Wait for the list to show this file (not a recently opened one) before Enter picks the first row.
  await widget.locator('.quick-input-list .monaco-list-row').first().locator('.label-name', { hasText: new RegExp(`^\\s*${path.basename(name).replace(/\./g, '\\.')}\\s*$`) }).waitFor();
  await wb.page.keyboard.press('Enter');
  await wb.page.locator('.editor-group-container .tab.active', { hasText: path.basename(name) }).waitFor();
}

async function focusedRowLabel(wb: Workbench): Promise<string> {
  return (await wb.page.locator('.part.sidebar .monaco-list-row.focused').first().getAttribute('aria-label')) ?? '';
}

suite('build and keyboard', () => {
  test(
    'Build Image from the open Dockerfile: output, the image in Local Images, and a failing step opened at its line',
    async (wb) => {
      const svc = services() ?? skip('REGX_TEST_SERVICES is not set');
      if (!svc.dockerHost) skip('no test dockerd');
      const busybox = busyboxPath() ?? skip('no static busybox (busybox-static)');
      const base = `ui-build-base-${run}:1`;
      const engine = DockerEngine.fromEnvironment({ env: { DOCKER_HOST: svc.dockerHost } });
      await engine.importImage(busyboxRootfsTar(busybox), base);
      try {
        fs.mkdirSync(path.join(wb.workspace, 'web'), { recursive: true });
        fs.writeFileSync(path.join(wb.workspace, 'web', 'Dockerfile'), [
          `FROM ${base} AS assets`,
          'RUN echo "bundling 3 assets" && echo ok > /assets.txt',
          `FROM ${base} AS runtime`,
          'ARG RELEASE=dev',
          'COPY --from=assets /assets.txt /srv/assets.txt',
          'RUN echo "release $RELEASE ready"',
          '',
        ].join('\n'));
        fs.writeFileSync(path.join(wb.workspace, 'web', 'broken.Dockerfile'), `FROM ${base}\nRUN echo "checking config"\nRUN echo "error: config.yaml: missing key 'port'" && exit 3\n`);
        await wb.openViewContainer('Registry Explorer');
        await openFile(wb, 'web/Dockerfile');

        await wb.runCommand('Registry Explorer: Build Image…');
        await wb.answerInputBox(`ui-build-${run}/web:1.0`);
        await wb.answerInputBox('RELEASE=2026.12');
        await wb.pickQuickPickItem('runtime');
        await wb.notification(new RegExp(`Built ui-build-${run}/web:1\\.0`), 60_000);
        await wb.page.locator('.part.panel .view-lines', { hasText: 'release 2026.12 ready' }).first().waitFor({ timeout: 15_000 });
        await wb.expandTreeItem('Local Images', `ui-build-${run}/web`);
        await wb.treeItem('Local Images', '1.0');
        await wb.screenshot('build-output');

        await openFile(wb, 'web/broken.Dockerfile');
        await wb.runCommand('Registry Explorer: Build Image…');
        await wb.answerInputBox(`ui-build-${run}/broken:1`);
        const failed = await wb.notification(/The build failed at broken\.Dockerfile line 3/, 60_000);
        assert.match((await failed.textContent()) ?? '', /exited with code 3/);
        // The failing instruction is selected in the editor.
        await wb.page.locator('.editor-group-container .tab.active', { hasText: 'broken.Dockerfile' }).waitFor();
        await wb.page.locator('.monaco-editor .selected-text').first().waitFor();
        await wb.screenshot('build-failed');
      } finally {
        for (const ref of [`ui-build-${run}/web:1.0`, base]) await engine.removeImage(ref, { force: true }).catch(() => undefined);
        await engine.close();
      }
    },
    {
      settings: { 'registryExplorer.docker.host': services()?.dockerHost ?? '', 'registryExplorer.useDockerConfig': false, 'registryExplorer.registries': [] },
      timeout: 180_000,
    },
  );

  test(
    'the keyboard alone: focus the Registries view, expand down to a tag, copy its reference and pull it from the context menu',
    async (wb) => {
      const svc = services() ?? skip('REGX_TEST_SERVICES is not set');
      const ns = `uikeys${run}`;
      await seedImage(svc.open.host, `${ns}/app`, '1.0', { seed: `${ns}-app` });
      await wb.openViewContainer('Registry Explorer');
      await wb.treeItem('Registries', 'Keyboard registry');
      await wb.runCommand('Registry Explorer: Focus on Registries View');
      const keys = async (...names: string[]) => {
        for (const k of names) await wb.page.keyboard.press(k);
      };
      // Shift+F10 opens the focused row's context menu; arrows move to an entry, Enter runs it.
      const pick = async (entry: string) => {
        await keys('Shift+F10');
        const menu = wb.page.locator('.context-view .monaco-menu').first();
        await menu.waitFor({ state: 'visible' });
        for (let i = 0; i < 40; i++) {
          const focused = ((await menu.locator('.action-item.focused .action-label').first().textContent().catch(() => '')) ?? '').trim();
          if (focused === entry) break;
          await keys('ArrowDown');
        }
        assert.equal(((await menu.locator('.action-item.focused .action-label').first().textContent()) ?? '').trim(), entry);
        await keys('Enter');
        await menu.waitFor({ state: 'hidden' });
      };
      // The first row is the registry; its Filter… narrows it to this test's namespace.
      await keys('Home');
      await wb.page.locator('.part.sidebar .monaco-list-row.focused').first().waitFor();
      assert.match(await focusedRowLabel(wb), /^Registry Keyboard registry, /);
      await pick('Filter…');
      await wb.page.keyboard.type(`${ns}/`);
      await keys('Enter');
      await wb.treeItem('Registries', ns);
      // Right expands the focused row (when it is not yet), Down moves to the next row.
      const focused = wb.page.locator('.part.sidebar .monaco-list-row.focused').first();
      const expandThenDown = async (child: string) => {
        if ((await focused.getAttribute('aria-expanded')) === 'false') {
          await keys('ArrowRight');
          await wb.page.locator('.part.sidebar .monaco-list-row.focused[aria-expanded="true"]').first().waitFor();
        }
        // Children load after the expansion: Down only once the row to move to is there.
        await wb.treeItem('Registries', child);
        await keys('ArrowDown');
      };
      await expandThenDown(ns);
      assert.match(await focusedRowLabel(wb), new RegExp(`^Namespace ${ns}, 1 repository`));
      await expandThenDown('app');
      assert.match(await focusedRowLabel(wb), /^Repository app/);
      await expandThenDown('1.0');
      // The tag row's digest, size and age come after the first paint; the words follow them.
      await wb.page.locator('.part.sidebar .monaco-list-row.focused[aria-label^="Tag 1.0, "]').first().waitFor();
      assert.match(await focusedRowLabel(wb), /^Tag 1\.0, [0-9a-f]{8}/);
      await wb.screenshot('keyboard-navigation');

      await pick('Copy Reference');
      assert.equal(await wb.clipboard(), `${svc.open.host}/${ns}/app:1.0`);
      if (svc.dockerHost) {
        await pick('Pull Image…');
        await wb.expandTreeItem('Local Images', `${svc.open.host}/${ns}/app`);
        await wb.treeItem('Local Images', '1.0');
      }
    },
    {
      settings: {
        'registryExplorer.registries': [{ url: `http://${services()?.open.host ?? 'localhost:1'}`, name: 'Keyboard registry' }],
        'registryExplorer.useDockerConfig': false,
        'registryExplorer.docker.host': services()?.dockerHost ?? '',
      },
      timeout: 120_000,
    },
  );

  test(
    'the getting-started walkthrough opens from the welcome view link',
    async (wb) => {
      await wb.openViewContainer('Registry Explorer');
      const registries = await wb.view('Registries');
      await registries.locator('.welcome-view-content a', { hasText: 'Get started' }).first().click();
      const walkthrough = wb.page.locator('.gettingStartedContainer');
      await walkthrough.locator('h2', { hasText: 'Get started with Registry Explorer' }).first().waitFor({ timeout: 20_000 });
      for (const step of ['Connect a registry', 'Browse repositories and tags', 'Pull an image', 'Push an image', 'Build from a Dockerfile']) {
        await walkthrough.locator('.getting-started-step', { hasText: step }).first().waitFor();
      }
      await wb.screenshot('walkthrough');
    },
    { settings: { 'registryExplorer.registries': [], 'registryExplorer.useDockerConfig': false }, timeout: 60_000 },
  );
});
