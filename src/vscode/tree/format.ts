// Short texts for tree descriptions and messages. Pure, so they can be unit-tested.
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
  const steps: [number, string][] = [
    [60, 'second'],
    [60, 'minute'],
    [24, 'hour'],
    [30, 'day'],
    [12, 'month'],
    [Number.POSITIVE_INFINITY, 'year'],
  ];
  let value = seconds;
  for (const [size, name] of steps) {
    if (value < size) return value <= 1 && name === 'second' ? 'just now' : `${value} ${name}${value === 1 ? '' : 's'} ago`;
    value = Math.floor(value / size);
  }
  return '';
}

/** The registry as a message names it: "Harbor (harbor.example.com)", "Docker Hub (docker.io)", a bare host. */
export function registryLabel(provider: RegistryProvider): string {
  if (provider.displayName.toLowerCase().includes(provider.host.toLowerCase())) return provider.displayName;
  return `${provider.displayName} (${provider.host})`;
}
