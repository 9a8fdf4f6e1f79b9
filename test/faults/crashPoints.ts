// What every crash-point suite shares (regx killed in crash.test.ts, the extension host killed in
// test/ui/extensionHostKill.test.ts): seeded kill points, a trap that fires at the k-th request a
// fault proxy sees, and the registry-side checks made from outside afterwards.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { registryRequest } from '../support/seeding';
import type { FaultProxy } from './harness';

/** mulberry32: small, seedable, good enough to spread kill points. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of a run: `variable` when set (to repeat one), else a fresh one. */
export function crashSeed(variable: string): number {
  return Number(process.env[variable]) || Math.floor(Math.random() * 2 ** 31);
}

/** A stream of its own per (seed, name), so that one test repeats alone as well. */
export function drawsFor(seed: number, name: string): () => number {
  let h = seed >>> 0;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return prng(h);
}

const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json', 'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** What one kill point left, for the summary a suite prints. */
export interface Outcome {
  label: string;
  /** Killed at request k of `of` (what a clean run costs). */
  k: number;
  of: number;
  /** After the registry did the k-th request (its answer lost), or before it saw it. */
  afterWork: boolean;
  state: string;
}

export type Auth = { username: string; password: string } | undefined;

/** The digest the tag names now, or undefined when the tag does not exist. */
export async function tagDigest(host: string, repo: string, tag: string, auth: Auth): Promise<string | undefined> {
  const res = await registryRequest(host, repo, 'GET', `/v2/${repo}/manifests/${tag}`, { auth, expect: [200, 404], headers: { accept: MANIFEST_ACCEPT } });
  if (res.status === 404) {
    await res.arrayBuffer();
    return undefined;
  }
  return sha(Buffer.from(await res.arrayBuffer()));
}

/** The tag is absent, or names `digest` (any manifest, when undefined) with `config` as its config blob (when given), and every blob it needs is there and hashes right. */
export async function absentOrComplete(host: string, repo: string, tag: string, digest: string | undefined, auth: Auth, config?: string): Promise<'absent' | 'complete'> {
  const res = await registryRequest(host, repo, 'GET', `/v2/${repo}/manifests/${tag}`, { auth, expect: [200, 404], headers: { accept: MANIFEST_ACCEPT } });
  if (res.status === 404) {
    await res.arrayBuffer();
    return 'absent';
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  if (digest !== undefined) assert.equal(sha(bytes), digest, `${host}/${repo}:${tag} names another manifest`);
  const manifest = JSON.parse(bytes.toString('utf8')) as { config: { digest: string; size: number }; layers: { digest: string; size: number }[] };
  if (config !== undefined) assert.equal(manifest.config.digest, config, `${host}/${repo}:${tag} is another image (its config)`);
  for (const blob of [manifest.config, ...manifest.layers]) {
    const got = await registryRequest(host, repo, 'GET', `/v2/${repo}/blobs/${blob.digest}`, { auth, expect: [200, 404] });
    const data = Buffer.from(await got.arrayBuffer());
    assert.equal(got.status, 200, `${host}/${repo}:${tag} names ${blob.digest}, which is missing`);
    assert.equal(data.length, blob.size);
    assert.equal(sha(data), blob.digest);
  }
  return 'complete';
}

/**
 * Kills at the k-th request any of `proxies` sees, before or after the registry did it.
 * Before: that request hangs (the client is gone anyway), or is dropped when someone else keeps going —
 * the engine carries on a push after its client died, and would wait on a hung request for ever.
 * `kill` gets the socket the k-th request came on.
 */
export function armKill(proxies: FaultProxy[], k: number, afterWork: boolean, kill: (socket: Socket) => void, unseen: 'hang' | 'reset' = 'hang'): { fired: () => boolean } {
  let n = 0;
  let fired = false;
  for (const proxy of proxies) {
    proxy.rule({
      path: /.*/,
      behaviour: {
        kind: 'intercept',
        decide: (_method, _path, socket) => {
          n++;
          if (n !== k) return { action: 'pass' };
          fired = true;
          if (afterWork) return { action: 'lose-answer', then: () => kill(socket) };
          // Killed before the request is refused: a client that learns of the refusal first (dockerd, for
          // a push) could otherwise end the operation, and cross it out, before the kill lands.
          kill(socket);
          return { action: unseen };
        },
      },
    });
  }
  return { fired: () => fired };
}
