// `regx digest REF`: just the manifest digest, from a HEAD request (free of Docker Hub's pull limit).
import { formatReference, parseReference } from '../../reference';
import { expectPositionals } from '../args';
import { clientFor } from '../context';
import { jsonText } from '../output';
import type { CliCommand } from '../types';

export const command: CliCommand = {
  name: 'digest',
  synopsis: 'regx digest REF',
  summary: 'Print the manifest digest of a tag (HEAD request, no download).',
  async run(args, ctx) {
    const [refText] = expectPositionals(args, ['REF'], 'digest');
    const ref = parseReference(refText);
    const reference = ref.digest ?? ref.tag ?? 'latest';
    const client = clientFor(ctx, ref.registry);
    const head = await client.headManifest(ref.repository, reference, { signal: ctx.signal });
    // No answer to HEAD (not found, or a registry that sends no Docker-Content-Digest): a GET
    // either computes the digest from the bytes or raises the registry's own error, worded by describeError.
    const digest = head?.digest ?? (await client.getManifest(ref.repository, reference, { signal: ctx.signal })).digest;
    if (ctx.json) {
      ctx.out(jsonText({ reference: formatReference({ ...ref, tag: ref.digest ? ref.tag : reference }), digest }));
    } else {
      ctx.out(digest);
    }
  },
};
