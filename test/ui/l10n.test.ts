// A second display language, proven to load in a real VS Code: code-server switched to the pseudo-locale
// qps-ploc (argv.json's "locale", with the test-only language pack of pseudoLanguagePack.ts) shows the
// extension's qps-ploc words, accented and in ⟦ ⟧, where English would be: the manifest's (view
// container, views, a command in the palette, from package.nls.qps-ploc.json), the extension's own
// (a quick pick, tree rows, from l10n/bundle.l10n.qps-ploc.json through vscode.l10n.t), the shared
// error words (describeError through @vscode/l10n, handed the bundle at activation) and the Image
// Details webview's (the same bundle, written into its page). Every expected text
// is read from the committed bundles, so a string that fell out of localisation shows in English and fails.
// Screenshots: test-results/l10n-qps-ploc.png (tree rows and the Image Details page),
// test-results/l10n-qps-ploc-palette.png (the Connect Registry quick pick).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PSEUDO_LOCALE } from './pseudoLanguagePack';
import { seedSupplyChainImages } from '../support/supplyChainSeed';
import { services, skip, test } from './harness';

const root = path.join(__dirname, '..', '..', '..');
const readBundle = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')) as Record<string, string>;
const manifest = readBundle(`package.nls.${PSEUDO_LOCALE}.json`);
const bundle = readBundle(`l10n/bundle.l10n.${PSEUDO_LOCALE}.json`);

/** The qps-ploc text of an English bundle key, failing the test when the key is not in the bundle. */
function pseudo(words: Record<string, string>, key: string): string {
  const text = words[key];
  assert.ok(text, `"${key}" is not in the ${PSEUDO_LOCALE} bundle`);
  return text;
}

/** The pseudo-localised sentence `key` with its placeholders filled in by anything. */
function sentence(key: string): RegExp {
  const text = pseudo(bundle, key).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{\d+\\\}/g, '.+?');
  return new RegExp(`^\\s*${text}\\s*$`);
}

const missingEngine = 'unix:///tmp/regx-ui-l10n-no-engine.sock';
const PREFIX = 'uil10n';

test('in the pseudo-locale qps-ploc the views, the palette, quick picks, tree rows, error words and the Image Details page are the qps-ploc ones', async (wb) => {
  const container = pseudo(manifest, 'viewsContainer.registryExplorer.title');
  assert.notEqual(container, 'Registry Explorer');
  await wb.openViewContainer(container);
  const registries = pseudo(manifest, 'view.registries.name');
  await wb.view(registries);

  // Local Images, pointed at an engine that is not there: describeError's sentence and the rows under it.
  const images = pseudo(manifest, 'view.images.name');
  await wb.treeItem(images, sentence('Could not reach the Docker engine at {0}: {1}. Start Docker, or point registryExplorer.docker.host (or DOCKER_HOST for regx) at the right socket.'));
  await wb.treeItem(images, pseudo(bundle, 'Retry'));
  await wb.treeItem(images, pseudo(bundle, 'Set registryExplorer.docker.host…'));

  // A command from package.nls, found in the palette by its qps-ploc title, and its quick pick from vscode.l10n.t.
  await wb.runCommand(`${pseudo(manifest, 'command.category')}: ${pseudo(manifest, 'command.connectRegistry.title')}`);
  const widget = await wb.quickInput();
  assert.equal(await widget.locator('.quick-input-box input').getAttribute('placeholder'), pseudo(bundle, 'Which registry?'));
  const items = await wb.quickPickItems();
  // The row's icon is drawn apart from its label: what is left of the qps-ploc text is the label.
  assert.ok(items.includes(pseudo(bundle, '$(globe) Docker Hub').replace('$(globe)', '')), `quick pick rows: ${items.join(' | ')}`);
  await wb.screenshot('l10n-qps-ploc-palette');
  await wb.page.keyboard.press('Escape');

  const open = services()?.open ?? skip('REGX_TEST_SERVICES is not set: the tag rows and the Image Details page need the test registry');
  await seedSupplyChainImages(open.host, undefined, { prefix: PREFIX });
  // Only the registry in the picture: Local Images' error is checked above.
  const imagesHeader = wb.page.locator('.part.sidebar .pane-header', { hasText: images }).first();
  if ((await imagesHeader.getAttribute('aria-expanded')) === 'true') await imagesHeader.click();
  const registry = await wb.expandTreeItem(registries, 'L10n registry');
  await wb.contextMenu(registry, pseudo(manifest, 'command.filter.title'));
  await wb.answerInputBox(`${PREFIX}/app`);
  await wb.expandTreeItem(registries, PREFIX);
  await wb.expandTreeItem(registries, 'app');
  // A tag row's description is built from parts: digest · size · age, the age in qps-ploc words.
  const tag = await wb.treeItem(registries, '1.0');
  await wb.page.waitForFunction(
    (el) => /·/.test((el as unknown as { textContent: string | null } | null)?.textContent ?? ''),
    await tag.elementHandle(),
    { timeout: 20_000 },
  );
  const description = ((await tag.locator('.label-description').textContent()) ?? '').trim();
  // The age is the row's only words (digests and sizes have none): accented and bracketed, never English.
  assert.match(description, /⟦[^⟧]+⟧/, `the tag row's age is in qps-ploc: ${description}`);
  assert.doesNotMatch(description, /\bago\b|just now/, description);

  // The Image Details page: its words come from the same bundle, written into the page by the extension
  // as a JSON data block, which the page's strict CSP lets through (it runs nothing).
  const refused: string[] = [];
  wb.page.on('console', (m) => {
    if (/Refused to (execute|load) (inline )?script/i.test(m.text())) refused.push(m.text());
  });
  await wb.contextMenu(tag, pseudo(manifest, 'command.showImageDetails.title'));
  const frame = wb.page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
  await frame.locator('h1', { hasText: 'app:1.0' }).waitFor({ timeout: 20_000 });
  for (const tab of ['Overview', 'Layers', 'Config', 'Supply chain', 'Vulnerabilities', 'Compare']) {
    await frame.locator('vscode-tab-header', { hasText: pseudo(bundle, tab) }).first().waitFor();
  }
  for (const field of ['Digest', 'Media type', 'Total size']) {
    await frame.locator('dl.fields dt', { hasText: pseudo(bundle, field) }).first().waitFor();
  }
  assert.equal(await frame.locator('html').getAttribute('lang'), PSEUDO_LOCALE);
  assert.deepEqual(refused, [], 'no script of the page refused');
  await wb.screenshot('l10n-qps-ploc');
}, {
  locale: PSEUDO_LOCALE,
  timeout: 120_000,
  settings: {
    'registryExplorer.docker.host': missingEngine,
    'registryExplorer.useDockerConfig': false,
    'registryExplorer.tags.sort': 'name',
    'registryExplorer.registries': services() ? [{ url: `http://${services()!.open.host}`, name: 'L10n registry' }] : [],
  },
});
