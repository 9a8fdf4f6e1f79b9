// Progress parsing and aggregation, fed with response bodies recorded from a real dockerd 20.10
// (test/unit/fixtures/docker-streams/README.md), split into chunks at awkward places.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  classifyEngineMessage,
  formatProgressLine,
  JsonLinesParser,
  ProgressAggregator,
  streamEventError,
} from '../../src/docker/progress';
import type { EngineProgressEvent, ProgressSnapshot } from '../../src/docker/progress';
import { EngineError } from '../../src/errors/errors';

// out/test/unit/ → repository root → the fixtures in the source tree.
const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'unit', 'fixtures', 'docker-streams');

function fixture(name: string): Buffer {
  return fs.readFileSync(path.join(FIXTURES, name));
}

/** Feed bytes in chunks of `size` and run every event through an aggregator, like DockerEngine does. */
function replay(bytes: Buffer, size: number): { events: EngineProgressEvent[]; snapshots: ProgressSnapshot[]; agg: ProgressAggregator; error?: EngineError } {
  const parser = new JsonLinesParser();
  const agg = new ProgressAggregator();
  const events: EngineProgressEvent[] = [];
  const snapshots: ProgressSnapshot[] = [];
  const take = (evs: EngineProgressEvent[]): EngineError | undefined => {
    for (const ev of evs) {
      const err = streamEventError(ev, '/tmp/docker.sock');
      if (err) return err;
      events.push(ev);
      agg.add(ev);
      snapshots.push(agg.snapshot());
    }
    return undefined;
  };
  for (let i = 0; i < bytes.length; i += size) {
    const error = take(parser.feed(bytes.subarray(i, i + size)));
    if (error) return { events, snapshots, agg, error };
  }
  const error = take(parser.end());
  if (!error) agg.markFinished();
  return { events, snapshots, agg, error };
}

test('chunking does not change what is parsed (1-byte, 7-byte and whole chunks, CRLF line ends)', () => {
  const bytes = fixture('pull-fresh.jsonl');
  const whole = replay(bytes, bytes.length).events;
  assert.equal(whole.length, 25);
  assert.deepEqual(replay(bytes, 1).events, whole);
  assert.deepEqual(replay(bytes, 7).events, whole);
});

test('multi-byte characters split across chunks survive', () => {
  const line = Buffer.from('{"status":"Zustand: fertig ✓ äöü"}\n');
  const parser = new JsonLinesParser();
  const out: EngineProgressEvent[] = [];
  for (let i = 0; i < line.length; i++) out.push(...parser.feed(line.subarray(i, i + 1)));
  assert.deepEqual(out, [{ status: 'Zustand: fertig ✓ äöü' }]);
});

test('a last object without a newline is still read at end of stream; blank lines skipped', () => {
  const parser = new JsonLinesParser();
  assert.deepEqual(parser.feed('\r\n{"status":"a"}\r\n\n{"status":"b"}'), [{ status: 'a' }]);
  assert.deepEqual(parser.end(), [{ status: 'b' }]);
  // A stream cut in the middle of an object is an error, not silently dropped.
  parser.feed('{"status":"Downl');
  assert.equal(streamEventError(parser.end()[0], '/s')?.reason, 'stream');
});

test('fresh pull of 3 layers: bytes add up to the layer sizes, percent rises to 100, digest read', () => {
  const { snapshots, agg, error } = replay(fixture('pull-fresh.jsonl'), 64);
  assert.equal(error, undefined);
  const last = agg.snapshot();
  assert.equal(last.layersTotal, 3);
  assert.equal(last.layersDone, 3);
  // 3001237 + 2000815 + 4001422: the compressed sizes the engine reported while downloading.
  assert.equal(last.bytesTotal, 9003474);
  assert.equal(last.bytesDone, 9003474);
  assert.equal(last.percent, 100);
  assert.equal(agg.digest, 'sha256:e6b767cf9a332f38993e117da003a2870eccf82eee456c97e0ff828de63b6b1a');
  assert.equal(agg.finalStatus, 'Downloaded newer image for 127.0.0.1:15401/demo/multi:1');
  for (let i = 1; i < snapshots.length; i++) {
    assert.ok(snapshots[i].percent >= snapshots[i - 1].percent, `percent never goes back (${i})`);
    assert.ok(snapshots[i].bytesDone <= snapshots[i].bytesTotal);
  }
  // Only the final status makes it 100.
  assert.ok(snapshots.slice(0, -1).every((s) => s.percent < 100));
  assert.match(formatProgressLine(last), /^3\/3 layers {2}9\.0 MB \/ 9\.0 MB {2}100%$/);
});

test('pull where one layer already exists counts it done without bytes', () => {
  const { agg } = replay(fixture('pull-already-exists.jsonl'), 100);
  const s = agg.snapshot();
  assert.deepEqual([s.layersDone, s.layersTotal, s.bytesTotal, s.percent], [3, 3, 2000815 + 4001422, 100]);
  assert.equal(agg.digest, 'sha256:ff441ffb8d2588261d4a3eea882e052612e5beaedc5f092b067cb85b048d9a60');
});

test('up-to-date pull: no layers, finished', () => {
  const { agg } = replay(fixture('pull-up-to-date.jsonl'), 100);
  assert.deepEqual(agg.snapshot().layersTotal, 0);
  assert.match(agg.finalStatus ?? '', /^Image is up to date/);
});

test('push: uploaded bytes capped at each layer total; digest and manifest size from aux', () => {
  const { agg, snapshots } = replay(fixture('push-open.jsonl'), 50);
  const s = agg.snapshot();
  assert.deepEqual([s.layersDone, s.layersTotal], [3, 3]);
  // The engine reports compressed bytes against the uncompressed size; never more than the total.
  assert.equal(s.bytesTotal, 2000000 + 4000000);
  assert.equal(s.bytesDone, s.bytesTotal);
  assert.ok(snapshots.every((x) => x.bytesDone <= x.bytesTotal));
  assert.equal(agg.digest, 'sha256:ff441ffb8d2588261d4a3eea882e052612e5beaedc5f092b067cb85b048d9a60');
  assert.equal(agg.manifestSize, 950);
  const mounted = replay(fixture('push-mounted.jsonl'), 33).agg.snapshot();
  assert.deepEqual([mounted.layersDone, mounted.layersTotal, mounted.percent], [3, 3, 100]);
  const token = replay(fixture('push-token.jsonl'), 1000).agg;
  assert.equal(token.snapshot().bytesTotal, 2000000 + 3000006 + 4000000);
});

test('errorDetail inside a 200 stream is a failure: wrong or missing credentials → auth', () => {
  for (const name of ['push-basic-bad-credentials.jsonl', 'push-basic-no-credentials.jsonl', 'push-token-reader-denied.jsonl']) {
    const { error, events } = replay(fixture(name), 10);
    assert.ok(error instanceof EngineError, name);
    assert.equal(error.reason, 'auth', name);
    assert.equal(error.endpoint, '/tmp/docker.sock');
    assert.ok(events.length >= 4, 'progress before the error was still seen');
  }
});

test('message classification: auth, not-found, otherwise a plain stream error', () => {
  assert.equal(classifyEngineMessage('unauthorized: authentication required'), 'auth');
  assert.equal(classifyEngineMessage('Head "http://x/v2/a/manifests/1": no basic auth credentials'), 'auth');
  assert.equal(classifyEngineMessage('denied: requested access to the resource is denied'), 'auth');
  assert.equal(classifyEngineMessage('manifest for x:1 not found: manifest unknown: manifest unknown'), 'not-found');
  assert.equal(classifyEngineMessage('An image does not exist locally with the tag: x/y'), 'not-found');
  assert.equal(classifyEngineMessage('unexpected EOF'), undefined);
  const e = streamEventError({ errorDetail: { message: 'unexpected EOF' }, error: 'unexpected EOF' }, '/s');
  assert.equal(e?.reason, 'stream');
  assert.equal(e?.detailText, 'unexpected EOF');
  assert.equal(streamEventError({ status: 'Downloading' }, '/s'), undefined);
});

test('a line that is not JSON (a proxy page) becomes a stream error, not a crash', () => {
  const parser = new JsonLinesParser();
  const [ev] = parser.feed('<html>502 Bad Gateway</html>\n');
  assert.equal(streamEventError(ev, '/s')?.reason, 'stream');
});
