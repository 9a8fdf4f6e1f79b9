// Tag lists as registries really send them, and the client-side paging used when a registry ignores
// `n` (Distribution 2.8 returns every tag in one answer).

/** The tag grammar from the distribution spec; anything else in a tag list is junk. */
const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function isValidTag(value: string): boolean {
  return TAG_PATTERN.test(value);
}

/** Plain code-unit order: what the spec calls lexical and what Distribution itself uses. */
export function compareTags(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Drop null/empty entries (Nexus), digest-shaped entries (Artifactory lists "sha256:…") and anything
 * else that is not a tag; dedupe; sort, because GHCR and Quay answer oldest-first. May sort `raw`
 * itself and return it.
 */
export function sanitizeTags(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  // Most lists hold nothing else: the parsed array itself is then sorted in place, not copied.
  const tags = (raw.every(isTagString) ? raw : raw.filter(isTagString)) as string[];
  return sortedUnique(tags);
}

function isTagString(item: unknown): boolean {
  return typeof item === 'string' && TAG_PATTERN.test(item);
}

/**
 * `names` sorted in code-unit order without duplicates, in place. Already-sorted input (Link-paged
 * registries, a list sorted before) costs one pass. A list of 10,000 tags is sorted and checked for
 * repeats by V8's own code (sort, Set): each JavaScript pass over it cost `regx tags` a few million
 * instructions, and V8 then optimised those loops on its compiler threads for millions more.
 */
export function sortedUnique(names: string[]): string[] {
  if (isStrictlyAscending(names)) return names;
  // The default sort of strings is code-unit order, as compareTags is, at half the cost of calling a
  // comparator for every pair (Distribution 2.8 sends all its tags at once, in directory order).
  names.sort();
  if (new Set(names).size === names.length) return names;
  // Repeats are neighbours now.
  let kept = 0;
  for (let i = 0; i < names.length; i++) if (i === 0 || names[i] !== names[kept - 1]) names[kept++] = names[i];
  names.length = kept;
  return names;
}

function isStrictlyAscending(names: readonly string[]): boolean {
  for (let i = 1; i < names.length; i++) if (!(names[i - 1] < names[i])) return false;
  return true;
}

/** The next page of a sorted list: up to pageSize tags strictly after `after`. */
export function sliceAfter(sortedTags: readonly string[], after: string | undefined, pageSize: number): { items: string[]; more: boolean } {
  let start = 0;
  if (after !== undefined) {
    // Binary search for the first tag > after; the cursor tag itself may have been deleted meanwhile.
    let lo = 0;
    let hi = sortedTags.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareTags(sortedTags[mid], after) <= 0) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const items = sortedTags.slice(start, start + pageSize);
  return { items, more: start + pageSize < sortedTags.length };
}

/** Cursors we make ourselves start with this; cursors from a registry Link start with "/". */
const LOCAL_PREFIX = 'after:';

export function localCursor(lastTag: string): string {
  return LOCAL_PREFIX + lastTag;
}

/** The tag a local cursor resumes after, or undefined for a registry (Link) cursor. */
export function parseLocalCursor(cursor: string): string | undefined {
  return cursor.startsWith(LOCAL_PREFIX) ? cursor.slice(LOCAL_PREFIX.length) : undefined;
}
