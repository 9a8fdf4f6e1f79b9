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
// - Registries that scan (Harbor, Quay: provider.capabilities.scan) show a severity badge on each tag
//   row, read after first paint a few at a time (scans.ts); Harbor projects, Quay organisations and
//   Artifactory repositories are vendor namespaces like the others.
// This file keeps what every kind of node shares: the dispatch by kind, the caches, and what a refresh
// forgets. Each kind's children and rows are in its own file (registryNodes, repositoryNodes,
// tagNodes, referrerNodes, messageNodes); the paging behind every list is in pagedLists.
import * as vscode from 'vscode';
import { withAccessibleLabel } from './accessibility';
import { Limiter } from '../../distribution/concurrency';
import { describeError } from '../../errors/describe';
import type { NamespaceSummary, RepositorySummary, TagSummary, VulnerabilityReport } from '../../registries';
import type { CredentialOrigin, RegistryService } from '../registryService';
import * as settings from '../settings';
import { errorItem, errorNodes, infoItem } from './messageNodes';
import { ids, parentOf, type ListOwner, type NamespaceNode, type RegistryNode, type TagNode, type TreeNode } from './nodes';
import { loadMoreItem, loadPages, repositoryKey, type ListState } from './pagedLists';
import { lookUpReferrers, referrersChildren, referrersItem, referrerItem, referrersKey, type ReferrersState } from './referrerNodes';
import { namespaceChildren, namespaceItem, registryChildren, registryItem, rootChildren, type RegistryContext } from './registryNodes';
import { repositoryChildren, repositoryItem, type RepositoryContext } from './repositoryNodes';
import { keepsScans, scheduleScans, type ScanState } from './scans';
import { platformItem, scheduleDetails, tagChildren, tagItem, type TagDetails } from './tagNodes';

export type { TagDetails } from './tagNodes';

/** Detail requests in flight at once (each is a few requests: manifest, config). */
const DETAIL_CONCURRENCY = 4;
/** Background referrers lookups in flight at once (each is one or two requests). */
const REFERRERS_CONCURRENCY = 2;
/** Vulnerability reports in flight at once (each is one or two vendor API requests). */
const SCAN_CONCURRENCY = 2;

/**
 * What the node kinds' files share, behind the narrow context each of them asks for. Apart from the
 * provider so that the maps stay out of its public surface, which commands use.
 */
class TreeState implements RegistryContext, RepositoryContext {
  readonly nodes = new Map<string, TreeNode>();
  readonly lists = new Map<string, ListState>();
  readonly details = new Map<string, TagDetails>();
  readonly pendingDetails = new Map<string, number>();
  readonly detailLimiter = new Limiter(DETAIL_CONCURRENCY);
  /** Referrers by `host/repository@digest`: a digest's referrers are the same under every tag naming it. */
  readonly referrers = new Map<string, ReferrersState>();
  readonly referrersLimiter = new Limiter(REFERRERS_CONCURRENCY);
  readonly origins = new Map<string, CredentialOrigin>();
  /** Vendor registries: what the API said about each namespace (by namespace node id)… */
  readonly namespaceSummaries = new Map<string, NamespaceSummary>();
  /** …about each repository (by repositoryKey): description, visibility, tag count… */
  readonly repositorySummaries = new Map<string, RepositorySummary>();
  /** …and about each tag (by tag node id): digest, size, dates, platforms. */
  readonly vendorTags = new Map<string, TagSummary>();
  /** Registries that scan: each tag's vulnerability report (by tag node id). */
  readonly scans = new Map<string, ScanState>();
  readonly pendingScans = new Map<string, number>();
  readonly scanLimiter = new Limiter(SCAN_CONCURRENCY);
  /** Bumped on every refresh so details that arrive for an older tree are dropped. */
  generation = 0;
  readonly resortTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    readonly service: RegistryService,
    private readonly emitter: vscode.EventEmitter<TreeNode | undefined>,
  ) {}

  cached<T extends TreeNode>(id: string, make: () => T): T {
    let node = this.nodes.get(id) as T | undefined;
    if (!node) {
      node = make();
      this.nodes.set(id, node);
    }
    return node;
  }

  changed(node: TreeNode): void {
    this.emitter.fire(node);
  }

  isVendor(host: string): boolean {
    return this.service.kindOf(host) !== 'generic';
  }

  listOf(owner: ListOwner): ListState {
    let state = this.lists.get(owner.id);
    if (!state) {
      state = { items: [], loadedOnce: false };
      this.lists.set(owner.id, state);
    }
    return state;
  }

  filterOf(owner: ListOwner): string | undefined {
    return this.lists.get(owner.id)?.filter;
  }
}

export class RegistriesTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;

  private readonly state: TreeState;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly service: RegistryService) {
    this.state = new TreeState(service, this.emitter);
    this.disposables.push(
      this.emitter,
      service.onDidChange((host) => {
        const node = host ? this.state.nodes.get(ids.registry(host)) : undefined;
        this.refresh(node);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (settings.affectsRegistries(e)) this.refresh();
      }),
    );
  }

  dispose(): void {
    for (const t of this.state.resortTimers.values()) clearTimeout(t);
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  // ---- TreeDataProvider ----------------------------------------------------------------------

  getParent(node: TreeNode): TreeNode | undefined {
    return parentOf(node);
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    const ctx = this.state;
    try {
      if (!node) return await rootChildren(ctx);
      switch (node.kind) {
        case 'registry':
          return await registryChildren(ctx, node);
        case 'namespace':
          return await namespaceChildren(ctx, node);
        case 'repository':
          return await repositoryChildren(ctx, node);
        case 'tag':
          return await tagChildren(ctx, node);
        case 'referrers':
          return await referrersChildren(ctx, node);
        default:
          return [];
      }
    } catch (error) {
      if (!node || node.kind === 'platform' || node.kind === 'referrer' || node.kind === 'loadMore' || node.kind === 'error' || node.kind === 'info') {
        // Roots failing is a bug, not a registry problem: say so in the log and show nothing.
        this.service.log.error(`Registries view: ${describeError(error)}`);
        return [];
      }
      return errorNodes(ctx, node, error);
    }
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const ctx = this.state;
    switch (node.kind) {
      case 'registry':
        return withAccessibleLabel((label) => vscode.l10n.t('Registry {0}', label), registryItem(ctx, node));
      case 'namespace':
        return withAccessibleLabel((label) => vscode.l10n.t('Namespace {0}', label), namespaceItem(ctx, node));
      case 'repository':
        return withAccessibleLabel((label) => vscode.l10n.t('Repository {0}', label), repositoryItem(ctx, node));
      case 'tag':
        return withAccessibleLabel((label) => vscode.l10n.t('Tag {0}', label), tagItem(ctx, node));
      case 'platform':
        return withAccessibleLabel((label) => vscode.l10n.t('Platform {0}', label), platformItem(ctx, node));
      case 'referrers':
        return withAccessibleLabel(undefined, referrersItem(ctx, node));
      case 'referrer':
        return withAccessibleLabel((label) => vscode.l10n.t('Referrer {0}', label), referrerItem(node));
      case 'loadMore':
        return withAccessibleLabel(undefined, loadMoreItem(ctx, node));
      case 'error':
        return withAccessibleLabel((label) => vscode.l10n.t('Error: {0}', label), errorItem(node));
      case 'info':
        return withAccessibleLabel(undefined, infoItem(node));
    }
  }


  // ---- operations used by commands -------------------------------------------------------------

  /** Forget what a node (and everything under it) loaded, then show it again. No node: everything. */
  refresh(node?: TreeNode): void {
    const state = this.state;
    state.generation++;
    if (!node) {
      // VS Code drops every element it knew on a refresh of the whole view, so the cached node objects
      // keep nothing alive that it shows; without this a disconnected registry's rows (every tag
      // loaded: 12,800 nodes, their ids and labels) stayed in memory for the session.
      state.nodes.clear();
      state.lists.clear();
      state.details.clear();
      state.pendingDetails.clear();
      state.referrers.clear();
      state.origins.clear();
      state.namespaceSummaries.clear();
      state.repositorySummaries.clear();
      state.vendorTags.clear();
      state.scans.clear();
      state.pendingScans.clear();
      this.emitter.fire(undefined);
      return;
    }
    switch (node.kind) {
      case 'registry':
        this.forgetUnder(node.root.host, '');
        state.origins.delete(node.root.host);
        this.emitter.fire(node);
        return;
      case 'namespace':
        // A generic namespace's repositories come from its registry's catalog pages.
        if (!node.vendor) return this.refresh(node.registry);
        this.forgetList(node);
        this.emitter.fire(node);
        return;
      case 'repository':
        this.forgetList(node.id);
        this.emitter.fire(node);
        return;
      case 'tag': {
        const digest = state.details.get(node.id)?.summary?.digest;
        if (digest) state.referrers.delete(referrersKey(node, digest));
        const group = state.nodes.get(ids.referrers(node.id));
        if (group?.kind === 'referrers') state.referrers.delete(referrersKey(node, group.subject));
        state.details.delete(node.id);
        state.vendorTags.delete(node.id);
        state.pendingDetails.delete(node.id);
        state.scans.delete(node.id);
        state.pendingScans.delete(node.id);
        this.emitter.fire(node);
        // Load its details again (and with them its referrers): a row does not ask for them itself.
        const host = node.repository.registry.root.host;
        const provider = this.service.provider(host);
        // A vendor's row came from its tag list: its tag detail endpoint (where it has one) stands in.
        if (!state.isVendor(host) || provider.tagDetails) setTimeout(() => scheduleDetails(state, [node]), 0);
        if (keepsScans(provider)) setTimeout(() => scheduleScans(state, [node]), 0);
        return;
      }
      case 'platform':
        return this.refresh(node.tag);
      case 'referrers':
        // Ask again; the tag keeps what it showed until the answer arrives, then redraws with it.
        void lookUpReferrers(state, node.tag, node.subject, false, true).then(() => this.emitter.fire(node.tag));
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
    const state = this.state.listOf(owner);
    if (state.loading) return state.loading;
    if (!state.cursor && state.loadedOnce && !state.error) return;
    await loadPages(this.state, owner, state);
    this.emitter.fire(owner);
  }

  /** Set (or with empty text, clear) the filter of a registry's repositories or a repository's tags. */
  setFilter(owner: ListOwner, text: string | undefined): void {
    const state = this.state.listOf(owner);
    state.filter = text?.trim() ? text.trim() : undefined;
    state.fillPending = !!state.filter && state.loadedOnce;
    this.emitter.fire(owner);
  }

  filterOf(owner: ListOwner): string | undefined {
    return this.state.filterOf(owner);
  }

  /** The registry node for a host, once the roots were listed. */
  async registryNode(host: string): Promise<RegistryNode | undefined> {
    const roots = await rootChildren(this.state);
    return roots.find((r) => r.root.host === host);
  }

  /** Details of a tag when loaded (tests and copy commands use them before asking the registry). */
  detailsOf(tag: TagNode): TagDetails | undefined {
    return this.state.details.get(tag.id);
  }

  /** The vulnerability report a tag row shows, once it arrived. */
  scanOf(tag: TagNode): ScanState | undefined {
    return this.state.scans.get(tag.id);
  }

  /**
   * A fresher report for host/repository:tag (Show Vulnerabilities, Scan Now): every row of that tag
   * shows it at once (one tag can be listed under several namespaces).
   */
  setScan(host: string, repository: string, tag: string, report: VulnerabilityReport): void {
    for (const node of this.state.nodes.values()) {
      if (node.kind !== 'tag' || node.tag !== tag || node.repository.name !== repository || node.repository.registry.root.host !== host) continue;
      this.state.pendingScans.delete(node.id);
      this.state.scans.set(node.id, { report });
      this.emitter.fire(node);
    }
  }

  /** A repository's description changed (Edit Description): its rows show the new one at once. */
  noteDescription(host: string, repository: string, description: string): void {
    const key = repositoryKey(host, repository);
    this.state.repositorySummaries.set(key, { ...(this.state.repositorySummaries.get(key) ?? { name: repository }), description });
    for (const node of this.state.nodes.values()) {
      if (node.kind === 'repository' && node.name === repository && node.registry.root.host === host) this.emitter.fire(node);
    }
  }

  /** What the vendor said about a repository (description, visibility), when its list was loaded. */
  repositorySummaryOf(host: string, repository: string): RepositorySummary | undefined {
    return this.state.repositorySummaries.get(repositoryKey(host, repository));
  }

  // ---- forgetting ------------------------------------------------------------------------------

  /**
   * Drop one list and what hangs under it: a repository's tags and their details, or a vendor
   * namespace's repositories (whose ids end in "#namespace") with theirs. A namespace is given as its
   * node: its host may hold "/" (an Artifactory repository path), so its id cannot be split.
   */
  private forgetList(owner: string | NamespaceNode): void {
    const { lists, details, vendorTags, referrers, pendingDetails, scans, pendingScans } = this.state;
    if (typeof owner !== 'string') {
      lists.delete(owner.id);
      const host = owner.registry.root.host;
      for (const id of [...lists.keys()]) {
        if (id.startsWith(`repository:${host}/`) && id.endsWith(`#${owner.name}`)) this.forgetList(id);
      }
      return;
    }
    lists.delete(owner);
    const under = owner.slice(owner.indexOf(':') + 1); // "host/name" or "host/name#namespace"
    const tagPrefix = `tag:${under}:`;
    for (const map of [details, vendorTags, scans]) for (const id of [...map.keys()]) if (id.startsWith(tagPrefix)) map.delete(id);
    const repoPrefix = `${under.replace(/#.*$/, '')}@`;
    for (const key of [...referrers.keys()]) if (key.startsWith(repoPrefix)) referrers.delete(key);
    for (const pending of [pendingDetails, pendingScans]) for (const id of [...pending.keys()]) if (id.startsWith(tagPrefix)) pending.delete(id);
  }

  /** Drop loaded lists and details of a registry (path '') or of one repository. */
  private forgetUnder(host: string, repository: string): void {
    const { lists, details, vendorTags, referrers, pendingDetails, scans, pendingScans, repositorySummaries } = this.state;
    const prefix = repository ? `${host}/${repository}` : `${host}/`;
    const listIds = repository ? [ids.repository(host, repository)] : [ids.registry(host)];
    for (const id of [...lists.keys()]) {
      if (listIds.includes(id) || (!repository && (id.startsWith(`repository:${prefix}`) || id.startsWith(`namespace:${prefix}`)))) lists.delete(id);
    }
    const tagPrefix = repository ? `tag:${prefix}:` : `tag:${prefix}`;
    for (const map of [details, vendorTags, scans]) for (const id of [...map.keys()]) if (id.startsWith(tagPrefix)) map.delete(id);
    for (const pending of [pendingDetails, pendingScans]) for (const id of [...pending.keys()]) if (id.startsWith(tagPrefix)) pending.delete(id);
    if (!repository) for (const key of [...repositorySummaries.keys()]) if (key.startsWith(prefix)) repositorySummaries.delete(key);
    const referrersPrefix = repository ? `${prefix}@` : prefix;
    for (const key of [...referrers.keys()]) if (key.startsWith(referrersPrefix)) referrers.delete(key);
  }
}
