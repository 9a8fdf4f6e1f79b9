// Search: one term across every registry in the view at once. Docker Hub through the engine's search
// (what `docker search` does; the Hub API when no engine answers), GHCR/GitLab through their APIs
// where offered, and every other registry through its catalog, a few pages at most. Results land in
// one quick pick, grouped by registry; choosing one reveals it in the Registries view, its button
// pulls it. A registry that fails shows its error as a row instead of hiding the others' results.
import * as vscode from 'vscode';
import { describeError } from '../../errors/describe';
import type { OperationsContext } from '../images/context';
import { revealRemote } from '../images/remote';
import { withCancellableProgress } from '../progress';
import { isCatalogUnsupported } from '../tree/errorFix';
import type { RegistryNode } from '../tree/nodes';

export interface SearchHit {
  host: string;
  repository: string;
  description?: string;
  official?: boolean;
  starCount?: number;
}

export interface SearchOutcome {
  hits: SearchHit[];
  /** Registries that could not be searched, with describeError's words. */
  failures: { host: string; message: string }[];
}

/** Scripted use (tests): 'none' returns the results without showing the quick pick. */
export interface SearchArgs {
  show?: 'pick' | 'none';
}

/** Catalog pages read per registry (1000 names each): enough for most, bounded for the rest. */
const MAX_CATALOG_PAGES = 5;
const CATALOG_PAGE = 1000;
const HUB_LIMIT = 25;

export async function search(ctx: OperationsContext, arg?: unknown, _selected?: unknown, args: SearchArgs = {}): Promise<SearchOutcome | undefined> {
  const term =
    typeof arg === 'string' && arg.trim()
      ? arg.trim()
      : (
          await vscode.window.showInputBox({
            title: vscode.l10n.t('Search all connected registries'),
            prompt: vscode.l10n.t('Part of a repository name'),
            placeHolder: vscode.l10n.t('nginx, team/api, …'),
            ignoreFocusOut: true,
            validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter part of a repository name')),
          })
        )?.trim();
  if (!term) return undefined;
  const registries = (await ctx.tree.getChildren()).filter((n): n is RegistryNode => n.kind === 'registry');
  if (registries.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No registry is connected: connect one first, then search.'));
    return { hits: [], failures: [] };
  }

  const outcome = await withCancellableProgress(vscode.l10n.t('Searching {0} registr{1} for "{2}"', registries.length, registries.length === 1 ? 'y' : 'ies', term), async (report, signal) => {
    let finished = 0;
    const perRegistry = await Promise.all(
      registries.map(async (registry) => {
        const host = registry.root.host;
        try {
          return { hits: await searchRegistry(ctx, host, term, signal) };
        } catch (error) {
          if (signal.aborted) throw error;
          return { failure: { host, message: describeError(error) } };
        } finally {
          finished++;
          report({ percent: (100 * finished) / registries.length, message: host });
        }
      }),
    );
    const result: SearchOutcome = { hits: [], failures: [] };
    for (const r of perRegistry) {
      if (r.hits) result.hits.push(...r.hits);
      if (r.failure) result.failures.push(r.failure);
    }
    return result;
  }, { delayMs: 400 });
  if (args.show === 'none') return outcome;
  await showResults(ctx, term, outcome);
  return outcome;
}

async function searchRegistry(ctx: OperationsContext, host: string, term: string, signal: AbortSignal): Promise<SearchHit[]> {
  const kind = ctx.service.kindOf(host);
  if (kind === 'docker-hub') {
    try {
      const found = await ctx.engines.engine().searchImages(term, { limit: HUB_LIMIT, signal });
      // The engine names official images without "library/"; the registry API needs it.
      return found.map((r) => ({
        host,
        repository: r.name.includes('/') ? r.name : `library/${r.name}`,
        description: r.description,
        official: r.official,
        starCount: r.starCount,
      }));
    } catch (error) {
      if (signal.aborted) throw error;
      ctx.service.log.info(`Docker Hub search through the engine failed (${describeError(error)}); asking the Hub API`);
    }
  }
  const provider = ctx.service.provider(host);
  if (provider.search && provider.capabilities.search) {
    const page = await provider.search(term, { pageSize: HUB_LIMIT, signal });
    return page.items.map((r) => ({ host, repository: r.name, ...(r.description ? { description: r.description } : {}), ...(r.official ? { official: true } : {}), ...(r.starCount !== undefined ? { starCount: r.starCount } : {}) }));
  }
  const needle = term.toLowerCase();
  const names = new Set(ctx.service.addedRepositories(host));
  if (provider.capabilities.catalog) {
    const client = ctx.service.client(host);
    let cursor: string | undefined;
    try {
      for (let page = 0; page < MAX_CATALOG_PAGES; page++) {
        const got = await client.catalogPage(cursor ? { pageSize: CATALOG_PAGE, cursor, signal } : { pageSize: CATALOG_PAGE, signal });
        for (const n of got.items) names.add(n);
        cursor = got.next;
        if (!cursor) break;
      }
    } catch (error) {
      // No catalog here: the repositories added by name are still searched.
      if (!isCatalogUnsupported(error)) throw error;
    }
  }
  return rank([...names].filter((n) => n.toLowerCase().includes(needle)), needle).map((repository) => ({ host, repository }));
}

/** Exact matches, then names starting with the term (or a path segment that does), then the rest. */
function rank(names: string[], needle: string): string[] {
  const score = (n: string) => {
    const l = n.toLowerCase();
    if (l === needle || l.endsWith(`/${needle}`)) return 0;
    if (l.startsWith(needle) || l.includes(`/${needle}`)) return 1;
    return 2;
  };
  return names.sort((a, b) => score(a) - score(b) || a.localeCompare(b));
}

interface HitItem extends vscode.QuickPickItem {
  hit?: SearchHit;
}

const PULL_BUTTON: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('cloud-download'), tooltip: 'Pull…' };

async function showResults(ctx: OperationsContext, term: string, outcome: SearchOutcome): Promise<void> {
  const items: HitItem[] = [];
  const hosts = [...new Set([...outcome.hits.map((h) => h.host), ...outcome.failures.map((f) => f.host)])];
  for (const host of hosts) {
    items.push({ label: host, kind: vscode.QuickPickItemKind.Separator });
    for (const hit of outcome.hits.filter((h) => h.host === host)) {
      const extra = [hit.official ? 'official' : '', hit.starCount ? `★ ${hit.starCount}` : ''].filter(Boolean).join(' · ');
      items.push({
        label: hit.repository,
        ...(extra ? { description: extra } : {}),
        ...(hit.description ? { detail: hit.description } : {}),
        iconPath: new vscode.ThemeIcon('repo'),
        buttons: [PULL_BUTTON],
        hit,
      });
    }
    for (const failure of outcome.failures.filter((f) => f.host === host)) {
      items.push({ label: vscode.l10n.t('$(error) {0}', failure.message), description: host, alwaysShow: true });
    }
  }
  if (outcome.hits.length === 0) items.unshift({ label: vscode.l10n.t('No repository matches "{0}"', term), alwaysShow: true });

  const quickPick = vscode.window.createQuickPick<HitItem>();
  quickPick.title = `Search "${term}": ${outcome.hits.length} repositor${outcome.hits.length === 1 ? 'y' : 'ies'} in ${hosts.length} registr${hosts.length === 1 ? 'y' : 'ies'}`;
  quickPick.placeholder = 'Enter shows it in the Registries view; the download button pulls it';
  quickPick.matchOnDescription = true;
  quickPick.items = items;
  const subscriptions: vscode.Disposable[] = [];
  const chosen = await new Promise<{ hit: SearchHit; action: 'reveal' | 'pull' } | undefined>((resolve) => {
    subscriptions.push(
      quickPick.onDidAccept(() => {
        const hit = quickPick.selectedItems[0]?.hit;
        if (hit) resolve({ hit, action: 'reveal' });
      }),
      quickPick.onDidTriggerItemButton((e) => {
        if (e.item.hit) resolve({ hit: e.item.hit, action: 'pull' });
      }),
      quickPick.onDidHide(() => resolve(undefined)),
    );
    quickPick.show();
  });
  for (const s of subscriptions) s.dispose();
  quickPick.dispose();
  if (!chosen) return;
  if (chosen.action === 'pull') {
    await vscode.commands.executeCommand('registryExplorer.pull', { host: chosen.hit.host, repository: chosen.hit.repository });
    return;
  }
  const node = await revealRemote(ctx, chosen.hit.host, chosen.hit.repository);
  if (!node) void vscode.window.showInformationMessage(vscode.l10n.t('{0} is not in the Registries view.', chosen.hit.host));
}
