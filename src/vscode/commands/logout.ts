// Sign Out: erase the stored credential and forget cached tokens, so the next request is anonymous.
// A `docker login` for the same registry is the user's own and is left alone (we say so).
import * as vscode from 'vscode';
import type { CommandContext } from './context';
import { registryHost } from './pickers';

export async function logout(ctx: CommandContext, arg?: unknown): Promise<boolean> {
  const host = await registryHost(ctx, arg, 'Sign out of a registry');
  if (!host) return false;
  const had = await ctx.service.secrets.get(ctx.service.credentialKey(host));
  await ctx.service.secrets.erase(ctx.service.credentialKey(host));
  ctx.service.forget(host); // drops the session and with it every cached token
  const node = await ctx.tree.registryNode(host);
  if (node) ctx.tree.refresh(node);
  const stillDocker = (await ctx.service.credentialOrigin(host)) === 'docker';
  if (stillDocker) {
    void vscode.window.showInformationMessage(
      had
        ? vscode.l10n.t('Signed out of {0}. Your docker login for {0} is still used; run "docker logout {0}" to remove it, or turn off registryExplorer.useDockerConfig.', host)
        : vscode.l10n.t('Your docker login for {0} is still used; run "docker logout {0}" to remove it, or turn off registryExplorer.useDockerConfig.', host),
    );
  } else if (had) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Signed out of {0}.', host));
  } else {
    void vscode.window.showInformationMessage(vscode.l10n.t('You were not signed in to {0}.', host));
  }
  return true;
}
