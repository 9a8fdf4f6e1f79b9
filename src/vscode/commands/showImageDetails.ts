// Show Image Details: the webview panel (src/vscode/details/) for a tag, a platform of an index (opened
// on that platform), a referrer (by its digest) or, from the palette, an image picked like Inspect's.
// Inspect (raw JSON) stays beside it.
import { parseReference } from '../../reference';
import type { DetailsTarget } from '../../details/protocol';
import { isDetailsTarget, type ImageDetailsPanel } from '../details/imageDetailsPanels';
import type { CommandContext } from './context';
import { imageTarget } from './pickers';

export async function showImageDetails(ctx: CommandContext, arg?: unknown): Promise<ImageDetailsPanel | undefined> {
  const target = await detailsTarget(ctx, arg);
  return target ? ctx.details.show(target) : undefined;
}

async function detailsTarget(ctx: CommandContext, arg: unknown): Promise<DetailsTarget | undefined> {
  if (isDetailsTarget(arg)) return arg;
  // A full reference ("host/repo:tag", "host/repo@sha256:…"), as another command or a link passes it.
  if (typeof arg === 'string') {
    const ref = parseReference(arg.trim());
    return { host: ref.registry, repository: ref.repository, reference: ref.digest ?? ref.tag ?? 'latest' };
  }
  const image = await imageTarget(ctx, arg, 'Show image details');
  if (!image) return undefined;
  if (image.tag && image.digest) return { host: image.host, repository: image.repository, reference: image.tag, platform: image.digest };
  return { host: image.host, repository: image.repository, reference: image.digest ?? image.tag ?? 'latest' };
}
