// Shapes shared by the Distribution client's modules and its callers (CLI, registries/, vscode/).

/** How to reach one registry. From settings, Connect Registry, or a reference's host. */
export interface RegistryEndpoint {
  /** Normalised host[:port], e.g. "docker.io", "127.0.0.1:5000", "ghcr.io". */
  host: string;
  /** Plain http. Allowed automatically for loopback hosts, otherwise only when set. */
  allowHttp?: boolean;
  skipTlsVerify?: boolean;
  /** PEM file with extra CA certificates for this registry. */
  caFile?: string;
  /**
   * Docker's certs.d directory for this registry (e.g. /etc/docker/certs.d/host:5000): its *.crt are
   * trusted as CAs, NAME.cert with NAME.key is sent as the client certificate. Absent is fine.
   */
  certsDir?: string;
  /**
   * The path the registry API answers under, e.g. "/artifactory/api/docker/docker-local" (Artifactory's
   * repository path): every /v2/ request goes below it, and a root-relative /v2/ Link or Location
   * from the registry is read as below it too. Starts with "/", no trailing "/". Absent: the host's root.
   */
  pathPrefix?: string;
}

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

/** A request the transport sends to the registry, with auth handled for the given scopes. */
export interface RegistryRequest {
  method: HttpMethod;
  /** "/v2/..." path with query, or an absolute URL on the same registry (Location, Link). */
  path: string;
  /** Token scopes this request needs, e.g. ["repository:library/alpine:pull"]. */
  scopes: string[];
  headers?: Record<string, string>;
  /** Bytes are replayable; a factory is called again on each retry. */
  body?: Uint8Array | (() => AsyncIterable<Uint8Array> | NodeJS.ReadableStream);
  /**
   * false: the transport never sends this request again by itself (no retry after a reset or a 5xx);
   * the caller starts the whole operation over instead (a blob upload, from a fresh upload session).
   */
  retry?: boolean;
  signal?: AbortSignal;
  /** Statuses that are answers, not errors (default: 2xx). */
  okStatuses?: number[];
  /** Cap on the body read by readBytes/readJson (default 4 MiB for metadata). */
  maxBodyBytes?: number;
  /** For messages only. */
  operation?: import('../errors/errors').Operation;
}

export interface RegistryResponse {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
  /** The final URL after redirects (redacted form not needed: it carries no credentials). */
  url: string;
  /** Read the whole body, enforcing maxBodyBytes. */
  bytes(): Promise<Uint8Array>;
  json<T = unknown>(): Promise<T>;
  /** Stream the body (blobs). The caller must consume or cancel it. */
  stream(): AsyncIterable<Uint8Array>;
  /** Discard the body so the connection returns to the pool. */
  dump(): Promise<void>;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page; undefined when this was the last page. */
  next?: string;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  osVersion?: string;
  osFeatures?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
  artifactType?: string;
}

export type ManifestKind = 'index' | 'image' | 'schema1' | 'artifact' | 'unknown';

export interface ManifestResult {
  /** The exact bytes served; digest computed over these. */
  bytes: Uint8Array;
  mediaType: string;
  digest: string;
  kind: ManifestKind;
  /** Parsed JSON (validated at the boundary). */
  parsed: unknown;
}

export interface IndexEntry extends Descriptor {
  /** Normalised platform string, e.g. "linux/arm64/v8" → "linux/arm64". */
  platformText: string;
  /** Buildx attestation / unknown/unknown entries. */
  isAttestation: boolean;
}

/** Everything `regx inspect` and the tree tooltip show about one tag or digest. */
export interface ImageSummary {
  reference: string;
  digest: string;
  mediaType: string;
  /** Sum of config + layer sizes (for an index: of every platform image). */
  totalSize: number;
  platforms: string[];
  created?: string;
  labels?: Record<string, string>;
}

/**
 * One registry, authenticated: implemented in ./session.ts. Adds Authorization for the request's
 * scopes (ping → challenge → token cache), retries idempotent requests, follows redirects without
 * leaking credentials, enforces timeouts and size caps. Throws DistributionError for statuses not
 * in okStatuses (body read for the registry's error codes), TransportError for network failures,
 * CancelledError when the signal aborts.
 */
export interface RegistrySession {
  readonly endpoint: RegistryEndpoint;
  /** "https://host" or "http://host" once decided, with the endpoint's pathPrefix if any. */
  baseUrl(signal?: AbortSignal): Promise<string>;
  request(req: RegistryRequest): Promise<RegistryResponse>;
  /** Drop cached tokens and the cached challenge (after logout or a credential change). */
  forgetTokens(): void;
  /**
   * Optional: fetch (or reuse) one token covering all these scopes before an operation that needs
   * several, so its requests share it. Never throws for a refusal; the requests themselves report.
   */
  authorizeAhead?(scopes: string[], signal?: AbortSignal): Promise<void>;
}
