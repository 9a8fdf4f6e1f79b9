// Public surface of the Distribution client. Callers (registries/, cli/, vscode/) import from here.

export { createSession, sharedTransport, login } from './session';
export type { SessionOptions, LoginOptions } from './session';
export { createTransport } from './transport';
export type { Transport, TransportOptions } from './transport';
export { ProxyResolver, proxySettingsFromEnv, parseNoProxy } from './proxy';
export type { ProxySettings, ProxyRoute } from './proxy';

export {
  RegistryClient,
  MANIFEST_MAX_BYTES,
  CONFIG_MAX_BYTES,
  MAX_PAGE_SIZE,
  DEFAULT_CHUNK_SIZE,
  CATALOG_SCOPE,
  pullScope,
  pushScopes,
  deleteScopes,
  referrersTagFor,
  validateRepositoryName,
  validateManifestReference,
} from './client';
export type { CallOptions, PageOptions, ManifestHead, BlobHead, UploadOptions, ReferrersOptions } from './client';
export type { ImageConfig, ImageHistoryEntry } from './imageConfig';

export { copyImage } from './copy';
export type { CopyOptions, CopyResult, CopyEvent } from './copy';
export { retag } from './tagging';
export { planTagDelete, executeTagDelete, deleteManifestByDigest } from './deletion';
export type { TagDeletePlan, PlanOptions, ExecuteOptions } from './deletion';

export {
  MediaTypes,
  MANIFEST_ACCEPT,
  MANIFEST_ACCEPT_HEADER,
  EMPTY_JSON_DIGEST,
  stripMediaTypeParameters,
  isIndexMediaType,
  isImageManifestMediaType,
  isSchema1MediaType,
  isManifestMediaType,
  isImageConfigMediaType,
  isNondistributableLayer,
} from './mediaTypes';
export { parseManifest, manifestResult, indexEntries, manifestBlobs, manifestConfig, assertPushable } from './manifests';
export type { ImageManifestJson, IndexJson, ArtifactManifestJson, Schema1Json, ParsedManifest } from './manifests';
export { normalizePlatform, formatPlatform, parsePlatform, samePlatform, isAttestationDescriptor, pickRepresentative } from './platform';
export { parseDigest, isDigest, computeDigest, verifyBytes, DigestVerifier } from './digest';
export { parseLinkHeader, resolveNextLink } from './link';
export type { LinkValue } from './link';
export { sanitizeTags, compareTags, isValidTag } from './tagPages';

export type * from './types';
