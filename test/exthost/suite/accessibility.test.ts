// Every row both views draw carries words for a screen reader (TreeItem.accessibilityInformation):
// its kind, its label and its description spelled out — walked over a real registry with a
// multi-platform tag, a plain tag and an error row, and over the Local Images view. Every command has a
// title, which is what VS Code reads out for a menu item or an icon-only button.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RegistryExplorerApi } from '../../../src/extension';
import type { TreeNode } from '../../../src/vscode/tree/nodes';
import { seedImage, seedIndex } from '../../support/seeding';
import { activateExtension, after, before, services, skip, suite, test, waitFor, withSetting } from './harness';
import { TreeView } from './treeView';

const run = Date.now().toString(36);
let api: RegistryExplorerApi;
let tree: TreeView;
const restore: (() => Promise<void>)[] = [];

function plainLabel(item: vscode.TreeItem): string {
  const l = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
  return l.replace(/\$\([a-z0-9-~]+\)\s*/gi, '').trim();
}

suite('accessibility', () => {
  before(async () => {
    const svc = services() ?? skip('REGX_TEST_SERVICES is not set');
    api = (await activateExtension()).exports as RegistryExplorerApi;
    tree = new TreeView(api);
    await seedImage(svc.open.host, `a11y${run}/app`, '1.0', { seed: `a11y-${run}` });
    await seedIndex(svc.open.host, `a11y${run}/app`, 'multi', { platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] });
    restore.push(await withSetting('registryExplorer', 'registries', [{ url: `http://${svc.open.host}`, name: 'Open' }, { url: 'http://127.0.0.1:9', name: 'Nobody home' }]));
  });

  after(async () => {
    for (const r of restore.reverse()) await r();
  });

  test('every Registries row, down to platforms and an error, has words for a screen reader', async () => {
    const svc = services()!;
    const seen: string[] = [];
    const visit = async (node: TreeNode, depth: number): Promise<void> => {
      const item = tree.item(node);
      const words = item.accessibilityInformation?.label;
      assert.ok(words, `${node.kind} "${plainLabel(item)}" has an accessibility label`);
      assert.ok(words.includes(plainLabel(item)), `"${words}" says the row's label "${plainLabel(item)}"`);
      assert.doesNotMatch(words, /\$\(|·/, 'no codicons or separators read out');
      seen.push(`${node.kind}: ${words}`);
      if (depth > 4 || item.collapsibleState === vscode.TreeItemCollapsibleState.None) return;
      if (node.kind === 'registry' && node.root.host !== svc.open.host) {
        for (const child of await tree.children(node)) await visit(child, depth + 1);
        return;
      }
      const children = (await tree.children(node)).filter((c) => (c.kind !== 'namespace' && c.kind !== 'repository') || c.name.startsWith(`a11y${run}`));
      // Tag rows get their digest, size and age (and, for an index, their platforms) after the first paint.
      for (const child of children) {
        if (child.kind === 'tag') await waitFor(`details of tag ${child.tag}`, () => tree.description(child) || undefined);
      }
      for (const child of children) await visit(child, depth + 1);
    };
    for (const root of await tree.children()) await visit(root, 0);
    const kinds = new Set(seen.map((s) => s.split(':')[0]));
    for (const kind of ['registry', 'repository', 'tag', 'platform', 'error']) assert.ok(kinds.has(kind), `visited a ${kind} row: ${seen.join(' | ')}`);
    assert.ok(seen.some((s) => /^tag: Tag 1\.0, [0-9a-f]{8}/.test(s)), seen.join(' | '));
    assert.ok(seen.some((s) => s.startsWith('platform: Platform linux/arm64')), seen.join(' | '));
  });

  test('Local Images rows have words too, and every command has a title to be read out', async () => {
    for (const node of await api.images.getChildren()) {
      const item = api.images.getTreeItem(node);
      assert.ok(item.accessibilityInformation?.label?.includes(plainLabel(item)), `${node.kind}: ${item.accessibilityInformation?.label}`);
    }
    const manifest = vscode.extensions.getExtension('registry-explorer.registry-explorer')!.packageJSON as { contributes: { commands: { command: string; title?: string }[] } };
    const untitled = manifest.contributes.commands.filter((c) => !c.title?.trim()).map((c) => c.command);
    assert.deepEqual(untitled, []);
  });
});
