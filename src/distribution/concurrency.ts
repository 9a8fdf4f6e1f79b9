// Bounded fan-out: registries (and our budget) want a handful of requests in flight, not hundreds.

import { CancelledError } from '../errors/errors';

/** A counting semaphore per host:port; waiters are served in arrival order. */
export class HostLimiter {
  private readonly active = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(private readonly limit: number) {}

  acquire(host: string, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(new CancelledError());
    const makeRelease = () => {
      let done = false;
      return () => {
        if (done) return;
        done = true;
        this.release(host);
      };
    };
    const count = this.active.get(host) ?? 0;
    if (count < this.limit) {
      this.active.set(host, count + 1);
      return Promise.resolve(makeRelease());
    }
    return new Promise((resolve, reject) => {
      const queue = this.waiting.get(host) ?? [];
      this.waiting.set(host, queue);
      const onAbort = () => {
        const at = queue.indexOf(grant);
        if (at >= 0) queue.splice(at, 1);
        reject(new CancelledError());
      };
      // The releasing caller hands its slot over directly, so the count stays the same.
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(makeRelease());
      };
      queue.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** For tests and diagnostics. */
  inFlight(host: string): number {
    return this.active.get(host) ?? 0;
  }

  private release(host: string): void {
    const queue = this.waiting.get(host);
    const next = queue?.shift();
    if (next) {
      next();
      return;
    }
    if (queue && queue.length === 0) this.waiting.delete(host);
    const count = (this.active.get(host) ?? 1) - 1;
    if (count <= 0) this.active.delete(host);
    else this.active.set(host, count);
  }
}

/** Limiter has one pool of slots, where HostLimiter has one per host. */
const ONE_POOL = '';

/**
 * A counting semaphore for one pool of work. A released slot goes straight to the longest waiter, so
 * the limit holds even when a new caller arrives at that moment. Only leaf work should hold a slot,
 * so nested users cannot deadlock.
 */
export class Limiter {
  private readonly slots: HostLimiter;

  constructor(limit: number) {
    this.slots = new HostLimiter(limit);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    const release = await this.slots.acquire(ONE_POOL);
    try {
      return await task();
    } finally {
      release();
    }
  }
}

/** Map with at most `limit` calls in flight; results keep the input order; the first failure rejects. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index], index);
      } catch (error) {
        failed = true; // stop the other workers picking up new items
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
