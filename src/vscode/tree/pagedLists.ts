// The paged lists under a registry (its repositories, or a vendor's namespaces), a vendor namespace
// (its repositories) and a repository (its tags): one page per expansion, as many again as shown per
// "Load more…", never the whole list; a filter keeps fetching (bounded) until a page's worth of matches shows. Which
// endpoint a page comes from — the registry's catalog and tag list, or the vendor API — is decided
// here alone, in fetchPage.
import * as vscode from 'vscode';
import { CancelledError } from '../../errors/errors';
import type { NamespaceSummary, RepositorySummary } from '../../registries';
import type { RegistryService } from '../registryService';
import * as settings from '../settings';
import { contextValue } from './contextValues';
import { isCatalogUnsupported } from './errorFix';
import { errorNodes, infoNode } from './messageNodes';
import { ids, type InfoNode, type ListOwner, type LoadMoreNode, type NodeCache, type TreeNode } from './nodes';
import { recordVendorTag, type TagState } from './tagNodes';

/** One paged list: a registry's repositories (vendor: namespaces), a vendor namespace's repositories, or a repository's tags. */
export interface ListState {
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

export interface ListContext extends NodeCache, TagState {
  readonly service: RegistryService;
  /** Vendor registries: what the API said about each namespace, by namespace node id. */
  readonly namespaceSummaries: Map<string, NamespaceSummary>;
  /** …and about each repository (description, visibility, tag count), by repositoryKey(). */
  readonly repositorySummaries: Map<string, RepositorySummary>;
  isVendor(host: string): boolean;
  listOf(owner: ListOwner): ListState;
  /** Without starting a list that was never loaded. */
  filterOf(owner: ListOwner): string | undefined;
}

/** When a filter hides most of a page, fetch on (up to this many pages) to fill one screen. */
const MAX_FILTER_PAGES = 10;
/** The most one "Load more…" adds (in requests of at most settings.MAX_PAGE_SIZE). */
const MAX_LOAD_MORE = 10_000;

/**
 * How many rows a "Load more…" adds when `shown` are shown: as many again (at least a page, at most
 * MAX_LOAD_MORE). VS Code creates every row of a list again each time the list changes, and keeps a
 * little of each row it ever created for as long as the view lives; with pages that grow, reaching N
 * rows takes a few clicks and creates ~2N rows, where fixed pages took N / pageSize clicks and
 * ~N² / (2 pageSize) rows (10,000 tags: 8 clicks and 20,000 rows instead of 99 and 505,000).
 */
export function loadMoreCount(shown: number, pageSize: number): number {
  return Math.max(pageSize, Math.min(shown, MAX_LOAD_MORE));
}

/** Registries known never to serve /v2/_catalog to users (Docker Hub answers 401 whatever the login). */
const NO_CATALOG = new Set(['docker.io']);

/** The list of an expanded node: its first page on first expansion, more matches after a new filter. */
export async function expandedList(ctx: ListContext, owner: ListOwner): Promise<ListState> {
  const state = ctx.listOf(owner);
  if (!state.loadedOnce || state.fillPending) await loadPages(ctx, owner, state);
  return state;
}

/**
 * Fetch the next page. With a filter, keep fetching (bounded) until a page's worth of matches is
 * shown, so filtering does not show an empty list while matches sit on the next page.
 */
export function loadPages(ctx: ListContext, owner: ListOwner, state: ListState): Promise<void> {
  if (state.loading) return state.loading;
  const pageSize = settings.pageSize();
  // After a new filter, fill up to one page of matches from what is loaded and what follows;
  // otherwise ("Load more…", first expansion) fetch one page, or with a filter a page of new matches.
  const fill = !!state.fillPending;
  state.fillPending = false;
  const run = async () => {
    const vendor = ctx.isVendor(ownerHost(owner));
    if (owner.kind === 'registry' && !vendor && NO_CATALOG.has(owner.root.host)) {
      // Asking would only produce a misleading 401: show "add one by name" straight away.
      state.catalogUnsupported = true;
      state.loadedOnce = true;
      return;
    }
    const before = fill ? 0 : filtered(state, state.items).length;
    if (fill && (filtered(state, state.items).length >= pageSize || !state.cursor)) return;
    // The first expansion and a new filter's fill want a page; "Load more…" as many again as shown.
    const wanted = fill || !state.loadedOnce ? pageSize : loadMoreCount(before, pageSize);
    const maxPages = MAX_FILTER_PAGES + Math.ceil(wanted / settings.MAX_PAGE_SIZE) - 1;
    for (let pages = 0; pages < maxPages; pages++) {
      const gainedSoFar = filtered(state, state.items).length - before;
      const size = Math.max(pageSize, Math.min(wanted - gainedSoFar, settings.MAX_PAGE_SIZE));
      try {
        const page = await fetchPage(ctx, owner, size, state.loadedOnce ? state.cursor : undefined);
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
      const gained = filtered(state, state.items).length - before;
      if (!state.cursor || gained >= wanted) return;
    }
  };
  state.loading = run().finally(() => {
    state.loading = undefined;
  });
  return state.loading;
}

async function fetchPage(ctx: ListContext, owner: ListOwner, pageSize: number, cursor: string | undefined): Promise<{ items: string[]; next?: string }> {
  const host = ownerHost(owner);
  const options = cursor ? { pageSize, cursor } : { pageSize };
  if (!ctx.isVendor(host)) {
    const client = ctx.service.client(host);
    if (owner.kind === 'registry') return client.catalogPage(options);
    if (owner.kind === 'repository') return client.tagsPage(owner.name, options);
    return { items: [] };
  }
  const provider = ctx.service.provider(host);
  const next = (page: { next?: string }) => (page.next ? { next: page.next } : {});
  if (owner.kind === 'registry') {
    if (!provider.listNamespaces) {
      const repos = await provider.listRepositories(options);
      for (const r of repos.items) ctx.repositorySummaries.set(repositoryKey(host, r.name), r);
      return { items: repos.items.map((r) => r.name), ...next(repos) };
    }
    const page = await provider.listNamespaces(options);
    for (const ns of page.items) ctx.namespaceSummaries.set(ids.namespace(host, ns.name), ns);
    return { items: page.items.map((ns) => ns.name), ...next(page) };
  }
  if (owner.kind === 'namespace') {
    const page = await provider.listRepositories({ ...options, namespace: owner.name });
    for (const r of page.items) ctx.repositorySummaries.set(repositoryKey(host, r.name), r);
    return { items: page.items.map((r) => r.name), ...next(page) };
  }
  const page = await provider.listTags(owner.name, options);
  for (const tag of page.items) recordVendorTag(ctx, owner, tag);
  return { items: page.items.map((t) => t.name), ...next(page) };
}

/** What a vendor said about a repository is the same under every namespace that lists it. */
export function repositoryKey(host: string, name: string): string {
  return `${host}/${name}`;
}

function ownerHost(owner: ListOwner): string {
  return owner.kind === 'registry' ? owner.root.host : owner.registry.root.host;
}

export function filtered(state: ListState, items: string[]): string[] {
  if (!state.filter) return items;
  const needle = state.filter.toLowerCase();
  return items.filter((i) => i.toLowerCase().includes(needle));
}

/**
 * The rows after a list's own: when none of its rows show (`shown`) and the last page did not
 * fail, "No loaded <item> matches" under a filter, else `emptyText` if given; then the last page's
 * error with its fix; then "Load more…" while the list has more.
 */
export function listFooter(nodes: NodeCache, owner: ListOwner, state: ListState, shown: number, item: ListedItem, emptyText?: string): TreeNode[] {
  const rows: TreeNode[] = [];
  if (shown === 0 && !state.error) {
    if (state.filter) rows.push(infoNode(nodes, owner, 'no-match', NO_MATCH[item](state.filter), 'filter', state.cursor ? undefined : clearFilterAction(owner)));
    else if (emptyText) rows.push(infoNode(nodes, owner, 'empty', emptyText, 'info'));
  }
  if (state.error) rows.push(...errorNodes(nodes, owner, state.error));
  if (state.cursor) rows.push(loadMoreNode(nodes, owner));
  return rows;
}

export type ListedItem = 'repository' | 'namespace' | 'tag';
// Whole sentences per kind of row, so each language words its own "no tag matches".
const NO_MATCH: Record<ListedItem, (filter: string) => string> = {
  repository: (filter) => vscode.l10n.t('No loaded repository matches "{0}"', filter),
  namespace: (filter) => vscode.l10n.t('No loaded namespace matches "{0}"', filter),
  tag: (filter) => vscode.l10n.t('No loaded tag matches "{0}"', filter),
};

function clearFilterAction(owner: ListOwner): InfoNode['action'] {
  return { command: 'registryExplorer.clearFilter', title: vscode.l10n.t('Clear Filter'), arguments: [owner] };
}

function loadMoreNode(nodes: NodeCache, owner: ListOwner): LoadMoreNode {
  const id = ids.loadMore(owner.id);
  return nodes.cached<LoadMoreNode>(id, () => ({ kind: 'loadMore', id, owner }));
}

export function loadMoreItem(ctx: ListContext, node: LoadMoreNode): vscode.TreeItem {
  const item = new vscode.TreeItem(vscode.l10n.t('Load more…'), vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  item.iconPath = new vscode.ThemeIcon('ellipsis');
  item.contextValue = contextValue('loadMore');
  const what: ListedItem = node.owner.kind === 'repository' ? 'tag' : node.owner.kind === 'registry' && ctx.isVendor(node.owner.root.host) ? 'namespace' : 'repository';
  const state = ctx.listOf(node.owner);
  const loaded = state.items.length;
  const filter = state.filter;
  // Whole phrases per kind and with or without a filter: no sentence assembled from English parts.
  item.description = {
    tag: filter ? vscode.l10n.t('{0} tags loaded, filter "{1}"', loaded, filter) : vscode.l10n.t('{0} tags loaded', loaded),
    namespace: filter ? vscode.l10n.t('{0} namespaces loaded, filter "{1}"', loaded, filter) : vscode.l10n.t('{0} namespaces loaded', loaded),
    repository: filter ? vscode.l10n.t('{0} repositories loaded, filter "{1}"', loaded, filter) : vscode.l10n.t('{0} repositories loaded', loaded),
  }[what];
  const more = loadMoreCount(filtered(state, state.items).length, settings.pageSize());
  item.tooltip = {
    tag: vscode.l10n.t('Fetch {0} more tags: as many again as shown, at least registryExplorer.pageSize', more),
    namespace: vscode.l10n.t('Fetch {0} more namespaces: as many again as shown, at least registryExplorer.pageSize', more),
    repository: vscode.l10n.t('Fetch {0} more repositories: as many again as shown, at least registryExplorer.pageSize', more),
  }[what];
  item.command = { command: 'registryExplorer.loadMore', title: vscode.l10n.t('Load More'), arguments: [node] };
  return item;
}
