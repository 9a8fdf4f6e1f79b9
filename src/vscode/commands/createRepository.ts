// Create Project or Repository…: where the registry's API allows it (provider.capabilities
// .manageRepositories), a Harbor project (created on the registry row; repositories appear in it when
// something is pushed) or a Quay repository (created in a namespace: the namespace row's, or picked).
// Asks the name, the visibility and, for a repository, an optional description; then shows the new
// project or repository in the tree.
import * as vscode from 'vscode';
import { UnsupportedError } from '../../errors/errors';
import type { RegistryProvider } from '../../registries';
import { revealRemote } from '../images/remote';
import { withProgress } from '../progress';
import { hostOf, isNode, type NamespaceNode } from '../tree/nodes';
import { registryLabel } from '../tree/format';
import type { CommandContext } from './context';
import { pickNamespace, pickRegistry, repositoryIn, validate } from './pickers';

/** Scripted use (tests): the answers to the prompts. */
export interface CreateRepositoryArgs {
  /** A project's name, or a repository's (inside the node's namespace, or "namespace/name"). */
  name?: string;
  visibility?: 'public' | 'private';
  description?: string;
}

export interface CreateRepositoryOutcome {
  host: string;
  /** The project's name, or the repository's full path. */
  name: string;
  what: 'project' | 'repository';
  visibility: 'public' | 'private';
}

export function createsRepositories(provider: RegistryProvider): boolean {
  return !!provider.capabilities.manageRepositories && !!provider.createRepository;
}

export async function createRepository(ctx: CommandContext, arg?: unknown, _selected?: unknown, args: CreateRepositoryArgs = {}): Promise<CreateRepositoryOutcome | undefined> {
  const title = vscode.l10n.t('Create a project or repository');
  const fromNode = isNode(arg) && (arg.kind === 'registry' || arg.kind === 'namespace') ? arg : undefined;
  const host = fromNode ? hostOf(fromNode) : await pickRegistry(ctx, { title, only: createsRepositories });
  if (!host) return undefined;
  const provider = ctx.service.provider(host);
  if (!createsRepositories(provider)) throw new UnsupportedError(registryLabel(provider), 'creating repositories');
  const what = provider.capabilities.manageRepositories === 'project' ? 'project' : 'repository';

  // A Quay repository lives in a namespace (an organisation or your user): the row's, or picked.
  let namespace = what === 'repository' && fromNode?.kind === 'namespace' && (fromNode as NamespaceNode).vendor ? (fromNode as NamespaceNode).name : undefined;
  if (what === 'repository' && !namespace && !args.name?.includes('/') && provider.listNamespaces) {
    namespace = (await pickNamespace(ctx, host, `${title} on ${provider.displayName}`, 'Namespace of the new repository'))?.name;
    if (!namespace) return undefined;
  }
  const fullName = (typed: string) => (namespace && !typed.includes('/') ? `${namespace}/${typed}` : typed);
  const typed =
    args.name ??
    (await vscode.window.showInputBox({
      title,
      prompt: what === 'project' ? vscode.l10n.t('Name of the new project on {0}', registryLabel(provider)) : vscode.l10n.t('Name of the new repository in {0}', namespace ?? host),
      placeHolder: what === 'project' ? vscode.l10n.t('team-a') : vscode.l10n.t('app'),
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? validate(() => repositoryIn(host, fullName(v.trim()))) : vscode.l10n.t('Enter a name')),
    }));
  if (!typed?.trim()) return undefined;
  const name = repositoryIn(host, fullName(typed.trim()));

  const visibility =
    args.visibility ??
    (
      await vscode.window.showQuickPick(
        [
          { label: vscode.l10n.t('$(lock) Private'), detail: what === 'project' ? vscode.l10n.t('only its members can pull') : vscode.l10n.t('only people and robots you give access can pull'), value: 'private' as const },
          { label: vscode.l10n.t('$(globe) Public'), detail: vscode.l10n.t('anyone can pull, without signing in'), value: 'public' as const },
        ],
        { title: `${title}: ${name}`, placeHolder: vscode.l10n.t('Who can pull from it?'), ignoreFocusOut: true },
      )
    )?.value;
  if (!visibility) return undefined;

  let description = args.description;
  if (what === 'repository' && description === undefined && args.name === undefined) {
    description = await vscode.window.showInputBox({ title: `${title}: ${name}`, prompt: vscode.l10n.t('Description (optional)'), ignoreFocusOut: true });
    if (description === undefined) return undefined;
  }

  await withProgress(vscode.l10n.t('Creating {0} {1} on {2}', what, name, host), () =>
    provider.createRepository!({ name, visibility, ...(description?.trim() ? { description: description.trim() } : {}) }),
  );
  ctx.service.log.info(`created ${what} ${name} (${visibility}) on ${host}`);
  await reveal(ctx, host, what, name).catch(() => undefined);
  void vscode.window.showInformationMessage(vscode.l10n.t('Created {0} {1} {2} on {3}.', visibility, what, name, registryLabel(provider)));
  return { host, name, what, visibility };
}

/** A new project is a namespace row of its registry; a new repository a row in its namespace. */
async function reveal(ctx: CommandContext, host: string, what: 'project' | 'repository', name: string): Promise<void> {
  if (what === 'repository') {
    await revealRemote(ctx, host, name);
    return;
  }
  const registry = await ctx.tree.registryNode(host);
  if (!registry) return;
  ctx.tree.refresh(registry);
  const project = (await ctx.tree.getChildren(registry)).find((n) => n.kind === 'namespace' && n.name === name);
  if (project) await ctx.view.reveal(project, { select: true, focus: false, expand: false });
}
