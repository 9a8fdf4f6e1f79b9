// Quick picks used when a command runs from the palette (no tree node): registry → repository → tag.
// They page like the tree does: one page, then a "Load more…" entry; nothing fetches a whole list.
import * as vscode from 'vscode';
import type { Page } from '../../distribution/types';
import { describeError } from '../../errors/describe';
import { parseRegistry, parseRegistryAddress, parseRepository, registryName } from '../../reference';
import type { NamespaceSummary, RegistryProvider } from '../../registries';
import { withProgress } from '../progress';
import * as settings from '../settings';
import { hostOf, isNode, type ListOwner, type RegistryNode } from '../tree/nodes';
import { shortDigest } from '../tree/format';
import { sortTags } from '../tree/sortTags';
import type { CommandContext } from './context';

/** An image the copy / inspect commands act on. */
export interface ImageTarget {
  host: string;
  repository: string;
  tag?: string;
  /** Set for a platform node (and after resolving a tag's digest). */
  digest?: string;
  platform?: string;
}

/** What the registry is asked for: the digest of a platform, else the tag. */
export function targetReference(target: ImageTarget): string {
  return target.digest ?? target.tag ?? 'latest';
}

/** host/repository:tag, or host/repository@<short digest> for a platform, in titles and messages. */
export function targetLabel(target: ImageTarget): string {
  return `${target.host}/${target.repository}${target.digest ? `@${shortDigest(target.digest)}` : `:${targetReference(target)}`}`;
}

interface Item<T> extends vscode.QuickPickItem {
  value?: T;
  action?: 'more' | 'other';
}

/**
 * A registry from the view, or (allowOther) one typed in. `only`: offer just the registries whose
 * provider can do what the command needs — or, when none can, all of them, so that the command can
 * say why the one picked cannot.
 */
export async function pickRegistry(ctx: CommandContext, options: { title: string; allowOther?: boolean; only?: (provider: RegistryProvider) => boolean }): Promise<string | undefined> {
  const all = (await ctx.tree.getChildren()).filter((n): n is RegistryNode => n.kind === 'registry');
  const able = options.only ? all.filter((n) => options.only!(ctx.service.provider(n.root.host))) : all;
  const roots = able.length ? able : all;
  const items: Item<string>[] = roots.map((r) => ({
    label: r.root.label,
    description: r.root.label !== r.root.host ? r.root.host : undefined,
    detail: r.root.source === 'docker' ? vscode.l10n.t('from docker login') : undefined,
    value: r.root.host,
    iconPath: new vscode.ThemeIcon(r.root.source === 'docker' ? 'key' : 'server'),
  }));
  if (options.allowOther || items.length === 0) items.push({ label: vscode.l10n.t('$(edit) Another registry…'), action: 'other', alwaysShow: true });
  const picked = items.length === 1 && items[0]!.action === 'other' ? items[0] : await vscode.window.showQuickPick(items, { title: options.title, placeHolder: vscode.l10n.t('Registry') });
  if (!picked) return undefined;
  if (picked.value) return picked.value;
  const typed = await vscode.window.showInputBox({
    title: options.title,
    prompt: vscode.l10n.t('Registry host[:port] or URL'),
    placeHolder: vscode.l10n.t('registry.example.com'),
    ignoreFocusOut: true,
    validateInput: (v) => validate(() => parseRegistry(v.trim())),
  });
  return typed ? registryName(parseRegistryAddress(typed.trim())) : undefined;
}

/** One page of names from a paged list. */
type NamesPage = (options: { pageSize: number; cursor?: string }) => Promise<Page<string>>;

function names(page: Page<{ name: string }>): Page<string> {
  return { items: page.items.map((item) => item.name), ...(page.next ? { next: page.next } : {}) };
}

/** A registry's repositories a page at a time: its catalog, or (Docker Hub, GHCR, GitLab) your own through their API. */
function repositoryPages(ctx: CommandContext, host: string): NamesPage {
  const provider = ctx.service.provider(host);
  return (options) => (provider.kind === 'generic' ? provider.client.catalogPage(options) : provider.listRepositories(options).then(names));
}

export interface RepositoryPickOptions {
  /** Offered first, whether or not the registry has it yet (push and copy: the source's own name). */
  suggested?: string;
}

/**
 * A repository of a registry: the suggested name first, then the repositories added by name and the
 * registry's own a page at a time, then "Enter a repository name…" (typing a name always works: a
 * registry that cannot list says why on that row).
 */
export async function pickRepository(ctx: CommandContext, host: string, title: string, options: RepositoryPickOptions = {}): Promise<string | undefined> {
  const listPage = repositoryPages(ctx, host);
  const pageSize = settings.pageSize();
  const known = [...ctx.service.addedRepositories(host)];
  let suggestion: string | undefined;
  try {
    suggestion = options.suggested ? repositoryIn(host, options.suggested) : undefined;
  } catch {
    suggestion = undefined;
  }
  let cursor: string | undefined;
  let loaded = false;
  let note: string | undefined;
  for (;;) {
    if (!loaded || cursor) {
      try {
        const page = await withProgress(vscode.l10n.t('Listing repositories of {0}', host), () => listPage(cursor ? { pageSize, cursor } : { pageSize }));
        for (const n of page.items) if (!known.includes(n)) known.push(n);
        cursor = page.next;
      } catch (error) {
        // No catalog (Docker Hub, GHCR) or no right to list it: typing a name still works.
        note = describeError(error);
        cursor = undefined;
      }
      loaded = true;
    }
    const items: Item<string>[] = [];
    if (suggestion) {
      items.push({
        label: suggestion,
        value: suggestion,
        description: known.includes(suggestion) ? vscode.l10n.t('same name as the source') : vscode.l10n.t('new repository, same name as the source'),
        iconPath: new vscode.ThemeIcon('star-empty'),
      });
    }
    items.push(...known.filter((n) => n !== suggestion).map((n) => ({ label: n, value: n, iconPath: new vscode.ThemeIcon('repo') })));
    if (cursor) items.push({ label: vscode.l10n.t('$(ellipsis) Load more…'), action: 'more', alwaysShow: true });
    items.push({ label: vscode.l10n.t('$(edit) Enter a repository name…'), action: 'other', alwaysShow: true, ...(note ? { detail: note } : {}) });
    const picked = await vscode.window.showQuickPick(items, { title, placeHolder: vscode.l10n.t('Repository in {0}', host) });
    if (!picked) return undefined;
    if (picked.value) return picked.value;
    if (picked.action === 'more') continue;
    return askRepositoryName(host, title, suggestion);
  }
}

/** A namespace a vendor lists (a Harbor project, a Quay organisation), a page at a time. */
export async function pickNamespace(ctx: CommandContext, host: string, title: string, placeHolder: string): Promise<NamespaceSummary | undefined> {
  const provider = ctx.service.provider(host);
  if (!provider.listNamespaces) return undefined;
  const pageSize = settings.pageSize();
  const known: NamespaceSummary[] = [];
  let cursor: string | undefined;
  let loaded = false;
  for (;;) {
    if (!loaded || cursor) {
      const page = await withProgress(vscode.l10n.t('Listing {0}\'s namespaces', provider.displayName), () => provider.listNamespaces!(cursor ? { pageSize, cursor } : { pageSize }));
      known.push(...page.items.filter((n) => !known.some((k) => k.name === n.name)));
      cursor = page.next;
      loaded = true;
    }
    const items: Item<NamespaceSummary>[] = known.map((n) => ({ label: n.name, value: n, ...(n.description ? { description: n.description } : {}), iconPath: new vscode.ThemeIcon('folder') }));
    if (cursor) items.push({ label: vscode.l10n.t('$(ellipsis) Load more…'), action: 'more', alwaysShow: true });
    if (items.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('{0} lists no {1}s for you.', provider.displayName, placeHolder.toLowerCase()));
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(items, { title, placeHolder });
    if (!picked) return undefined;
    if (picked.value) return picked.value;
  }
}

export async function askRepositoryName(host: string, title: string, value?: string): Promise<string | undefined> {
  const typed = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('Repository name in {0}', host),
    placeHolder: vscode.l10n.t('team/app'),
    ...(value ? { value } : {}),
    ignoreFocusOut: true,
    validateInput: (v) => validate(() => repositoryIn(host, v.trim())),
  });
  return typed ? repositoryIn(host, typed.trim()) : undefined;
}

/** Validate a repository name typed for a given registry, with the reference parser's rules. */
export function repositoryIn(host: string, name: string): string {
  const parsed = parseRepository(`${host}/${name}`);
  return parsed.repository;
}

/** A repository's tag names a page at a time: vendor registries through their API (one request per page, as the tree does). */
export function tagNamesPage(provider: RegistryProvider, repository: string): NamesPage {
  return (options) => (provider.kind === 'generic' ? provider.client.tagsPage(repository, options) : provider.listTags(repository, options).then(names));
}

/** A tag of a repository, one page at a time, sorted like the tree. A failed listing fails the command. */
export async function pickTag(ctx: CommandContext, host: string, repository: string, title: string): Promise<string | undefined> {
  const listPage = tagNamesPage(ctx.service.provider(host), repository);
  const pageSize = settings.pageSize();
  const tags: string[] = [];
  let cursor: string | undefined;
  let loaded = false;
  for (;;) {
    if (!loaded || cursor) {
      const page = await withProgress(vscode.l10n.t('Listing tags of {0}/{1}', host, repository), () => listPage(cursor ? { pageSize, cursor } : { pageSize }));
      tags.push(...page.items.filter((t) => !tags.includes(t)));
      cursor = page.next;
      loaded = true;
    }
    const items: Item<string>[] = sortTags(tags, settings.tagSort() === 'newest' ? 'semver' : settings.tagSort()).map((t) => ({ label: t, value: t, iconPath: new vscode.ThemeIcon('tag') }));
    if (cursor) items.push({ label: vscode.l10n.t('$(ellipsis) Load more…'), action: 'more', alwaysShow: true });
    if (items.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('{0}/{1} has no tags.', host, repository));
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(items, { title, placeHolder: vscode.l10n.t('Tag of {0}/{1}', host, repository) });
    if (!picked) return undefined;
    if (picked.value) return picked.value;
  }
}

/** Which registries a palette command offers (pickRegistry's `only` and `none`). */
export type RegistryFilter = Pick<Parameters<typeof pickRegistry>[1], 'only'>;

/**
 * The image a copy/inspect command acts on: from a tag, platform or referrer node, else asked for
 * (from the registries `filter` lets through).
 */
export async function imageTarget(ctx: CommandContext, arg: unknown, title: string, filter: RegistryFilter = {}): Promise<ImageTarget | undefined> {
  if (isNode(arg)) {
    if (arg.kind === 'tag') return { host: arg.repository.registry.root.host, repository: arg.repository.name, tag: arg.tag };
    if (arg.kind === 'platform') {
      const tag = arg.tag;
      return { host: tag.repository.registry.root.host, repository: tag.repository.name, tag: tag.tag, digest: arg.entry.digest, platform: arg.entry.platformText };
    }
    // A referrer (signature, SBOM…) has no tag of its own: it is addressed by its digest.
    if (arg.kind === 'referrer') {
      const repository = arg.group.tag.repository;
      return { host: repository.registry.root.host, repository: repository.name, digest: arg.descriptor.digest };
    }
  }
  const host = isNode(arg) && arg.kind === 'repository' ? arg.registry.root.host : await pickRegistry(ctx, { title, ...filter });
  if (!host) return undefined;
  const repository = isNode(arg) && arg.kind === 'repository' ? arg.name : await pickRepository(ctx, host, title);
  if (!repository) return undefined;
  const tag = await pickTag(ctx, host, repository, title);
  return tag ? { host, repository, tag } : undefined;
}

/** A registry or repository whose list is filtered: from the node, else picked. */
export async function listOwner(ctx: CommandContext, arg: unknown, title: string): Promise<ListOwner | undefined> {
  if (isNode(arg) && (arg.kind === 'registry' || arg.kind === 'repository')) return arg;
  if (isNode(arg) && (arg.kind === 'loadMore')) return arg.owner;
  // A vendor namespace (Docker Hub, GHCR, GitLab) pages its own repositories; a catalog one is its registry's.
  if (isNode(arg) && arg.kind === 'namespace') return arg.vendor ? arg : arg.registry;
  const host = await pickRegistry(ctx, { title });
  return host ? ctx.tree.registryNode(host) : undefined;
}

/** The registry host a command acts on: a node's, a host string's, or picked. */
export async function registryHost(ctx: CommandContext, arg: unknown, title: string, allowOther = false): Promise<string | undefined> {
  if (typeof arg === 'string' && arg.trim()) return registryName(parseRegistryAddress(arg.trim()));
  if (isNode(arg)) {
    const host = hostOf(arg);
    if (host) return host;
  }
  return pickRegistry(ctx, { title, allowOther });
}

/** validateInput helper: the parser's own message (describeError) or undefined when valid. */
export function validate(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    return describeError(error);
  }
}
