import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLinkHeader, pathAndQuery, resolveNextLink, underPathPrefix } from '../../../src/distribution/link';
import { PolicyError } from '../../../src/errors/errors';

const REQ = 'http://127.0.0.1:5000/v2/_catalog?n=2';

test('parses a single rel="next" link', () => {
  const links = parseLinkHeader('</v2/_catalog?last=b&n=2>; rel="next"');
  assert.deepEqual(links, [{ target: '/v2/_catalog?last=b&n=2', rels: ['next'], params: { rel: 'next' } }]);
});

test('parses several links in one value, with quoted commas and unquoted rel', () => {
  const header = '<https://r.example/v2/x/tags/list?last=a>; rel=prev; title="a, b; c", </v2/x/tags/list?last=z&n=10>; rel="next"';
  const links = parseLinkHeader(header);
  assert.equal(links.length, 2);
  assert.deepEqual(links[0].rels, ['prev']);
  assert.equal(links[0].params.title, 'a, b; c');
  assert.equal(links[1].target, '/v2/x/tags/list?last=z&n=10');
  assert.deepEqual(links[1].rels, ['next']);
});

test('parses several header values and multi-valued rel, case-insensitively', () => {
  const links = parseLinkHeader(['</a>; REL="Prev"', '</b>; rel="last NEXT"']);
  assert.deepEqual(links.map((l) => l.rels), [['prev'], ['last', 'next']]);
  assert.equal(resolveNextLink(['</a>; REL="Prev"', '</b>; rel="last NEXT"'], REQ), 'http://127.0.0.1:5000/b');
});

test('malformed headers give no links rather than throwing', () => {
  assert.deepEqual(parseLinkHeader('garbage'), []);
  assert.deepEqual(parseLinkHeader('<unterminated; rel="next"'), []);
  assert.deepEqual(parseLinkHeader(undefined), []);
  assert.equal(resolveNextLink('</x>; rel="prev"', REQ), undefined);
});

test('relative links resolve against the request URL', () => {
  assert.equal(resolveNextLink('</v2/_catalog?last=b&n=2>; rel="next"', REQ), 'http://127.0.0.1:5000/v2/_catalog?last=b&n=2');
  assert.equal(resolveNextLink('<list?last=b>; rel="next"', 'http://h:1/v2/a/tags/list?n=1'), 'http://h:1/v2/a/tags/list?last=b');
  assert.equal(resolveNextLink('<http://127.0.0.1:5000/v2/_catalog?last=c>; rel="next"', REQ), 'http://127.0.0.1:5000/v2/_catalog?last=c');
});

test('links to another host, port or scheme are refused', () => {
  for (const target of ['https://evil.example/v2/_catalog', 'http://127.0.0.1:5001/v2/_catalog', 'https://127.0.0.1:5000/v2/_catalog', '//evil.example/x']) {
    assert.throws(() => resolveNextLink(`<${target}>; rel="next"`, REQ), (e: unknown) => e instanceof PolicyError && e.rule === 'cross-host-link');
  }
});

test('a link back to the same page, or to one already read, is a loop', () => {
  assert.throws(() => resolveNextLink('</v2/_catalog?n=2>; rel="next"', REQ), (e: unknown) => e instanceof PolicyError && e.rule === 'link-loop');
  const seen = new Set(['http://127.0.0.1:5000/v2/_catalog?last=b&n=2']);
  assert.throws(() => resolveNextLink('</v2/_catalog?last=b&n=2>; rel="next"', 'http://127.0.0.1:5000/v2/_catalog?last=d&n=2', seen), (e: unknown) => e instanceof PolicyError && e.rule === 'link-loop');
});

test('pathAndQuery keeps only the origin-relative part', () => {
  assert.equal(pathAndQuery('http://h:5/v2/_catalog?last=b&n=2'), '/v2/_catalog?last=b&n=2');
});

test('on a prefixed endpoint, a /v2/ link that left the prefix out is read as below it (Artifactory, RTFACT-18971)', () => {
  const prefix = '/artifactory/api/docker/docker-local';
  const req = `http://art:8081${prefix}/v2/app/tags/list?n=2`;
  assert.equal(resolveNextLink('</v2/app/tags/list?last=b&n=2>; rel="next"', req, undefined, prefix), `http://art:8081${prefix}/v2/app/tags/list?last=b&n=2`);
  assert.equal(resolveNextLink(`<${prefix}/v2/app/tags/list?last=b&n=2>; rel="next"`, req, undefined, prefix), `http://art:8081${prefix}/v2/app/tags/list?last=b&n=2`);
  assert.equal(resolveNextLink('<list?last=b>; rel="next"', req, undefined, prefix), `http://art:8081${prefix}/v2/app/tags/list?last=b`);
  // The loop check compares prefixed URLs, whichever form the link took.
  assert.throws(() => resolveNextLink('</v2/app/tags/list?n=2>; rel="next"', req, undefined, prefix), (e: unknown) => e instanceof PolicyError && e.rule === 'link-loop');
  assert.equal(pathAndQuery(`http://art:8081${prefix}/v2/app/tags/list?last=b`, prefix), '/v2/app/tags/list?last=b');
  assert.equal(pathAndQuery('http://art:8081/v2/app/tags/list?last=b', prefix), '/v2/app/tags/list?last=b');
  assert.equal(underPathPrefix('http://art/artifactory/api/x', prefix), 'http://art/artifactory/api/x');
  assert.equal(underPathPrefix('http://art/v2/x', undefined), 'http://art/v2/x');
  assert.equal(underPathPrefix('http://art/v2', prefix), `http://art${prefix}/v2`);
});
