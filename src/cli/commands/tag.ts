// `regx tag REF NEWTAG`: registry-side retag, like `crane tag`: the same manifest bytes are put under
// a new tag in the same repository, so the digest is unchanged and nothing is pulled.
import { formatReference, parseReference, validateTag } from '../../reference';
import { retag } from '../../distribution/tagging';
import { expectPositionals } from '../args';
import { clientFor } from '../context';
import { jsonText } from '../output';
import type { CliCommand } from '../types';

export const command: CliCommand = {
  name: 'tag',
  synopsis: 'regx tag REF NEWTAG',
  summary: 'Add a tag to an image in the registry (same manifest, same digest, no pull).',
  async run(args, ctx) {
    const [refText, newTag] = expectPositionals(args, ['REF', 'NEWTAG'], 'tag');
    const ref = parseReference(refText);
    validateTag(newTag);
    const source = ref.digest ?? ref.tag ?? 'latest';
    const digest = await retag(clientFor(ctx, ref.registry), ref.repository, source, newTag, { signal: ctx.signal });
    const target = formatReference({ registry: ref.registry, repository: ref.repository, tag: newTag });
    if (ctx.json) ctx.out(jsonText({ reference: target, digest }));
    else ctx.out(`${target} ${digest}`);
  },
};
