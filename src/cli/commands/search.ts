// `regx search REGISTRY TERM`: repositories whose name contains TERM (case-insensitive), exact
// matches first. Registries have no search API in the Distribution spec, so this walks `_catalog`
// (containers/image does the same). `--engine` asks the local Docker engine instead (Docker Hub's
// search, as `docker search` does).
import { MAX_PAGE_SIZE } from '../../distribution/client';
import { expectPositionals, flagBool, flagPositiveInt, UsageError } from '../args';
import { clientFor, registryArgument } from '../context';
import { filterRepositories, jsonText } from '../output';
import type { CliCommand, CliContext } from '../types';
import { searchWithEngine } from './searchEngine';

export const command: CliCommand = {
  name: 'search',
  synopsis: 'regx search REGISTRY TERM',
  summary: "Find repositories in a registry's catalog by name (exact matches first).",
  flags: [
    { name: 'limit', takesValue: true, description: 'print at most N results' },
    { name: 'engine', description: 'search through the local Docker engine (docker search) instead of the catalog' },
  ],
  async run(args, ctx) {
    const limit = flagPositiveInt(args, 'limit', 'search');
    if (flagBool(args, 'engine')) return runEngineSearch(args.positionals, limit, ctx);

    const [registryText, term] = expectPositionals(args, ['REGISTRY', 'TERM'], 'search');
    const registry = registryArgument(ctx, registryText);
    const client = clientFor(ctx, registry);

    const repositories: string[] = [];
    let cursor: string | undefined;
    do {
      // The largest page Distribution accepts, so a big catalog costs few requests.
      const page = await client.catalogPage({ pageSize: MAX_PAGE_SIZE, cursor, signal: ctx.signal });
      repositories.push(...page.items);
      cursor = page.next;
    } while (cursor);

    let found = filterRepositories(repositories, term);
    if (limit !== undefined) found = found.slice(0, limit);
    if (ctx.json) ctx.out(jsonText(found));
    else if (found.length) ctx.out(found.join('\n'));
  },
};

async function runEngineSearch(positionals: string[], limit: number | undefined, ctx: CliContext): Promise<void> {
  // `regx search --engine TERM` or `regx search --engine REGISTRY TERM`.
  if (positionals.length < 1) throw new UsageError('missing TERM', 'search');
  if (positionals.length > 2) throw new UsageError(`unexpected argument "${positionals[2]}"`, 'search');
  const [registry, term] = positionals.length === 2 ? [registryArgument(ctx, positionals[0]), positionals[1]] : [undefined, positionals[0]];
  await searchWithEngine({ term, registry, limit }, ctx);
}
