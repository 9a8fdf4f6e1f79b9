// One build as the editor runs it, shared by Build Image, Build and Push and the registry-explorer
// task: the context read (honouring .dockerignore), the engine's output written line by line to a
// sink (the "Registry Explorer: Build" output channel, or a task's terminal), and the steps reported.
// The context reader (.dockerignore rules, the tar writer) is a bundle of its own in the extension
// (dist/buildContext.js, scripts/bundles.mjs), required by the first build.
/* eslint-disable @typescript-eslint/no-require-imports */
import * as fs from 'node:fs';
import { planBuild, type BuildOptions, type BuildResult } from '../../docker/build';
import type { BuildContext } from '../../docker/buildContext';
import type { DockerEngine } from '../../docker/engine';

export interface BuildRequest {
  /** The Dockerfile on disk. */
  dockerfile: string;
  /** The context directory (default: the Dockerfile's folder). */
  context: string;
  tags: string[];
  buildArgs: Record<string, string>;
  target?: string;
  noCache?: boolean;
}

export interface BuildRunCallbacks {
  output: (line: string) => void;
  step?: (step: { number: number; total: number; instruction: string }) => void;
  signal: AbortSignal;
}

/** Reads the context and checks the request against the Dockerfile; throws before anything is sent. */
export function prepareBuild(request: BuildRequest): { context: BuildContext; options: BuildOptions } {
  const { prepareBuildContext } = require('../../docker/buildContext') as typeof import('../../docker/buildContext');
  const context = prepareBuildContext(request.context, { dockerfile: request.dockerfile });
  const options: BuildOptions = { tags: request.tags, buildArgs: request.buildArgs, target: request.target, noCache: request.noCache };
  planBuild(fs.readFileSync(context.dockerfilePath, 'utf8'), options);
  return { context, options };
}

export async function runBuild(engine: DockerEngine, request: BuildRequest, callbacks: BuildRunCallbacks): Promise<BuildResult> {
  const { context, options } = prepareBuild(request);
  callbacks.output(
    `Building ${request.tags.join(', ') || 'an untagged image'} from ${context.dockerfilePath}: ${context.files} files sent${context.excluded.length ? `, ${context.excluded.length} left out by .dockerignore` : ''}`,
  );
  return engine.buildImage(context, { ...options, signal: callbacks.signal, onOutput: callbacks.output, onStep: callbacks.step });
}
