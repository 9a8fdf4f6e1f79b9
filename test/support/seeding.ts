// Typed access to seed.mjs for TypeScript tests: `import { seedImage } from '../support/seeding';`
// seed.mjs is plain JS that is never compiled, so it is loaded from the source tree rather than from
// out/ (Node 20.19+ can require() an ES module that has no top-level await).
import fs from 'node:fs';
import path from 'node:path';
import type * as Seed from './seed.mjs';

// Compiled, this file lives in out/test/support; the source is found by walking up to the folder that has it.
// (The working directory is the fallback, for a build emitted somewhere else.)
function findSeed(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'test', 'support', 'seed.mjs');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  const fromCwd = path.join(process.cwd(), 'test', 'support', 'seed.mjs');
  if (fs.existsSync(fromCwd)) return fromCwd;
  throw new Error(`test/support/seed.mjs not found above ${from} nor in ${process.cwd()}`);
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const seed: typeof Seed = require(findSeed(__dirname));

export const { MediaTypes, sha256, seedImage, seedIndex, seedArtifact, seedManyTags, makeLayer, pushBlob, pushManifest, getManifest, registryRequest } = seed;
export type { SeedAuth, Platform, Descriptor, SeededImage, SeededIndex, SeededArtifact } from './seed.mjs';
