// Edit Description…: a repository's description, where the registry's API allows it (Harbor, Quay).
// The input box starts from the description the registry gave; what is typed replaces it whole (empty
// removes it), and the repository's rows show it as soon as the registry accepted it.
import * as vscode from 'vscode';
import { UnsupportedError } from '../../errors/errors';
import type { RegistryProvider } from '../../registries';
import { withProgress } from '../progress';
import { isNode } from '../tree/nodes';
import { registryLabel } from '../tree/format';
import type { CommandContext } from './context';
import { pickRegistry, pickRepository } from './pickers';

export interface EditDescriptionOutcome {
  host: string;
  repository: string;
  description: string;
}

export function editsDescriptions(provider: RegistryProvider): boolean {
  return !!provider.capabilities.editDescription && !!provider.setDescription;
}

/** `text`: scripted use (tests), the new description without asking. */
export async function editDescription(ctx: CommandContext, arg?: unknown, _selected?: unknown, text?: string): Promise<EditDescriptionOutcome | undefined> {
  const title = vscode.l10n.t('Edit a repository\'s description');
  const node = isNode(arg) && arg.kind === 'repository' ? arg : undefined;
  const host = node ? node.registry.root.host : await pickRegistry(ctx, { title, only: editsDescriptions });
  if (!host) return undefined;
  const provider = ctx.service.provider(host);
  if (!editsDescriptions(provider)) throw new UnsupportedError(registryLabel(provider), 'editing repository descriptions');
  const repository = node?.name ?? (await pickRepository(ctx, host, title));
  if (!repository) return undefined;

  const current = ctx.tree.repositorySummaryOf(host, repository)?.description ?? '';
  const lines = current.split(/\r?\n/).length;
  const typed =
    text ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t('Description of {0}/{1}', host, repository),
      prompt: lines > 1 ? vscode.l10n.t('The description has {0} lines; what you type replaces all of it (empty removes it)', lines) : vscode.l10n.t('What the repository is for (empty removes the description)'),
      value: current,
      ignoreFocusOut: true,
    }));
  if (typed === undefined) return undefined;
  const description = typed.trim();
  if (description === current.trim()) return { host, repository, description };

  await withProgress(vscode.l10n.t('Saving the description of {0}', repository), () => provider.setDescription!(repository, description));
  ctx.service.log.info(`description of ${host}/${repository} changed`);
  ctx.tree.noteDescription(host, repository, description);
  vscode.window.setStatusBarMessage(`$(edit) ${repository}: description ${description ? 'saved' : 'removed'}`, 5000);
  return { host, repository, description };
}
