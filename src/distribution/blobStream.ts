// A blob's bytes checked against its descriptor as they pass: hashed chunk by chunk, capped at the
// declared size, and the last chunk held back until the digest matched, so whoever forwards the bytes
// (a PUT with the blob's Content-Length) never sends a complete body of the wrong bytes.
//
// It is a Node Readable rather than an async generator because of what a copy costs: when the source
// is itself a Node stream (undici's response body), each chunk goes from the socket to the hash and on
// to the consumer (undici writing a PUT body listens for 'data') in the same tick, with no promise per
// chunk and no intermediate buffering. Backpressure is the usual pause/resume: a push the consumer
// cannot take pauses the source, a read resumes it. Any other async iterable is read with a pull loop.

import { Readable } from 'node:stream';
import { ProtocolError } from '../errors/errors';
import { DigestVerifier } from './digest';
import type { Descriptor } from './types';

export interface OpenedSource {
  stream: AsyncIterable<Uint8Array>;
  /** How the source is named in errors (a redacted URL, or host/repo@digest). */
  what: string;
}

/** What is buffered ahead of a paused consumer before the source is paused too. */
const HIGH_WATER_MARK = 256 * 1024;

type NodeSource = AsyncIterable<Uint8Array> & {
  on(event: string, listener: (...args: never[]) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  pause(): unknown;
  resume(): unknown;
  destroy(error?: Error): unknown;
};

function isNodeReadable(stream: AsyncIterable<Uint8Array>): stream is NodeSource {
  const s = stream as Partial<NodeSource>;
  return typeof s.on === 'function' && typeof s.pause === 'function' && typeof s.resume === 'function' && typeof s.destroy === 'function';
}

export class VerifiedBlobStream extends Readable {
  private readonly verifier: DigestVerifier;
  private readonly limit: number;
  private what = '';
  private state: 'idle' | 'opening' | 'open' | 'done' = 'idle';
  private held: Uint8Array | undefined;
  private node: NodeSource | undefined;
  /** The node source was paused for backpressure (so a read must resume it). */
  private sourcePaused = false;
  private sourceIterator: AsyncIterator<Uint8Array> | undefined;
  private pulling = false;

  /** `open` sends the request (or makes the stream); it is called when reading starts, once. */
  constructor(
    private readonly open: () => Promise<OpenedSource> | OpenedSource,
    readonly descriptor: Descriptor,
  ) {
    super({ highWaterMark: HIGH_WATER_MARK });
    // Before open() runs, so a bad descriptor fails at once (as DigestVerifier always has).
    this.verifier = new DigestVerifier(descriptor.digest);
    this.limit = descriptor.size;
  }

  /**
   * Send the request now, before anyone reads (a copy asks for the bytes while the upload session
   * is being opened). What arrives waits in the buffer, up to its high-water mark. A failure before
   * a consumer is attached stays on the stream (`errored`) for the consumer to find.
   */
  prefetch(): void {
    if (this.state !== 'idle') return;
    if (this.listenerCount('error') === 0) this.on('error', ignore);
    this.state = 'opening';
    void this.start();
  }

  override _read(): void {
    if (this.state === 'idle') {
      this.state = 'opening';
      void this.start();
    } else if (this.node) {
      if (this.sourcePaused) {
        this.sourcePaused = false;
        this.node.resume();
      }
    } else if (this.sourceIterator) {
      void this.pull();
    }
  }

  private async start(): Promise<void> {
    let opened: OpenedSource;
    try {
      opened = await this.open();
    } catch (error) {
      this.state = 'done';
      this.destroy(error as Error);
      return;
    }
    this.what = opened.what;
    if (this.destroyed) {
      // Cancelled while the request was on its way: let the connection go.
      discard(opened.stream);
      return;
    }
    this.state = 'open';
    if (isNodeReadable(opened.stream)) {
      const node = opened.stream;
      this.node = node;
      node.on('data', this.onData);
      node.on('end', this.onEnd);
      node.on('error', this.onError);
      node.resume();
    } else {
      this.sourceIterator = opened.stream[Symbol.asyncIterator]();
      void this.pull();
    }
  }

  private readonly onData = (chunk: Uint8Array): void => {
    if (!this.accept(chunk) && this.node) {
      this.sourcePaused = true;
      this.node.pause();
    }
  };

  private readonly onEnd = (): void => {
    this.finish();
  };

  private readonly onError = (error: Error): void => {
    this.fail(error);
  };

  /** Hash, count and pass on one chunk (its predecessor, really); false when the consumer is full. */
  private accept(chunk: Uint8Array): boolean {
    if (this.state !== 'open') return false;
    if (chunk.byteLength === 0) return true;
    this.verifier.update(chunk);
    if (this.limit >= 0 && this.verifier.bytesSeen > this.limit) {
      this.fail(new ProtocolError(this.what, `more than the ${this.limit} bytes its descriptor declares`));
      return false;
    }
    const previous = this.held;
    this.held = chunk;
    return previous ? this.push(previous) : true;
  }

  private finish(): void {
    if (this.state !== 'open') return;
    // The source is spent: nothing of it to cancel from here on.
    this.state = 'done';
    this.detach();
    this.node = undefined;
    const { verifier, limit, what } = this;
    if (limit >= 0 && verifier.bytesSeen !== limit) {
      this.destroy(new ProtocolError(what, `${verifier.bytesSeen} bytes where its descriptor declares ${limit}`));
      return;
    }
    try {
      verifier.verify(what);
    } catch (error) {
      this.destroy(error as Error);
      return;
    }
    const last = this.held;
    this.held = undefined;
    if (last) this.push(last);
    this.push(null);
  }

  private fail(error: Error): void {
    // _destroy lets go of the source (and drops its connection when it was not read to the end).
    if (!this.destroyed) this.destroy(error);
  }

  /** The async-iterable source: one chunk per read until the consumer is full. */
  private async pull(): Promise<void> {
    if (this.pulling || !this.sourceIterator) return;
    this.pulling = true;
    try {
      while (this.state === 'open') {
        const { value, done } = await this.sourceIterator.next();
        if (done) {
          this.sourceIterator = undefined;
          this.finish();
          return;
        }
        if (!this.accept(value)) return;
      }
    } catch (error) {
      this.sourceIterator = undefined;
      this.fail(error as Error);
    } finally {
      this.pulling = false;
    }
  }

  private detach(): void {
    const node = this.node;
    if (!node) return;
    node.removeListener('data', this.onData);
    node.removeListener('end', this.onEnd);
    // A late error from a source we are done with must not go unhandled.
    node.removeListener('error', this.onError);
    node.on('error', ignore);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const wasOpen = this.state === 'open';
    this.state = 'done';
    this.held = undefined;
    if (this.node) {
      this.detach();
      // Not read to its end: drop the connection rather than read what nobody wants.
      if (wasOpen) this.node.destroy();
      this.node = undefined;
    }
    const iterator = this.sourceIterator;
    this.sourceIterator = undefined;
    if (iterator?.return) void Promise.resolve(iterator.return()).catch(ignore);
    callback(error);
  }
}

/** Start a blob stream's request early when it is one of ours (see VerifiedBlobStream.prefetch). */
export function prefetchBlob(stream: AsyncIterable<Uint8Array>): void {
  if (stream instanceof VerifiedBlobStream) stream.prefetch();
}

/** Let go of a stream nobody is going to read (its connection, if it opened one). */
export function releaseBlob(stream: AsyncIterable<Uint8Array>): void {
  if (stream instanceof Readable) {
    stream.on('error', ignore);
    stream.destroy();
  } else {
    discard(stream);
  }
}

function ignore(): void {
  // Nothing to do: the stream it came from is no longer read.
}

function discard(stream: AsyncIterable<Uint8Array>): void {
  if (isNodeReadable(stream)) {
    stream.on('error', ignore);
    stream.destroy();
  } else {
    const iterator = stream[Symbol.asyncIterator]();
    if (iterator.return) void Promise.resolve(iterator.return()).catch(ignore);
  }
}
