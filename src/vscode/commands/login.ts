// Sign In…: ask for a username and password (or token), check them against the registry the way
// `docker login` does, and only then keep them — in SecretStorage, never in settings or globalState.
// From a 401 error node, the registry node, the welcome view ("docker.io"), or the palette.
import * as vscode from 'vscode';
import type { Credential } from '../../credentials/types';
import { login as checkLogin } from '../../distribution/session';
import { describeError } from '../../errors/describe';
import { DOCKER_HUB } from '../../reference';
import * as settings from '../settings';
import type { CommandContext } from './context';
import { registryHost, withProgress } from './pickers';

/** Optional second argument for scripted use (tests): skips the input boxes. Never logged. */
export interface LoginArgs {
  username: string;
  password: string;
}

export async function login(ctx: CommandContext, arg?: unknown, provided?: LoginArgs): Promise<boolean> {
  const host = await registryHost(ctx, arg, 'Sign in to a registry', true);
  if (!host) return false;
  const endpoint = ctx.service.endpoint(host);
  const previous = await ctx.service.secrets.get(host);

  let username = provided?.username;
  let problem: string | undefined;
  for (;;) {
    if (!provided) {
      username = await vscode.window.showInputBox({
        title: `Sign in to ${host}`,
        prompt: problem ? `${problem} — try again` : host === DOCKER_HUB ? 'Docker Hub username' : 'Username',
        value: username ?? previous?.username ?? '',
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : 'Enter a username'),
      });
      if (!username) return false;
    }
    const password = provided?.password ?? (await vscode.window.showInputBox({
      title: `Sign in to ${host} as ${username}`,
      prompt: host === DOCKER_HUB ? 'Password or personal access token (accounts with two-factor sign-in need a token)' : 'Password or access token',
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v ? undefined : 'Enter a password or token'),
    }));
    if (!password) return false;

    const credential: Credential = { username: username!.trim(), password };
    try {
      await withProgress(`Checking credentials with ${host}`, () =>
        checkLogin(endpoint, credential, { transport: ctx.service.sharedTransport(), userAgent: ctx.service.userAgent() }),
      );
    } catch (error) {
      const message = describeError(error);
      ctx.service.log.warn(`sign-in to ${host} failed: ${message}`);
      if (provided) {
        void vscode.window.showErrorMessage(message);
        return false;
      }
      problem = message;
      continue;
    }
    await ctx.service.secrets.store(host, credential);
    ctx.service.log.info(`signed in to ${host} as ${credential.username}`);
    break;
  }

  // A registry signed in to from the palette or the welcome view becomes a root of the view.
  const roots = await ctx.service.roots();
  if (!roots.some((r) => r.host === host)) await settings.addRegistry({ url: host });
  ctx.service.forget(host);
  const node = await ctx.tree.registryNode(host);
  if (node) ctx.tree.refresh(node);
  if (node && ctx.view.visible) await ctx.view.reveal(node, { select: true, focus: false, expand: true }).then(undefined, () => undefined);
  void vscode.window.showInformationMessage(`Signed in to ${host} as ${username}.`);
  return true;
}
