// `regx catalog REGISTRY`: the registry's repositories. One page by default (the catalog of a big
// registry is large and `_catalog` is slow); --all follows every page. A registry without a catalog
// (404/405) fails with the client's DistributionError, which describeError words.
import { MAX_PAGE_SIZE } from '../../distribution/client';
import { expectPositionals, flagBool, flagPositiveInt } from '../args';
import { clientFor, registryArgument } from '../context';
import { jsonText } from '../output';
import type { CliCommand } from '../types';

const DEFAULT_PAGE_SIZE = 100;
// With --all nobody is waiting on the first page: ask for the most Distribution allows per request.
const ALL_PAGE_SIZE = MAX_PAGE_SIZE;

export const command: CliCommand = {
  name: 'catalog',
  synopsis: 'regx catalog REGISTRY [--page-size N] [--all]',
  summary: 'List the repositories of a registry (its _catalog).',
  flags: [
    { name: 'page-size', takesValue: true, description: `repositories per request (default ${DEFAULT_PAGE_SIZE}, or ${ALL_PAGE_SIZE} with --all)` },
    { name: 'all', description: 'follow every page instead of printing the first one' },
  ],
  async run(args, ctx) {
    const [registryText] = expectPositionals(args, ['REGISTRY'], 'catalog');
    const registry = registryArgument(ctx, registryText);
    const all = flagBool(args, 'all');
    const pageSize = flagPositiveInt(args, 'page-size', 'catalog') ?? (all ? ALL_PAGE_SIZE : DEFAULT_PAGE_SIZE);
    const client = clientFor(ctx, registry);

    const repositories: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.catalogPage({ pageSize, cursor, signal: ctx.signal });
      repositories.push(...page.items);
      // Print as pages arrive so a long --all listing shows progress in a pipe too.
      if (!ctx.json) for (const name of page.items) ctx.out(name);
      cursor = page.next;
    } while (all && cursor);

    if (ctx.json) ctx.out(jsonText(repositories));
    if (cursor) ctx.err(`regx: more repositories follow; use --all to list every page`);
  },
};
