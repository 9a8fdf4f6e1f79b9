// Delete Project or Repository…: a Harbor project (a namespace row) or a Quay repository (a repository
// row), where the registry's API allows it (Harbor refuses a project that still holds repositories,
// in describeError's words). The modal names exactly what goes:
// the project's repositories with their tag counts, or the repository's tags, as far as one page of the
// listing tells (and says when there are more). Nothing is removed without that confirmation.
import * as vscode from 'vscode';
import { describeError } from '../../errors/describe';
import { UnsupportedError } from '../../errors/errors';
import type { RegistryProvider } from '../../registries';
import { withCancellableProgress, withProgress } from '../progress';
import { isNode, type NamespaceNode, type RepositoryNode } from '../tree/nodes';
import { registryLabel } from '../tree/format';
import type { CommandContext } from './context';
import { pickNamespace, pickRegistry, pickRepository } from './pickers';

/** Scripted use (tests): the modal's answer. */
export interface DeleteRepositoryArgs {
  confirm?: boolean;
}

export interface DeleteRepositoryOutcome {
  host: string;
  name: string;
  what: 'project' | 'repository';
  /** The modal as shown (or, scripted, as it would have been). */
  confirmation: { message: string; detail: string; button: string };
  deleted: boolean;
}

/** How much of a listing the modal reads to name what goes: one page. */
const LIST_LIMIT = 100;
/** Names shown in the modal before "and N more". */
const NAMES_SHOWN = 15;

export function deletesRepositories(provider: RegistryProvider): boolean {
  return !!provider.capabilities.manageRepositories && !!provider.deleteRepository;
}

export async function deleteRepository(ctx: CommandContext, arg?: unknown, _selected?: unknown, args: DeleteRepositoryArgs = {}): Promise<DeleteRepositoryOutcome | undefined> {
  const title = vscode.l10n.t('Delete a project or repository');
  const target = await whatToDelete(ctx, arg, title);
  if (!target) return undefined;
  const { host, name, what, node } = target;
  const provider = ctx.service.provider(host);

  const contents = await withProgress(vscode.l10n.t('Listing what {0} holds', name), () => (what === 'project' ? projectContents(provider, name) : repositoryContents(ctx, provider, host, name)));
  const message = `Delete ${what} ${name} from ${registryLabel(provider)}?`;
  const detail = [
    ...contents,
    '',
    ...(what === 'repository' ? ['Every tag and image in the repository goes with it, for everyone who uses it.'] : []),
    'This cannot be undone.',
  ].join('\n');
  const button = what === 'project' ? 'Delete Project' : 'Delete Repository';
  const confirmation = { message, detail, button };
  const confirmed = args.confirm ?? (await vscode.window.showWarningMessage(message, { modal: true, detail }, button)) === button;
  if (!confirmed) return { host, name, what, confirmation, deleted: false };

  await withCancellableProgress(vscode.l10n.t('Deleting {0} {1}', what, name), (_progress, signal) => provider.deleteRepository!(name, signal));
  ctx.service.log.info(`deleted ${what} ${name} from ${host}`);
  const parent = node?.kind === 'repository' ? node.parent : node?.registry ?? (await ctx.tree.registryNode(host));
  if (parent) ctx.tree.refresh(parent);
  void vscode.window.showInformationMessage(vscode.l10n.t('Deleted {0} {1} from {2}.', what, name, registryLabel(provider)));
  return { host, name, what, confirmation, deleted: true };
}

interface Target {
  host: string;
  name: string;
  what: 'project' | 'repository';
  node?: NamespaceNode | RepositoryNode;
}

/** A project's namespace row or a repository row of a registry that deletes them, else picked. */
async function whatToDelete(ctx: CommandContext, arg: unknown, title: string): Promise<Target | undefined> {
  if (isNode(arg) && (arg.kind === 'namespace' || arg.kind === 'repository')) {
    const host = arg.registry.root.host;
    const provider = ctx.service.provider(host);
    const mode = deletesRepositories(provider) ? provider.capabilities.manageRepositories : undefined;
    if (arg.kind === 'namespace' && arg.vendor && mode === 'project') return { host, name: arg.name, what: 'project', node: arg };
    if (arg.kind === 'repository' && mode === 'repository') return { host, name: arg.name, what: 'repository', node: arg };
    throw new UnsupportedError(registryLabel(provider), arg.kind === 'namespace' ? 'deleting namespaces' : 'deleting repositories');
  }
  const host = await pickRegistry(ctx, { title, only: deletesRepositories });
  if (!host) return undefined;
  const provider = ctx.service.provider(host);
  if (!deletesRepositories(provider)) throw new UnsupportedError(registryLabel(provider), 'deleting repositories');
  if (provider.capabilities.manageRepositories === 'project') {
    const project = await pickNamespace(ctx, host, title, 'Project');
    return project ? { host, name: project.name, what: 'project' } : undefined;
  }
  const repository = await pickRepository(ctx, host, title);
  return repository ? { host, name: repository, what: 'repository' } : undefined;
}

/** "It holds 3 repositories:" and a line per repository with its tag count where the registry says. */
async function projectContents(provider: RegistryProvider, project: string): Promise<string[]> {
  try {
    const page = await provider.listRepositories({ namespace: project, pageSize: LIST_LIMIT });
    if (page.items.length === 0) return ['It holds no repositories.'];
    const count = `${page.items.length}${page.next ? ' or more' : ''}`;
    const lines = page.items.slice(0, NAMES_SHOWN).map((r) => `• ${r.name}${r.tagCount !== undefined ? ` (${r.tagCount} ${r.tagCount === 1 ? 'tag' : 'tags'})` : ''}`);
    const hidden = page.items.length - NAMES_SHOWN;
    if (hidden > 0) lines.push(`• and ${hidden}${page.next ? ' or more' : ''} more`);
    else if (page.next) lines.push('• and more');
    return [`It holds ${count} ${page.items.length === 1 && !page.next ? 'repository' : 'repositories'}:`, ...lines];
  } catch (error) {
    return [`What it holds could not be listed: ${describeError(error)}`];
  }
}

/** "It holds 12 tags: latest, 1.0, …": the count the vendor gave, else one page of its tag list. */
async function repositoryContents(ctx: CommandContext, provider: RegistryProvider, host: string, repository: string): Promise<string[]> {
  try {
    const page = await provider.listTags(repository, { pageSize: LIST_LIMIT });
    const known = ctx.tree.repositorySummaryOf(host, repository)?.tagCount;
    if (page.items.length === 0 && !page.next) return ['It holds no tags.'];
    const count = known ?? (page.next ? `${page.items.length} or more` : page.items.length);
    const names = page.items.slice(0, NAMES_SHOWN).map((t) => t.name);
    const more = Number(count) > names.length || page.next ? ', …' : '';
    return [`It holds ${count} ${count === 1 ? 'tag' : 'tags'}: ${names.join(', ')}${more}`];
  } catch (error) {
    return [`What it holds could not be listed: ${describeError(error)}`];
  }
}
