// `regx catalog REGISTRY`: the registry's repositories. One page by default (the catalog of a big
// registry is large and `_catalog` is slow); --all follows every page.
import { DistributionError } from '../../errors/errors';
import type { RegistryClient } from '../../distribution/client';
import type { Page } from '../../distribution/types';
import { expectPositionals, flagBool, flagPositiveInt } from '../args';
import { clientFor, registryArgument } from '../context';
import { jsonText } from '../output';
import type { CliCommand } from '../types';

const DEFAULT_PAGE_SIZE = 100;

export const command: CliCommand = {
  name: 'catalog',
  synopsis: 'regx catalog REGISTRY [--page-size N] [--all]',
  summary: 'List the repositories of a registry (its _catalog).',
  flags: [
    { name: 'page-size', takesValue: true, description: `repositories per request (default ${DEFAULT_PAGE_SIZE})` },
    { name: 'all', description: 'follow every page instead of printing the first one' },
  ],
  async run(args, ctx) {
    const [registryText] = expectPositionals(args, ['REGISTRY'], 'catalog');
    const registry = registryArgument(ctx, registryText);
    const pageSize = flagPositiveInt(args, 'page-size', 'catalog') ?? DEFAULT_PAGE_SIZE;
    const all = flagBool(args, 'all');
    const client = clientFor(ctx, registry);

    const repositories: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await catalogPage(client, registry, { pageSize, cursor, signal: ctx.signal });
      repositories.push(...page.items);
      // Print as pages arrive so a long --all listing shows progress in a pipe too.
      if (!ctx.json) for (const name of page.items) ctx.out(name);
      cursor = page.next;
    } while (all && cursor);

    if (ctx.json) ctx.out(jsonText(repositories));
    if (cursor) ctx.err(`regx: more repositories follow; use --all to list every page`);
  },
};

/**
 * `_catalog` is optional (not in the OCI spec): many registries answer 404 or 405. That is a fact
 * about the registry, not a failed request, so it gets its own sentence (401/403 stay with
 * describeError, which says to sign in).
 */
export class NoCatalogError extends Error {
  constructor(registry: string, status: number) {
    super(`${registry} does not offer a catalog of its repositories (/v2/_catalog answered ${status}); name a repository directly instead (regx tags ${registry}/NAME)`);
    this.name = 'NoCatalogError';
  }
}

/** One catalog page, with "no catalog" told apart from other failures. */
export async function catalogPage(
  client: RegistryClient,
  registry: string,
  opts: { pageSize: number; cursor?: string; signal: AbortSignal },
): Promise<Page<string>> {
  try {
    return await client.catalogPage(opts);
  } catch (err) {
    if (err instanceof DistributionError && err.operation === 'catalog' && (err.status === 404 || err.status === 405)) {
      throw new NoCatalogError(registry, err.status);
    }
    throw err;
  }
}
