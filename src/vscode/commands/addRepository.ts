// Add Repository by Name…: for registries that do not list a catalog (Docker Hub, GHCR, most cloud
// registries), or to pin a repository the catalog pages have not reached yet.
import * as vscode from 'vscode';
import { isNode } from '../tree/nodes';
import type { CommandContext } from './context';
import { askRepositoryName, registryHost } from './pickers';

export async function addRepository(ctx: CommandContext, arg?: unknown, name?: unknown): Promise<string | undefined> {
  const host = await registryHost(ctx, isNode(arg) || typeof arg === 'string' ? arg : undefined, 'Add a repository');
  if (!host) return undefined;
  const repository = typeof name === 'string' ? name : await askRepositoryName(host, `Add a repository of ${host}`);
  if (!repository) return undefined;
  await ctx.service.addRepository(host, repository);
  const node = await ctx.tree.registryNode(host);
  if (node) ctx.tree.refresh(node);
  else void vscode.window.showInformationMessage(vscode.l10n.t('Added {0}/{1}; connect {2} to see it.', host, repository, host));
  return repository;
}
