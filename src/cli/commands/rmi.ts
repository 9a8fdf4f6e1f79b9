// `regx rmi REF... [--force] [--no-prune]`: remove local images from the engine, like `docker rmi`.
// Every reference is tried; the first failure is thrown after the rest were attempted.
import { flagBool, UsageError } from '../args';
import { withEngine } from '../engine';
import { jsonText } from '../output';
import type { CliCommand } from '../types';
import type { RemoveResultItem } from '../../docker/engine';

export const command: CliCommand = {
  name: 'rmi',
  synopsis: 'regx rmi REF...',
  summary: 'Remove images from the local Docker engine.',
  flags: [
    { name: 'force', short: 'f', description: 'remove even if the image has several tags or is used by a stopped container' },
    { name: 'no-prune', description: 'keep untagged parent images' },
  ],
  async run(args, ctx) {
    if (args.positionals.length === 0) throw new UsageError('missing REF', 'rmi');
    const force = flagBool(args, 'force');
    const noPrune = flagBool(args, 'no-prune');
    const results: Array<{ reference: string; removed: RemoveResultItem[] }> = [];
    let firstError: unknown;
    await withEngine(ctx, async (engine) => {
      for (const ref of args.positionals) {
        try {
          const removed = await engine.removeImage(ref, { force, noPrune, signal: ctx.signal });
          results.push({ reference: ref, removed });
          if (!ctx.json) {
            for (const r of removed) ctx.out(r.untagged ? `Untagged: ${r.untagged}` : `Deleted: ${r.deleted}`);
          }
        } catch (err) {
          firstError ??= err;
        }
      }
    });
    if (ctx.json) ctx.out(jsonText(results));
    if (firstError) throw firstError;
  },
};
