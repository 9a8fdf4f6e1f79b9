// regx against the real registries with a fault proxy in front (harness.ts): every misbehaviour the
// reliability issue lists, each case asserting what regx prints and exits with, and how many requests
// the registry saw (retries of reads, writes never repeated blindly, messages that claim a retry only
// when there was one). REGX_TIMEOUT shortens the silence budget so hangs cost seconds, not a minute.

import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runRegx } from '../support/runRegx';
import { getManifest } from '../support/seeding';
import { selfSignedCert } from '../support/hostileServer';
import { startFaultProxy } from './harness';
import { claimsRetriesHonestly, failedWith, seedOpen, seedToken, spawnCli, startWorld, succeeded, uniqueRepo, until, type FaultWorld } from './support';

const MANIFEST = /^\/v2\/.+\/manifests\/[^/]+$/;
const TAGS = /^\/v2\/.+\/tags\/list$/;
const BLOB = /^\/v2\/.+\/blobs\/sha256:[a-f0-9]{64}$/;
const UPLOAD = /^\/v2\/.+\/blobs\/uploads\/.*$/;

describe('fault cases', () => {
  let w: FaultWorld;
  // 6 s of silence budget: 2 s for one attempt's headers or a stalled body, so one retry fits.
  const regx = (argv: string[], extra: NodeJS.ProcessEnv = {}) => runRegx(argv, { ...w.env, REGX_TIMEOUT: '6', ...extra });

  before(async () => {
    w = await startWorld('faults');
  });
  after(async () => {
    await w?.close();
  });
  beforeEach(() => {
    w.open.reset();
    w.token.reset();
    w.issuer.reset();
  });

  describe('reads: retried on 429/502/503/504 and connection errors, then reported honestly', () => {
    for (const status of [502, 503, 504, 429]) {
      it(`tags: one ${status}, then the list`, async () => {
        const repo = uniqueRepo(`s${status}`);
        await seedOpen(w, repo);
        w.open.rule({ method: 'GET', path: TAGS, nth: 1, behaviour: { kind: 'status', status } });
        assert.equal(succeeded(await regx(['tags', `${w.open.host}/${repo}`])), '1.0\n');
        assert.equal(w.open.count('GET', TAGS), 2);
      });
    }

    it('tags: a storm of 503 is reported after the retries, saying so', async () => {
      const repo = uniqueRepo('storm');
      w.open.rule({ method: 'GET', path: TAGS, behaviour: { kind: 'status', status: 503, body: 'overloaded' } });
      const line = failedWith(await regx(['tags', `${w.open.host}/${repo}`]), /is unavailable \(503\)/);
      assert.equal(w.open.count('GET', TAGS), 3);
      claimsRetriesHonestly(line, 3);
    });

    it('catalog: a 500 is not retried, and the message claims no retry', async () => {
      w.open.rule({ method: 'GET', path: '/v2/_catalog', behaviour: { kind: 'status', status: 500 } });
      const line = failedWith(await regx(['catalog', w.open.host]), /internal error \(500\)/);
      assert.equal(w.open.count('GET', '/v2/_catalog'), 1);
      claimsRetriesHonestly(line, 1);
    });

    it('inspect: 429 with Retry-After: 1 is waited for, then answered', async () => {
      const repo = uniqueRepo('ra1');
      const image = await seedOpen(w, repo);
      w.open.rule({ method: 'GET', path: MANIFEST, nth: 1, behaviour: { kind: 'status', status: 429, headers: { 'retry-after': '1' } } });
      assert.match(succeeded(await regx(['inspect', `${w.open.host}/${repo}:1.0`])), new RegExp(image.digest));
      assert.equal(w.open.count('GET', MANIFEST), 2);
    });

    it('inspect: 503 with Retry-After as an HTTP-date is waited for, then answered', async () => {
      const repo = uniqueRepo('radate');
      const image = await seedOpen(w, repo);
      w.open.rule({ method: 'GET', path: MANIFEST, nth: 1, behaviour: { kind: 'status', status: 503, headers: { 'retry-after': new Date(Date.now() + 1500).toUTCString() } } });
      assert.match(succeeded(await regx(['inspect', `${w.open.host}/${repo}:1.0`])), new RegExp(image.digest));
      assert.equal(w.open.count('GET', MANIFEST), 2);
    });

    it('tags: 429 with Retry-After: 3600 is not slept through: reported at once with the wait', async () => {
      const repo = uniqueRepo('ralong');
      w.open.rule({ method: 'GET', path: TAGS, behaviour: { kind: 'status', status: 429, headers: { 'retry-after': '3600', 'content-type': 'application/json' }, body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}' } });
      const line = failedWith(await regx(['tags', `${w.open.host}/${repo}`]), /rate-limiting requests \(429 TOOMANYREQUESTS\)\. Try again in 60 minutes/);
      assert.equal(w.open.count('GET', TAGS), 1);
      claimsRetriesHonestly(line, 1);
    });

    it('tags: 503 with an HTTP-date ten minutes away: reported with the wait, no retry claimed', async () => {
      const repo = uniqueRepo('radatelong');
      w.open.rule({ method: 'GET', path: TAGS, behaviour: { kind: 'status', status: 503, headers: { 'retry-after': new Date(Date.now() + 600_000).toUTCString() } } });
      const line = failedWith(await regx(['tags', `${w.open.host}/${repo}`]), /is unavailable \(503\)\. It asked to wait (9|10) minutes/);
      assert.equal(w.open.count('GET', TAGS), 1);
      claimsRetriesHonestly(line, 1);
    });

    it('inspect: a reset before the answer is retried', async () => {
      const repo = uniqueRepo('reset1');
      const image = await seedOpen(w, repo);
      w.open.rule({ method: 'GET', path: MANIFEST, nth: 1, behaviour: { kind: 'reset-before-headers' } });
      assert.match(succeeded(await regx(['inspect', `${w.open.host}/${repo}:1.0`])), new RegExp(image.digest));
      assert.equal(w.open.count('GET', MANIFEST), 2);
    });

    it('inspect: a reset mid-body is retried from the start', async () => {
      const repo = uniqueRepo('resetbody');
      const image = await seedOpen(w, repo);
      w.open.rule({ method: 'GET', path: MANIFEST, nth: 1, behaviour: { kind: 'reset-mid-body', afterBytes: 40 } });
      assert.match(succeeded(await regx(['inspect', `${w.open.host}/${repo}:1.0`])), new RegExp(image.digest));
      assert.equal(w.open.count('GET', MANIFEST), 2);
    });

    it('digest: a reset of the HEAD is retried', async () => {
      const repo = uniqueRepo('resethead');
      const image = await seedOpen(w, repo);
      w.open.rule({ method: 'HEAD', path: MANIFEST, nth: 1, behaviour: { kind: 'reset-before-headers' } });
      assert.equal(succeeded(await regx(['digest', `${w.open.host}/${repo}:1.0`])), `${image.digest}\n`);
      assert.equal(w.open.count('HEAD', MANIFEST), 2);
    });

    it('tags: resets every time: one line naming the retries', async () => {
      const repo = uniqueRepo('resetall');
      w.open.rule({ method: 'GET', path: TAGS, behaviour: { kind: 'reset-before-headers' } });
      const line = failedWith(await regx(['tags', `${w.open.host}/${repo}`]), /closed the connection unexpectedly/);
      claimsRetriesHonestly(line, w.open.count('GET', TAGS));
      // One on first contact (a hang-up there may mean a TLS port, so the scheme is learnt before
      // asking again), then the request and its two retries.
      assert.equal(w.open.count('GET', TAGS), 4);
    });

    it('inspect: a body cut short (clean close before Content-Length) is retried', async () => {
      const repo = uniqueRepo('trunc1');
      const image = await seedOpen(w, repo);
      w.open.rule({ method: 'GET', path: MANIFEST, nth: 1, behaviour: { kind: 'truncate' } });
      assert.match(succeeded(await regx(['inspect', `${w.open.host}/${repo}:1.0`])), new RegExp(image.digest));
      assert.equal(w.open.count('GET', MANIFEST), 2);
    });

    it('inspect: a body cut short every time is reported, never shown half', async () => {
      const repo = uniqueRepo('truncall');
      await seedOpen(w, repo);
      w.open.rule({ method: 'GET', path: MANIFEST, behaviour: { kind: 'truncate' } });
      const line = failedWith(await regx(['inspect', `${w.open.host}/${repo}:1.0`]), /closed the connection unexpectedly/);
      claimsRetriesHonestly(line, w.open.count('GET', MANIFEST));
    });

    it('a refused connection is retried, then reported', async () => {
      const gone = await startFaultProxy({ upstream: w.services.open.host });
      const host = gone.host;
      await gone.close();
      const line = failedWith(await regx(['tags', `${host}/x/y`]), /connection was refused/);
      assert.match(line, new RegExp(host.replace(/\./g, '\\.')));
    });
  });

  describe('silence: reported within the budget', () => {
    it('inspect: hangs before headers once, then answers: retried inside the budget', async () => {
      const repo = uniqueRepo('hang1');
      const image = await seedOpen(w, repo);
      w.open.rule({ method: 'GET', path: MANIFEST, nth: 1, behaviour: { kind: 'hang-before-headers' } });
      assert.match(succeeded(await regx(['inspect', `${w.open.host}/${repo}:1.0`])), new RegExp(image.digest));
      assert.equal(w.open.count('GET', MANIFEST), 2);
    });

    it('tags: never answers: reported within the budget, naming the wait', { timeout: 30_000 }, async () => {
      const repo = uniqueRepo('hangall');
      w.open.rule({ method: 'GET', path: TAGS, behaviour: { kind: 'hang-before-headers' } });
      const started = Date.now();
      const line = failedWith(await regx(['tags', `${w.open.host}/${repo}`]), /did not answer within 2 s/);
      // The budget is REGX_TIMEOUT=6 s; undici's timers tick up to a second late per attempt.
      assert.ok(Date.now() - started < 6_000 + 3_000, `reported after ${Date.now() - started} ms`);
      claimsRetriesHonestly(line, w.open.count('GET', TAGS));
    });

    it('inspect: the body stalls once: asked again from the start', async () => {
      const repo = uniqueRepo('stall1');
      const image = await seedOpen(w, repo);
      w.open.rule({ method: 'GET', path: MANIFEST, nth: 1, behaviour: { kind: 'hang-mid-body', afterBytes: 30 } });
      assert.match(succeeded(await regx(['inspect', `${w.open.host}/${repo}:1.0`])), new RegExp(image.digest));
      assert.equal(w.open.count('GET', MANIFEST), 2);
    });

    it('inspect: the body always stalls: reported within the budget as a stalled transfer', { timeout: 30_000 }, async () => {
      const repo = uniqueRepo('stallall');
      await seedOpen(w, repo);
      w.open.rule({ method: 'GET', path: MANIFEST, behaviour: { kind: 'hang-mid-body', afterBytes: 30 } });
      const started = Date.now();
      const line = failedWith(await regx(['inspect', `${w.open.host}/${repo}:1.0`]), /stopped sending data for 2 seconds/);
      assert.ok(Date.now() - started < 6_000 + 3_000, `reported after ${Date.now() - started} ms`);
      claimsRetriesHonestly(line, w.open.count('GET', MANIFEST));
    });

    it('a slow registry (1 s per answer) is waited for, not reported', async () => {
      const repo = uniqueRepo('slow');
      await seedOpen(w, repo);
      w.open.rule({ method: 'GET', path: TAGS, behaviour: { kind: 'delay', ms: 1_000 } });
      assert.equal(succeeded(await regx(['tags', `${w.open.host}/${repo}`])), '1.0\n');
      assert.equal(w.open.count('GET', TAGS), 1);
    });
  });

  describe('bodies that are wrong', () => {
    it('inspect: an oversized manifest (declared) is refused naming the limit', async () => {
      w.open.rule({ method: 'GET', path: MANIFEST, behaviour: { kind: 'oversize', bytes: 9 * 1024 * 1024, declare: true, contentType: 'application/vnd.oci.image.manifest.v1+json' } });
      failedWith(await regx(['inspect', `${w.open.host}/${uniqueRepo('big')}:1.0`]), /larger than 8 MiB/);
    });

    it('tags: an oversized tag list (streamed, no length) is refused naming the limit', async () => {
      w.open.rule({ method: 'GET', path: TAGS, behaviour: { kind: 'oversize', bytes: 5 * 1024 * 1024 } });
      failedWith(await regx(['tags', `${w.open.host}/${uniqueRepo('bigtags')}`]), /larger than 4 MiB/);
    });

    it('tags: a tag list that is not JSON is reported as such', async () => {
      const repo = uniqueRepo('nonjson');
      await seedOpen(w, repo);
      w.open.rule({ method: 'GET', path: TAGS, behaviour: { kind: 'replace-body', body: '<html>maintenance</html>', contentType: 'text/html' } });
      failedWith(await regx(['tags', `${w.open.host}/${repo}`]), /not valid JSON/);
    });

    it('inspect: a manifest that is not JSON is reported, not shown', async () => {
      const repo = uniqueRepo('nonjsonman');
      await seedOpen(w, repo);
      w.open.rule({ method: 'GET', path: MANIFEST, behaviour: { kind: 'replace-body', body: 'not a manifest' } });
      failedWith(await regx(['inspect', `${w.open.host}/${repo}:1.0`]), /JSON|manifest|digest/i);
    });

    it('inspect: a manifest served as text/plain is still read by its own mediaType', async () => {
      const repo = uniqueRepo('ctype');
      const image = await seedOpen(w, repo);
      w.open.rule({ method: 'GET', path: MANIFEST, behaviour: { kind: 'headers', set: { 'content-type': 'text/plain' } } });
      assert.match(succeeded(await regx(['inspect', `${w.open.host}/${repo}:1.0`])), new RegExp(image.digest));
    });

    it('inspect by digest: bytes that do not hash to the digest are refused', async () => {
      const repo = uniqueRepo('baddigest');
      const image = await seedOpen(w, repo);
      w.open.rule({ method: 'GET', path: MANIFEST, behaviour: { kind: 'corrupt' } });
      failedWith(await regx(['inspect', `${w.open.host}/${repo}@${image.digest}`]), /digest/i);
    });

    it('copy: a corrupted layer is refused and the target tag is never written', async () => {
      const repo = uniqueRepo('badlayer');
      const image = await seedOpen(w, repo);
      w.open.rule({ method: 'GET', path: new RegExp(`/blobs/${image.layers[0]!.digest}$`), behaviour: { kind: 'corrupt' } });
      const target = `${repo}-copy`;
      failedWith(await regx(['copy', `${w.open.host}/${repo}:1.0`, `${w.token.host}/${target}:1.0`]), /digest|does not match/i);
      assert.equal(w.token.count('PUT', MANIFEST), 0, 'no manifest was put');
      const tags = await runRegx(['tags', `${w.token.host}/${target}`], w.env);
      assert.equal(tags.code, 1, 'the target repository does not exist');
    });
  });

  describe('links and redirects', () => {
    it('catalog --all: a Link to another host is not followed', async () => {
      const elsewhere = await startFaultProxy({ upstream: w.services.open.host });
      w.open.rule({ method: 'GET', path: '/v2/_catalog', behaviour: { kind: 'headers', set: { link: `<${elsewhere.url}/v2/_catalog?last=a&n=1>; rel="next"` } } });
      failedWith(await regx(['catalog', w.open.host, '--all']), /paging link to another host/);
      assert.equal(elsewhere.requests.length, 0);
      await elsewhere.close();
    });

    it('catalog --all: a Link back to the first page is a loop, stopped', async () => {
      w.open.rule({ method: 'GET', path: '/v2/_catalog', behaviour: { kind: 'headers', set: { link: '</v2/_catalog?n=100>; rel="next"' } } });
      failedWith(await regx(['catalog', w.open.host, '--all', '--page-size', '100']), /paging links went in a circle/);
      assert.ok(w.open.count('GET', '/v2/_catalog') <= 3);
    });

    it('copy: a blob redirected to another host is fetched there without our Authorization', async () => {
      const repo = uniqueRepo('cdn');
      const image = await seedToken(w, repo);
      // The "CDN" is the open registry holding the same bytes (same seed, same digests).
      await seedOpen(w, repo);
      w.token.rule({ method: 'GET', path: BLOB, behaviour: { kind: 'redirect', location: (p) => `${w.open.url}${p.split('?')[0]}?X-Amz-Signature=abc` } });
      // Into another registry, so the blobs are read (within one registry they would be mounted).
      const out = succeeded(await regx(['copy', `${w.token.host}/${repo}:1.0`, `${w.open.host}/${repo}-copy:1.0`]));
      assert.match(out, new RegExp(image.digest));
      assert.ok(w.open.count('GET', BLOB) >= 1, 'the blobs came from the other host');
      assert.ok(w.open.requests.every((r) => r.authorization === undefined), 'no Authorization reached the other host');
      assert.ok(w.token.requests.some((r) => r.authorization?.startsWith('Bearer ')), 'the registry itself got the token');
    });

    it('inspect: a redirect loop is stopped', async () => {
      w.open.rule({ method: 'GET', path: MANIFEST, behaviour: { kind: 'redirect', location: (p) => p } });
      failedWith(await regx(['inspect', `${w.open.host}/${uniqueRepo('loop')}:1.0`]), /too many redirects/);
    });

    it('inspect over https: a redirect to plain http is refused and never followed', async () => {
      const cert = selfSignedCert('/tmp/regx-faults-tls');
      const tls = await startFaultProxy({ upstream: w.services.open.host, tls: { key: cert.key, cert: cert.cert } });
      const repo = uniqueRepo('downgrade');
      await seedOpen(w, repo);
      tls.rule({ method: 'GET', path: MANIFEST, behaviour: { kind: 'redirect', location: (p) => `${w.open.url}${p}` } });
      failedWith(await regx(['inspect', `${tls.host}/${repo}:1.0`, '--insecure']), /HTTPS to plain HTTP/);
      assert.equal(w.open.count('GET', MANIFEST), 0);
      await tls.close();
    });
  });

  describe('the token service', () => {
    it('slow (1.5 s): waited for', async () => {
      const repo = uniqueRepo('tokslow');
      await seedToken(w, repo);
      w.issuer.rule({ path: '/token', behaviour: { kind: 'delay', ms: 1_500 } });
      assert.equal(succeeded(await regx(['tags', `${w.token.host}/${repo}`])), '1.0\n');
    });

    it('503 once: the token request is asked again', async () => {
      const repo = uniqueRepo('tok503');
      await seedToken(w, repo);
      w.issuer.rule({ path: '/token', nth: 1, behaviour: { kind: 'status', status: 503 } });
      assert.equal(succeeded(await regx(['tags', `${w.token.host}/${repo}`])), '1.0\n');
      assert.equal(w.issuer.count(undefined, '/token'), 2);
    });

    it('reset once: the token request is asked again', async () => {
      const repo = uniqueRepo('tokreset');
      await seedToken(w, repo);
      w.issuer.rule({ path: '/token', nth: 1, behaviour: { kind: 'reset-before-headers' } });
      assert.equal(succeeded(await regx(['tags', `${w.token.host}/${repo}`])), '1.0\n');
    });

    it('500 every time: reported as the token service failing, once', async () => {
      w.issuer.rule({ path: '/token', behaviour: { kind: 'status', status: 500, body: 'boom' } });
      const line = failedWith(await regx(['tags', `${w.token.host}/${uniqueRepo('tok500')}`]), /token/i);
      claimsRetriesHonestly(line, w.issuer.count(undefined, '/token'));
    });

    it('an answer that is not JSON: reported, no crash', async () => {
      w.issuer.rule({ path: '/token', behaviour: { kind: 'replace-body', body: '<html>login</html>', contentType: 'text/html' } });
      failedWith(await regx(['tags', `${w.token.host}/${uniqueRepo('toknonjson')}`]), /token/i);
    });

    it('a token without a token field: reported, no crash', async () => {
      w.issuer.rule({ path: '/token', behaviour: { kind: 'replace-body', body: '{"expires_in":300}', contentType: 'application/json' } });
      failedWith(await regx(['tags', `${w.token.host}/${uniqueRepo('toknotoken')}`]), /token/i);
    });

    it('an already-expired token: asked for once more, then reported as the token service\'s fault', async () => {
      const repo = uniqueRepo('tokexpired');
      await seedToken(w, repo);
      const issuer = w.services.token.issuer!;
      await fetch(`${issuer}/_control/lifetime?seconds=300&expSkew=-600`);
      try {
        const line = failedWith(await regx(['tags', `${w.token.host}/${repo}`]), /token/i);
        assert.ok(w.issuer.count(undefined, '/token') <= 2, 'no loop of token requests');
        assert.doesNotMatch(line, /not found/);
      } finally {
        await fetch(`${issuer}/_control/lifetime?seconds=300&expSkew=0`);
      }
    });

    for (const [label, rewrite] of [
      ['upper-case scheme and spaces around =', (v: string) => v.replace(/^Bearer /, 'BEARER ').replace(/,/g, ' , ').replace(/=/g, ' = ')],
      ['unquoted values', (v: string) => v.replace(/="([^",]*)"/g, '=$1').replace(/realm=([^,]*)/, 'realm="$1"')],
      ['an escaped quote in another parameter', (v: string) => `${v},extra="a \\"quoted\\" value"`],
    ] as const) {
      it(`a challenge with odd quoting (${label}) still signs in`, async () => {
        const repo = uniqueRepo('quote');
        await seedToken(w, repo);
        w.token.rule({ path: /^\/v2\//, behaviour: { kind: 'headers', rewrite: (name, value) => (name === 'www-authenticate' ? rewrite(value) : value) } });
        assert.equal(succeeded(await regx(['tags', `${w.token.host}/${repo}`])), '1.0\n');
      });
    }
  });

  describe('writes: never repeated blindly', () => {
    it('tag: the manifest PUT answered 503: looked at, then put once more', async () => {
      const repo = uniqueRepo('put503');
      const image = await seedOpen(w, repo);
      w.open.rule({ method: 'PUT', path: MANIFEST, nth: 1, behaviour: { kind: 'status', status: 503 } });
      assert.match(succeeded(await regx(['tag', `${w.open.host}/${repo}:1.0`, '2.0'])), new RegExp(`:2\\.0 ${image.digest}`));
      assert.equal(w.open.count('PUT', MANIFEST), 2);
      assert.equal(((await getManifest(w.services.open.host, repo, '2.0')) as { digest?: string }).digest, image.digest);
    });

    it('tag: the registry did the PUT but the answer was lost: not put again', async () => {
      const repo = uniqueRepo('putlost');
      const image = await seedOpen(w, repo);
      w.open.rule({ method: 'PUT', path: MANIFEST, nth: 1, behaviour: { kind: 'lose-answer' } });
      assert.match(succeeded(await regx(['tag', `${w.open.host}/${repo}:1.0`, '2.0'])), new RegExp(image.digest));
      assert.equal(w.open.count('PUT', MANIFEST), 1, 'one PUT: the HEAD showed it had landed');
      assert.equal(((await getManifest(w.services.open.host, repo, '2.0')) as { digest?: string }).digest, image.digest);
    });

    it('tag: a manifest PUT refused for good (400) is sent once and reported', async () => {
      const repo = uniqueRepo('put400');
      await seedOpen(w, repo);
      w.open.rule({ method: 'PUT', path: MANIFEST, behaviour: { kind: 'status', status: 400, headers: { 'content-type': 'application/json' }, body: '{"errors":[{"code":"MANIFEST_INVALID","message":"nope"}]}' } });
      failedWith(await regx(['tag', `${w.open.host}/${repo}:1.0`, '2.0']), /400|MANIFEST_INVALID|nope/);
      assert.equal(w.open.count('PUT', MANIFEST), 1);
    });

    it('delete: the registry deleted but the answer was lost: reported done, not deleted twice', async () => {
      const repo = uniqueRepo('dellost');
      const image = await seedOpen(w, repo);
      w.open.rule({ method: 'DELETE', path: MANIFEST, nth: 1, behaviour: { kind: 'lose-answer' } });
      assert.match(succeeded(await regx(['delete', `${w.open.host}/${repo}:1.0`, '--yes'])), new RegExp(`Deleted .*${image.digest}`));
      assert.equal(w.open.count('DELETE', MANIFEST), 1);
    });

    it('delete: 503 before the registry saw it: looked at, then deleted once more', async () => {
      const repo = uniqueRepo('del503');
      const image = await seedOpen(w, repo);
      w.open.rule({ method: 'DELETE', path: MANIFEST, nth: 1, behaviour: { kind: 'status', status: 503 } });
      assert.match(succeeded(await regx(['delete', `${w.open.host}/${repo}:1.0`, '--yes'])), new RegExp(image.digest));
      assert.equal(w.open.count('DELETE', MANIFEST), 2);
      const gone = await runRegx(['digest', `${w.open.host}/${repo}:1.0`], w.env);
      assert.equal(gone.code, 1);
    });

    it('copy: a layer PUT whose answer was lost is not uploaded again', async () => {
      const repo = uniqueRepo('bloblost');
      const image = await seedOpen(w, repo);
      w.token.rule({ method: 'PUT', path: UPLOAD, nth: 1, behaviour: { kind: 'lose-answer' } });
      assert.match(succeeded(await regx(['copy', `${w.open.host}/${repo}:1.0`, `${w.token.host}/${repo}:1.0`])), new RegExp(image.digest));
      // Config + 2 layers: three uploads, one of which had its answer lost and was found by a HEAD.
      assert.equal(w.token.count('PUT', UPLOAD), 3);
      assert.equal(((await getManifest(w.services.token.host, repo, '1.0', { auth: w.services.token.user! })) as { digest?: string }).digest, image.digest);
    });

    it('copy: a layer PUT answered 503 starts that blob over on a new upload session', async () => {
      const repo = uniqueRepo('blob503');
      const image = await seedOpen(w, repo);
      w.token.rule({ method: 'PUT', path: UPLOAD, nth: 1, behaviour: { kind: 'status', status: 503 } });
      assert.match(succeeded(await regx(['copy', `${w.open.host}/${repo}:1.0`, `${w.token.host}/${repo}:1.0`])), new RegExp(image.digest));
      assert.equal(w.token.count('PUT', UPLOAD), 4);
    });

    it('copy: the upload POST answered 503 once: asked again (a second session costs nothing)', async () => {
      const repo = uniqueRepo('post503');
      const image = await seedOpen(w, repo);
      w.token.rule({ method: 'POST', path: UPLOAD, nth: 1, behaviour: { kind: 'status', status: 503 } });
      assert.match(succeeded(await regx(['copy', `${w.open.host}/${repo}:1.0`, `${w.token.host}/${repo}:1.0`])), new RegExp(image.digest));
      assert.equal(w.token.count('POST', UPLOAD), 4, 'three blobs, one of them asked twice');
    });

    it('copy: a source layer reset mid-body is read again from the start', async () => {
      const repo = uniqueRepo('srcreset');
      const image = await seedOpen(w, repo, '1.0', [64 * 1024]);
      w.open.rule({ method: 'GET', path: BLOB, nth: 1, behaviour: { kind: 'reset-mid-body', afterBytes: 1000 } });
      assert.match(succeeded(await regx(['copy', `${w.open.host}/${repo}:1.0`, `${w.token.host}/${repo}:1.0`])), new RegExp(image.digest));
      const copied = (await getManifest(w.services.token.host, repo, '1.0', { auth: w.services.token.user! })) as { digest?: string };
      // The registry checked each blob's digest on its PUT: a complete manifest means complete layers.
      assert.equal(copied.digest, image.digest);
    });
  });

  describe('Ctrl-C stops everything at once (the real binary)', () => {
    it('during a request that never answers: exit 130, no stack, the connection closed', { timeout: 20_000 }, async () => {
      const repo = uniqueRepo('sigint');
      w.open.rule({ method: 'GET', path: TAGS, behaviour: { kind: 'hang-before-headers' } });
      const run = spawnCli(['tags', `${w.open.host}/${repo}`], w.env);
      await until(() => w.open.count('GET', TAGS) === 1, 10_000, 'the request to arrive');
      run.child.kill('SIGINT');
      const { code } = await run.exited;
      assert.equal(code, 130);
      assert.equal(run.stdout(), '');
      assert.doesNotMatch(run.stderr(), /\n\s+at |Error:/);
      assert.equal(w.open.count('GET', TAGS), 1, 'nothing was sent after the interrupt');
    });

    it('during a copy whose layer stalls: exit 130, the target tag never written', { timeout: 20_000 }, async () => {
      const repo = uniqueRepo('sigintcopy');
      await seedOpen(w, repo);
      w.open.rule({ method: 'GET', path: BLOB, behaviour: { kind: 'hang-mid-body', afterBytes: 100 } });
      const run = spawnCli(['copy', `${w.open.host}/${repo}:1.0`, `${w.token.host}/${repo}:1.0`], w.env);
      await until(() => w.open.count('GET', BLOB) >= 1, 10_000, 'a layer download to start');
      run.child.kill('SIGINT');
      assert.equal((await run.exited).code, 130);
      assert.equal(w.token.count('PUT', MANIFEST), 0);
      const tags = await runRegx(['tags', `${w.token.host}/${repo}`], w.env);
      assert.equal(tags.code, 1, 'no target repository');
    });
  });
});
