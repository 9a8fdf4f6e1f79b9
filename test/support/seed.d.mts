// Types for seed.mjs (plain JS so it needs no build and stays independent of our client).
export interface SeedAuth { username: string; password: string }
export interface Platform { os: string; architecture: string; variant?: string }
export interface Descriptor { mediaType: string; digest: string; size: number }

export const MediaTypes: {
  ociManifest: string; ociIndex: string; ociConfig: string; ociLayer: string; ociEmpty: string;
  dockerManifest: string; dockerList: string; dockerConfig: string; dockerLayer: string; inToto: string;
};
export function sha256(data: Buffer | string): string;

export interface SeedImageOptions {
  /** Approximate compressed size of each layer, in bytes. Default [1024]. */
  layers?: number[];
  platform?: Platform;
  labels?: Record<string, string>;
  /** ISO time for the config's `created`. Default 2024-01-01T00:00:00Z. */
  created?: string;
  format?: 'oci' | 'docker';
  /** Content seed: same seed, same bytes, same digests. Default derives from repository, tag and platform. */
  seed?: string;
  auth?: SeedAuth;
}
export interface SeededImage extends Descriptor {
  reference: string;
  configDigest: string;
  config: any;
  manifest: any;
  platform: Platform;
  layers: { digest: string; size: number; diffId: string }[];
  /** config + layers, compressed, as registries usually report image size. */
  totalSize: number;
}
export function seedImage(host: string, repository: string, tag: string | undefined, options?: SeedImageOptions): Promise<SeededImage>;

export interface SeedIndexOptions extends Omit<SeedImageOptions, 'platform' | 'seed'> {
  platforms?: Platform[];
  /** buildx-style attestation manifests; default true for OCI, false for docker. */
  attestation?: boolean;
}
export interface SeededIndex extends Descriptor {
  reference: string;
  index: any;
  images: SeededImage[];
  attestations: { digest: string; size: number; for: string }[];
}
export function seedIndex(host: string, repository: string, tag: string, options?: SeedIndexOptions): Promise<SeededIndex>;

export interface SeedArtifactOptions {
  artifactType?: string;
  payload?: string | object;
  annotations?: Record<string, string>;
  tag?: string;
  auth?: SeedAuth;
}
export interface SeededArtifact extends Descriptor {
  artifactType: string;
  manifest: any;
  /** `sha256-<hex of subject>`: the referrers tag-schema fallback. */
  fallbackTag: string;
  fallbackIndexDigest: string;
}
export function seedArtifact(host: string, repository: string, subject: Descriptor, options?: SeedArtifactOptions): Promise<SeededArtifact>;

export function seedManyTags(host: string, repository: string, count: number,
  options?: { prefix?: string; concurrency?: number; auth?: SeedAuth }): Promise<Descriptor & { tags: string[] }>;

export function makeLayer(size: number, seed: string, mtime?: number): { blob: Buffer; digest: string; size: number; diffId: string };
export function pushBlob(host: string, repository: string, blob: Buffer, options?: { auth?: SeedAuth; digest?: string }): Promise<string>;
export function pushManifest(host: string, repository: string, reference: string, manifest: any, options?: { auth?: SeedAuth }): Promise<Descriptor & { bytes: Buffer }>;
export function getManifest(host: string, repository: string, reference: string, options?: { auth?: SeedAuth }):
  Promise<{ status: 200; digest: string; mediaType: string; manifest: any } | { status: 404 }>;
export function registryRequest(host: string, repository: string | undefined, method: string, pathOrUrl: string,
  options?: { headers?: Record<string, string>; body?: Buffer | string; auth?: SeedAuth; expect?: number[] }): Promise<Response>;
