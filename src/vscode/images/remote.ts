// Helpers the image operations share for the registry side: the vendor provider of a host (delete and
// search differ on Docker Hub, GHCR, GitLab), engine-style references, showing a pushed / copied /
// retagged tag in the Registries view, and the "where to?" pickers of push and copy.
import * as vscode from 'vscode';
import { isValidTag } from '../../distribution/tagPages';
import { describeError } from '../../errors/describe';
import { formatReference } from '../../reference';
import type { RegistryProvider } from '../../registries';
import * as settings from '../settings';
import { repositoryIn, validate, withProgress } from '../commands/pickers';
import type { NamespaceNode, RegistryNode, RepositoryNode, TagNode, TreeNode } from '../tree/nodes';
import type { OperationsContext } from './context';

/** The provider for a registry host: the service's own, sharing its client, tokens, log and vendor settings. */
export function providerOf(ctx: OperationsContext, host: string): RegistryProvider {
  return ctx.service.provider(host);
}

/** host/repository:tag (or @digest) as the engine takes it; Docker Hub names kept short as docker prints them. */
export function engineReference(host: string, repository: string, ref: { tag?: string; digest?: string }): string {
  return formatReference({ registry: host, repository, ...(ref.digest ? { digest: ref.digest } : { tag: ref.tag ?? 'latest' }) }, { familiar: true });
}

/**
 * Show host/repository(:tag) in the Registries view: refresh just that repository, then select the
 * tag. A repository not on the loaded catalog pages is reached with a filter (shown on the registry
 * node, cleared with one click); on a registry without a catalog it is added by name. Returns the
 * node revealed, or undefined when the registry is not in the view.
 */
export async function revealRemote(ctx: OperationsContext, host: string, repository: string, tag?: string): Promise<TagNode | RepositoryNode | undefined> {
  const registry = await ctx.tree.registryNode(host);
  if (!registry) return undefined;
  let repo = await findRepository(ctx, registry, repository);
  if (!repo) {
    // The catalog pages loaded earlier predate the push: load them again.
    ctx.tree.refresh(registry);
    repo = await findRepository(ctx, registry, repository);
  }
  if (!repo) {
    ctx.tree.setFilter(registry, repository);
    repo = await findRepository(ctx, registry, repository);
  }
  if (!repo) {
    await ctx.service.addRepository(host, repository);
    ctx.tree.refresh(registry);
    repo = await findRepository(ctx, registry, repository);
  }
  if (!repo) return undefined;
  if (!tag) {
    await ctx.view.reveal(repo, { select: true, focus: false, expand: false });
    return repo;
  }
  ctx.tree.refresh(repo);
  let node = await findTag(ctx, repo, tag);
  if (!node) {
    ctx.tree.setFilter(repo, tag);
    node = await findTag(ctx, repo, tag);
  }
  const target: TagNode | RepositoryNode = node ?? repo;
  await ctx.view.reveal(target, { select: true, focus: false, expand: !node });
  return target;
}

async function findRepository(ctx: OperationsContext, registry: RegistryNode, name: string): Promise<RepositoryNode | undefined> {
  const children: TreeNode[] = await ctx.tree.getChildren(registry);
  for (const child of children) {
    if (child.kind === 'repository' && child.name === name) return child;
    if (child.kind === 'namespace' && name.startsWith(`${(child as NamespaceNode).name}/`)) {
      const inner = (await ctx.tree.getChildren(child)).find((n): n is RepositoryNode => n.kind === 'repository' && n.name === name);
      if (inner) return inner;
    }
  }
  return undefined;
}

async function findTag(ctx: OperationsContext, repo: RepositoryNode, tag: string): Promise<TagNode | undefined> {
  return (await ctx.tree.getChildren(repo)).find((n): n is TagNode => n.kind === 'tag' && n.tag === tag);
}

interface RepoItem extends vscode.QuickPickItem {
  value?: string;
  action?: 'more' | 'other';
}

/**
 * Where a push or copy goes in `host`: the suggested name first (the source's own), then the
 * registry's repositories a page at a time, then "Enter a repository name…".
 */
export async function pickTargetRepository(ctx: OperationsContext, host: string, suggested: string | undefined, title: string): Promise<string | undefined> {
  const client = ctx.service.client(host);
  const pageSize = settings.pageSize();
  const names = [...ctx.service.addedRepositories(host)];
  let cursor: string | undefined;
  let loaded = false;
  let note: string | undefined;
  for (;;) {
    if (!loaded || cursor) {
      try {
        const page = await withProgress(`Listing repositories of ${host}`, () => client.catalogPage(cursor ? { pageSize, cursor } : { pageSize }));
        for (const n of page.items) if (!names.includes(n)) names.push(n);
        cursor = page.next;
      } catch (error) {
        // No catalog (Docker Hub, GHCR) or no right to list it: typing a name still works.
        note = describeError(error);
        cursor = undefined;
      }
      loaded = true;
    }
    const items: RepoItem[] = [];
    let suggestion: string | undefined;
    try {
      suggestion = suggested ? repositoryIn(host, suggested) : undefined;
    } catch {
      suggestion = undefined;
    }
    if (suggestion) {
      items.push({
        label: suggestion,
        value: suggestion,
        description: names.includes(suggestion) ? 'same name as the source' : 'new repository, same name as the source',
        iconPath: new vscode.ThemeIcon('star-empty'),
      });
    }
    items.push(...names.filter((n) => n !== suggestion).map((n) => ({ label: n, value: n, iconPath: new vscode.ThemeIcon('repo') })));
    if (cursor) items.push({ label: '$(ellipsis) Load more…', action: 'more', alwaysShow: true });
    items.push({ label: '$(edit) Enter a repository name…', action: 'other', alwaysShow: true, ...(note ? { detail: note } : {}) });
    const picked = await vscode.window.showQuickPick(items, { title, placeHolder: `Repository in ${host}` });
    if (!picked) return undefined;
    if (picked.value) return picked.value;
    if (picked.action === 'more') continue;
    const typed = await vscode.window.showInputBox({
      title,
      prompt: `Repository name in ${host}`,
      value: suggestion ?? '',
      ignoreFocusOut: true,
      validateInput: (v) => validate(() => repositoryIn(host, v.trim())),
    });
    return typed ? repositoryIn(host, typed.trim()) : undefined;
  }
}

/** A tag name, validated as it is typed. */
export async function askTag(title: string, prompt: string, value: string): Promise<string | undefined> {
  const typed = await vscode.window.showInputBox({
    title,
    prompt,
    value,
    ignoreFocusOut: true,
    validateInput: (v) => (isValidTag(v.trim()) ? undefined : 'A tag is letters, digits, "_", "." and "-", at most 128, and does not start with "." or "-".'),
  });
  return typed?.trim() || undefined;
}
