// Refresh Local Images: list the engine's images again (one request) and redraw what changed.
// Also the Retry of the "engine not reachable" node.
import type { OperationsContext } from '../images/context';

export async function refreshImages(ctx: OperationsContext): Promise<void> {
  await ctx.images.refresh();
}
