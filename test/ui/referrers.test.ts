// Referrers in the Registries view, clicked through in code-server: a tag with an SBOM becomes
// expandable once its details and referrers arrive, and expands to a "Referrers" group listing the
// SBOM by kind; the referrer's context menu offers Inspect and the copy commands.
// Screenshot: test-results/registries-referrers.png.
import * as assert from 'node:assert/strict';
import { seedArtifact, seedImage } from '../support/seeding';
import { services, skip, suite, test } from './harness';

suite('registries view', () => {
  test(
    'a tag expands to its referrers (an SBOM), with their kind, digest, size and age',
    async (wb) => {
      const open = services()?.open ?? skip('REGX_TEST_SERVICES is not set');
      const image = await seedImage(open.host, 'uiref/app', '1.0', { seed: 'uiref-1.0' });
      const sbom = await seedArtifact(open.host, 'uiref/app', image, { artifactType: 'application/spdx+json' });
      await seedImage(open.host, 'uiref/app', '0.9', { seed: 'uiref-0.9' });

      await wb.openViewContainer('Registry Explorer');
      const registry = await wb.expandTreeItem('Registries', 'Referrers registry');
      // Other suites seed this registry too: filter its repositories to ours.
      await wb.filterTreeItem(registry, 'uiref/');
      await wb.expandTreeItem('Registries', 'uiref');
      await wb.expandTreeItem('Registries', 'app');
      // The tag becomes expandable after first paint, once its details and then its referrers arrive.
      const tag = wb.page
        .locator('.part.sidebar .monaco-list-row[aria-expanded]')
        .filter({ has: wb.page.locator('.label-name', { hasText: /^\s*1\.0\s*$/ }) })
        .first();
      await tag.waitFor({ timeout: 20_000 });
      await wb.expand(tag);
      await wb.expandTreeItem('Registries', 'Referrers');
      const row = await wb.treeItem('Registries', 'SPDX SBOM');
      const description = ((await row.locator('.label-description').first().textContent()) ?? '').trim();
      assert.match(description, new RegExp(`^${sbom.digest.slice(7, 19)} · \\d+ B · .+ ago$`), `referrer description: ${description}`);
      // The fallback tag (sha256-<hex>) is not a row of its own; the tag without referrers stays a leaf.
      const labels = await wb.treeLabels('Registries');
      assert.ok(!labels.some((l) => l.startsWith('sha256-')), `no fallback tag row: ${labels.join(' | ')}`);
      const plain = wb.page.locator('.part.sidebar .monaco-list-row').filter({ has: wb.page.locator('.label-name', { hasText: /^\s*0\.9\s*$/ }) }).first();
      assert.equal(await plain.getAttribute('aria-expanded'), null, '0.9 has no referrers: not expandable');

      await row.hover();
      await wb.screenshot('registries-referrers');

      const entries = await wb.contextMenuEntries(row);
      for (const entry of ['Inspect', 'Copy Reference', 'Copy Digest']) {
        assert.ok(entries.some((e) => e.startsWith(entry)), `the referrer menu offers ${entry}: ${entries.join(' | ')}`);
      }
      await wb.contextMenu(row, /^Copy Digest/);
      assert.equal(await wb.clipboard(), sbom.digest);
    },
    {
      settings: {
        'registryExplorer.registries': [{ url: `http://${services()?.open.host ?? 'localhost:1'}`, name: 'Referrers registry' }],
        'registryExplorer.useDockerConfig': false,
        'registryExplorer.tags.sort': 'name',
      },
      timeout: 120_000,
    },
  );
});
