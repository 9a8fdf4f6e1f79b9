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
  const hadCredential = !!(await ctx.service.secrets.get(host));
  await ctx.service.secrets.erase(host);
  ctx.service.forget(host);
  ctx.tree.refresh();
  void vscode.window.showInformationMessage(
    `Disconnected ${host}${hadCredential ? ' and erased its stored credentials' : ''}.${fromDocker ? ' Your docker login is unchanged.' : ''}`,
  );
  return true;
}
