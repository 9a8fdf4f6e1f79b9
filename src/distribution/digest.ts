// Content digests: parse, compute over exact bytes, verify while streaming.

import type { Hash } from 'node:crypto';
import { DigestMismatchError, InvalidInputError } from '../errors/errors';

/**
 * node:crypto's createHash, loaded on the first hash rather than at start-up: the module brings
 * sixteen internal ones (~1.2 ms of every `regx` run), and listing tags or pulling through the
 * engine hashes nothing. Every hash in the project goes through here.
 */
export function createHash(algorithm: string): Hash {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('node:crypto') as typeof import('node:crypto')).createHash(algorithm);
}

// Algorithms the OCI spec registers; anything else cannot be verified, so it is refused.
const HEX_LENGTH: Record<string, number> = { sha256: 64, sha512: 128 };

export interface ParsedDigest {
  algorithm: 'sha256' | 'sha512';
  hex: string;
}

/** "sha256:<64 hex>" or "sha512:<128 hex>", lower-case hex as the spec requires. */
export function parseDigest(value: string): ParsedDigest | undefined {
  const match = /^(sha256|sha512):([a-f0-9]+)$/.exec(value);
  if (!match || match[2].length !== HEX_LENGTH[match[1]]) return undefined;
  return { algorithm: match[1] as ParsedDigest['algorithm'], hex: match[2] };
}

export function isDigest(value: string): boolean {
  return parseDigest(value) !== undefined;
}

/** Anything shaped like "<algorithm>:<encoded>", even an algorithm we cannot verify. */
export function looksLikeDigest(value: string): boolean {
  return /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(value);
}

export function requireDigest(value: string): ParsedDigest {
  const parsed = parseDigest(value);
  if (!parsed) throw new InvalidInputError('digest', value, 'expected sha256:<64 hex> or sha512:<128 hex>');
  return parsed;
}

export function computeDigest(bytes: Uint8Array, algorithm: ParsedDigest['algorithm'] = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Throws DigestMismatchError unless the bytes hash to `expected` (hashed with expected's algorithm). */
export function verifyBytes(bytes: Uint8Array, expected: string, url: string): void {
  const parsed = requireDigest(expected);
  const actual = computeDigest(bytes, parsed.algorithm);
  if (actual !== expected) throw new DigestMismatchError(url, expected, actual);
}

/** Incremental hashing of a stream whose digest is known up front. */
export class DigestVerifier {
  private readonly hash: Hash;
  private readonly algorithm: ParsedDigest['algorithm'];
  bytesSeen = 0;

  constructor(readonly expected: string) {
    this.algorithm = requireDigest(expected).algorithm;
    this.hash = createHash(this.algorithm);
  }

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.bytesSeen += chunk.byteLength;
  }

  /** The digest of everything seen; call once. */
  actual(): string {
    return `${this.algorithm}:${this.hash.digest('hex')}`;
  }

  /** Throws DigestMismatchError when the bytes seen do not hash to the expected digest. */
  verify(url: string): void {
    const actual = this.actual();
    if (actual !== this.expected) throw new DigestMismatchError(url, this.expected, actual);
  }
}
