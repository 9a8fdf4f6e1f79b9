// `regx search --engine [REGISTRY] TERM`: search through the local engine's /images/search, which
// is what `docker search` does (Docker Hub, or REGISTRY's v1 search API). Called from search.ts.
import { withEngine } from '../engine';
import { jsonText } from '../output';
import type { CliContext } from '../types';

export async function searchWithEngine(args: { term: string; registry?: string; limit?: number }, ctx: CliContext): Promise<void> {
  // The engine reads the registry from the term's first component, as docker does.
  const term = args.registry && args.registry !== 'docker.io' ? `${args.registry}/${args.term}` : args.term;
  const results = await withEngine(ctx, (engine) => engine.searchImages(term, { limit: args.limit, signal: ctx.signal }));
  if (ctx.json) {
    ctx.out(jsonText(results));
    return;
  }
  if (!results.length) return;
  const rows = [['NAME', 'DESCRIPTION', 'STARS', 'OFFICIAL'], ...results.map((r) => [r.name, oneLine(r.description), String(r.starCount), r.official ? '[OK]' : ''])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  ctx.out(rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('   ').trimEnd()).join('\n'));
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 45 ? `${flat.slice(0, 44)}…` : flat;
}
