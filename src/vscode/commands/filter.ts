// Filter…: show only a registry's repositories or a repository's tags that contain some text.
// The filter shows on the node; an empty text (or Clear Filter) removes it.
import * as vscode from 'vscode';
import type { CommandContext } from './context';
import { listOwner } from './pickers';

export async function filter(ctx: CommandContext, arg?: unknown, text?: unknown): Promise<void> {
  const owner = await listOwner(ctx, arg, 'Filter');
  if (!owner) return;
  const what = owner.kind === 'registry' ? `repositories of ${owner.root.label}` : `tags of ${owner.name}`;
  const value =
    typeof text === 'string'
      ? text
      : await vscode.window.showInputBox({
          title: vscode.l10n.t('Filter {0}', what),
          prompt: vscode.l10n.t('Show names containing this text (empty: show all)'),
          value: ctx.tree.filterOf(owner) ?? '',
          ignoreFocusOut: true,
        });
  if (value === undefined) return;
  ctx.tree.setFilter(owner, value);
  if (ctx.view.visible) await ctx.view.reveal(owner, { expand: true }).then(undefined, () => undefined);
}
