// Inspect: the manifest (or index) and the image config as read-only JSON documents.
import type { CommandContext } from './context';
import { imageTarget } from './pickers';

export async function inspect(ctx: CommandContext, arg?: unknown): Promise<void> {
  const target = await imageTarget(ctx, arg, 'Inspect an image');
  if (!target) return;
  await ctx.inspect.open({ host: target.host, repository: target.repository, reference: target.digest ?? target.tag! });
}
