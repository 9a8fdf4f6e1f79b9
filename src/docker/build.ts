// What a Dockerfile build sends to and reads from `POST /build`: the query (tags, build args, target,
// the Dockerfile's name in the context), and the stream the engine answers with — output lines,
// "Step N/M : …" markers, the built image's ID in an `aux` event, or an error — read into a result
// or a BuildError that names the failing Dockerfile line and its last output.
import { BuildError, InvalidInputError } from '../errors/errors';
import { instructionForStep, readDockerfile, type DockerfileSummary } from './dockerfile';
import type { BuildContext } from './buildContext';
import { parseReference } from '../reference';

export interface BuildOptions {
  /** Image references to tag the result with ("app:1.0", "registry:5000/team/app:dev"). */
  tags?: string[];
  buildArgs?: Record<string, string>;
  target?: string;
  platform?: string;
  /** Do not use the build cache. */
  noCache?: boolean;
  /** Each line of build output, as it arrives (step markers included). */
  onOutput?: (line: string) => void;
  /** Each step as it starts. */
  onStep?: (step: { number: number; total: number; instruction: string; line?: number }) => void;
  signal?: AbortSignal;
}

export interface BuildResult {
  /** The built image's ID, "sha256:…". */
  imageId: string;
  tags: string[];
  steps: number;
}

/** Build-arg names as the engine accepts them; values may be anything. */
const BUILD_ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** "K=V" strings (the CLI's and the prompt's form) → a map; a bad one is an InvalidInputError. */
export function parseBuildArgs(pairs: readonly string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = eq >= 0 ? pair.slice(0, eq).trim() : pair.trim();
    if (!BUILD_ARG_NAME.test(name)) throw new InvalidInputError('argument', pair, 'a build argument is NAME=VALUE, NAME made of letters, digits and _');
    // "NAME" alone takes the value from the environment, as docker does; here it must be given.
    if (eq < 0) throw new InvalidInputError('argument', pair, `give ${name} a value: ${name}=VALUE`);
    args[name] = pair.slice(eq + 1);
  }
  return args;
}

/**
 * Reads the context's Dockerfile and checks the options against it (tags, target stage) before
 * anything is sent; the engine calls it again, so a caller may skip it.
 */
export function planBuild(dockerfileText: string, options: BuildOptions): DockerfileSummary {
  const summary = readDockerfile(dockerfileText);
  checkBuildOptions(options, summary);
  return summary;
}

function checkBuildOptions(options: BuildOptions, dockerfile: DockerfileSummary): void {
  for (const tag of options.tags ?? []) {
    const ref = parseReference(tag);
    if (ref.digest) throw new InvalidInputError('reference', tag, 'a build is tagged with a name and tag, not a digest');
  }
  if (options.target !== undefined) {
    const names = dockerfile.stages.flatMap((s) => (s.name ? [s.name] : []));
    if (!names.some((n) => n.toLowerCase() === options.target!.toLowerCase())) {
      throw new InvalidInputError('argument', options.target, names.length ? `no stage of that name in the Dockerfile (its stages: ${names.join(', ')})` : 'the Dockerfile names no stages (FROM … AS name)');
    }
  }
  if (dockerfile.stages.length === 0) throw new InvalidInputError('argument', 'Dockerfile', 'it has no FROM instruction');
}

export function buildQuery(context: BuildContext, options: BuildOptions): URLSearchParams {
  const q = new URLSearchParams();
  for (const tag of options.tags ?? []) q.append('t', tag);
  q.set('dockerfile', context.dockerfileName);
  // The classic builder: BuildKit over the API needs a gRPC session this client does not open.
  q.set('version', '1');
  q.set('rm', '1');
  if (options.buildArgs && Object.keys(options.buildArgs).length) q.set('buildargs', JSON.stringify(options.buildArgs));
  if (options.target) q.set('target', options.target);
  if (options.platform) q.set('platform', options.platform);
  if (options.noCache) q.set('nocache', '1');
  return q;
}

/** The registries a build pulls its bases from (stage names and "scratch" are not registries). */
export function baseRegistries(dockerfile: DockerfileSummary): string[] {
  const stageNames = new Set(dockerfile.stages.flatMap((s) => (s.name ? [s.name.toLowerCase()] : [])));
  const hosts = new Set<string>();
  for (const stage of dockerfile.stages) {
    const base = stage.base;
    if (!base || base === 'scratch' || base.includes('$') || stageNames.has(base.toLowerCase())) continue;
    try {
      hosts.add(parseReference(base).registry);
    } catch {
      // The engine will say what is wrong with it.
    }
  }
  return [...hosts];
}

/** Lines of the failing step kept for the message. */
const OUTPUT_LINES_KEPT = 20;

interface BuildEvent {
  stream?: unknown;
  aux?: { ID?: unknown };
  error?: unknown;
  errorDetail?: { message?: unknown; code?: unknown };
  status?: unknown;
}

/**
 * Folds the engine's events (already split from the JSON lines) into a BuildResult; throws
 * BuildError on an error event. One instance per build.
 */
export class BuildStreamReader {
  private readonly dockerfile: DockerfileSummary;
  private partial = '';
  private step?: { number: number; total: number; instruction: string; line?: number };
  private stepOutput: string[] = [];
  private imageId?: string;
  private steps = 0;

  constructor(
    dockerfileText: string,
    private readonly dockerfileName: string,
    private readonly options: BuildOptions,
  ) {
    this.dockerfile = readDockerfile(dockerfileText);
  }

  add(event: BuildEvent): void {
    if (typeof event.stream === 'string') this.addText(event.stream);
    else if (typeof event.status === 'string' && !event.errorDetail) this.emit(event.status);
    if (event.aux && typeof event.aux.ID === 'string') this.imageId = event.aux.ID;
    const message = event.errorDetail?.message ?? event.error;
    if (message !== undefined) {
      this.flush();
      const code = typeof event.errorDetail?.code === 'number' ? event.errorDetail.code : undefined;
      throw new BuildError(String(message), this.dockerfileName, this.step, this.stepOutput.slice(-OUTPUT_LINES_KEPT), code);
    }
  }

  finish(tags: string[]): BuildResult {
    this.flush();
    if (!this.imageId) {
      throw new BuildError('the engine ended the build without naming the image it built — it may have restarted; build again', this.dockerfileName, this.step, this.stepOutput.slice(-OUTPUT_LINES_KEPT));
    }
    return { imageId: this.imageId, tags, steps: this.steps };
  }

  private addText(text: string): void {
    // "Step 1/5 : FROM x" arrives without its newline, which follows as an event of its own.
    this.partial += text;
    let nl: number;
    while ((nl = this.partial.indexOf('\n')) >= 0) {
      const line = this.partial.slice(0, nl).replace(/\r$/, '');
      this.partial = this.partial.slice(nl + 1);
      this.line(line);
    }
  }

  private flush(): void {
    if (this.partial) this.line(this.partial);
    this.partial = '';
  }

  private line(line: string): void {
    const marker = /^Step (\d+)\/(\d+) : (.*)$/.exec(line);
    if (marker) {
      const number = Number(marker[1]);
      const instruction = instructionForStep(this.dockerfile, number);
      this.step = { number, total: Number(marker[2]), instruction: marker[3], ...(instruction ? { line: instruction.line } : {}) };
      this.steps = Math.max(this.steps, number);
      this.stepOutput = [];
      this.options.onStep?.(this.step);
    } else if (!/^ ---> /.test(line) && !/^Removing intermediate container /.test(line)) {
      this.stepOutput.push(line);
      if (this.stepOutput.length > OUTPUT_LINES_KEPT * 4) this.stepOutput.splice(0, this.stepOutput.length - OUTPUT_LINES_KEPT);
    }
    this.emit(line);
  }

  private emit(line: string): void {
    this.options.onOutput?.(line);
  }
}
