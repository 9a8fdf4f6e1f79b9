// Helpers the image operations share for the registry side: engine-style references, showing a
// pushed / copied / retagged tag in the Registries view, and the new-tag prompt of push, copy and retag.
// (Their "which repository?" picker is commands/pickers.ts pickRepository.)
import * as vscode from 'vscode';
import { isValidTag } from '../../distribution/tagPages';
import { formatReference } from '../../reference';
import type { NamespaceNode, RegistryNode, RepositoryNode, TagNode, TreeNode } from '../tree/nodes';
import type { CommandContext } from '../commands/context';

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
export async function revealRemote(ctx: CommandContext, host: string, repository: string, tag?: string): Promise<TagNode | RepositoryNode | undefined> {
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

async function findRepository(ctx: CommandContext, registry: RegistryNode, name: string): Promise<RepositoryNode | undefined> {
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

async function findTag(ctx: CommandContext, repo: RepositoryNode, tag: string): Promise<TagNode | undefined> {
  return (await ctx.tree.getChildren(repo)).find((n): n is TagNode => n.kind === 'tag' && n.tag === tag);
}

/** A tag name, validated as it is typed. */
export async function askTag(title: string, prompt: string, value: string): Promise<string | undefined> {
  const typed = await vscode.window.showInputBox({
    title,
    prompt,
    value,
    ignoreFocusOut: true,
    validateInput: (v) => (isValidTag(v.trim()) ? undefined : vscode.l10n.t('A tag is letters, digits, "_", "." and "-", at most 128, and does not start with "." or "-".')),
  });
  return typed?.trim() || undefined;
}
