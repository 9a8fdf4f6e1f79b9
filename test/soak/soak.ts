// `npm run soak`: 10,000 registry operations through one transport and one session (as the tree runs
// them for hours), against the real open registry behind a fault proxy that throws in a 503, a reset
// or a cut body now and then, so the retry paths soak too. The heap is sampled after a forced GC
// every 500 operations; the run fails if the heap grows (the last samples against the first ones),
// if an operation gives a wrong answer, or if it takes longer than its time cap.
//
//   npm run soak                       starts its own services on REGX_TEST_PORT_BASE (default 26000)
//   REGX_SOAK_OPERATIONS=N             fewer or more operations
//   REGX_TEST_SERVICES=… (from npm run services) uses running ones instead

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTransport } from '../../src/distribution/transport';
import { registryClientFor } from '../../src/registries';
import { startFaultProxy } from '../faults/harness';
import { seedImage } from '../support/seeding';
import type { TestServices } from '../support/services';

const OPERATIONS = Number(process.env.REGX_SOAK_OPERATIONS) || 10_000;
const SAMPLE_EVERY = 500;
const TIME_CAP_MS = 15 * 60_000;
/** Growth allowed from the first samples to the last: noise of a GC'd heap, not a leak. */
const ALLOWED_GROWTH_BYTES = 2 * 1024 * 1024;

const gc = (globalThis as { gc?: () => void }).gc;

async function services(): Promise<{ services: TestServices; stop: () => Promise<void> }> {
  if (process.env.REGX_TEST_SERVICES) return { services: JSON.parse(process.env.REGX_TEST_SERVICES) as TestServices, stop: async () => undefined };
  const start = (await import(path.join(__dirname, '..', '..', '..', 'test', 'services', 'start.mjs'))) as {
    startServices(o: { portBase: number; root: string; docker: boolean }): Promise<{ services: TestServices; stop: () => Promise<void> }>;
  };
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-soak-'));
  const running = await start.startServices({ portBase: Number(process.env.REGX_TEST_PORT_BASE ?? 26000), root, docker: false });
  return { services: running.services, stop: async () => { await running.stop(); fs.rmSync(root, { recursive: true, force: true }); } };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  if (!gc) throw new Error('run with node --expose-gc (npm run soak does)');
  const { services: s, stop } = await services();
  const front = await startFaultProxy({ upstream: s.open.host });
  const started = Date.now();
  try {
    const repo = `soak/app-${process.pid}`;
    const image = await seedImage(s.open.host, repo, '1.0', { layers: [4096, 2048] });
    for (const tag of ['1.1', '1.2', '2.0']) await seedImage(s.open.host, repo, tag, { layers: [1024], seed: `soak-${tag}` });
    // Now and then a fault, so retries and refetches are part of what soaks.
    const faults = () => {
      front.rule({ method: 'GET', path: /\/tags\/list$/, behaviour: { kind: 'intercept', decide: () => ({ action: Math.random() < 0.02 ? 'reset' : 'pass' }) } });
      front.rule({ method: 'GET', path: /\/manifests\//, behaviour: { kind: 'intercept', decide: () => ({ action: Math.random() < 0.01 ? 'reset' : 'pass' }) } });
    };
    faults();
    let requests = 0;
    const transport = createTransport({ backoffBaseMs: 5, backoffMaxMs: 20 });
    const client = registryClientFor({ host: front.host, allowHttp: true }, { transport });
    const samples: Array<{ ops: number; heap: number; rss: number }> = [];
    const sample = (ops: number) => {
      // The proxy runs in this process and remembers every request: forget them, so only regx's heap is measured.
      requests += front.requests.length;
      front.reset();
      faults();
      gc!();
      gc!();
      const m = process.memoryUsage();
      samples.push({ ops, heap: m.heapUsed, rss: m.rss });
    };
    sample(0);
    for (let i = 1; i <= OPERATIONS; i++) {
      if (Date.now() - started > TIME_CAP_MS) throw new Error(`soak: over its ${TIME_CAP_MS / 60_000}-minute cap after ${i - 1} operations`);
      switch (i % 5) {
        case 0:
          assert.equal((await client.headManifest(repo, '1.0'))?.digest, image.digest);
          break;
        case 1:
          assert.deepEqual(await client.listAllTags(repo), ['1.0', '1.1', '1.2', '2.0']);
          break;
        case 2:
          assert.equal((await client.getManifest(repo, '1.0')).digest, image.digest);
          break;
        case 3:
          assert.equal((await client.summarize(repo, '1.0')).digest, image.digest);
          break;
        default:
          assert.equal((await client.headManifest(repo, `1.${i % 3}`))?.digest !== undefined, true);
      }
      if (i % SAMPLE_EVERY === 0) sample(i);
    }
    await transport.close();
    const quarter = Math.max(1, Math.floor(samples.length / 4));
    // After the first quarter (caches filled, code compiled) against the last one.
    const first = median(samples.slice(quarter, 2 * quarter).map((x) => x.heap));
    const last = median(samples.slice(-quarter).map((x) => x.heap));
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`soak: ${OPERATIONS} operations in ${seconds} s, ${requests} requests; heap after GC ${(first / 1048576).toFixed(1)} MiB → ${(last / 1048576).toFixed(1)} MiB (samples: ${samples.map((x) => (x.heap / 1048576).toFixed(1)).join(' ')})`);
    assert.ok(last - first <= ALLOWED_GROWTH_BYTES, `the heap grew by ${((last - first) / 1048576).toFixed(1)} MiB over ${OPERATIONS} operations`);
    console.log('soak: memory stayed flat');
  } finally {
    await front.close();
    await stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack ?? err.message : err);
    process.exit(1);
  },
);
