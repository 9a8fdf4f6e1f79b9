// Clear Filter: the inline button on a filtered registry or repository.
import type { CommandContext } from './context';
import { listOwner } from './pickers';

export async function clearFilter(ctx: CommandContext, arg?: unknown): Promise<void> {
  const owner = await listOwner(ctx, arg, 'Clear filter');
  if (owner) ctx.tree.setFilter(owner, undefined);
}
