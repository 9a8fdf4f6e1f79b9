// `regx copy SRC_REF DST_REF`: copies an image (or a whole index, children first) between
// repositories and registries without a local engine. The digest is preserved: the manifest bytes
// are copied as they are. On the same registry, blobs are mounted instead of re-uploaded. With
// --referrers, the signatures, SBOMs and attestations attached to it by `subject` come along.
import { formatReference, parseReference } from '../../reference';
import { copyImage, type CopyEvent, type CopyResult } from '../../distribution/copy';
import { InvalidInputError } from '../../errors/errors';
import { expectPositionals, flagBool } from '../args';
import { clientFor } from '../context';
import { formatBytes, jsonText, ProgressLine } from '../output';
import type { CliCommand } from '../types';

export const command: CliCommand = {
  name: 'copy',
  synopsis: 'regx copy SRC_REF DST_REF [--referrers]',
  summary: 'Copy an image or index between repositories or registries, keeping its digest.',
  flags: [{ name: 'referrers', description: 'also copy its signatures, SBOMs and attestations (the manifests whose subject it is)' }],
  async run(args, ctx) {
    const [srcText, dstText] = expectPositionals(args, ['SRC_REF', 'DST_REF'], 'copy');
    const src = parseReference(srcText);
    const dst = parseReference(dstText);
    const sourceReference = src.digest ?? src.tag ?? 'latest';
    // A destination without a tag keeps the source's tag (`regx copy a/x:1 b/x` makes b/x:1); a
    // source given by digest alone is copied by digest, untagged.
    let targetTag = dst.tag;
    if (!targetTag && !dst.digest) targetTag = src.tag ?? (src.digest ? undefined : 'latest');
    if (dst.digest && src.digest && dst.digest !== src.digest) {
      throw new InvalidInputError('digest', dst.digest, `a copy keeps the digest, so the destination digest must be the source's (${src.digest})`);
    }

    const progress = new ProgressLine((text) => process.stderr.write(text), ctx.isTerminal && !ctx.json);
    const counts: CopyCounts = { blobs: 0, mounted: 0, present: 0, manifests: 0, bytes: 0 };
    let result: CopyResult;
    try {
      result = await copyImage({
        source: { client: clientFor(ctx, src.registry), repository: src.repository, reference: sourceReference },
        target: { client: clientFor(ctx, dst.registry), repository: dst.repository, tag: targetTag },
        signal: ctx.signal,
        referrers: flagBool(args, 'referrers'),
        onProgress: (event) => progress.update(progressText(event, counts)),
      });
    } finally {
      progress.done();
    }
    const digest = result.digest;
    if (dst.digest && dst.digest !== digest) {
      throw new InvalidInputError('digest', dst.digest, `the copied manifest has digest ${digest}`);
    }

    const target = formatReference({ registry: dst.registry, repository: dst.repository, tag: targetTag, digest: targetTag ? undefined : digest });
    if (ctx.json) {
      ctx.out(
        jsonText({
          source: formatReference(src),
          reference: target,
          digest,
          mediaType: result.mediaType,
          manifestsPushed: result.manifestsPushed,
          manifestsSkipped: result.manifestsSkipped,
          blobsUploaded: result.blobsUploaded,
          blobsMounted: result.blobsMounted,
          blobsSkipped: result.blobsSkipped,
          bytesUploaded: result.bytesUploaded,
          // How many signatures/SBOMs attached by `subject` came along; false: not asked (--referrers).
          referrersCopied: result.referrersCopied,
        }),
      );
    }
    else ctx.out(digest);
  },
};

interface CopyCounts {
  blobs: number;
  mounted: number;
  present: number;
  manifests: number;
  bytes: number;
}

/** Running totals for the progress line; the copy does not know the totals up front. */
function progressText(event: CopyEvent, counts: CopyCounts): string {
  if (event.kind === 'blob') {
    counts.blobs++;
    if (event.action === 'uploaded') counts.bytes += event.size;
    if (event.action === 'mounted') counts.mounted++;
    if (event.action === 'exists') counts.present++;
  } else {
    counts.manifests++;
  }
  const details = [counts.mounted ? `${counts.mounted} mounted` : '', counts.present ? `${counts.present} already there` : ''].filter(Boolean);
  const blobs = `${counts.blobs} blob${counts.blobs === 1 ? '' : 's'}${details.length ? ` (${details.join(', ')})` : ''}`;
  return `copying: ${blobs}, ${counts.manifests} manifest${counts.manifests === 1 ? '' : 's'}, ${formatBytes(counts.bytes)} uploaded`;
}
