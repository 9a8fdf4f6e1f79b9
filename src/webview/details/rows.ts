// What the Image Details webview's tables show, in what order: pure functions over the model
// (src/details/model.ts), without the DOM, so the rules are unit-tested under Node.
import * as l10n from '@vscode/l10n';
import type { LayerRow, PlatformChoice } from '../../details/model';
import { SEVERITIES, type Vulnerability } from '../../registries/vulnerabilities';

/** History order, or largest layer first (empty steps, which add no bytes, last in history order). */
export function orderLayers(rows: readonly LayerRow[], largestFirst: boolean): LayerRow[] {
  if (!largestFirst) return [...rows];
  return [...rows].sort((a, b) => (b.layer?.size ?? -1) - (a.layer?.size ?? -1) || a.step - b.step);
}

/** The index entries the platform switcher offers (images), and the attestations listed apart. */
export function splitPlatforms(platforms: readonly PlatformChoice[]): { images: PlatformChoice[]; attestations: PlatformChoice[] } {
  return { images: platforms.filter((p) => !p.isAttestation), attestations: platforms.filter((p) => p.isAttestation) };
}

export type VulnerabilityColumn = 'severity' | 'id' | 'package' | 'version' | 'fixVersion';
export interface VulnerabilitySort {
  column: VulnerabilityColumn;
  descending: boolean;
}

/** Sorted by one column, ties worst first then by id; "descending" on severity means least severe first. */
export function sortFindings(findings: readonly Vulnerability[], sort: VulnerabilitySort): Vulnerability[] {
  const rank = (v: Vulnerability) => SEVERITIES.indexOf(v.severity);
  const text = (v: Vulnerability) => (sort.column === 'severity' ? '' : (v[sort.column] ?? ''));
  const sign = sort.descending ? -1 : 1;
  return [...findings].sort((a, b) => {
    const primary = sort.column === 'severity' ? rank(a) - rank(b) : text(a).localeCompare(text(b), undefined, { numeric: true });
    return sign * primary || rank(a) - rank(b) || a.id.localeCompare(b.id);
  });
}

/** "+1.2 MB", "−340 kB", "no change", with the size formatter the rest of the panel uses. */
export function formatDelta(bytes: number, format: (n: number) => string): string {
  if (bytes === 0) return l10n.t('no change');
  return `${bytes > 0 ? '+' : '−'}${format(Math.abs(bytes))}`;
}

/** "201–400 of 1,234" for a page of an SBOM's matches. */
export function pageRange(offset: number, shown: number, total: number): string {
  if (total === 0) return l10n.t('no packages');
  return l10n.t('{0}–{1} of {2}', (offset + 1).toLocaleString('en-US'), (offset + shown).toLocaleString('en-US'), total.toLocaleString('en-US'));
}

/** A link the panel may offer: https only (the extension checks again before it opens anything). */
export function isSafeLink(url: string | undefined): url is string {
  if (!url) return false;
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}
