// `regx rmi REF... [--force] [--no-prune]`: remove local images from the engine, like `docker rmi`.
// Every reference is tried; the first failure is thrown after the rest were attempted. When the
// engine refuses (409) because containers use the image, the error names them (`docker ps -a`'s
// names and states) instead of the engine's truncated id; if that lookup fails, the engine's own
// refusal stands.
import { flagBool, UsageError } from '../args';
import { withEngine } from '../engine';
import { jsonText } from '../output';
import type { CliCommand } from '../types';
import { containersText, type DockerEngine, type RemoveResultItem } from '../../docker/engine';
import { EngineError } from '../../errors/errors';

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
          firstError ??= force ? err : await nameUsers(engine, ref, err, ctx.signal);
        }
      }
    });
    if (ctx.json) ctx.out(jsonText(results));
    if (firstError) throw firstError;
  },
};

/** A 409 for an image containers use, reworded to name them; anything else (or a failed lookup) unchanged. */
async function nameUsers(engine: DockerEngine, ref: string, err: unknown, signal: AbortSignal): Promise<unknown> {
  if (!(err instanceof EngineError) || err.reason !== 'conflict') return err;
  try {
    const image = await engine.inspectImage(ref, signal);
    const users = (await engine.listContainers({ all: true, ancestor: image.id, signal })).filter((c) => c.imageId === image.id);
    if (users.length === 0) return err;
    const running = users.some((c) => c.state === 'running' || c.state === 'paused' || c.state === 'restarting');
    return new EngineError(
      'conflict',
      err.endpoint,
      `${ref} is used by container${users.length === 1 ? '' : 's'} ${containersText(users, 10)}; remove ${users.length === 1 ? 'it' : 'them'} first, or use -f (${
        running
          ? 'a running container keeps the image and only the name goes'
          : users.length === 1
            ? 'the container is kept and the image is deleted from under it'
            : 'the containers are kept and the image is deleted from under them'
      })`,
      err.status,
    );
  } catch {
    return err;
  }
}
