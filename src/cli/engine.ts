// What the engine commands (images, pull, push, rmi, search --engine) share: one DockerEngine per
// run, found as docker finds it (DOCKER_HOST, then the Docker context, then the default socket),
// with the run's CredentialStore so `regx login` serves pushes through the engine too.
import { DockerEngine } from '../docker/engine';
import { engineCredentialStore, registryKindFor, type RegistryKind } from '../registries';
import { providerForCli } from './context';
import { formatProgressLine } from '../docker/progress';
import type { ProgressSnapshot } from '../docker/progress';
import { ProgressLine } from './output';
import type { CliContext } from './types';

const CLOUD_KINDS: ReadonlySet<RegistryKind> = new Set<RegistryKind>(['ecr', 'acr', 'artifact-registry']);

export async function withEngine<T>(ctx: CliContext, fn: (engine: DockerEngine) => Promise<T>): Promise<T> {
  // A cloud registry (known by its host) hands the engine the cloud's token; config.json's login or
  // credential helper still wins inside the provider, as docker's would.
  const credentials = engineCredentialStore(ctx.credentials, (registry) => (CLOUD_KINDS.has(registryKindFor(registry).kind) ? providerForCli(ctx, registry) : undefined));
  const engine = DockerEngine.fromEnvironment({ env: ctx.env, credentials });
  try {
    return await fn(engine);
  } finally {
    // Close the pool so the process can exit; a cancelled stream was already destroyed. Not
    // awaited: destroying the pool closes its sockets at once, and waiting for their close events
    // only held the answer back (~2 ms at the end of every engine command).
    void engine.close().catch(() => undefined);
  }
}

/**
 * A progress callback that keeps one rewriting line on stderr, only on a terminal and never with
 * --json (piped output stays clean). Redraws at most every 100 ms.
 */
export function progressReporter(ctx: CliContext, label: string): { onProgress?: (p: ProgressSnapshot) => void; done: () => void } {
  const enabled = ctx.isTerminal && !ctx.json;
  const line = new ProgressLine((text) => process.stderr.write(text), enabled);
  // No line to draw: no callback, so the engine client does not build a snapshot per stream event.
  if (!enabled) return { done: () => line.done() };
  let last = 0;
  return {
    onProgress(p) {
      const now = Date.now();
      if (now - last < 100 && p.percent < 100) return;
      last = now;
      line.update(`${label}  ${formatProgressLine(p)}`);
    },
    done: () => line.done(),
  };
}
