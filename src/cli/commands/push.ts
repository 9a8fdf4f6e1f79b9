// `regx push REF`: push one tag (default latest) through the local engine, credentials from the
// same store `regx login` writes.
import { expectPositionals } from '../args';
import { progressReporter, withEngine } from '../engine';
import { jsonText } from '../output';
import type { CliCommand } from '../types';

export const command: CliCommand = {
  name: 'push',
  synopsis: 'regx push REF',
  summary: 'Push an image from the local Docker engine to its registry.',
  async run(args, ctx) {
    const [ref] = expectPositionals(args, ['REF'], 'push');
    const progress = progressReporter(ctx, `Pushing ${ref}`);
    let result;
    try {
      result = await withEngine(ctx, (engine) => engine.pushImage(ref, { signal: ctx.signal, onProgress: progress.onProgress }));
    } finally {
      progress.done();
    }
    if (ctx.json) ctx.out(jsonText(result));
    else ctx.out(`${result.reference}: digest: ${result.digest}${result.manifestSize !== undefined ? ` size: ${result.manifestSize}` : ''}`);
  },
};
