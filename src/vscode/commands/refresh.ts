// Refresh: a node (and what is under it), or the whole view. Error nodes use it as Retry.
import { isNode } from '../tree/nodes';
import type { CommandContext } from './context';

export function refresh(ctx: CommandContext, arg?: unknown): void {
  if (isNode(arg)) {
    ctx.tree.refresh(arg);
    return;
  }
  ctx.service.forget();
  ctx.tree.refresh();
}
