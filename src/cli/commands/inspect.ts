// `regx inspect REF [REF...]`: digest, media type, total size, platforms, created and labels of a tag
// or digest. Several references are inspected in one process, a few at a time, and printed in the
// order given: text blocks separated by a blank line, or with --json an array (one REF: an object).
// With --details: one REF's layers, config, labels, supply chain and vulnerabilities (../details.ts).
import { mapLimit } from '../../distribution/concurrency';
import { describeError } from '../../errors/describe';
import { CancelledError } from '../../errors/errors';
import { formatReference, parseReference } from '../../reference';
import type { ImageSummary } from '../../distribution/types';
import type { ImageReference } from '../../reference';
import { flagBool, flagString, UsageError } from '../args';
import { runDetails } from '../details';
import { clientFor } from '../context';
import { inspectJson, inspectText, jsonText } from '../output';
import type { CliCommand, CliContext } from '../types';

/** References inspected at once: enough to hide latency, within the transport's per-host limit (6). */
const BULK_CONCURRENCY = 6;

async function inspectOne(ctx: CliContext, ref: ImageReference): Promise<ImageSummary> {
  // A bare name means :latest, as docker reads it.
  const reference = ref.digest ?? ref.tag ?? 'latest';
  const summary = await clientFor(ctx, ref.registry).summarize(ref.repository, reference, { signal: ctx.signal });
  return { ...summary, reference: formatReference({ ...ref, tag: ref.digest ? ref.tag : reference }) };
}

export const command: CliCommand = {
  name: 'inspect',
  synopsis: 'regx inspect REF...  |  regx inspect --details REF [--platform P] [--key FILE] [--compare REF2]',
  summary: 'Show digest, media type, size, platforms, created date and labels of images; --details: layers, config, supply chain, vulnerabilities.',
  flags: [
    { name: 'details', description: 'show layers with their history, config, labels, supply chain and vulnerabilities of one REF' },
    { name: 'platform', takesValue: true, description: 'with --details: the platform of an index to show, e.g. linux/arm64 (default linux/amd64)' },
    { name: 'key', takesValue: true, description: 'with --details: a PEM public key to check cosign signatures with (repeatable)' },
    { name: 'compare', takesValue: true, description: 'with --details: show what changed from REF to this REF2' },
  ],
  async run(args, ctx) {
    const texts = args.positionals;
    if (texts.length === 0) throw new UsageError('missing REF', 'inspect');
    const keys = args.flags.key === undefined ? [] : ([] as string[]).concat(args.flags.key as string | string[]);
    const compare = flagString(args, 'compare');
    const platform = flagString(args, 'platform');
    if (flagBool(args, 'details')) {
      if (texts.length > 1) throw new UsageError('--details shows one REF at a time', 'inspect');
      const ref = parseReference(texts[0]);
      await runDetails(ctx, { ref, keyFiles: keys, ...(platform ? { platform } : {}), ...(compare ? { compare: parseReference(compare) } : {}) });
      return;
    }
    if (compare !== undefined || platform !== undefined || keys.length) throw new UsageError('--platform, --key and --compare need --details', 'inspect');
    // Every reference is checked before any request, so a typo in the 50th fails fast (exit 2).
    const refs = texts.map((text) => parseReference(text));
    if (refs.length === 1) {
      const shown = await inspectOne(ctx, refs[0]);
      ctx.out(ctx.json ? jsonText(inspectJson(shown)) : inspectText(shown));
      return;
    }

    // One failure does not hide the others' answers (as `docker inspect A B` does): the failures
    // are named on stderr, and the exit status is 1 when there was any.
    const results = await mapLimit(refs, BULK_CONCURRENCY, async (ref, i) => {
      try {
        return { summary: await inspectOne(ctx, ref) };
      } catch (err) {
        if (err instanceof CancelledError || ctx.signal.aborted) throw err;
        return { error: `${texts[i]}: ${describeError(err).replace(/\s*\n\s*/g, ' ').trim()}` };
      }
    });
    const found = results.flatMap((r) => (r.summary ? [r.summary] : []));
    if (ctx.json) ctx.out(jsonText(found.map(inspectJson)));
    else if (found.length) ctx.out(found.map(inspectText).join('\n\n'));
    const failures = results.flatMap((r) => (r.error ? [r.error] : []));
    for (const failure of failures) ctx.err(`regx: ${failure}`);
    if (failures.length) throw new Error(`${failures.length} of ${refs.length} references could not be inspected`);
  },
};
