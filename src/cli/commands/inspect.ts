// `regx inspect REF`: digest, media type, total size, platforms, created and labels of a tag or digest.
import { formatReference, parseReference } from '../../reference';
import { expectPositionals } from '../args';
import { clientFor } from '../context';
import { inspectJson, inspectText, jsonText } from '../output';
import type { CliCommand } from '../types';

export const command: CliCommand = {
  name: 'inspect',
  synopsis: 'regx inspect REF',
  summary: 'Show digest, media type, size, platforms, created date and labels of an image.',
  async run(args, ctx) {
    const [refText] = expectPositionals(args, ['REF'], 'inspect');
    const ref = parseReference(refText);
    // A bare name means :latest, as docker reads it.
    const reference = ref.digest ?? ref.tag ?? 'latest';
    const summary = await clientFor(ctx, ref.registry).summarize(ref.repository, reference, { signal: ctx.signal });
    const shown = { ...summary, reference: formatReference({ ...ref, tag: ref.digest ? ref.tag : reference }) };
    ctx.out(ctx.json ? jsonText(inspectJson(shown)) : inspectText(shown));
  },
};
