// Short texts for tree descriptions and messages. Pure, so they can be unit-tested; their words come
// through @vscode/l10n, which the extension hands the display language's bundle (and the webview too).
import * as l10n from '@vscode/l10n';
import type { RegistryProvider } from '../../registries';

/** "sha256:0123abcd4567" → "0123abcd4567" (12 hex chars, as docker prints image ids). */
export function shortDigest(digest: string): string {
  const hex = digest.includes(':') ? digest.slice(digest.indexOf(':') + 1) : digest;
  return hex.slice(0, 12);
}

/** Decimal units, as docker and registries' UIs show sizes. */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  do {
    value /= 1000;
    unit++;
  } while (value >= 1000 && unit < units.length - 1);
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** "3 days ago", "2 months ago"; '' for a missing or unparsable time. */
export function formatAge(iso: string | undefined, now: number = Date.now()): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  // Reproducible builds stamp 1970-01-01: an age of 55 years says nothing useful.
  if (!Number.isFinite(t) || t <= 0) return '';
  const seconds = Math.max(0, Math.round((now - t) / 1000));
  // Whole phrases per unit and number, so a language can word and inflect each as it needs.
  const steps: [number, (n: number) => string][] = [
    [60, (n) => (n <= 1 ? l10n.t('just now') : l10n.t('{0} seconds ago', n))],
    [60, (n) => (n === 1 ? l10n.t('1 minute ago') : l10n.t('{0} minutes ago', n))],
    [24, (n) => (n === 1 ? l10n.t('1 hour ago') : l10n.t('{0} hours ago', n))],
    [30, (n) => (n === 1 ? l10n.t('1 day ago') : l10n.t('{0} days ago', n))],
    [12, (n) => (n === 1 ? l10n.t('1 month ago') : l10n.t('{0} months ago', n))],
    [Number.POSITIVE_INFINITY, (n) => (n === 1 ? l10n.t('1 year ago') : l10n.t('{0} years ago', n))],
  ];
  let value = seconds;
  for (const [size, phrase] of steps) {
    if (value < size) return phrase(value);
    value = Math.floor(value / size);
  }
  return '';
}

/** The registry as a message names it: "Harbor (harbor.example.com)", "Docker Hub (docker.io)", a bare host. */
export function registryLabel(provider: RegistryProvider): string {
  if (provider.displayName.toLowerCase().includes(provider.host.toLowerCase())) return provider.displayName;
  return `${provider.displayName} (${provider.host})`;
}
