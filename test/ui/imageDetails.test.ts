// Show Image Details clicked through in code-server + Chromium, on images seeded into the real test
// registry (seedSupplyChainImages): opened from a tag's context menu, the platform switched with the
// keyboard-usable select, the tabs walked with the arrow keys and Enter/Space, the SBOM searched, a
// compare run. Screenshots: test-results/image-details-dark.png, image-details-light.png,
// image-details-sbom.png, image-details-compare.png.
import * as assert from 'node:assert/strict';
import type { FrameLocator, Locator } from 'playwright-core';
import { seedSupplyChainImages, type SupplyChainSeed } from '../support/supplyChainSeed';
import { services, skip, suite, test, type Workbench } from './harness';

const PREFIX = 'uidetails';
let seeded: Promise<SupplyChainSeed> | undefined;

/** Seeded once for both tests (the registry keeps it across them). */
function seed(): Promise<SupplyChainSeed> {
  const open = services()?.open ?? skip('REGX_TEST_SERVICES is not set');
  seeded ??= seedSupplyChainImages(open.host, undefined, { prefix: PREFIX });
  return seeded;
}

const settings = {
  'registryExplorer.registries': [{ url: `http://${services()?.open.host ?? 'localhost:1'}`, name: 'Details registry' }],
  'registryExplorer.useDockerConfig': false,
  'registryExplorer.tags.sort': 'name',
};

/** The tag's row under Details registry › uidetails › app, the registry filtered to our repositories. */
async function tagRow(wb: Workbench, tag: string): Promise<Locator> {
  await wb.openViewContainer('Registry Explorer');
  const registry = await wb.expandTreeItem('Registries', 'Details registry');
  await wb.filterTreeItem(registry, `${PREFIX}/app`);
  await wb.expandTreeItem('Registries', PREFIX);
  await wb.expandTreeItem('Registries', 'app');
  // Only the Registries view in the pictures (no test engine here: Local Images would show its error).
  const localImages = wb.page.locator('.part.sidebar .pane-header', { hasText: 'Local Images' }).first();
  if ((await localImages.getAttribute('aria-expanded')) === 'true') await localImages.click();
  return wb.treeItem('Registries', tag);
}

/** The panel's page: the webview's inner frame (VS Code nests the page in a second iframe). */
function panelFrame(wb: Workbench): FrameLocator {
  return wb.page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
}

async function openDetails(wb: Workbench, tag: string): Promise<FrameLocator> {
  const row = await tagRow(wb, tag);
  await wb.contextMenu(row, 'Show Image Details');
  const frame = panelFrame(wb);
  await frame.locator('h1', { hasText: `app:${tag}` }).waitFor({ timeout: 20_000 });
  return frame;
}

/** The value shown for a field of the Overview's list ("Digest", "OS/architecture"). */
async function fieldValue(frame: FrameLocator, label: string): Promise<string> {
  const dd = frame.locator(`dl.fields dt:text-is("${label}") + dd`).first();
  await dd.waitFor();
  return ((await dd.textContent()) ?? '').trim();
}

function tabHeader(frame: FrameLocator, name: string): Locator {
  return frame.locator('vscode-tab-header', { hasText: name }).first();
}

async function selectedTab(frame: FrameLocator): Promise<string> {
  return ((await frame.locator('vscode-tab-header[aria-selected="true"]').first().textContent()) ?? '').trim();
}

suite('image details', () => {
  test(
    'opens from a tag, switches platform, and walks its tabs with the keyboard (dark theme)',
    async (wb) => {
      const s = await seed();
      // The webview's strict CSP: none of our scripts, stylesheets or fonts may be refused, and nothing
      // we render inline (the toolkit styles through CSSOM and adopted stylesheets). Chromium logs each
      // refusal with the hash of what it blocked; the only one expected is the block of default styles
      // the workbench itself writes into every webview's document without our nonce: one hash, repeated.
      const refused: string[] = [];
      wb.page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text());
      });
      const frame = await openDetails(wb, 'multi');
      assert.equal(await fieldValue(frame, 'Digest'), s.multi.digest);
      assert.equal(await fieldValue(frame, 'OS/architecture'), 'linux/amd64');
      // Attestation entries are named apart, not offered as platforms.
      const attestations = frame.locator('.attestations');
      assert.match((await attestations.textContent()) ?? '', new RegExp(`${s.multi.attestations.length} attestation entr`));
      const select = frame.locator('#platform-select');
      await select.click();
      const options = await frame.locator('vscode-single-select#platform-select vscode-option').allTextContents();
      assert.deepEqual(options.map((o) => o.trim()).sort(), ['linux/amd64', 'linux/arm64']);
      // The open dropdown's rows (role option, in the select's shadow root), not the hidden <vscode-option>s.
      await select.getByRole('option', { name: 'linux/arm64', exact: true }).click();
      await frame.locator('dl.fields dt:text-is("OS/architecture") + dd', { hasText: 'linux/arm64' }).waitFor();
      assert.equal(await fieldValue(frame, 'Image digest'), s.multi.images['linux/arm64'].digest);

      // Keyboard: focus the selected tab, ArrowRight twice and Enter opens Config; Space opens the next one.
      await tabHeader(frame, 'Overview').focus();
      await wb.page.keyboard.press('ArrowRight');
      await wb.page.keyboard.press('ArrowRight');
      await wb.page.keyboard.press('Enter');
      await frame.locator('vscode-tab-header[aria-selected="true"]', { hasText: 'Config' }).waitFor();
      await frame.locator('h2', { hasText: 'Environment' }).waitFor();
      await wb.page.keyboard.press('ArrowLeft');
      await wb.page.keyboard.press(' ');
      await frame.locator('vscode-tab-header[aria-selected="true"]', { hasText: 'Layers' }).waitFor();
      assert.equal(await selectedTab(frame), 'Layers');
      const layerRows = frame.locator('vscode-table[aria-label="Layers"] vscode-table-body vscode-table-row');
      assert.ok((await layerRows.count()) > 0, 'the layers table has rows');

      // The picture for the README: an index's overview on its arm64 platform.
      await wb.page.keyboard.press('ArrowLeft');
      await wb.page.keyboard.press('Enter');
      await frame.locator('#platform-select').waitFor();
      await wb.screenshot('image-details-dark');
      assert.deepEqual(refused.filter((text) => !/^Applying inline style/.test(text)), [], 'no script, stylesheet or font refused');
      const hashes = new Set(refused.map((text) => /'(sha256-[^']+)'/.exec(text)?.[1]));
      assert.ok(hashes.size <= 1, `one inline style refused at most (the workbench's defaults), not ours: ${[...hashes].join(', ')}`);

      // A window reload (the workbench saves its editors, then reloads): the serializer reopens the
      // panel on the platform it showed.
      const reloaded = wb.page.waitForEvent('load', { timeout: 30_000 });
      // runCommand's last wait looks at the palette of the page that is going away.
      await wb.runCommand('Developer: Reload Window').catch(() => undefined);
      await reloaded;
      await wb.ready();
      const restored = panelFrame(wb);
      await restored.locator('h1', { hasText: 'app:multi' }).waitFor({ timeout: 30_000 });
      await restored.locator('dl.fields dt:text-is("OS/architecture") + dd', { hasText: 'linux/arm64' }).waitFor();
      assert.equal(await selectedTab(restored), 'Overview');
    },
    { settings: { ...settings, 'workbench.colorTheme': 'Default Dark Modern' }, timeout: 120_000 },
  );

  test(
    'searches the SBOM and compares two tags (light theme)',
    async (wb) => {
      const s = await seed();
      const frame = await openDetails(wb, '1.0');
      assert.equal(await fieldValue(frame, 'Digest'), s.release.digest);
      await wb.screenshot('image-details-light');

      await tabHeader(frame, 'Supply chain').click();
      await frame.locator('.verification.verified').first().waitFor({ timeout: 20_000 });
      assert.ok((await frame.locator('.verification.failed').count()) > 0, 'the tampered signature shows as failed');
      // Two SBOMs: pick the SPDX one (450 packages) in the SBOM select.
      const sbomSelect = frame.locator('vscode-single-select[aria-label="SBOM"]');
      await sbomSelect.click();
      await sbomSelect.getByRole('option', { name: /^SPDX/ }).click();
      const range = frame.locator('.sbom-range');
      await frame.locator('.sbom-range', { hasText: 'of 450' }).waitFor();
      assert.match((await range.textContent()) ?? '', /^1–200 of 450$/);
      const rows = frame.locator('vscode-table[aria-label="SBOM packages"] vscode-table-body vscode-table-row');
      assert.equal(await rows.count(), 200, 'one page of packages in the DOM, not the whole SBOM');
      const expected = s.release.spdx.packages.filter((p) => [p.name, p.version, p.license].some((f) => f.toLowerCase().includes('openssl')));
      await frame.locator('#sbom-search input').fill('openssl');
      await frame.locator('.sbom-range', { hasText: `of ${expected.length}` }).waitFor();
      assert.equal(await rows.count(), expected.length);
      await frame.locator('h2', { hasText: 'SBOMs' }).evaluate((heading) => heading.scrollIntoView({ block: 'start' }));
      await wb.screenshot('image-details-sbom');

      await tabHeader(frame, 'Compare').click();
      const picker = frame.locator('#compare-tag');
      await frame.locator('#compare-tag vscode-option', { hasText: '1.1' }).first().waitFor({ state: 'attached', timeout: 20_000 });
      await picker.click();
      await picker.getByRole('option', { name: '1.1', exact: true }).click();
      await frame.locator('vscode-button', { hasText: 'Compare' }).click();
      await frame.locator('h2', { hasText: 'Layers added' }).waitFor({ timeout: 20_000 });
      const summary = await fieldValue(frame, 'Layers');
      const baseLayers = new Set(s.release.layers.map((l) => l.digest));
      const added = s.next.layers.filter((l) => !baseLayers.has(l.digest)).length;
      assert.match(summary, new RegExp(`^${added} added`));
      const changed = frame.locator('vscode-table[aria-label="Package changes"] vscode-table-body vscode-table-row');
      const { added: pAdded, removed, upgraded } = s.next.changes;
      assert.equal(await changed.count(), pAdded.length + removed.length + upgraded.length);
      await wb.screenshot('image-details-compare');
    },
    { settings: { ...settings, 'workbench.colorTheme': 'Default Light Modern' }, timeout: 120_000 },
  );
});
