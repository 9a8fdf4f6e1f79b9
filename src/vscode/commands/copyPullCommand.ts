// Copy Pull Command: `docker pull` for the tag, in the short form docker prints for Docker Hub;
// for one platform of a multi-platform tag, with --platform so the tag stays readable.
import * as vscode from 'vscode';
import { formatReference } from '../../reference';
import type { CommandContext } from './context';
import { imageTarget } from './pickers';

export async function copyPullCommand(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  const target = await imageTarget(ctx, arg, 'Copy pull command');
  if (!target) return undefined;
  const reference = formatReference({ registry: target.host, repository: target.repository, tag: target.tag }, { familiar: true });
  const text = target.platform ? `docker pull --platform ${target.platform} ${reference}` : `docker pull ${reference}`;
  await vscode.env.clipboard.writeText(text);
  vscode.window.setStatusBarMessage(`Copied ${text}`, 3000);
  return text;
}
