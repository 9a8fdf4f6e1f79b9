// Reading the Registries view as a person sees it, for the vendor suites: rows by kind, their labels,
// descriptions, tooltips and context values, through the provider the extension registered.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RegistryExplorerApi } from '../../../src/extension';
import type { NamespaceNode, RegistryNode, RepositoryNode, TagNode, TreeNode } from '../../../src/vscode/tree/nodes';
import { waitFor } from './harness';

export class TreeView {
  constructor(private readonly api: RegistryExplorerApi) {}

  children(node?: TreeNode): Promise<TreeNode[]> {
    return this.api.registries.getChildren(node);
  }

  item(node: TreeNode): vscode.TreeItem {
    return this.api.registries.getTreeItem(node);
  }

  label(node: TreeNode): string {
    const l = this.item(node).label;
    return typeof l === 'string' ? l : l?.label ?? '';
  }

  description(node: TreeNode): string {
    return String(this.item(node).description ?? '');
  }

  /** A tooltip's text without Markdown escapes (appendText escapes punctuation and spaces). */
  tooltip(node: TreeNode): string {
    const tooltip = this.item(node).tooltip;
    const md = tooltip instanceof vscode.MarkdownString ? tooltip.value : String(tooltip ?? '');
    return md.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
  }

  contextValue(node: TreeNode): string {
    return String(this.item(node).contextValue ?? '');
  }

  async registry(host: string): Promise<RegistryNode> {
    return waitFor(`registry ${host} in the tree`, async () => (await this.children()).find((n): n is RegistryNode => n.kind === 'registry' && n.root.host === host));
  }

  only<K extends TreeNode['kind']>(nodes: TreeNode[], kind: K): Extract<TreeNode, { kind: K }>[] {
    return nodes.filter((n): n is Extract<TreeNode, { kind: K }> => n.kind === kind);
  }

  /** The children after pressing every "Load more…" under a node. */
  async all(node: TreeNode): Promise<TreeNode[]> {
    for (let i = 0; i < 20; i++) {
      const more = this.only(await this.children(node), 'loadMore')[0];
      if (!more) break;
      await vscode.commands.executeCommand('registryExplorer.loadMore', more);
    }
    return this.children(node);
  }

  async namespace(registry: RegistryNode, name: string): Promise<NamespaceNode> {
    const rows = await this.all(registry);
    const ns = this.only(rows, 'namespace').find((n) => n.name === name);
    assert.ok(ns, `namespace ${name} under ${registry.root.host}: ${rows.map((n) => this.label(n)).join(', ')}`);
    return ns;
  }

  async repository(parent: TreeNode, name: string): Promise<RepositoryNode> {
    const rows = await this.all(parent);
    const repo = this.only(rows, 'repository').find((r) => r.name === name);
    assert.ok(repo, `repository ${name}: ${rows.map((n) => this.label(n)).join(', ')}`);
    return repo;
  }

  async tag(repository: RepositoryNode, name: string): Promise<TagNode> {
    const rows = await this.all(repository);
    const tag = this.only(rows, 'tag').find((t) => t.tag === name);
    assert.ok(tag, `tag ${name} of ${repository.name}: ${rows.map((n) => this.label(n)).join(', ')}`);
    return tag;
  }

  /** Wait until a row's description satisfies `test` (details and badges arrive after first paint). */
  async descriptionOnceIt(node: TreeNode, test: RegExp, what = `${this.label(node)} described as ${test}`): Promise<string> {
    return waitFor(what, () => (test.test(this.description(node)) ? this.description(node) : undefined), 15_000);
  }
}
