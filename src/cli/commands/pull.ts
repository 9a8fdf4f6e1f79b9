// `regx pull REF [--platform os/arch]`: pull through the local engine, with a progress line on a terminal.
import { expectPositionals, flagString } from '../args';
import { progressReporter, withEngine } from '../engine';
import { jsonText } from '../output';
import type { CliCommand } from '../types';

export const command: CliCommand = {
  name: 'pull',
  synopsis: 'regx pull REF',
  summary: 'Pull an image into the local Docker engine.',
  flags: [{ name: 'platform', takesValue: true, description: 'pull this platform, e.g. linux/arm64' }],
  async run(args, ctx) {
    const [ref] = expectPositionals(args, ['REF'], 'pull');
    const platform = flagString(args, 'platform');
    const progress = progressReporter(ctx, `Pulling ${ref}`);
    let result;
    try {
      result = await withEngine(ctx, (engine) =>
        engine.pullImage(ref, { platform, signal: ctx.signal, onProgress: progress.onProgress }),
      );
    } finally {
      progress.done();
    }
    if (ctx.json) ctx.out(jsonText(result));
    else ctx.out(`${result.status}${result.digest ? `\nDigest: ${result.digest}` : ''}`);
  },
};
