// Disconnect Registry: remove it from the view and erase what we stored for it (credentials and
// cached tokens). A registry that comes from `docker login` is hidden, not logged out of docker.
import * as vscode from 'vscode';
import * as settings from '../settings';
import type { CommandContext } from './context';
import { registryHost } from './pickers';

export async function disconnectRegistry(ctx: CommandContext, arg?: unknown): Promise<boolean> {
  const host = await registryHost(ctx, arg, 'Disconnect a registry');
  if (!host) return false;
  const inSettings = await settings.removeRegistry(host);
  const fromDocker = (await ctx.service.roots()).some((r) => r.host === host && r.source === 'docker');
  if (fromDocker || !inSettings) await ctx.service.hideDockerLogin(host);
  // Credentials are kept by host: an Artifactory repository path shares them with its host's others.
  const sharedCredential = (await ctx.service.roots()).some((r) => r.host !== host && ctx.service.credentialKey(r.host) === ctx.service.credentialKey(host));
  const hadCredential = !sharedCredential && !!(await ctx.service.secrets.get(ctx.service.credentialKey(host)));
  if (!sharedCredential) await ctx.service.secrets.erase(ctx.service.credentialKey(host));
  ctx.service.forget(host);
  ctx.tree.refresh();
  void vscode.window.showInformationMessage(
    vscode.l10n.t('Disconnected {0}{1}.{2}', host, hadCredential ? ' and erased its stored credentials' : '', fromDocker ? ' Your docker login is unchanged.' : ''),
  );
  return true;
}
