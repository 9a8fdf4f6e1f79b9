// Tag order for the tree (registryExplorer.tags.sort). Plain functions, no vscode import, so the
// rules can be unit-tested. Only the tags already loaded are sorted: paging stays one page per
// expansion, and each "Load more…" re-sorts what is shown.

export type TagSortMode = 'name' | 'semver' | 'newest';

interface Version {
  numbers: number[];
  /** "-rc1" style pre-release part, sorts before the release. */
  pre?: string;
  /** "-alpine" style suffix after a full version, kept for a stable tie-break. */
  rest: string;
}

// v1, 1.2, 1.2.3, 1.2.3-rc.1, 1.2.3-alpine, 20240101 (dates are versions too: newest first works)
const VERSION = /^v?(\d+(?:\.\d+)*)(?:[-+](.*))?$/;
const PRERELEASE = /^(alpha|beta|rc|pre|dev|preview)[.-]?\d*/i;

function parseVersion(tag: string): Version | undefined {
  const m = VERSION.exec(tag);
  if (!m) return undefined;
  const numbers = m[1]!.split('.').map((n) => Number(n));
  if (numbers.some((n) => !Number.isSafeInteger(n))) return undefined;
  const suffix = m[2] ?? '';
  return PRERELEASE.test(suffix) ? { numbers, pre: suffix, rest: '' } : { numbers, rest: suffix };
}

/** Descending version order: 1.10 before 1.9 before 1.9-rc1; equal versions by suffix. */
function compareVersionsDesc(a: Version, b: Version): number {
  const n = Math.max(a.numbers.length, b.numbers.length);
  for (let i = 0; i < n; i++) {
    const d = (b.numbers[i] ?? -1) - (a.numbers[i] ?? -1);
    if (d !== 0) return d;
  }
  if (a.pre !== undefined || b.pre !== undefined) {
    if (a.pre === undefined) return -1;
    if (b.pre === undefined) return 1;
    return b.pre.localeCompare(a.pre, undefined, { numeric: true });
  }
  return a.rest.localeCompare(b.rest, undefined, { numeric: true });
}

/** Tags that exist for the machinery, not for people (cosign / referrers-fallback "sha256-…"). */
function isMachineTag(tag: string): boolean {
  return /^sha256-[0-9a-f]{64}/.test(tag);
}

/**
 * The referrers tag-schema fallback (`sha256-<64 hex>`, exactly): an index of a digest's referrers,
 * which the tree shows as the tag's "Referrers" group instead. (cosign's `.sig`/`.att`/`.sbom` tags
 * are not referrers the API lists, so they stay in the list.)
 */
export function isReferrersFallbackTag(tag: string): boolean {
  return /^sha256-[0-9a-f]{64}$/.test(tag);
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * name:   alphabetical (code-unit order, as registries list them).
 * semver: named tags ("latest", "main") first, then versions newest first, then machine tags.
 * newest: by created time, newest first; tags whose time is not known yet keep name order after them.
 */
export function sortTags(tags: readonly string[], mode: TagSortMode, created?: (tag: string) => number | undefined): string[] {
  const list = [...tags];
  if (mode === 'name') return list.sort(byName);
  if (mode === 'newest') {
    return list.sort((a, b) => {
      const ta = created?.(a);
      const tb = created?.(b);
      if (ta !== undefined && tb !== undefined && ta !== tb) return tb - ta;
      if (ta !== undefined && tb === undefined) return -1;
      if (ta === undefined && tb !== undefined) return 1;
      return byName(a, b);
    });
  }
  const rank = (tag: string, v: Version | undefined): number => (isMachineTag(tag) ? 2 : v ? 1 : 0);
  const parsed = new Map(list.map((t) => [t, parseVersion(t)]));
  return list.sort((a, b) => {
    const va = parsed.get(a);
    const vb = parsed.get(b);
    const ra = rank(a, va);
    const rb = rank(b, vb);
    if (ra !== rb) return ra - rb;
    if (ra === 1 && va && vb) return compareVersionsDesc(va, vb) || byName(a, b);
    return byName(a, b);
  });
}
