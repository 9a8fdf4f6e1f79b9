// Formatting for `regx` output: plain lines for people, stable JSON for scripts. Pure functions
// so the formats are unit-tested without a registry.
import type { ImageSummary } from '../distribution/types';
import { sortedUnique } from '../distribution/tagPages';

/** JSON on stdout: two-space indent, trailing newline added by the caller's out(). */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** Sizes as docker prints them: decimal units (kB = 1000 B), three significant digits. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${bytes} B`;
  const text = value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
  return `${text.replace(/\.0+$/, '').replace(/(\.\d*?)0+$/, '$1')} ${units[unit]}`;
}

/** Two aligned columns; a value with several lines continues under its own column. */
export function formatKeyValues(rows: Array<[string, string | string[]]>): string {
  const width = Math.max(0, ...rows.map(([key]) => key.length));
  const lines: string[] = [];
  for (const [key, value] of rows) {
    const values = Array.isArray(value) ? value : [value];
    const first = values.length ? values[0] : '';
    lines.push(`${key.padEnd(width)}  ${first}`.trimEnd());
    for (const more of values.slice(1)) lines.push(`${''.padEnd(width)}  ${more}`);
  }
  return lines.join('\n');
}

/** The `regx inspect --json` object. Field names are a public contract: keep them stable. */
export interface InspectJson {
  reference: string;
  digest: string;
  mediaType: string;
  size: number;
  platforms: string[];
  created: string | null;
  labels: Record<string, string>;
}

export function inspectJson(summary: ImageSummary): InspectJson {
  return {
    reference: summary.reference,
    digest: summary.digest,
    mediaType: summary.mediaType,
    size: summary.totalSize,
    platforms: summary.platforms,
    // null rather than a missing key, so `jq .created` is always defined.
    created: summary.created ?? null,
    labels: summary.labels ?? {},
  };
}

/** The human `regx inspect` table. */
export function inspectText(summary: ImageSummary): string {
  const labels = Object.entries(summary.labels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`);
  return formatKeyValues([
    ['Reference', summary.reference],
    ['Digest', summary.digest],
    ['Media type', summary.mediaType],
    ['Size', `${formatBytes(summary.totalSize)} (${summary.totalSize} bytes)`],
    ['Platforms', summary.platforms.length ? summary.platforms.join(', ') : '-'],
    ['Created', summary.created ?? '-'],
    ['Labels', labels.length ? labels : '-'],
  ]);
}

/** Code-point order without repeats, so the same tags sort the same way on every machine and locale. */
export function sortNames(names: readonly string[]): string[] {
  return sortedUnique([...names]);
}

/**
 * Catalog search: case-insensitive substring match; exact matches (the whole name, or its last
 * path component) first, then the rest in their original order. containers/image does the same.
 */
export function filterRepositories(repositories: string[], term: string): string[] {
  const needle = term.toLowerCase();
  const exact: string[] = [];
  const partial: string[] = [];
  for (const name of repositories) {
    const lower = name.toLowerCase();
    if (!lower.includes(needle)) continue;
    const last = lower.slice(lower.lastIndexOf('/') + 1);
    (lower === needle || last === needle ? exact : partial).push(name);
  }
  return [...exact, ...partial];
}

/**
 * One progress line on stderr that rewrites itself (\r). Only used on a terminal: in a pipe or a
 * CI log the rewrites would be noise.
 */
export class ProgressLine {
  private shown = false;
  constructor(private readonly write: (text: string) => void, private readonly enabled: boolean) {}

  update(text: string): void {
    if (!this.enabled) return;
    // \x1b[K clears what a longer previous line left behind.
    this.write(`\r${text}\x1b[K`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) this.write('\r\x1b[K');
    this.shown = false;
  }
}
