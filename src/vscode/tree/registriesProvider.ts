// The Registries view: registry → (namespace) → repository → tag → platform.
// - Lazy and paged: expanding a node fetches one page; a "Load more…" node fetches the next.
// - Tag details (digest, size, age, platforms) load after first paint, a few at a time, and each
//   arrival refreshes only its own node.
// - getChildren never throws: failures become error nodes that carry their fix (Sign in…, Retry,
//   the setting to change).
// - Node objects are cached by id: VS Code matches change events to the exact object it was given.
import * as vscode from 'vscode';
import { Limiter } from '../../distribution/concurrency';
import type { ImageSummary } from '../../distribution/types';
import { describeError } from '../../errors/describe';
import { CancelledError } from '../../errors/errors';
import { formatReference } from '../../reference';
import type { CredentialOrigin, RegistryService } from '../registryService';
import * as settings from '../settings';
import { contextValue } from './contextValues';
import { errorFix, isCatalogUnsupported } from './errorFix';
import { formatAge, formatSize, shortDigest } from './format';
import {
  hostOf,
  ids,
  parentOf,
  type ErrorNode,
  type InfoNode,
  type ListOwner,
  type LoadMoreNode,
  type NamespaceNode,
  type PlatformNode,
  type RegistryNode,
  type RepositoryNode,
  type TagNode,
  type TreeNode,
} from './nodes';
import { sortTags } from './sortTags';

/** One paged list: a registry's repositories or a repository's tags. */
interface ListState {
  items: string[];
  /** Cursor for the next page; undefined once the list is complete. */
  cursor?: string;
  loadedOnce: boolean;
  filter?: string;
  /** The last page failed (shown as an error node; Retry loads it again). */
  error?: unknown;
  /** Registry only: the catalog endpoint is not offered. */
  catalogUnsupported?: boolean;
  loading?: Promise<void>;
  /** A new filter was set: fetch on (bounded) until a page's worth of matches shows. */
  fillPending?: boolean;
}

export type TagDetails = { summary: ImageSummary; error?: undefined } | { summary?: undefined; error: unknown };

/** When a filter hides most of a page, fetch on (up to this many pages) to fill one screen. */
const MAX_FILTER_PAGES = 10;
/** Registries known never to serve /v2/_catalog to users (Docker Hub answers 401 whatever the login). */
const NO_CATALOG = new Set(['docker.io']);
/** Detail requests in flight at once (each is a few requests: manifest, config). */
const DETAIL_CONCURRENCY = 4;

export class RegistriesTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;

  private readonly nodes = new Map<string, TreeNode>();
  private readonly lists = new Map<string, ListState>();
  private readonly details = new Map<string, TagDetails>();
  private readonly pendingDetails = new Set<string>();
  private readonly detailLimiter = new Limiter(DETAIL_CONCURRENCY);
  private readonly origins = new Map<string, CredentialOrigin>();
  /** Bumped on every refresh so details that arrive for an older tree are dropped. */
  private generation = 0;
  private resortTimers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly service: RegistryService) {
    this.disposables.push(
      this.emitter,
      service.onDidChange((host) => {
        const node = host ? this.nodes.get(ids.registry(host)) : undefined;
        this.refresh(node);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (settings.affectsRegistries(e)) this.refresh();
      }),
    );
  }

  dispose(): void {
    for (const t of this.resortTimers.values()) clearTimeout(t);
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  // ---- TreeDataProvider ----------------------------------------------------------------------

  getParent(node: TreeNode): TreeNode | undefined {
    return parentOf(node);
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    try {
      if (!node) return await this.rootChildren();
      switch (node.kind) {
        case 'registry':
          return await this.registryChildren(node);
        case 'namespace':
          return this.namespaceChildren(node);
        case 'repository':
          return await this.repositoryChildren(node);
        case 'tag':
          return await this.tagChildren(node);
        default:
          return [];
      }
    } catch (error) {
      if (!node || node.kind === 'platform' || node.kind === 'loadMore' || node.kind === 'error' || node.kind === 'info') {
        // Roots failing is a bug, not a registry problem: say so in the log and show nothing.
        this.service.log.error(`Registries view: ${describeError(error)}`);
        return [];
      }
      return this.errorNodes(node, error);
    }
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'registry':
        return this.registryItem(node);
      case 'namespace': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('folder');
        item.contextValue = contextValue('namespace');
        const count = this.namespaceRepositories(node).length;
        const more = this.listOf(node.registry).cursor ? '+' : '';
        item.description = `${count}${more} ${count === 1 && !more ? 'repository' : 'repositories'}`;
        item.tooltip = `${node.registry.root.host}/${node.name}/…`;
        return item;
      }
      case 'repository':
        return this.repositoryItem(node);
      case 'tag':
        return this.tagItem(node);
      case 'platform':
        return this.platformItem(node);
      case 'loadMore': {
        const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.contextValue = contextValue('loadMore');
        const what = node.owner.kind === 'registry' ? 'repositories' : 'tags';
        const state = this.listOf(node.owner);
        item.description = `${state.items.length} ${what} loaded${state.filter ? `, filter "${state.filter}"` : ''}`;
        item.tooltip = `Fetch the next ${settings.pageSize()} ${what} (registryExplorer.pageSize)`;
        item.command = { command: 'registryExplorer.loadMore', title: 'Load More', arguments: [node] };
        return item;
      }
      case 'error':
        return this.errorItem(node);
      case 'info': {
        const item = new vscode.TreeItem(node.message, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.contextValue = contextValue('info');
        if (node.tooltip) item.tooltip = node.tooltip;
        if (node.action) item.command = node.action;
        return item;
      }
    }
  }

  // ---- operations used by commands -------------------------------------------------------------

  /** Forget what a node (and everything under it) loaded, then show it again. No node: everything. */
  refresh(node?: TreeNode): void {
    this.generation++;
    if (!node) {
      this.lists.clear();
      this.details.clear();
      this.pendingDetails.clear();
      this.origins.clear();
      this.emitter.fire(undefined);
      return;
    }
    switch (node.kind) {
      case 'registry':
        this.forgetUnder(node.root.host, '');
        this.origins.delete(node.root.host);
        this.emitter.fire(node);
        return;
      case 'namespace':
        // A namespace's repositories come from its registry's catalog pages.
        return this.refresh(node.registry);
      case 'repository':
        this.forgetUnder(node.registry.root.host, node.name);
        this.emitter.fire(node);
        return;
      case 'tag':
        this.details.delete(node.id);
        this.pendingDetails.delete(node.id);
        this.emitter.fire(node);
        return;
      case 'platform':
        return this.refresh(node.tag);
      case 'loadMore':
        return this.refresh(node.owner);
      case 'error':
      case 'info':
        return this.refresh(node.parent);
    }
  }

  /** Fetch the next page of a list and show it. */
  async loadMore(owner: ListOwner): Promise<void> {
    const state = this.listOf(owner);
    if (state.loading) return state.loading;
    if (!state.cursor && state.loadedOnce && !state.error) return;
    await this.loadPages(owner, state);
    this.emitter.fire(owner);
  }

  /** Set (or with empty text, clear) the filter of a registry's repositories or a repository's tags. */
  setFilter(owner: ListOwner, text: string | undefined): void {
    const state = this.listOf(owner);
    state.filter = text?.trim() ? text.trim() : undefined;
    state.fillPending = !!state.filter && state.loadedOnce;
    this.emitter.fire(owner);
  }

  filterOf(owner: ListOwner): string | undefined {
    return this.lists.get(owner.id)?.filter;
  }

  /** The registry node for a host, once the roots were listed. */
  async registryNode(host: string): Promise<RegistryNode | undefined> {
    const roots = await this.rootChildren();
    return roots.find((r): r is RegistryNode => r.kind === 'registry' && r.root.host === host);
  }

  /** Details of a tag when loaded (tests and copy commands use them before asking the registry). */
  detailsOf(tag: TagNode): TagDetails | undefined {
    return this.details.get(tag.id);
  }

  /** Wait until the tags currently shown have their details (tests; also harmless elsewhere). */
  async whenDetailsSettled(): Promise<void> {
    while (this.pendingDetails.size > 0) await new Promise((r) => setTimeout(r, 50));
  }

  // ---- children --------------------------------------------------------------------------------

  private async rootChildren(): Promise<TreeNode[]> {
    const roots = await this.service.roots();
    const result: RegistryNode[] = [];
    for (const root of roots) {
      const node = this.cached<RegistryNode>(ids.registry(root.host), () => ({ kind: 'registry', id: ids.registry(root.host), root }));
      node.root = root; // the label or options may have changed in settings
      if (!this.origins.has(root.host)) this.origins.set(root.host, await this.service.credentialOrigin(root.host));
      result.push(node);
    }
    return result;
  }

  private async registryChildren(node: RegistryNode): Promise<TreeNode[]> {
    const state = this.listOf(node);
    if (!state.loadedOnce || state.fillPending) await this.loadPages(node, state);
    const host = node.root.host;
    const added = this.service.addedRepositories(host);

    if (state.error && !state.catalogUnsupported && state.items.length === 0 && added.length === 0) {
      return this.errorNodes(node, state.error);
    }

    const children: TreeNode[] = [];
    if (state.catalogUnsupported) {
      children.push(
        this.info(node, 'no-catalog', 'This registry does not list its repositories: add one by name…', 'info', {
          command: 'registryExplorer.addRepository',
          title: 'Add Repository by Name…',
          arguments: [node],
        }, 'The registry does not offer /v2/_catalog (Docker Hub, GHCR and most cloud registries do not). Add the repositories you use by name.'),
      );
    }

    const names = this.filtered(state, [...new Set([...state.items, ...added])]).sort();
    // Group by the first path segment only when the registry has namespaces at all.
    const grouped = names.some((n) => n.includes('/'));
    const namespaces = new Set<string>();
    for (const name of names) {
      const slash = name.indexOf('/');
      if (grouped && slash > 0) {
        const ns = name.slice(0, slash);
        if (!namespaces.has(ns)) {
          namespaces.add(ns);
          children.push(this.cached<NamespaceNode>(ids.namespace(host, ns), () => ({ kind: 'namespace', id: ids.namespace(host, ns), registry: node, name: ns })));
        }
      } else {
        children.push(this.repositoryNode(node, node, name));
      }
    }
    // Namespaces first, then top-level repositories, each alphabetical.
    children.sort((a, b) => rank(a) - rank(b));

    if (names.length === 0 && !state.catalogUnsupported && !state.error) {
      children.push(
        state.filter
          ? this.info(node, 'no-match', `No loaded repository matches "${state.filter}"`, 'filter', state.cursor ? undefined : clearFilterAction(node))
          : this.info(node, 'empty', 'No repositories', 'info'),
      );
    }
    if (state.error && !state.catalogUnsupported) children.push(...this.errorNodes(node, state.error));
    if (state.cursor) children.push(this.loadMoreNode(node));
    return children;
  }

  private namespaceChildren(node: NamespaceNode): TreeNode[] {
    return this.namespaceRepositories(node).map((name) => this.repositoryNode(node.registry, node, name));
  }

  private namespaceRepositories(node: NamespaceNode): string[] {
    const state = this.listOf(node.registry);
    const all = [...new Set([...state.items, ...this.service.addedRepositories(node.registry.root.host)])];
    return this.filtered(state, all)
      .filter((n) => n.startsWith(`${node.name}/`))
      .sort();
  }

  private async repositoryChildren(node: RepositoryNode): Promise<TreeNode[]> {
    const state = this.listOf(node);
    if (!state.loadedOnce || state.fillPending) await this.loadPages(node, state);
    if (state.error && state.items.length === 0) return this.errorNodes(node, state.error);

    const visible = this.filtered(state, state.items);
    const mode = settings.tagSort();
    const sorted = sortTags(visible, mode, (tag) => this.createdTime(node, tag));
    const tags = sorted.map((tag) => this.tagNode(node, tag));
    const children: TreeNode[] = [...tags];
    if (tags.length === 0 && !state.error) {
      children.push(
        state.filter
          ? this.info(node, 'no-match', `No loaded tag matches "${state.filter}"`, 'filter', state.cursor ? undefined : clearFilterAction(node))
          : this.info(node, 'empty', 'No tags', 'info'),
      );
    }
    if (state.error) children.push(...this.errorNodes(node, state.error));
    if (state.cursor) children.push(this.loadMoreNode(node));
    // After first paint: the tree shows the tags now, details follow.
    setTimeout(() => this.scheduleDetails(tags), 0);
    return children;
  }

  private async tagChildren(node: TagNode): Promise<TreeNode[]> {
    const repo = node.repository;
    const client = this.service.client(repo.registry.root.host);
    const manifest = await client.getManifest(repo.name, node.tag);
    const entries = client.indexEntries(manifest).filter((e) => !e.isAttestation);
    return entries.map((entry, i) => {
      const id = ids.platform(node.id, entry.digest, i);
      return this.cached<PlatformNode>(id, () => ({ kind: 'platform', id, tag: node, entry }));
    });
  }

  // ---- paging ----------------------------------------------------------------------------------

  private listOf(owner: ListOwner): ListState {
    let state = this.lists.get(owner.id);
    if (!state) {
      state = { items: [], loadedOnce: false };
      this.lists.set(owner.id, state);
    }
    return state;
  }

  /**
   * Fetch the next page. With a filter, keep fetching (bounded) until a page's worth of matches is
   * shown, so filtering does not show an empty list while matches sit on the next page.
   */
  private loadPages(owner: ListOwner, state: ListState): Promise<void> {
    if (state.loading) return state.loading;
    const pageSize = settings.pageSize();
    // After a new filter, fill up to one page of matches from what is loaded and what follows;
    // otherwise ("Load more…", first expansion) fetch one page, or with a filter a page of new matches.
    const fill = !!state.fillPending;
    state.fillPending = false;
    const run = async () => {
      if (owner.kind === 'registry' && NO_CATALOG.has(owner.root.host)) {
        // Asking would only produce a misleading 401: show "add one by name" straight away.
        state.catalogUnsupported = true;
        state.loadedOnce = true;
        return;
      }
      const before = fill ? 0 : this.filtered(state, state.items).length;
      if (fill && (this.filtered(state, state.items).length >= pageSize || !state.cursor)) return;
      for (let pages = 0; pages < MAX_FILTER_PAGES; pages++) {
        try {
          const page = await this.fetchPage(owner, pageSize, state.loadedOnce ? state.cursor : undefined);
          const seen = new Set(state.items);
          for (const item of page.items) if (!seen.has(item)) state.items.push(item);
          state.cursor = page.next;
          state.error = undefined;
        } catch (error) {
          if (error instanceof CancelledError) throw error;
          if (owner.kind === 'registry' && !state.loadedOnce && isCatalogUnsupported(error)) state.catalogUnsupported = true;
          state.error = state.catalogUnsupported ? undefined : error;
          state.loadedOnce = true;
          return;
        }
        state.loadedOnce = true;
        const gained = this.filtered(state, state.items).length - before;
        if (!state.filter || !state.cursor || gained >= pageSize) return;
      }
    };
    state.loading = run().finally(() => {
      state.loading = undefined;
    });
    return state.loading;
  }

  private fetchPage(owner: ListOwner, pageSize: number, cursor: string | undefined) {
    const client = this.service.client(owner.kind === 'registry' ? owner.root.host : owner.registry.root.host);
    const options = cursor ? { pageSize, cursor } : { pageSize };
    return owner.kind === 'registry' ? client.catalogPage(options) : client.tagsPage(owner.name, options);
  }

  private filtered(state: ListState, items: string[]): string[] {
    if (!state.filter) return items;
    const needle = state.filter.toLowerCase();
    return items.filter((i) => i.toLowerCase().includes(needle));
  }

  /** Drop loaded lists and details of a registry (path '') or of one repository. */
  private forgetUnder(host: string, repository: string): void {
    const prefix = repository ? `${host}/${repository}` : `${host}/`;
    const listIds = repository ? [ids.repository(host, repository)] : [ids.registry(host)];
    for (const id of [...this.lists.keys()]) {
      if (listIds.includes(id) || (!repository && id.startsWith(`repository:${prefix}`))) this.lists.delete(id);
    }
    const tagPrefix = repository ? `tag:${prefix}:` : `tag:${prefix}`;
    for (const id of [...this.details.keys()]) if (id.startsWith(tagPrefix)) this.details.delete(id);
    for (const id of [...this.pendingDetails]) if (id.startsWith(tagPrefix)) this.pendingDetails.delete(id);
  }

  // ---- tag details -----------------------------------------------------------------------------

  private scheduleDetails(tags: TagNode[]): void {
    const generation = this.generation;
    for (const tag of tags) {
      if (this.details.has(tag.id) || this.pendingDetails.has(tag.id)) continue;
      this.pendingDetails.add(tag.id);
      const repo = tag.repository;
      void this.detailLimiter
        .run(async () => {
          // Skip work for a tree that was refreshed while this waited for a slot.
          if (generation !== this.generation || !this.pendingDetails.has(tag.id)) return undefined;
          return this.service.client(repo.registry.root.host).summarize(repo.name, tag.tag);
        })
        .then(
          (summary) => (summary ? { summary } : undefined),
          (error: unknown) => ({ error }),
        )
        .then((result: TagDetails | undefined) => {
          if (!this.pendingDetails.delete(tag.id) || !result || generation !== this.generation) return;
          this.details.set(tag.id, result);
          this.emitter.fire(tag);
          if (settings.tagSort() === 'newest') this.resortSoon(repo);
        });
    }
  }

  /** Newest-first order changes as dates arrive: re-sort the repository once things settle. */
  private resortSoon(repo: RepositoryNode): void {
    clearTimeout(this.resortTimers.get(repo.id));
    this.resortTimers.set(
      repo.id,
      setTimeout(() => {
        this.resortTimers.delete(repo.id);
        this.emitter.fire(repo);
      }, 400),
    );
  }

  private createdTime(repo: RepositoryNode, tag: string): number | undefined {
    const created = this.details.get(ids.tag(repo.registry.root.host, repo.name, tag))?.summary?.created;
    const t = created ? Date.parse(created) : NaN;
    return Number.isFinite(t) ? t : undefined;
  }

  // ---- node factories --------------------------------------------------------------------------

  private cached<T extends TreeNode>(id: string, make: () => T): T {
    let node = this.nodes.get(id) as T | undefined;
    if (!node) {
      node = make();
      this.nodes.set(id, node);
    }
    return node;
  }

  private repositoryNode(registry: RegistryNode, parent: RegistryNode | NamespaceNode, name: string): RepositoryNode {
    const id = ids.repository(registry.root.host, name);
    const node = this.cached<RepositoryNode>(id, () => ({ kind: 'repository', id, registry, parent, name }));
    node.parent = parent; // grouping can change when more pages arrive
    return node;
  }

  private tagNode(repository: RepositoryNode, tag: string): TagNode {
    const id = ids.tag(repository.registry.root.host, repository.name, tag);
    return this.cached<TagNode>(id, () => ({ kind: 'tag', id, repository, tag }));
  }

  private loadMoreNode(owner: ListOwner): LoadMoreNode {
    const id = ids.loadMore(owner.id);
    return this.cached<LoadMoreNode>(id, () => ({ kind: 'loadMore', id, owner }));
  }

  /**
   * The error (its words from describeError) and, under it, the action that fixes it as its own row,
   * so "Sign in…" / "Retry" stay visible in a narrow side bar however long the message is.
   */
  private errorNodes(parent: ErrorNode['parent'], error: unknown): TreeNode[] {
    const node = this.errorNode(parent, error);
    const host = node.host;
    switch (node.fix) {
      case 'signIn':
        return [node, this.info(parent, 'fix', 'Sign in…', 'sign-in', { command: 'registryExplorer.login', title: 'Sign In…', arguments: [node] }, `Sign in to ${host}`)];
      case 'tlsSetting':
        return [node, this.info(parent, 'fix', 'Set "skipTlsVerify" or "caFile" for this registry…', 'settings-gear', openRegistrySettings, 'registryExplorer.registries: skipTlsVerify (test registries only) or caFile (the PEM of the CA that signed its certificate)')];
      case 'httpSetting':
        return [node, this.info(parent, 'fix', 'Set "allowHttp" for this registry…', 'settings-gear', openRegistrySettings, 'registryExplorer.registries: allowHttp lets Registry Explorer talk plain HTTP to this registry')];
      default:
        return [node, this.info(parent, 'fix', 'Retry', 'refresh', { command: 'registryExplorer.refresh', title: 'Retry', arguments: [node] })];
    }
  }

  private errorNode(parent: ErrorNode['parent'], error: unknown): ErrorNode {
    const id = ids.error(parent.id);
    const node = this.cached<ErrorNode>(id, () => ({ kind: 'error', id, parent, host: '', error, fix: 'retry' }));
    node.error = error;
    node.fix = errorFix(error);
    node.host = hostOf(parent) ?? '';
    return node;
  }

  private info(parent: TreeNode, what: string, message: string, icon: string, action?: InfoNode['action'], tooltip?: string): InfoNode {
    const id = ids.info(parent.id, what);
    const node = this.cached<InfoNode>(id, () => ({ kind: 'info', id, parent, message, icon }));
    Object.assign(node, { message, icon, action, tooltip });
    return node;
  }

  // ---- tree items ------------------------------------------------------------------------------

  private registryItem(node: RegistryNode): vscode.TreeItem {
    const { root } = node;
    const item = new vscode.TreeItem(root.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.id;
    item.iconPath = new vscode.ThemeIcon(root.source === 'docker' ? 'key' : 'server');
    const origin = this.origins.get(root.host);
    // Credentials can change between listing the roots and drawing them (a sign-in in another window):
    // look again and redraw this node when the answer arrives.
    if (!this.origins.has(root.host)) this.lookUpOrigin(node);
    const filter = this.lists.get(node.id)?.filter;
    const parts: string[] = [];
    if (root.label !== root.host) parts.push(root.host);
    if (root.source === 'docker') parts.push('docker login');
    else if (origin === 'secret') parts.push('signed in');
    else if (origin === 'docker') parts.push('signed in with docker login');
    if (filter) parts.push(`filter: "${filter}"`);
    item.description = parts.join(' · ');
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown(`**${escapeMd(root.label)}**  \n`);
    tooltip.appendText(`${root.endpoint.allowHttp ? 'http' : 'https'}://${root.host}`);
    tooltip.appendMarkdown('  \n');
    tooltip.appendText(
      root.source === 'docker'
        ? 'From your docker logins (registryExplorer.useDockerConfig)'
        : origin
          ? `Signed in${origin === 'docker' ? ' with docker login' : ''}`
          : 'Anonymous',
    );
    if (root.endpoint.skipTlsVerify) tooltip.appendMarkdown('  \n$(warning) TLS verification is off for this registry');
    if (filter) tooltip.appendMarkdown(`  \n$(filter) Filter: \`${escapeMd(filter)}\``);
    tooltip.supportThemeIcons = true;
    item.tooltip = tooltip;
    item.contextValue = contextValue('registry', ['browsable', origin === 'secret' && 'signedIn', root.source === 'docker' && 'docker', !!filter && 'filtered']);
    return item;
  }

  private lookUpOrigin(node: RegistryNode): void {
    const host = node.root.host;
    void this.service.credentialOrigin(host).then((origin) => {
      if (this.origins.has(host)) return;
      this.origins.set(host, origin);
      this.emitter.fire(node);
    });
  }

  private repositoryItem(node: RepositoryNode): vscode.TreeItem {
    const label = node.parent.kind === 'namespace' ? node.name.slice(node.parent.name.length + 1) : node.name;
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.id;
    item.iconPath = new vscode.ThemeIcon('repo');
    const filter = this.lists.get(node.id)?.filter;
    if (filter) item.description = `filter: "${filter}"`;
    item.tooltip = formatReference({ registry: node.registry.root.host, repository: node.name });
    item.contextValue = contextValue('repository', ['browsable', !!filter && 'filtered']);
    return item;
  }

  private tagItem(node: TagNode): vscode.TreeItem {
    const details = this.details.get(node.id);
    const summary = details?.summary;
    const multiPlatform = !!summary && summary.platforms.length > 1;
    const item = new vscode.TreeItem(node.tag, multiPlatform ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.iconPath = new vscode.ThemeIcon(multiPlatform ? 'layers' : 'tag');
    const reference = tagReference(node);
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown('**');
    tooltip.appendText(reference);
    tooltip.appendMarkdown('**');
    if (summary) {
      const age = formatAge(summary.created);
      item.description = [shortDigest(summary.digest), formatSize(summary.totalSize), multiPlatform ? `${summary.platforms.length} platforms` : '', age]
        .filter(Boolean)
        .join(' · ');
      const lines: [string, string][] = [
        ['Digest', summary.digest],
        ['Media type', summary.mediaType],
        ['Size', formatSize(summary.totalSize)],
      ];
      if (summary.platforms.length) lines.push([summary.platforms.length > 1 ? 'Platforms' : 'Platform', summary.platforms.join(', ')]);
      if (summary.created) lines.push(['Created', `${summary.created}${age ? ` (${age})` : ''}`]);
      for (const [k, v] of lines) {
        tooltip.appendMarkdown(`  \n${k}: `);
        tooltip.appendText(v);
      }
    } else if (details?.error) {
      item.description = 'details unavailable';
      tooltip.appendMarkdown('  \n');
      tooltip.appendText(describeError(details.error));
    } else {
      item.description = '';
    }
    item.tooltip = tooltip;
    item.contextValue = contextValue('tag', [multiPlatform && 'multiPlatform']);
    return item;
  }

  private platformItem(node: PlatformNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.entry.platformText, vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.iconPath = new vscode.ThemeIcon('vm');
    item.description = `${shortDigest(node.entry.digest)} · ${formatSize(node.entry.size)} manifest`;
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(`${tagReference(node.tag)} (${node.entry.platformText})`);
    tooltip.appendMarkdown('  \nDigest: ');
    tooltip.appendText(node.entry.digest);
    tooltip.appendMarkdown('  \nMedia type: ');
    tooltip.appendText(node.entry.mediaType);
    item.tooltip = tooltip;
    item.contextValue = contextValue('platform');
    return item;
  }

  private errorItem(node: ErrorNode): vscode.TreeItem {
    const message = describeError(node.error);
    const item = new vscode.TreeItem(message, vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    item.tooltip = message;
    // Clicking the message does what the action row under it does.
    if (node.fix === 'signIn') {
      item.command = { command: 'registryExplorer.login', title: 'Sign In…', arguments: [node] };
      item.contextValue = contextValue('error', ['unauthorized', 'retry']);
    } else if (node.fix === 'tlsSetting' || node.fix === 'httpSetting') {
      item.command = openRegistrySettings;
      item.contextValue = contextValue('error', ['settings', 'retry']);
    } else {
      item.command = { command: 'registryExplorer.refresh', title: 'Retry', arguments: [node] };
      item.contextValue = contextValue('error', ['retry']);
    }
    return item;
  }
}

function rank(node: TreeNode): number {
  if (node.kind === 'info') return 0;
  if (node.kind === 'namespace') return 1;
  return 2;
}

const openRegistrySettings = { command: 'workbench.action.openSettings', title: 'Open Settings', arguments: ['registryExplorer.registries'] };

function clearFilterAction(owner: ListOwner): InfoNode['action'] {
  return { command: 'registryExplorer.clearFilter', title: 'Clear Filter', arguments: [owner] };
}

export function tagReference(node: TagNode): string {
  return formatReference({ registry: node.repository.registry.root.host, repository: node.repository.name, tag: node.tag });
}

function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
