// Copy Digest: the manifest digest of a tag (for a multi-platform tag: the index's digest) or of a
// platform image. Uses what the tree already loaded; otherwise one HEAD request.
import * as vscode from 'vscode';
import { isNode } from '../tree/nodes';
import type { CommandContext } from './context';
import { withProgress } from '../progress';
import { imageTarget } from './pickers';

export async function copyDigest(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  const target = await imageTarget(ctx, arg, 'Copy digest');
  if (!target) return undefined;
  let digest = target.digest ?? (isNode(arg) && arg.kind === 'tag' ? ctx.tree.detailsOf(arg)?.summary?.digest : undefined);
  if (!digest) {
    const head = await withProgress(vscode.l10n.t('Resolving {0}:{1}', target.repository, target.tag ?? ''), () =>
      ctx.service.client(target.host).headManifest(target.repository, target.tag!),
    );
    digest = head?.digest;
  }
  if (!digest) throw new Error(`${target.host}/${target.repository}:${target.tag} no longer exists`);
  await vscode.env.clipboard.writeText(digest);
  vscode.window.setStatusBarMessage(`Copied ${digest}`, 3000);
  return digest;
}
