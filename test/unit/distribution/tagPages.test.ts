import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localCursor, parseLocalCursor, sanitizeTags, sliceAfter, sortedUnique } from '../../../src/distribution/tagPages';

test('sanitizeTags drops null, empty, digest-shaped and invalid entries, dedupes and sorts', () => {
  const raw = ['v2', null, '', 'sha256:' + 'a'.repeat(64), 'latest', 'v10', 'v2', 42, '-bad', 'sha256-' + 'b'.repeat(64), 'A_1'];
  assert.deepEqual(sanitizeTags(raw), ['A_1', 'latest', 'sha256-' + 'b'.repeat(64), 'v10', 'v2']);
  assert.deepEqual(sanitizeTags(['b', 'a', 'b']), ['a', 'b'], 'a list of tags only is deduped and sorted too');
  assert.deepEqual(sanitizeTags(null), []);
  assert.deepEqual(sanitizeTags(undefined), []);
});

test('sortedUnique sorts and dedupes only when needed, in code-unit order', () => {
  const ascending = ['a', 'b', 'c'];
  assert.equal(sortedUnique(ascending), ascending, 'an already sorted list comes back as is');
  assert.deepEqual(ascending, ['a', 'b', 'c']);
  assert.deepEqual(sortedUnique(['b', 'a', 'b', 'B', 'a']), ['B', 'a', 'b']);
  assert.deepEqual(sortedUnique(['a', 'a']), ['a'], 'repeats in otherwise sorted input are dropped');
  assert.deepEqual(sortedUnique([]), []);
  // Two Link pages that overlap (a registry that resends the cursor tag) merge without repeats.
  assert.deepEqual(sortedUnique(['t1', 't2', 't3', 't3', 't4']), ['t1', 't2', 't3', 't4']);
});

test('sliceAfter pages a sorted list without losing or repeating tags', () => {
  const tags = Array.from({ length: 250 }, (_, i) => `t${String(i).padStart(3, '0')}`);
  const seen: string[] = [];
  let after: string | undefined;
  let pages = 0;
  for (;;) {
    const { items, more } = sliceAfter(tags, after, 100);
    seen.push(...items);
    pages++;
    if (!more) break;
    after = items[items.length - 1];
  }
  assert.equal(pages, 3);
  assert.deepEqual(seen, tags);
});

test('sliceAfter resumes after a cursor tag that no longer exists', () => {
  assert.deepEqual(sliceAfter(['a', 'c', 'e'], 'b', 10), { items: ['c', 'e'], more: false });
  assert.deepEqual(sliceAfter(['a', 'c', 'e'], 'e', 10), { items: [], more: false });
  assert.deepEqual(sliceAfter(['a', 'c', 'e'], undefined, 2), { items: ['a', 'c'], more: true });
  assert.deepEqual(sliceAfter(['a', 'c'], undefined, 2), { items: ['a', 'c'], more: false });
});

test('local cursors are told apart from registry Link cursors', () => {
  assert.equal(parseLocalCursor(localCursor('v1.2')), 'v1.2');
  assert.equal(parseLocalCursor('/v2/a/tags/list?last=x'), undefined);
});
