// Reading the Registries view as a person sees it, for the vendor suites: rows by kind, their labels,
// descriptions, tooltips and context values, through the provider the extension registered; and what
// every vendor suite sets up and tears down (VendorSuite).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RegistryExplorerApi } from '../../../src/extension';
import type { NamespaceNode, RegistryNode, RepositoryNode, TagNode, TreeNode } from '../../../src/vscode/tree/nodes';
import { activateExtension, waitFor, withSetting } from './harness';
import { captureWindow, type Answers, type Capture } from './window';

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

/**
 * What each vendor suite starts from: the extension's API and its tree, settings that leave only the
 * registries the suite connects (name order, a page of 100, no docker logins), and one window capture
 * per test. stop() erases what the suite signed in with and puts the settings back.
 */
export class VendorSuite {
  api!: RegistryExplorerApi;
  tree!: TreeView;
  private capture: Capture | undefined;
  private readonly restore: (() => Promise<void>)[] = [];
  /** Environment variables set for the extension host (the cloud SDKs read theirs there), with their old values. */
  private readonly savedEnv = new Map<string, string | undefined>();

  /** Set a variable of the extension host's environment until stop(). */
  setEnv(name: string, value: string): void {
    if (!this.savedEnv.has(name)) this.savedEnv.set(name, process.env[name]);
    process.env[name] = value;
  }

  async start(): Promise<void> {
    this.api = (await activateExtension()).exports as RegistryExplorerApi;
    this.tree = new TreeView(this.api);
    for (const [key, value] of [['registries', []], ['useDockerConfig', false], ['tags.sort', 'name'], ['pageSize', 100]] as const) {
      this.restore.push(await withSetting('registryExplorer', key, value));
    }
  }

  /** Capture the window from now on (the previous capture ends); unanswered prompts are dismissed. */
  window(answers: Answers = {}): Capture {
    this.capture?.dispose();
    this.capture = captureWindow(answers);
    return this.capture;
  }

  /** Sign out of and disconnect these registries, as a person would, checking nothing of them is left. */
  async signOutAndDisconnect(hosts: string[]): Promise<void> {
    for (const host of hosts) {
      await vscode.commands.executeCommand('registryExplorer.logout', host);
      assert.equal(await this.api.service.secrets.get(host), undefined, `signed out of ${host}`);
      await vscode.commands.executeCommand('registryExplorer.disconnectRegistry', await this.tree.registry(host));
    }
    assert.deepEqual(vscode.workspace.getConfiguration('registryExplorer').get('registries'), [], 'no registry left in the settings');
  }

  async stop(hosts: string[]): Promise<void> {
    this.capture?.dispose();
    for (const host of hosts) {
      // A test-only vendor override (an emulation standing for a cloud host) goes with the suite.
      this.api?.service.overrideVendor(host, undefined);
      await this.api?.service.secrets.erase(host);
    }
    for (const [name, value] of this.savedEnv) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    this.savedEnv.clear();
    for (const r of this.restore.splice(0).reverse()) await r();
  }
}
