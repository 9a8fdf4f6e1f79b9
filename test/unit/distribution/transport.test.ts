import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HostLimiter } from '../../../src/distribution/concurrency';
import { backoffDelay, isRetryable, mapError, parseRetryAfter } from '../../../src/distribution/transport';
import { parseErrorBody } from '../../../src/distribution/errorBody';
import { mergeScopes } from '../../../src/distribution/session';
import { CancelledError, TransportError } from '../../../src/errors/errors';

const timeouts = { connectTimeoutMs: 10_000, headersTimeoutMs: 30_000, bodyTimeoutMs: 60_000 };

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads delta-seconds', () => {
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter(['7', '9'], now), 7000);
  });
  it('reads an HTTP-date', () => {
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now), 5000);
  });
  it('gives 0 for a date in the past', () => {
    assert.equal(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now), 0);
  });
  it('gives undefined for absent or unreadable values', () => {
    assert.equal(parseRetryAfter(undefined, now), undefined);
    assert.equal(parseRetryAfter('', now), undefined);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter('-3', now), undefined);
    assert.equal(parseRetryAfter('1.5', now), undefined);
  });
});

describe('backoffDelay', () => {
  it('doubles per attempt and stays in the upper half of the nominal delay', () => {
    for (let attempt = 1; attempt <= 4; attempt++) {
      const nominal = 500 * 2 ** (attempt - 1);
      assert.equal(backoffDelay(attempt, 500, 100_000, () => 0), nominal / 2);
      assert.equal(backoffDelay(attempt, 500, 100_000, () => 1), nominal);
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(attempt, 500, 100_000);
        assert.ok(d >= nominal / 2 && d <= nominal, `attempt ${attempt}: ${d}`);
      }
    }
  });
  it('is capped', () => {
    assert.equal(backoffDelay(30, 500, 5_000, () => 1), 5_000);
    assert.ok(backoffDelay(30, 500, 5_000) <= 5_000);
  });
});

describe('isRetryable', () => {
  it('retries reads, and writes only when the caller asks, with a replayable body', () => {
    assert.equal(isRetryable({ method: 'GET' }), true);
    assert.equal(isRetryable({ method: 'head' }), true);
    // A write whose answer was lost may have happened: never repeated blindly.
    assert.equal(isRetryable({ method: 'PUT', body: new Uint8Array([1]) }), false);
    assert.equal(isRetryable({ method: 'DELETE' }), false);
    assert.equal(isRetryable({ method: 'PUT', body: new Uint8Array([1]), retry: true }), true);
    assert.equal(isRetryable({ method: 'POST', body: 'x' }), false);
    assert.equal(isRetryable({ method: 'PATCH', body: new Uint8Array([1]) }), false);
    assert.equal(isRetryable({ method: 'POST', retry: true }), true);
    assert.equal(isRetryable({ method: 'GET', retry: false }), false);
  });
});

describe('mapError', () => {
  const map = (e: unknown, signal?: AbortSignal) => mapError(e, 'GET', 'http://u:p@h:1/v2/?token=abc', signal, timeouts);
  it('maps network codes to reasons and redacts the URL', () => {
    const refused = map(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    assert.ok(refused instanceof TransportError);
    assert.equal(refused.reason, 'refused');
    assert.ok(!refused.url.includes('u:p') && !refused.url.includes('abc'));
    assert.equal((map({ code: 'ECONNRESET' }) as TransportError).reason, 'reset');
    assert.equal((map({ code: 'ENOTFOUND' }) as TransportError).reason, 'dns');
    assert.equal((map({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }) as TransportError).reason, 'tls');
    assert.equal((map({ code: 'ERR_SSL_WRONG_VERSION_NUMBER' }) as TransportError).reason, 'tls');
    assert.equal((map({ code: 'UND_ERR_SOCKET', cause: { code: 'ECONNRESET' } }) as TransportError).reason, 'reset');
    assert.equal((map({ code: 'UND_ERR_SOCKET', message: 'other side closed' }) as TransportError).reason, 'closed');
  });
  it('says how long a timeout waited', () => {
    const t = map({ code: 'UND_ERR_HEADERS_TIMEOUT' }) as TransportError;
    assert.equal(t.reason, 'timeout');
    assert.match(t.causeMessage ?? '', /30 s/);
  });
  it('turns an abort into CancelledError', () => {
    const ac = new AbortController();
    ac.abort();
    assert.ok(map(new Error('whatever'), ac.signal) instanceof CancelledError);
    assert.ok(map({ name: 'AbortError' }) instanceof CancelledError);
  });
});

describe('HostLimiter', () => {
  it('admits at most the limit per host and hands slots over in order', async () => {
    const limiter = new HostLimiter(2);
    const r1 = await limiter.acquire('a');
    const r2 = await limiter.acquire('a');
    const other = await limiter.acquire('b'); // another host is not blocked
    const order: number[] = [];
    const p3 = limiter.acquire('a').then((r) => (order.push(3), r));
    const p4 = limiter.acquire('a').then((r) => (order.push(4), r));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, []);
    assert.equal(limiter.inFlight('a'), 2);
    r1();
    r1(); // releasing twice is harmless
    const r3 = await p3;
    assert.deepEqual(order, [3]);
    r2();
    const r4 = await p4;
    r3();
    r4();
    other();
    assert.equal(limiter.inFlight('a'), 0);
  });
  it('drops a waiter whose signal aborts', async () => {
    const limiter = new HostLimiter(1);
    const r1 = await limiter.acquire('a');
    const ac = new AbortController();
    const waiting = limiter.acquire('a', ac.signal);
    ac.abort();
    await assert.rejects(waiting, CancelledError);
    r1();
    const r2 = await limiter.acquire('a');
    r2();
    assert.equal(limiter.inFlight('a'), 0);
  });
});

describe('parseErrorBody', () => {
  it('reads the OCI error list', () => {
    const got = parseErrorBody('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]}');
    assert.deepEqual(got.codes, [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'x' } }]);
  });
  it('tolerates the legacy details shape, HTML and empty bodies', () => {
    assert.deepEqual(parseErrorBody('{"details":"repo gone"}'), { codes: [], snippet: 'repo gone' });
    assert.deepEqual(parseErrorBody('<html><body><h1>502 Bad Gateway</h1></body></html>'), { codes: [], snippet: '502 Bad Gateway' });
    assert.deepEqual(parseErrorBody('404 page not found\n'), { codes: [], snippet: '404 page not found' });
    assert.deepEqual(parseErrorBody(''), { codes: [] });
    assert.deepEqual(parseErrorBody('[1,2]'), { codes: [] });
  });
  it('reads the message of an error list without codes (Artifactory)', () => {
    assert.deepEqual(parseErrorBody('{"errors":[{"status":401,"message":"Bad credentials"}]}'), { codes: [], snippet: 'Bad credentials' });
    assert.deepEqual(parseErrorBody('{"errors":[{"status":403},{"status":403,"message":""}]}'), { codes: [] });
  });
});

describe('mergeScopes', () => {
  it('merges actions per resource and sorts', () => {
    assert.deepEqual(mergeScopes(['repository:a:push', 'repository:a:pull', 'repository:b:pull']), [
      'repository:a:pull,push',
      'repository:b:pull',
    ]);
    assert.deepEqual(mergeScopes(['repository:a:push,pull']), mergeScopes(['repository:a:pull,push']));
  });
  it('keeps host:port names whole', () => {
    assert.deepEqual(mergeScopes(['repository:localhost:5000/a:pull', 'repository:localhost:5000/a:push']), [
      'repository:localhost:5000/a:pull,push',
    ]);
  });
});
