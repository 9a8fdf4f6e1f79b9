// VerifiedBlobStream: what a consumer of a blob (a PUT body, a for-await loop) gets for good bytes,
// wrong bytes, too many or too few, and when it stops early.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { VerifiedBlobStream, prefetchBlob, releaseBlob } from '../../../src/distribution/blobStream';
import { DigestMismatchError, ProtocolError, TransportError } from '../../../src/errors/errors';

const sha = (bytes: Uint8Array) => 'sha256:' + createHash('sha256').update(bytes).digest('hex');
const BLOB = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');
const GOOD = { mediaType: 'x', digest: sha(BLOB), size: BLOB.byteLength };

/** A Node stream source (what the transport hands over) giving `bytes` in pieces of `piece`. */
function nodeSource(bytes: Uint8Array, piece = 5): PassThrough {
  const source = new PassThrough();
  let offset = 0;
  const next = () => {
    if (source.destroyed) return;
    if (offset >= bytes.byteLength) {
      source.end();
      return;
    }
    source.write(bytes.subarray(offset, offset + piece));
    offset += piece;
    setImmediate(next);
  };
  setImmediate(next);
  return source;
}

async function* iterableSource(bytes: Uint8Array, piece = 7): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += piece) yield bytes.subarray(i, i + piece);
}

/** Read the way undici sends a stream body: 'data' events, until 'end' or 'error'. */
function readByEvents(stream: Readable): Promise<{ bytes: Buffer; error?: Error }> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    stream.on('data', (c: Buffer) => parts.push(c));
    stream.on('end', () => resolve({ bytes: Buffer.concat(parts) }));
    stream.on('error', (error) => resolve({ bytes: Buffer.concat(parts), error }));
  });
}

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of stream) parts.push(c);
  return Buffer.concat(parts);
}

test('good bytes come through whole, from a Node stream and from an async iterable', async () => {
  for (const open of [() => nodeSource(BLOB), () => iterableSource(BLOB)]) {
    assert.deepEqual(await readAll(new VerifiedBlobStream(() => ({ stream: open(), what: 'src' }), GOOD)), BLOB);
    const events = await readByEvents(new VerifiedBlobStream(() => ({ stream: open(), what: 'src' }), GOOD));
    assert.equal(events.error, undefined);
    assert.deepEqual(events.bytes, BLOB);
  }
});

test('wrong bytes fail with DigestMismatchError, and the last chunk is never handed on', async () => {
  const bad = Buffer.from(BLOB.toString().replace('x', 'X'));
  for (const open of [() => nodeSource(bad), () => iterableSource(bad)]) {
    const { bytes, error } = await readByEvents(new VerifiedBlobStream(async () => ({ stream: open(), what: 'reg/src@digest' }), GOOD));
    assert.ok(error instanceof DigestMismatchError, String(error));
    assert.match(error.message, /reg\/src@digest/);
    assert.ok(bytes.byteLength < BLOB.byteLength, `${bytes.byteLength} of ${BLOB.byteLength} bytes went on`);
  }
});

test('more or fewer bytes than the descriptor declares fail with ProtocolError', async () => {
  const longer = new VerifiedBlobStream(() => ({ stream: nodeSource(Buffer.concat([BLOB, Buffer.from('extra')])), what: 'src' }), GOOD);
  await assert.rejects(readAll(longer), (e: unknown) => e instanceof ProtocolError && /more than the 36 bytes/.test(e.message));
  const shorter = new VerifiedBlobStream(() => ({ stream: iterableSource(BLOB.subarray(0, 30)), what: 'src' }), GOOD);
  await assert.rejects(readAll(shorter), (e: unknown) => e instanceof ProtocolError && /30 bytes where its descriptor declares 36/.test(e.message));
});

test('a failing source fails the stream with its error', async () => {
  const source = new PassThrough();
  setImmediate(() => {
    source.write(BLOB.subarray(0, 5));
    source.destroy(new TransportError('reset', 'GET', 'http://reg/v2/x/blobs/y', 'ECONNRESET'));
  });
  await assert.rejects(readAll(new VerifiedBlobStream(() => ({ stream: source, what: 'src' }), GOOD)), TransportError);
  const failingOpen = new VerifiedBlobStream(async () => { throw new TransportError('refused', 'GET', 'http://reg/v2/x/blobs/y', 'ECONNREFUSED'); }, GOOD);
  await assert.rejects(readAll(failingOpen), TransportError);
});

test('the source is opened only when reading starts (or on prefetch), once', async () => {
  let opened = 0;
  const stream = new VerifiedBlobStream(() => { opened++; return { stream: nodeSource(BLOB), what: 'src' }; }, GOOD);
  await new Promise((r) => setImmediate(r));
  assert.equal(opened, 0);
  prefetchBlob(stream);
  prefetchBlob(stream);
  assert.equal(opened, 1);
  assert.deepEqual(await readAll(stream), BLOB);
  assert.equal(opened, 1);
});

test('a prefetched stream that fails before anyone reads it does not crash, and its reader gets the error', async () => {
  const source = new PassThrough();
  const stream = new VerifiedBlobStream(() => ({ stream: source, what: 'src' }), GOOD);
  prefetchBlob(stream);
  await new Promise((r) => setImmediate(r));
  source.destroy(new TransportError('reset', 'GET', 'http://reg/v2/x/blobs/y', 'ECONNRESET'));
  await new Promise((r) => setTimeout(r, 10));
  await assert.rejects(readAll(stream), TransportError);
});

test('stopping early, or releasing an unread stream, lets go of the source', async () => {
  const source = nodeSource(Buffer.concat(Array.from({ length: 50 }, () => BLOB)));
  const big = { mediaType: 'x', digest: sha(Buffer.concat(Array.from({ length: 50 }, () => BLOB))), size: BLOB.byteLength * 50 };
  for await (const _ of new VerifiedBlobStream(() => ({ stream: source, what: 'src' }), big)) break;
  assert.ok(source.destroyed, 'the source (a connection, in a copy) is closed');

  const unread = nodeSource(BLOB);
  const stream = new VerifiedBlobStream(() => ({ stream: unread, what: 'src' }), GOOD);
  prefetchBlob(stream);
  await new Promise((r) => setTimeout(r, 5));
  releaseBlob(stream);
  await new Promise((r) => setImmediate(r));
  assert.ok(unread.destroyed);
});

test('a consumer that stops taking bytes pauses the source', async () => {
  const total = 4 * 1024 * 1024;
  const bytes = Buffer.alloc(total, 7);
  const source = new Readable({ read() {} });
  let pushed = 0;
  const pump = () => {
    while (pushed < total) {
      const piece = bytes.subarray(pushed, pushed + 64 * 1024);
      pushed += piece.byteLength;
      if (!source.push(piece)) return;
    }
    source.push(null);
  };
  source._read = pump;
  const stream = new VerifiedBlobStream(() => ({ stream: source, what: 'src' }), { mediaType: 'x', digest: sha(bytes), size: total });
  stream.on('data', () => stream.pause());
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(pushed < total, `the source was asked for ${pushed} of ${total} bytes while nobody read`);
  stream.removeAllListeners('data');
  assert.equal((await readAll(stream)).byteLength + 64 * 1024, total, 'the rest arrives once reading resumes');
});
