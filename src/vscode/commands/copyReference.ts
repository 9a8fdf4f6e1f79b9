// Copy Reference: host/repository:tag (a platform: host/repository@digest; a repository: host/repository).
import * as vscode from 'vscode';
import { formatReference } from '../../reference';
import { isNode } from '../tree/nodes';
import type { CommandContext } from './context';
import { imageTarget } from './pickers';

export async function copyReference(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  let text: string;
  if (isNode(arg) && arg.kind === 'repository') {
    text = formatReference({ registry: arg.registry.root.host, repository: arg.name });
  } else {
    const target = await imageTarget(ctx, arg, 'Copy reference');
    if (!target) return undefined;
    text = target.digest
      ? formatReference({ registry: target.host, repository: target.repository, digest: target.digest })
      : formatReference({ registry: target.host, repository: target.repository, tag: target.tag });
  }
  await vscode.env.clipboard.writeText(text);
  vscode.window.setStatusBarMessage(`Copied ${text}`, 3000);
  return text;
}
