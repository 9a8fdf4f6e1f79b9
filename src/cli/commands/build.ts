// `regx build [-t REF]... [--push] [--build-arg K=V]... [--target T] [-f Dockerfile] DIR`: a
// Dockerfile built by the local engine (POST /build, the context sent as a tar that honours
// .dockerignore), its output streamed to stderr as it comes, the image ID on stdout; with --push each
// tag is then pushed with the same credentials as `regx push`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseBuildArgs, planBuild, type BuildOptions } from '../../docker/build';
import { prepareBuildContext } from '../../docker/buildContext';
import { expectPositionals, flagBool, flagString, flagStrings, UsageError } from '../args';
import { progressReporter, withEngine } from '../engine';
import { formatBytes, jsonText } from '../output';
import type { CliCommand } from '../types';

export const command: CliCommand = {
  name: 'build',
  synopsis: 'regx build [-t REF]... [--push] [--build-arg K=V]... [--target STAGE] [-f DOCKERFILE] DIR',
  summary: 'Build an image from a Dockerfile with the local Docker engine, and optionally push it.',
  flags: [
    { name: 'tag', short: 't', takesValue: true, description: 'name the image REF (repeat for several)' },
    { name: 'file', short: 'f', takesValue: true, description: 'the Dockerfile (default DIR/Dockerfile)' },
    { name: 'build-arg', takesValue: true, description: 'set a build argument NAME=VALUE (repeatable)' },
    { name: 'target', takesValue: true, description: 'build up to this stage of a multi-stage Dockerfile' },
    { name: 'platform', takesValue: true, description: 'build for this platform, e.g. linux/arm64' },
    { name: 'no-cache', description: 'do not use the build cache' },
    { name: 'push', description: 'push every tag once built' },
    { name: 'quiet', short: 'q', description: 'print only the image ID, not the build output' },
  ],
  async run(args, ctx) {
    const [directory] = expectPositionals(args, ['DIR'], 'build');
    const tags = flagStrings(args, 'tag');
    const push = flagBool(args, 'push');
    if (push && tags.length === 0) throw new UsageError('--push needs a tag to push: add -t REGISTRY/REPOSITORY:TAG', 'build');
    const buildArgs = parseBuildArgs(flagStrings(args, 'build-arg'));
    const quiet = flagBool(args, 'quiet') || ctx.json;
    const dockerfile = flagString(args, 'file');
    // -f is relative to where regx runs, as with docker; the context decides what is inside it.
    const context = prepareBuildContext(directory, dockerfile ? { dockerfile: path.resolve(dockerfile) } : {});
    const options: BuildOptions = {
      tags,
      buildArgs,
      target: flagString(args, 'target'),
      platform: flagString(args, 'platform'),
      noCache: flagBool(args, 'no-cache'),
      signal: ctx.signal,
      onOutput: quiet ? undefined : (line) => ctx.err(line),
    };
    planBuild(fs.readFileSync(context.dockerfilePath, 'utf8'), options);
    if (!quiet) ctx.err(`Sending a build context of ${context.files} files (${formatBytes(context.bytes)}) to the engine${context.excluded.length ? `, ${context.excluded.length} left out by .dockerignore` : ''}`);

    await withEngine(ctx, async (engine) => {
      const result = await engine.buildImage(context, options);
      const pushed: { reference: string; digest: string }[] = [];
      if (push) {
        for (const tag of tags) {
          const progress = progressReporter(ctx, `Pushing ${tag}`);
          try {
            const r = await engine.pushImage(tag, { signal: ctx.signal, onProgress: progress.onProgress });
            pushed.push({ reference: tag, digest: r.digest });
          } finally {
            progress.done();
          }
        }
      }
      if (ctx.json) {
        ctx.out(jsonText({ imageId: result.imageId, tags: result.tags, steps: result.steps, pushed }));
        return;
      }
      ctx.out(result.imageId);
      for (const tag of result.tags) ctx.out(`Tagged ${tag}`);
      for (const p of pushed) ctx.out(`Pushed ${p.reference}: digest: ${p.digest}`);
    });
  },
};
