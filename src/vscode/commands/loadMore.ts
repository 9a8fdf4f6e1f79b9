// Load more…: the next page of a registry's repositories or a repository's tags. Only from the
// tree's "Load more…" node (hidden from the palette).
import * as vscode from 'vscode';
import { isNode } from '../tree/nodes';
import type { CommandContext } from './context';
import { withProgress } from '../progress';

export async function loadMore(ctx: CommandContext, arg?: unknown): Promise<void> {
  if (!isNode(arg)) return;
  const owner = arg.kind === 'loadMore' ? arg.owner : arg.kind === 'registry' || arg.kind === 'repository' ? arg : undefined;
  if (!owner) return;
  await withProgress(vscode.l10n.t('Loading more…'), () => ctx.tree.loadMore(owner));
}
