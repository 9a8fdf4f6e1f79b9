// `regx inspect REF [REF...]`: digest, media type, total size, platforms, created and labels of a tag
// or digest. Several references are inspected in one process, a few at a time, and printed in the
// order given: text blocks separated by a blank line, or with --json an array (one REF: an object).
import { mapLimit } from '../../distribution/concurrency';
import { describeError } from '../../errors/describe';
import { CancelledError } from '../../errors/errors';
import { formatReference, parseReference } from '../../reference';
import type { ImageSummary } from '../../distribution/types';
import type { ImageReference } from '../../reference';
import { UsageError } from '../args';
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
  synopsis: 'regx inspect REF...',
  summary: 'Show digest, media type, size, platforms, created date and labels of one or more images.',
  async run(args, ctx) {
    const texts = args.positionals;
    if (texts.length === 0) throw new UsageError('missing REF', 'inspect');
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
