// Use My Docker Logins: turn on registryExplorer.useDockerConfig and show every registry the user
// signed in to with `docker login` (config.json and credential helpers). Read-only use.
import * as vscode from 'vscode';
import { dockerConfigDir } from '../../credentials';
import * as settings from '../settings';
import type { CommandContext } from './context';

export async function useDockerLogins(ctx: CommandContext): Promise<number> {
  if (!settings.useDockerConfig()) await settings.setUseDockerConfig(true);
  await ctx.service.unhideDockerLogins();
  ctx.service.forget();
  ctx.tree.refresh();
  const docker = (await ctx.service.roots()).filter((r) => r.source === 'docker');
  if (docker.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No docker logins found in {0}/config.json. Run "docker login <registry>" or use Connect Registry.', dockerConfigDir()));
  }
  return docker.length;
}
