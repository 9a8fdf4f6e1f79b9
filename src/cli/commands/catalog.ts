// `regx catalog REGISTRY`: every repository of the registry, printed as each page arrives (as crane
// and regctl list them); --one-page stops after the first page, --page-size sets the page asked for. Registries whose `_catalog` is
// missing or admin-only (Docker Hub, GHCR, GitLab, Harbor, Quay, Artifactory) are listed through their
// own API, namespace by namespace; a plain registry without a catalog fails with the client's
// DistributionError, which describeError words.
import { MAX_PAGE_SIZE } from '../../distribution/client';
import { DistributionError } from '../../errors/errors';
import { registryKindFor, type RegistryProvider } from '../../registries';
import { expectPositionals, flagBool, flagPositiveInt, UsageError } from '../args';
import { clientFor, providerForCli, registryArgument } from '../context';
import { jsonText } from '../output';
import type { CliCommand } from '../types';

// One page is what a person reads first; a whole listing asks for the most Distribution allows per request.
const ONE_PAGE_SIZE = 100;
const ALL_PAGE_SIZE = MAX_PAGE_SIZE;

export const command: CliCommand = {
  name: 'catalog',
  synopsis: 'regx catalog REGISTRY [--one-page] [--page-size N]',
  summary: 'List the repositories of a registry (its _catalog, or its own API), streamed as pages arrive.',
  flags: [
    { name: 'page-size', takesValue: true, description: `repositories per request (default ${ALL_PAGE_SIZE}, or ${ONE_PAGE_SIZE} with --one-page)` },
    { name: 'one-page', description: 'print only the first page, and say whether more follow' },
    { name: 'all', description: 'every page (the default; kept for scripts written for older versions)' },
  ],
  async run(args, ctx) {
    const [registryText] = expectPositionals(args, ['REGISTRY'], 'catalog');
    const registry = registryArgument(ctx, registryText);
    const onePage = flagBool(args, 'one-page');
    if (onePage && flagBool(args, 'all')) throw new UsageError('--one-page and --all contradict each other: give one', 'catalog');
    const all = !onePage;
    const pageSize = flagPositiveInt(args, 'page-size', 'catalog') ?? (all ? ALL_PAGE_SIZE : ONE_PAGE_SIZE);
    const repositories: string[] = [];
    // Print as pages arrive so a long --all listing shows progress in a pipe too.
    const show = (names: string[]) => {
      repositories.push(...names);
      if (!ctx.json) for (const name of names) ctx.out(name);
    };
    let more: boolean;
    if (registryKindFor(registry).kind !== 'generic') {
      more = await listThroughProvider(await providerForCli(ctx, registry), pageSize, all, show, ctx.signal);
    } else {
      try {
        more = await listCatalog(ctx, registry, pageSize, all, show);
      } catch (err) {
        // Harbor (admin-only), Quay and Artifactory may refuse or lack _catalog: ask what the registry is.
        // (Quay's token service answers 400 to the registry:catalog:* scope: endpoints/v2/v2auth.py.)
        if (!(err instanceof DistributionError) || ![400, 401, 403, 404, 405].includes(err.status) || repositories.length) throw err;
        const provider = await providerForCli(ctx, registry);
        if (provider.kind === 'generic') throw err;
        more = await listThroughProvider(provider, pageSize, all, show, ctx.signal);
      }
    }

    if (ctx.json) ctx.out(jsonText(repositories));
    if (more) ctx.err(`regx: more repositories follow; run without --one-page to list them all`);
  },
};

async function listCatalog(ctx: Parameters<CliCommand['run']>[1], registry: string, pageSize: number, all: boolean, show: (names: string[]) => void): Promise<boolean> {
  const client = clientFor(ctx, registry);
  let cursor: string | undefined;
  do {
    const page = await client.catalogPage({ pageSize, cursor, signal: ctx.signal });
    show(page.items);
    cursor = page.next;
  } while (all && cursor);
  return cursor !== undefined;
}

/**
 * Namespace by namespace (Harbor projects, Quay organisations, Artifactory repositories, GitLab
 * groups), then their repositories. With --one-page it stops once a page's worth is shown.
 */
async function listThroughProvider(provider: RegistryProvider, pageSize: number, all: boolean, show: (names: string[]) => void, signal: AbortSignal): Promise<boolean> {
  let shown = 0;
  const enough = () => !all && shown >= pageSize;
  const listIn = async (namespace: string | undefined): Promise<boolean> => {
    let cursor: string | undefined;
    do {
      const page = await provider.listRepositories({ pageSize, ...(cursor ? { cursor } : {}), ...(namespace ? { namespace } : {}), signal });
      show(page.items.map((r) => r.name));
      shown += page.items.length;
      cursor = page.next;
    } while (cursor && !enough());
    return cursor !== undefined;
  };
  if (!provider.listNamespaces) return listIn(undefined);
  let cursor: string | undefined;
  do {
    const namespaces = await provider.listNamespaces({ pageSize, ...(cursor ? { cursor } : {}), signal });
    for (const [i, namespace] of namespaces.items.entries()) {
      const more = await listIn(namespace.name);
      if (enough()) return more || i < namespaces.items.length - 1 || namespaces.next !== undefined;
    }
    cursor = namespaces.next;
  } while (cursor);
  return false;
}
