// Manifest and index JSON, validated where it enters the program. The exact bytes are kept: the
// digest is computed over them and pushes reuse them (re-serialising JSON would change the digest).

import { DigestMismatchError, PolicyError, ProtocolError } from '../errors/errors';
import { computeDigest, looksLikeDigest, parseDigest } from './digest';
import { isRecord } from './json';
import {
  MediaTypes,
  isImageConfigMediaType,
  isIndexMediaType,
  isImageManifestMediaType,
  isManifestMediaType,
  isSchema1MediaType,
  stripMediaTypeParameters,
} from './mediaTypes';
import { formatPlatform, isAttestationDescriptor, normalizePlatform } from './platform';
import type { Descriptor, IndexEntry, ManifestKind, ManifestResult, Platform } from './types';

export interface ImageManifestJson {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface IndexJson {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** The short-lived OCI artifact manifest (ORAS 0.x era). */
export interface ArtifactManifestJson {
  mediaType: string;
  artifactType?: string;
  blobs: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface Schema1Json {
  schemaVersion: 1;
  name?: string;
  tag?: string;
  architecture?: string;
  fsLayers: { blobSum: string }[];
  history?: { v1Compatibility: string }[];
  signatures?: unknown[];
}

export interface ParsedManifest {
  kind: ManifestKind;
  mediaType: string;
  parsed: ImageManifestJson | IndexJson | ArtifactManifestJson | Schema1Json | Record<string, unknown>;
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

function readPlatform(value: unknown): Platform | undefined {
  if (!isRecord(value) || typeof value.os !== 'string' || typeof value.architecture !== 'string') return undefined;
  const platform: Platform = { os: value.os, architecture: value.architecture };
  if (typeof value.variant === 'string' && value.variant) platform.variant = value.variant;
  if (typeof value['os.version'] === 'string') platform.osVersion = value['os.version'];
  if (Array.isArray(value['os.features'])) platform.osFeatures = value['os.features'].filter((f): f is string => typeof f === 'string');
  return platform;
}

/** A descriptor from registry JSON, or a ProtocolError naming what is wrong with it. */
export function readDescriptor(value: unknown, where: string, url: string): Descriptor {
  if (!isRecord(value)) throw new ProtocolError(url, `${where} is not an object`);
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== 'string' || !mediaType) throw new ProtocolError(url, `${where} has no mediaType`);
  if (typeof digest !== 'string' || !looksLikeDigest(digest)) throw new ProtocolError(url, `${where} has no valid digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new ProtocolError(url, `${where} has no valid size`);
  const descriptor: Descriptor = { mediaType, digest, size };
  if (Array.isArray(value.urls)) descriptor.urls = value.urls.filter((u): u is string => typeof u === 'string');
  const annotations = stringMap(value.annotations);
  if (annotations) descriptor.annotations = annotations;
  const platform = readPlatform(value.platform);
  if (platform) descriptor.platform = platform;
  if (typeof value.artifactType === 'string') descriptor.artifactType = value.artifactType;
  return descriptor;
}

function readDescriptorList(value: unknown, where: string, url: string): Descriptor[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ProtocolError(url, `${where} is not a list`);
  return value.map((item, i) => readDescriptor(item, `${where}[${i}]`, url));
}

/** Which manifest type these bytes are: the body's mediaType, else Content-Type, else the JSON's shape. */
function detectMediaType(json: Record<string, unknown>, contentType: string, url: string): string {
  const bodyType = typeof json.mediaType === 'string' ? json.mediaType.toLowerCase() : '';
  if (json.schemaVersion === 1) {
    // Schema1 bodies carry no mediaType; the signature block tells signed from unsigned.
    if (isSchema1MediaType(contentType)) return contentType;
    return Array.isArray(json.signatures) ? MediaTypes.dockerSchema1Signed : MediaTypes.dockerSchema1;
  }
  if (bodyType) {
    // The spec says they SHOULD agree; a registry serving one type under another's name is broken
    // (or an attacker is swapping content), so refuse rather than guess.
    if (isManifestMediaType(contentType) && isManifestMediaType(bodyType) && contentType !== bodyType) {
      throw new ProtocolError(url, `Content-Type ${contentType} does not match the manifest's mediaType ${bodyType}`);
    }
    return bodyType;
  }
  if (isManifestMediaType(contentType)) return contentType;
  // Early OCI manifests omitted mediaType; infer from structure.
  if (Array.isArray(json.manifests)) return MediaTypes.ociIndex;
  if (isRecord(json.config)) return MediaTypes.ociManifest;
  if (Array.isArray(json.blobs)) return MediaTypes.ociArtifactManifest;
  return contentType || 'application/octet-stream';
}

/** Parse and validate manifest bytes. Throws ProtocolError for anything that is not a manifest. */
export function parseManifest(bytes: Uint8Array, contentType: string | string[] | undefined, url: string): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    throw new ProtocolError(url, 'manifest is not valid JSON');
  }
  if (!isRecord(json)) throw new ProtocolError(url, 'manifest is not a JSON object');
  const mediaType = detectMediaType(json, stripMediaTypeParameters(contentType), url);

  if (isSchema1MediaType(mediaType)) {
    if (!Array.isArray(json.fsLayers)) throw new ProtocolError(url, 'schema1 manifest has no fsLayers');
    return { kind: 'schema1', mediaType, parsed: json as unknown as Schema1Json };
  }
  if (isIndexMediaType(mediaType)) {
    if (!Array.isArray(json.manifests)) throw new ProtocolError(url, 'index has no manifests list');
    const index: IndexJson = { ...(json as object), schemaVersion: 2, manifests: readDescriptorList(json.manifests, 'manifests', url) } as IndexJson;
    if (json.subject !== undefined) index.subject = readDescriptor(json.subject, 'subject', url);
    return { kind: 'index', mediaType, parsed: index };
  }
  if (isImageManifestMediaType(mediaType)) {
    const config = readDescriptor(json.config, 'config', url);
    const manifest: ImageManifestJson = {
      ...(json as object),
      schemaVersion: 2,
      config,
      layers: readDescriptorList(json.layers, 'layers', url),
    } as ImageManifestJson;
    if (json.subject !== undefined) manifest.subject = readDescriptor(json.subject, 'subject', url);
    // An image manifest whose config is not an image config (Helm, SBOM, signature…) is an artifact.
    const isArtifact = !isImageConfigMediaType(config.mediaType) || typeof json.artifactType === 'string';
    return { kind: isArtifact ? 'artifact' : 'image', mediaType, parsed: manifest };
  }
  if (mediaType === MediaTypes.ociArtifactManifest) {
    const artifact: ArtifactManifestJson = { ...(json as object), mediaType, blobs: readDescriptorList(json.blobs, 'blobs', url) } as ArtifactManifestJson;
    if (json.subject !== undefined) artifact.subject = readDescriptor(json.subject, 'subject', url);
    return { kind: 'artifact', mediaType, parsed: artifact };
  }
  return { kind: 'unknown', mediaType, parsed: json };
}

/**
 * The digest of a signed schema1 manifest is over the payload without its JWS signature block; the
 * protected header records how to rebuild that payload (formatLength bytes + base64url formatTail).
 */
function schema1SignedPayload(bytes: Uint8Array, json: Schema1Json): Uint8Array | undefined {
  const signature = json.signatures?.[0];
  if (!isRecord(signature) || typeof signature.protected !== 'string') return undefined;
  try {
    const header = JSON.parse(Buffer.from(signature.protected, 'base64url').toString('utf8')) as unknown;
    if (!isRecord(header) || typeof header.formatLength !== 'number' || typeof header.formatTail !== 'string') return undefined;
    const tail = Buffer.from(header.formatTail, 'base64url');
    if (header.formatLength < 0 || header.formatLength > bytes.byteLength) return undefined;
    return Buffer.concat([Buffer.from(bytes.subarray(0, header.formatLength)), tail]);
  } catch {
    return undefined;
  }
}

export interface ManifestCheck {
  /** The digest the manifest was requested by: the bytes must hash to it. */
  requestedDigest?: string;
}

/**
 * Build a ManifestResult from exactly the bytes served. The digest is computed, never taken on trust.
 * Throws DigestMismatchError when the bytes do
 * not hash to the requested digest.
 */
export function manifestResult(bytes: Uint8Array, contentType: string | string[] | undefined, url: string, check: ManifestCheck = {}): ManifestResult {
  const { kind, mediaType, parsed } = parseManifest(bytes, contentType, url);
  const algorithm = (check.requestedDigest && parseDigest(check.requestedDigest)?.algorithm) || 'sha256';
  let hashed: Uint8Array = bytes;
  if (mediaType === MediaTypes.dockerSchema1Signed) hashed = schema1SignedPayload(bytes, parsed as Schema1Json) ?? bytes;
  const digest = computeDigest(hashed, algorithm);
  if (check.requestedDigest && digest !== check.requestedDigest) {
    throw new DigestMismatchError(url, check.requestedDigest, digest);
  }
  // By tag, Docker-Content-Digest is only a claim that many registries get wrong (GGCR: "Do nothing
  // for tags; I give up"), so the hash of the bytes wins and the header is not compared.
  return { bytes, mediaType, digest, kind, parsed };
}

/** Index entries with normalised platforms and attestation entries marked. [] for non-indexes. */
export function indexEntries(manifest: ManifestResult): IndexEntry[] {
  if (manifest.kind !== 'index') return [];
  return (manifest.parsed as IndexJson).manifests.map((descriptor) => {
    const platform = descriptor.platform ? normalizePlatform(descriptor.platform) : undefined;
    const entry: IndexEntry = {
      ...descriptor,
      platformText: platform ? formatPlatform(platform) : 'unknown',
      isAttestation: isAttestationDescriptor(descriptor),
    };
    if (platform) entry.platform = platform;
    else delete entry.platform;
    return entry;
  });
}

/** The blobs a manifest references (config first, then layers); [] for indexes and schema1. */
export function manifestBlobs(manifest: Pick<ManifestResult, 'kind' | 'mediaType' | 'parsed'>): Descriptor[] {
  if (isImageManifestMediaType(manifest.mediaType)) {
    const m = manifest.parsed as ImageManifestJson;
    return [m.config, ...m.layers];
  }
  if (manifest.mediaType === MediaTypes.ociArtifactManifest) return [...(manifest.parsed as ArtifactManifestJson).blobs];
  return [];
}

/** The config descriptor of an image or image-shaped artifact manifest. */
export function manifestConfig(manifest: Pick<ManifestResult, 'mediaType' | 'parsed'>): Descriptor | undefined {
  return isImageManifestMediaType(manifest.mediaType) ? (manifest.parsed as ImageManifestJson).config : undefined;
}

/** Schema1 can be read and shown, but a push would need a re-signature: refuse it (as crane does). */
export function assertPushable(mediaType: string, url: string): void {
  if (isSchema1MediaType(stripMediaTypeParameters(mediaType))) {
    throw new PolicyError('schema1-push', url, 'Docker schema 1 manifests are read-only; convert the image before pushing it');
  }
}
