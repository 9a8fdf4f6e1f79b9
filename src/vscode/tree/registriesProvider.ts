// The Registries view: registry → (namespace) → repository → tag → platform.
// - Lazy and paged: expanding a node fetches one page; a "Load more…" node fetches the next.
// - Tag details (digest, size, age, platforms) load after first paint, a few at a time, and each
//   arrival refreshes only its own node.
// - getChildren never throws: failures become error nodes that carry their fix (Sign in…, Retry,
//   the setting to change).
// - Referrers (signatures, SBOMs, attestations) of a tag are looked up after its details arrive (a
//   few at a time, never while the list first paints) or when it is expanded, cached by digest; a
//   "Referrers" group shows under the tag only when there are some (or the lookup failed).
// - Node objects are cached by id: VS Code matches change events to the exact object it was given.
// - Docker Hub, GHCR and GitLab have no usable catalog: their registries list namespaces (official
//   images, your account, organisations, groups, projects) through the vendor API, each namespace its
//   repositories, each repository its tags — all paged by the provider's cursors. Their tag lists carry
//   digest, size, date and platforms (no manifest GET per tag, which on Docker Hub would count against
//   the pull rate limit); GitLab's tag details come per tag after first paint, like a generic registry's.
import * as vscode from 'vscode';
import { Limiter } from '../../distribution/concurrency';
import type { Descriptor, ImageSummary, IndexEntry } from '../../distribution/types';
import { describeError } from '../../errors/describe';
import { CancelledError } from '../../errors/errors';
import { formatReference } from '../../reference';
import type { NamespaceSummary, TagSummary } from '../../registries';
import type { CredentialOrigin, RegistryService } from '../registryService';
import * as settings from '../settings';
import { artifactKind, CREATED_ANNOTATION } from './artifactKinds';
import { contextValue } from './contextValues';
import { errorTreeItem } from './errorItem';
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
  type ReferrerNode,
  type ReferrersNode,
  type RegistryNode,
  type RepositoryNode,
  type TagNode,
  type TreeNode,
} from './nodes';
import { isReferrersFallbackTag, sortTags } from './sortTags';

/** One paged list: a registry's repositories (vendor: namespaces), a vendor namespace's repositories, or a repository's tags. */
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
/** Background referrers lookups in flight at once (each is one or two requests). */
const REFERRERS_CONCURRENCY = 2;

/** What a referrers lookup found for one digest: the descriptors, or why it failed. */
interface ReferrersState {
  descriptors?: Descriptor[];
  error?: unknown;
  loading?: Promise<ReferrersState>;
  /** While a Refresh looks again: the last answer, so the tag keeps its group until the new one. */
  previous?: ReferrersState;
}

export class RegistriesTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;

  private readonly nodes = new Map<string, TreeNode>();
  private readonly lists = new Map<string, ListState>();
  private readonly details = new Map<string, TagDetails>();
  private readonly pendingDetails = new Set<string>();
  private readonly detailLimiter = new Limiter(DETAIL_CONCURRENCY);
  /** Referrers by `host/repository@digest`: a digest's referrers are the same under every tag naming it. */
  private readonly referrers = new Map<string, ReferrersState>();
  private readonly referrersLimiter = new Limiter(REFERRERS_CONCURRENCY);
  private readonly origins = new Map<string, CredentialOrigin>();
  /** Vendor registries: what the API said about each namespace (by namespace node id)… */
  private readonly namespaceSummaries = new Map<string, NamespaceSummary>();
  /** …and about each tag (by tag node id): digest, size, dates, platforms. */
  private readonly vendorTags = new Map<string, TagSummary>();
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
          return await this.namespaceChildren(node);
        case 'repository':
          return await this.repositoryChildren(node);
        case 'tag':
          return await this.tagChildren(node);
        case 'referrers':
          return await this.referrersChildren(node);
        default:
          return [];
      }
    } catch (error) {
      if (!node || node.kind === 'platform' || node.kind === 'referrer' || node.kind === 'loadMore' || node.kind === 'error' || node.kind === 'info') {
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
        if (node.vendor) return this.vendorNamespaceItem(node, node.vendor);
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
      case 'referrers':
        return this.referrersItem(node);
      case 'referrer':
        return this.referrerItem(node);
      case 'loadMore': {
        const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.contextValue = contextValue('loadMore');
        const what = node.owner.kind === 'repository' ? 'tags' : node.owner.kind === 'registry' && this.isVendor(node.owner.root.host) ? 'namespaces' : 'repositories';
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
      this.referrers.clear();
      this.origins.clear();
      this.namespaceSummaries.clear();
      this.vendorTags.clear();
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
        // A generic namespace's repositories come from its registry's catalog pages.
        if (!node.vendor) return this.refresh(node.registry);
        this.forgetList(node.id);
        this.emitter.fire(node);
        return;
      case 'repository':
        this.forgetList(node.id);
        this.emitter.fire(node);
        return;
      case 'tag': {
        const digest = this.details.get(node.id)?.summary?.digest;
        if (digest) this.referrers.delete(referrersKey(node, digest));
        const group = this.nodes.get(ids.referrers(node.id));
        if (group?.kind === 'referrers') this.referrers.delete(referrersKey(node, group.subject));
        this.details.delete(node.id);
        this.vendorTags.delete(node.id);
        this.pendingDetails.delete(node.id);
        this.emitter.fire(node);
        // Load its details again (and with them its referrers): a row does not ask for them itself.
        if (!this.isVendor(node.repository.registry.root.host)) setTimeout(() => this.scheduleDetails([node]), 0);
        return;
      }
      case 'platform':
        return this.refresh(node.tag);
      case 'referrers':
        // Ask again; the tag keeps what it showed until the answer arrives, then redraws with it.
        void this.lookUpReferrers(node.tag, node.subject, false, true).then(() => this.emitter.fire(node.tag));
        return;
      case 'referrer':
        return this.refresh(node.group);
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

  private isVendor(host: string): boolean {
    return this.service.kindOf(host) !== 'generic';
  }

  private async registryChildren(node: RegistryNode): Promise<TreeNode[]> {
    if (this.isVendor(node.root.host)) return this.vendorRegistryChildren(node);
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
    // (No "No repositories" under the "add one by name" row of a registry without a catalog.)
    children.push(...this.listFooter(node, state, children.length, 'repository', 'No repositories'));
    return children;
  }

  /**
   * A vendor registry: "add by name" (official images and other accounts' public repositories are not
   * listed to you), the repositories added by name, then the namespaces the API lists, in its order.
   */
  private async vendorRegistryChildren(node: RegistryNode): Promise<TreeNode[]> {
    const state = this.listOf(node);
    if (!state.loadedOnce || state.fillPending) await this.loadPages(node, state);
    const host = node.root.host;
    const provider = this.service.provider(host);
    const added = this.filtered(state, this.service.addedRepositories(host)).sort();
    const children: TreeNode[] = [
      this.info(node, 'add-by-name', 'Add a repository by name…', 'add', { command: 'registryExplorer.addRepository', title: 'Add Repository by Name…', arguments: [node] },
        provider.kind === 'docker-hub'
          ? 'Any public repository, e.g. library/alpine (official images) or another account\'s image; no sign-in needed.'
          : `${provider.displayName} lists only the namespaces you belong to: add any other repository you can read by name.`),
    ];
    children.push(...added.map((name) => this.repositoryNode(node, node, name)));
    if (state.error && state.items.length === 0) {
      children.push(...this.errorNodes(node, state.error));
      return children;
    }
    const names = this.filtered(state, state.items);
    for (const name of names) {
      const id = ids.namespace(host, name);
      const ns = this.cached<NamespaceNode>(id, () => ({ kind: 'namespace', id, registry: node, name }));
      const summary = this.namespaceSummaries.get(id);
      ns.vendor = summary ?? { name, kind: 'organization' };
      children.push(ns);
    }
    children.push(...this.listFooter(node, state, names.length + added.length, 'namespace'));
    return children;
  }

  private async namespaceChildren(node: NamespaceNode): Promise<TreeNode[]> {
    if (!node.vendor) return this.namespaceRepositories(node).map((name) => this.repositoryNode(node.registry, node, name));
    const state = this.listOf(node);
    if (!state.loadedOnce || state.fillPending) await this.loadPages(node, state);
    if (state.error && state.items.length === 0) return this.errorNodes(node, state.error);
    const names = this.filtered(state, state.items);
    const children: TreeNode[] = names.map((name) => this.repositoryNode(node.registry, node, name, node.name));
    children.push(...this.listFooter(node, state, names.length, 'repository', 'No repositories'));
    return children;
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

    // Referrers fallback tags show as their subject's "Referrers" group, unless asked for by a filter.
    const showFallback = !!state.filter?.toLowerCase().startsWith('sha256-');
    const visible = this.filtered(state, state.items).filter((t) => showFallback || !isReferrersFallbackTag(t));
    const mode = settings.tagSort();
    const sorted = sortTags(visible, mode, (tag) => this.createdTime(node, tag));
    const tags = sorted.map((tag) => this.tagNode(node, tag));
    const children: TreeNode[] = [...tags, ...this.listFooter(node, state, tags.length, 'tag', 'No tags')];
    // After first paint: the tree shows the tags now, details follow — unless the vendor's tag list
    // already carried them (Docker Hub, GHCR), or the vendor has no per-tag details to offer.
    const vendor = this.isVendor(node.registry.root.host);
    const provider = vendor ? this.service.provider(node.registry.root.host) : undefined;
    const needDetails = vendor ? (provider?.tagDetails ? tags.filter((t) => !this.vendorTags.get(t.id)?.digest) : []) : tags;
    if (needDetails.length) setTimeout(() => this.scheduleDetails(needDetails), 0);
    return children;
  }

  private async tagChildren(node: TagNode): Promise<TreeNode[]> {
    const repo = node.repository;
    const vendorTag = this.vendorTags.get(node.id);
    const platforms = vendorTag?.platforms;
    if (platforms?.length) {
      // The vendor's tag list named the platform images: no manifest GET (a pull on Docker Hub).
      const group = await this.referrersRows(node, vendorTag?.digest);
      const rows = platforms.map((p, i) => {
        const entry: IndexEntry = { mediaType: '', digest: p.digest ?? '', size: p.size ?? 0, platformText: p.platform, isAttestation: false };
        const id = ids.platform(node.id, entry.digest, i);
        const platformNode = this.cached<PlatformNode>(id, () => ({ kind: 'platform', id, tag: node, entry, fromVendor: true }));
        platformNode.entry = entry;
        return platformNode;
      });
      return [...rows, ...group];
    }
    const client = this.service.client(repo.registry.root.host);
    // The digest from the details starts the referrers lookup beside the manifest GET.
    const known = this.details.get(node.id)?.summary?.digest;
    const early = known ? this.referrersRows(node, known) : undefined;
    const manifest = await client.getManifest(repo.name, node.tag);
    const entries = client.indexEntries(manifest).filter((e) => !e.isAttestation);
    const rows: TreeNode[] = entries.map((entry, i) => {
      const id = ids.platform(node.id, entry.digest, i);
      return this.cached<PlatformNode>(id, () => ({ kind: 'platform', id, tag: node, entry }));
    });
    // Re-pushed since the details loaded: the referrers of what the tag names now.
    const group = known === manifest.digest && early ? await early : await this.referrersRows(node, manifest.digest);
    return [...rows, ...group];
  }

  // ---- referrers -------------------------------------------------------------------------------

  /** Whether referrers are looked up at all: Docker Hub counts a manifest GET (the tag fallback) as a pull. */
  private referrersAllowed(tag: TagNode): boolean {
    return this.service.kindOf(tag.repository.registry.root.host) !== 'docker-hub';
  }

  /**
   * The referrers of `digest`, from the cache or the registry. `background` lookups queue behind a
   * small limiter; an expansion asks at once (sharing a lookup already in flight).
   */
  private lookUpReferrers(tag: TagNode, digest: string, background: boolean, fresh = false): Promise<ReferrersState> {
    const key = referrersKey(tag, digest);
    const known = this.referrers.get(key);
    if (known?.loading) return known.loading;
    if (known && !fresh) return Promise.resolve(known);
    const generation = this.generation;
    const repo = tag.repository;
    const ask = () => this.service.client(repo.registry.root.host).referrers(repo.name, digest);
    const state: ReferrersState = known ? { previous: known } : {};
    state.loading = (background ? this.referrersLimiter.run(ask) : ask()).then(
      (descriptors) => ({ descriptors: uniqueByDigest(descriptors) }),
      (error: unknown) => ({ error }),
    ).then((done: ReferrersState) => {
      // A refresh while this was in flight dropped the entry: keep the answer only for the current tree.
      if (this.referrers.get(key) === state && generation === this.generation) this.referrers.set(key, done);
      else if (this.referrers.get(key) === state) this.referrers.delete(key);
      return done;
    });
    this.referrers.set(key, state);
    return state.loading;
  }

  /** After a tag's details arrive: look its referrers up in the background and redraw it if it has any. */
  private scheduleReferrers(tag: TagNode, digest: string): void {
    if (!this.referrersAllowed(tag) || this.referrers.has(referrersKey(tag, digest))) return;
    void this.lookUpReferrers(tag, digest, true).then((state) => {
      if (state.error instanceof CancelledError) return;
      if (state.error || state.descriptors?.length) this.emitter.fire(tag);
    });
  }

  /** The finished lookup for a tag's current digest, if there was one. */
  private referrersOfTag(tag: TagNode): ReferrersState | undefined {
    const digest = this.details.get(tag.id)?.summary?.digest ?? this.vendorTags.get(tag.id)?.digest;
    const state = digest ? this.referrers.get(referrersKey(tag, digest)) : undefined;
    return state?.loading ? state.previous : state;
  }

  /** [the Referrers group] when `digest` has referrers or the lookup failed; [] otherwise. */
  private async referrersRows(tag: TagNode, digest: string | undefined): Promise<TreeNode[]> {
    if (!digest || !this.referrersAllowed(tag)) return [];
    const state = await this.lookUpReferrers(tag, digest, false);
    if (state.error instanceof CancelledError) return [];
    if (!state.error && !state.descriptors?.length) return [];
    const id = ids.referrers(tag.id);
    const group = this.cached<ReferrersNode>(id, () => ({ kind: 'referrers', id, tag, subject: digest }));
    group.subject = digest;
    return [group];
  }

  private async referrersChildren(group: ReferrersNode): Promise<TreeNode[]> {
    const state = await this.lookUpReferrers(group.tag, group.subject, false);
    if (state.error) return this.errorNodes(group, state.error);
    const descriptors = state.descriptors ?? [];
    if (descriptors.length === 0) return [this.info(group, 'empty', 'No referrers', 'info')];
    // Newest first (the created annotation), then by kind: the latest signature or SBOM on top.
    const sorted = [...descriptors].sort(
      (a, b) =>
        (createdOf(b) ?? '').localeCompare(createdOf(a) ?? '') ||
        artifactKind(a.artifactType, a.mediaType).label.localeCompare(artifactKind(b.artifactType, b.mediaType).label) ||
        a.digest.localeCompare(b.digest),
    );
    return sorted.map((descriptor) => {
      const id = ids.referrer(group.tag.id, descriptor.digest);
      const node = this.cached<ReferrerNode>(id, () => ({ kind: 'referrer', id, group, descriptor }));
      node.descriptor = descriptor;
      node.group = group;
      return node;
    });
  }

  /**
   * The rows after a list's own: when none of its rows show (`shown`) and the last page did not
   * fail, "No loaded <item> matches" under a filter, else `emptyText` if given; then the last page's
   * error with its fix; then "Load more…" while the list has more.
   */
  private listFooter(owner: ListOwner, state: ListState, shown: number, item: string, emptyText?: string): TreeNode[] {
    const rows: TreeNode[] = [];
    if (shown === 0 && !state.error) {
      if (state.filter) rows.push(this.info(owner, 'no-match', `No loaded ${item} matches "${state.filter}"`, 'filter', state.cursor ? undefined : clearFilterAction(owner)));
      else if (emptyText) rows.push(this.info(owner, 'empty', emptyText, 'info'));
    }
    if (state.error) rows.push(...this.errorNodes(owner, state.error));
    if (state.cursor) rows.push(this.loadMoreNode(owner));
    return rows;
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
      const vendor = this.isVendor(owner.kind === 'registry' ? owner.root.host : owner.registry.root.host);
      if (owner.kind === 'registry' && !vendor && NO_CATALOG.has(owner.root.host)) {
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
          if (owner.kind === 'registry' && !vendor && !state.loadedOnce && isCatalogUnsupported(error)) state.catalogUnsupported = true;
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

  private async fetchPage(owner: ListOwner, pageSize: number, cursor: string | undefined): Promise<{ items: string[]; next?: string }> {
    const host = owner.kind === 'registry' ? owner.root.host : owner.registry.root.host;
    const options = cursor ? { pageSize, cursor } : { pageSize };
    if (!this.isVendor(host)) {
      const client = this.service.client(host);
      if (owner.kind === 'registry') return client.catalogPage(options);
      if (owner.kind === 'repository') return client.tagsPage(owner.name, options);
      return { items: [] };
    }
    const provider = this.service.provider(host);
    const next = (page: { next?: string }) => (page.next ? { next: page.next } : {});
    if (owner.kind === 'registry') {
      if (!provider.listNamespaces) {
        const repos = await provider.listRepositories(options);
        return { items: repos.items.map((r) => r.name), ...next(repos) };
      }
      const page = await provider.listNamespaces(options);
      for (const ns of page.items) this.namespaceSummaries.set(ids.namespace(host, ns.name), ns);
      return { items: page.items.map((ns) => ns.name), ...next(page) };
    }
    if (owner.kind === 'namespace') {
      const page = await provider.listRepositories({ ...options, namespace: owner.name });
      return { items: page.items.map((r) => r.name), ...next(page) };
    }
    const page = await provider.listTags(owner.name, options);
    for (const tag of page.items) this.recordVendorTag(owner, tag);
    return { items: page.items.map((t) => t.name), ...next(page) };
  }

  /** Keep what the vendor said about a tag, and show it the way details from the registry are shown. */
  private recordVendorTag(repo: RepositoryNode, tag: TagSummary): void {
    const id = ids.tag(repo.registry.root.host, repo.name, tag.name, repo.scope);
    const merged = { ...this.vendorTags.get(id), ...tag };
    this.vendorTags.set(id, merged);
    if (merged.digest) {
      this.details.set(id, {
        summary: {
          reference: formatReference({ registry: repo.registry.root.host, repository: repo.name, tag: tag.name }),
          digest: merged.digest,
          mediaType: '',
          totalSize: merged.size ?? 0,
          platforms: (merged.platforms ?? []).map((p) => p.platform),
          ...((merged.created ?? merged.lastPushed) ? { created: merged.created ?? merged.lastPushed } : {}),
        },
      });
    }
  }

  private filtered(state: ListState, items: string[]): string[] {
    if (!state.filter) return items;
    const needle = state.filter.toLowerCase();
    return items.filter((i) => i.toLowerCase().includes(needle));
  }

  /**
   * Drop one list and what hangs under it: a repository's tags and their details, or a vendor
   * namespace's repositories (whose ids end in "#namespace") with theirs.
   */
  private forgetList(ownerId: string): void {
    this.lists.delete(ownerId);
    const under = ownerId.slice(ownerId.indexOf(':') + 1); // "host/name" or "host/name#namespace"
    if (ownerId.startsWith('namespace:')) {
      const slash = under.indexOf('/');
      const host = under.slice(0, slash);
      const ns = under.slice(slash + 1);
      for (const id of [...this.lists.keys()]) {
        if (id.startsWith(`repository:${host}/`) && id.endsWith(`#${ns}`)) this.forgetList(id);
      }
      return;
    }
    const tagPrefix = `tag:${under}:`;
    for (const map of [this.details, this.vendorTags]) for (const id of [...map.keys()]) if (id.startsWith(tagPrefix)) map.delete(id);
    const repoPrefix = `${under.replace(/#.*$/, '')}@`;
    for (const key of [...this.referrers.keys()]) if (key.startsWith(repoPrefix)) this.referrers.delete(key);
    for (const id of [...this.pendingDetails]) if (id.startsWith(tagPrefix)) this.pendingDetails.delete(id);
  }

  /** Drop loaded lists and details of a registry (path '') or of one repository. */
  private forgetUnder(host: string, repository: string): void {
    const prefix = repository ? `${host}/${repository}` : `${host}/`;
    const listIds = repository ? [ids.repository(host, repository)] : [ids.registry(host)];
    for (const id of [...this.lists.keys()]) {
      if (listIds.includes(id) || (!repository && (id.startsWith(`repository:${prefix}`) || id.startsWith(`namespace:${prefix}`)))) this.lists.delete(id);
    }
    const tagPrefix = repository ? `tag:${prefix}:` : `tag:${prefix}`;
    for (const id of [...this.details.keys()]) if (id.startsWith(tagPrefix)) this.details.delete(id);
    for (const id of [...this.vendorTags.keys()]) if (id.startsWith(tagPrefix)) this.vendorTags.delete(id);
    for (const id of [...this.pendingDetails]) if (id.startsWith(tagPrefix)) this.pendingDetails.delete(id);
    const referrersPrefix = repository ? `${prefix}@` : prefix;
    for (const key of [...this.referrers.keys()]) if (key.startsWith(referrersPrefix)) this.referrers.delete(key);
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
          const host = repo.registry.root.host;
          if (this.isVendor(host)) {
            // GitLab: the tag detail endpoint (digest, size, created), not the registry.
            const details = await this.service.provider(host).tagDetails!(repo.name, tag.tag);
            return { vendor: details };
          }
          return { summary: await this.service.client(host).summarize(repo.name, tag.tag) };
        })
        .then(
          (got) => got,
          (error: unknown) => ({ error }),
        )
        .then((got: { summary: ImageSummary } | { vendor: TagSummary } | { error: unknown } | undefined) => {
          if (!this.pendingDetails.delete(tag.id) || !got || generation !== this.generation) return;
          if ('vendor' in got) {
            this.recordVendorTag(repo, got.vendor);
            if (!this.details.has(tag.id)) this.details.set(tag.id, { error: new Error('the registry did not say which image this tag names') });
          } else {
            this.details.set(tag.id, 'summary' in got ? { summary: got.summary } : { error: got.error });
            // Only registries whose details come from the registry itself (not a vendor's tag API).
            if ('summary' in got) this.scheduleReferrers(tag, got.summary.digest);
          }
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
    const created = this.details.get(ids.tag(repo.registry.root.host, repo.name, tag, repo.scope))?.summary?.created;
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

  private repositoryNode(registry: RegistryNode, parent: RegistryNode | NamespaceNode, name: string, scope?: string): RepositoryNode {
    const id = ids.repository(registry.root.host, name, scope);
    const node = this.cached<RepositoryNode>(id, () => ({ kind: 'repository', id, registry, parent, name, ...(scope ? { scope } : {}) }));
    node.parent = parent; // grouping can change when more pages arrive
    return node;
  }

  private tagNode(repository: RepositoryNode, tag: string): TagNode {
    const id = ids.tag(repository.registry.root.host, repository.name, tag, repository.scope);
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
    const host = hostOf(parent);
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
    const node = this.cached<ErrorNode>(id, () => ({ kind: 'error', id, parent, error, fix: 'retry' }));
    node.error = error;
    node.fix = errorFix(error);
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
    const provider = this.service.provider(root.host);
    if (provider.kind !== 'generic' && root.label !== provider.displayName) {
      tooltip.appendMarkdown('  \n');
      tooltip.appendText(provider.displayName);
    }
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

  private vendorNamespaceItem(node: NamespaceNode, summary: NamespaceSummary): vscode.TreeItem {
    const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.id;
    const looks: Record<NamespaceSummary['kind'], { icon: string; text: string }> = {
      official: { icon: 'verified', text: 'official images' },
      user: { icon: 'account', text: 'your account' },
      organization: { icon: 'organization', text: 'organization' },
      group: { icon: 'organization', text: 'group' },
      project: { icon: 'project', text: 'project' },
    };
    const look = looks[summary.kind];
    item.iconPath = new vscode.ThemeIcon(look.icon);
    const filter = this.lists.get(node.id)?.filter;
    item.description = [look.text, summary.description && summary.description !== node.name ? summary.description : '', filter ? `filter: "${filter}"` : '']
      .filter(Boolean)
      .join(' · ');
    item.tooltip = `${node.registry.root.label}: ${node.name} (${summary.description ?? look.text})`;
    item.contextValue = contextValue('namespace', ['browsable', !!filter && 'filtered']);
    return item;
  }

  private repositoryItem(node: RepositoryNode): vscode.TreeItem {
    const prefix = node.parent.kind === 'namespace' ? `${node.parent.name}/` : '';
    const label = prefix && node.name.startsWith(prefix) ? node.name.slice(prefix.length) : node.name;
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
    const referrers = this.referrersOfTag(node);
    const referrerCount = referrers?.descriptors?.length ?? 0;
    const expandable = multiPlatform || referrerCount > 0 || !!referrers?.error;
    const item = new vscode.TreeItem(node.tag, expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.iconPath = new vscode.ThemeIcon(multiPlatform ? 'layers' : 'tag');
    const reference = tagReference(node);
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown('**');
    tooltip.appendText(reference);
    tooltip.appendMarkdown('**');
    const vendorTag = this.vendorTags.get(node.id);
    // Docker Hub and GHCR date a tag by its last push; registries and GitLab by the image's creation.
    const dateLabel = vendorTag?.lastPushed && !vendorTag.created ? 'Last pushed' : 'Created';
    if (summary) {
      const age = formatAge(summary.created);
      const size = vendorTag && vendorTag.size === undefined ? '' : formatSize(summary.totalSize);
      item.description = [
        shortDigest(summary.digest),
        size,
        multiPlatform ? `${summary.platforms.length} platforms` : '',
        age,
        referrerCount ? `${referrerCount} ${referrerCount === 1 ? 'referrer' : 'referrers'}` : '',
      ]
        .filter(Boolean)
        .join(' · ');
      const lines: [string, string][] = [['Digest', summary.digest]];
      if (summary.mediaType) lines.push(['Media type', summary.mediaType]);
      if (!vendorTag || vendorTag.size !== undefined) lines.push(['Size', formatSize(summary.totalSize)]);
      if (summary.platforms.length) lines.push([summary.platforms.length > 1 ? 'Platforms' : 'Platform', summary.platforms.join(', ')]);
      if (summary.created) lines.push([dateLabel, `${summary.created}${age ? ` (${age})` : ''}`]);
      if (referrerCount) {
        const kinds = [...new Set(referrers!.descriptors!.map((d) => artifactKind(d.artifactType, d.mediaType).label))];
        lines.push(['Referrers', kinds.join(', ')]);
      }
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
    item.description = node.fromVendor
      ? [node.entry.digest ? shortDigest(node.entry.digest) : '', node.entry.size ? formatSize(node.entry.size) : ''].filter(Boolean).join(' · ')
      : `${shortDigest(node.entry.digest)} · ${formatSize(node.entry.size)} manifest`;
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(`${tagReference(node.tag)} (${node.entry.platformText})`);
    tooltip.appendMarkdown('  \nDigest: ');
    tooltip.appendText(node.entry.digest);
    if (node.entry.mediaType) {
      tooltip.appendMarkdown('  \nMedia type: ');
      tooltip.appendText(node.entry.mediaType);
    }
    item.tooltip = tooltip;
    item.contextValue = contextValue('platform');
    return item;
  }

  private referrersItem(node: ReferrersNode): vscode.TreeItem {
    const item = new vscode.TreeItem('Referrers', vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.id;
    item.iconPath = new vscode.ThemeIcon('references');
    const cached = this.referrers.get(referrersKey(node.tag, node.subject));
    const state = cached?.loading ? cached.previous : cached;
    const descriptors = state?.descriptors ?? [];
    const kinds = [...new Set(descriptors.map((d) => artifactKind(d.artifactType, d.mediaType).label))];
    item.description = state?.error ? 'could not be listed' : [String(descriptors.length), kinds.join(', ')].filter(Boolean).join(' · ');
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(`Signatures, SBOMs, attestations and other artifacts that refer to ${tagReference(node.tag)}`);
    tooltip.appendMarkdown('  \nSubject: ');
    tooltip.appendText(node.subject);
    item.tooltip = tooltip;
    item.contextValue = contextValue('referrers');
    return item;
  }

  private referrerItem(node: ReferrerNode): vscode.TreeItem {
    const { descriptor } = node;
    const kind = artifactKind(descriptor.artifactType, descriptor.mediaType);
    const item = new vscode.TreeItem(kind.label, vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    const icons: Record<typeof kind.family, string> = { signature: 'verified', sbom: 'checklist', attestation: 'law', other: 'file-binary' };
    item.iconPath = new vscode.ThemeIcon(icons[kind.family]);
    const created = createdOf(descriptor);
    item.description = [shortDigest(descriptor.digest), formatSize(descriptor.size), formatAge(created)].filter(Boolean).join(' · ');
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown('**');
    tooltip.appendText(kind.label);
    tooltip.appendMarkdown('**  \n');
    tooltip.appendText(`Refers to ${tagReference(node.group.tag)} (${node.group.subject})`);
    if (created) {
      tooltip.appendMarkdown('  \nCreated: ');
      tooltip.appendText(`${created}${formatAge(created) ? ` (${formatAge(created)})` : ''}`);
    }
    tooltip.appendCodeblock(JSON.stringify(descriptor, null, 2), 'json');
    item.tooltip = tooltip;
    item.contextValue = contextValue('referrer', [kind.family !== 'other' && kind.family]);
    return item;
  }

  private errorItem(node: ErrorNode): vscode.TreeItem {
    const item = errorTreeItem(node.id, node.error);
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

/** The cache key of a digest's referrers: per registry and repository, as the API answers. */
function referrersKey(tag: TagNode, digest: string): string {
  return `${tag.repository.registry.root.host}/${tag.repository.name}@${digest}`;
}

function createdOf(descriptor: Descriptor): string | undefined {
  return descriptor.annotations?.[CREATED_ANNOTATION];
}

/** A fallback index merged by several tools can list one manifest twice: show it once. */
function uniqueByDigest(descriptors: Descriptor[]): Descriptor[] {
  const seen = new Set<string>();
  return descriptors.filter((d) => !seen.has(d.digest) && !!seen.add(d.digest));
}

function tagReference(node: TagNode): string {
  return formatReference({ registry: node.repository.registry.root.host, repository: node.repository.name, tag: node.tag });
}

function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
