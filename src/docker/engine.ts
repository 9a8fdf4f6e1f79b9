// Docker Engine API client over undici: unix socket, Windows named pipe, or tcp(+TLS).
// Errors are EngineError with a reason a caller can act on and detailText a person can act on;
// CancelledError when the caller's signal aborts. X-Registry-Auth values are never logged.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { headerValue } from '../distribution/transport';
import { newPool, type Pool } from '../distribution/undici';
import type { Credential, CredentialStore } from '../credentials/types';
import { BuildError, CancelledError, EngineError, InvalidInputError } from '../errors/errors';
import { encodeRegistryAuth, encodeRegistryConfig, engineServerAddress } from './auth';
import { BuildStreamReader, baseRegistries, buildQuery, planBuild, type BuildOptions, type BuildResult } from './build';
import type { BuildContext } from './buildContext';
import { engineEndpointText, resolveEngineHost } from './host';
import type { EngineHost, ResolveEngineHostOptions } from './host';
import { classifyEngineMessage, JsonLinesParser, ProgressAggregator, streamEventError } from './progress';
import type { EngineProgressEvent, ProgressSnapshot } from './progress';

/**
 * Newest API version we speak. We use the older of this and the engine's; endpoints we call have
 * not changed shape across 1.24..1.47, and engines ≥ 29 refuse anything older than 1.44, so
 * pinning low would lock out new engines.
 */
const MAX_API_VERSION = '1.47';

const CONNECT_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 60_000;
// Pull/push answer headers once the engine has resolved the manifest; a slow registry can take a while.
const STREAM_HEADERS_TIMEOUT_MS = 5 * 60_000;

export interface DockerEngineOptions {
  host: EngineHost;
  /** Registry credentials for X-Registry-Auth; absent = anonymous. A cloud's (engineCredentialStore) can renew a refused token. */
  credentials?: CredentialStore & { renew?(registry: string): Promise<Credential | undefined> };
  /** Force an API version instead of negotiating (tests). */
  apiVersion?: string;
}

export interface EngineVersion {
  version: string;
  apiVersion: string;
  minApiVersion?: string;
  os: string;
  arch: string;
  kernelVersion?: string;
  /** The API version this client uses with this engine. */
  negotiatedApiVersion: string;
}

export interface EngineInfo {
  id?: string;
  name?: string;
  serverVersion?: string;
  images: number;
  containers: number;
  storageDriver?: string;
  dockerRootDir?: string;
  operatingSystem?: string;
  architecture?: string;
  /** Registries the engine treats as insecure (plain http allowed). */
  insecureRegistries: string[];
  indexServerAddress?: string;
}

export interface LocalImage {
  /** sha256:… image id. */
  id: string;
  /** name:tag, without the engine's "<none>:<none>" placeholder. */
  repoTags: string[];
  /** name@sha256:… — the manifest digests this image was pulled by / pushed as. */
  repoDigests: string[];
  size: number;
  /** ISO 8601. */
  created: string;
  labels?: Record<string, string>;
}

/** A container as GET /containers/json lists it. */
export interface ContainerSummary {
  /** Full container id (64 hex). */
  id: string;
  /** Names without the engine's leading "/". */
  names: string[];
  /** The image as the container was created from it (a name, or an id once that name is gone). */
  image: string;
  /** sha256:… id of the image the container uses. */
  imageId: string;
  /** created, running, paused, restarting, removing, exited or dead. */
  state: string;
  /** The engine's words, e.g. "Exited (0) 2 minutes ago". */
  status: string;
}

export interface ImageDetails extends LocalImage {
  architecture: string;
  os: string;
  variant?: string;
  /** Diff ids of the layers. */
  layers: string[];
  /** The engine's whole answer, for `regx inspect --json`-style output. */
  raw: unknown;
}

export interface ProgressOptions {
  signal?: AbortSignal;
  onProgress?: (p: ProgressSnapshot, event: EngineProgressEvent) => void;
}

export interface PullOptions extends ProgressOptions {
  /** os/arch[/variant], e.g. linux/arm64. */
  platform?: string;
}

export interface PullResult {
  reference: string;
  /** Manifest digest the engine reported ("Digest: …"); absent for a pull by digest on old engines. */
  digest?: string;
  /** "Downloaded newer image for …" / "Image is up to date for …". */
  status: string;
}

export interface PushResult {
  reference: string;
  digest: string;
  /** Size of the pushed manifest in bytes. */
  manifestSize?: number;
}

export interface RemoveResultItem {
  untagged?: string;
  deleted?: string;
}

export interface EngineSearchResult {
  name: string;
  description: string;
  starCount: number;
  official: boolean;
  automated: boolean;
}

/** A reference split the way the engine wants it: name (with registry) and tag or digest. */
export interface EngineRef {
  /** Registry host as the credential store keys it ("docker.io" for Hub). */
  registry: string;
  /** Name as given, e.g. "127.0.0.1:5000/demo/x" or "alpine". */
  name: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;

/**
 * Split a docker-style reference (the engine's own grammar: first component is a registry if it
 * has a dot or a port or is "localhost"). Raises InvalidInputError before any request.
 */
export function splitEngineRef(input: string): EngineRef {
  const ref = input.trim();
  const bad = (reason: string): InvalidInputError => new InvalidInputError('reference', input, reason);
  if (!ref) throw bad('the reference is empty');
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad('the digest should look like sha256:<64 hex digits>');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(`"${tag}" is not a valid tag (letters, digits, _ . -, at most 128, not starting with . or -)`);
  }
  const parts = rest.split('/');
  let registry = 'docker.io';
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost')) {
    registry = parts.shift() as string;
    if (!/^[A-Za-z0-9.-]+(?::\d+)?$|^\[[0-9a-fA-F:]+\](?::\d+)?$/.test(registry)) throw bad(`"${registry}" is not a valid registry host`);
    if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = 'docker.io';
  }
  if (parts.length === 0 || parts.some((p) => !p)) throw bad('the repository name is empty or has an empty path component');
  for (const p of parts) {
    if (!COMPONENT.test(p)) {
      throw bad(/[A-Z]/.test(p) ? 'repository names must be lowercase' : `"${p}" is not a valid repository path component`);
    }
  }
  return { registry, name: rest, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

function formatEngineRef(r: EngineRef): string {
  return `${r.name}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}

export class DockerEngine {
  readonly host: EngineHost;
  /** Socket path or tcp URL: what messages name. */
  readonly endpoint: string;
  private readonly credentials?: CredentialStore & { renew?(registry: string): Promise<Credential | undefined> };
  private readonly pool: Pool;
  private apiVersionPromise?: Promise<string>;
  private versionCache?: EngineVersion;

  constructor(options: DockerEngineOptions) {
    this.host = options.host;
    this.endpoint = engineEndpointText(options.host);
    this.credentials = options.credentials;
    if (options.apiVersion) this.apiVersionPromise = Promise.resolve(options.apiVersion);
    this.pool = createPool(options.host);
  }

  /** Resolve the host (setting → DOCKER_HOST → context → default) and make a client for it. */
  static fromEnvironment(options: ResolveEngineHostOptions & { credentials?: DockerEngineOptions['credentials'] }): DockerEngine {
    return new DockerEngine({ host: resolveEngineHost(options), credentials: options.credentials });
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }

  /** GET /_ping — cheapest "is the engine there". Resolves with the engine's API version header. */
  async ping(signal?: AbortSignal): Promise<{ apiVersion?: string; osType?: string }> {
    const res = await this.send({ method: 'GET', path: '/_ping', signal }, false);
    await res.body.dump();
    const h = res.headers;
    return { apiVersion: headerValue(h['api-version']), osType: headerValue(h['ostype']) };
  }

  async version(signal?: AbortSignal): Promise<EngineVersion> {
    const [negotiated, version] = await Promise.all([this.apiVersion(signal), this.fetchVersion(signal)]);
    // What this client actually uses (from /_ping when the engine sent it), not a second opinion.
    return { ...version, negotiatedApiVersion: negotiated };
  }

  async info(signal?: AbortSignal): Promise<EngineInfo> {
    const j = (await this.getJson('/info', signal)) as Record<string, unknown>;
    const reg = (j.RegistryConfig ?? {}) as { InsecureRegistryCIDRs?: string[]; IndexConfigs?: Record<string, { Secure?: boolean }> };
    const insecure = [
      ...(reg.InsecureRegistryCIDRs ?? []),
      ...Object.entries(reg.IndexConfigs ?? {})
        .filter(([, v]) => v && v.Secure === false)
        .map(([k]) => k),
    ];
    return {
      id: str(j.ID),
      name: str(j.Name),
      serverVersion: str(j.ServerVersion),
      images: num(j.Images),
      containers: num(j.Containers),
      storageDriver: str(j.Driver),
      dockerRootDir: str(j.DockerRootDir),
      operatingSystem: str(j.OperatingSystem),
      architecture: str(j.Architecture),
      insecureRegistries: insecure,
      indexServerAddress: str(j.IndexServerAddress),
    };
  }

  /** GET /images/json. `reference` filters like `docker images REPO[:TAG]`. */
  async listImages(options: { all?: boolean; reference?: string; signal?: AbortSignal } = {}): Promise<LocalImage[]> {
    const q = new URLSearchParams();
    if (options.all) q.set('all', '1');
    if (options.reference) q.set('filters', JSON.stringify({ reference: [options.reference] }));
    const j = await this.getJson(`/images/json${q.toString() ? `?${q}` : ''}`, options.signal);
    if (!Array.isArray(j)) throw new EngineError('http', this.endpoint, 'the engine answered /images/json with something other than a list');
    return j.map((raw: Record<string, unknown>) => ({
      id: String(raw.Id ?? ''),
      repoTags: cleanNames(raw.RepoTags),
      repoDigests: cleanNames(raw.RepoDigests),
      size: num(raw.Size),
      created: new Date(num(raw.Created) * 1000).toISOString(),
      ...(raw.Labels && typeof raw.Labels === 'object' ? { labels: raw.Labels as Record<string, string> } : {}),
    }));
  }

  /**
   * GET /containers/json. `all` includes stopped and created containers (as `docker ps -a`);
   * `ancestor` (a reference or image id) keeps those created from that image or an image built on it.
   */
  async listContainers(options: { all?: boolean; ancestor?: string; signal?: AbortSignal } = {}): Promise<ContainerSummary[]> {
    const q = new URLSearchParams();
    if (options.all) q.set('all', '1');
    if (options.ancestor !== undefined) q.set('filters', JSON.stringify({ ancestor: [imageNameForPath(options.ancestor)] }));
    const j = await this.getJson(`/containers/json${q.toString() ? `?${q}` : ''}`, options.signal);
    const bad = (what: string) => new EngineError('http', this.endpoint, `the engine answered /containers/json with ${what}`);
    if (!Array.isArray(j)) throw bad('something other than a list');
    return j.map((raw: unknown) => {
      if (!raw || typeof raw !== 'object') throw bad('an entry that is not an object');
      const r = raw as Record<string, unknown>;
      const id = str(r.Id);
      if (!id || !/^[0-9a-f]{12,64}$/.test(id)) throw bad('a container without a valid Id');
      const names = Array.isArray(r.Names)
        ? r.Names.filter((n): n is string => typeof n === 'string' && n !== '').map((n) => n.replace(/^\//, ''))
        : [];
      return { id, names, image: str(r.Image) ?? '', imageId: str(r.ImageID) ?? '', state: str(r.State) ?? '', status: str(r.Status) ?? '' };
    });
  }

  /** GET /images/{name}/json. Accepts a reference or an image id. */
  async inspectImage(ref: string, signal?: AbortSignal): Promise<ImageDetails> {
    const name = imageNameForPath(ref);
    const raw = (await this.getJson(`/images/${name}/json`, signal)) as Record<string, unknown>;
    const config = (raw.Config ?? {}) as { Labels?: Record<string, string> | null };
    const rootFs = (raw.RootFS ?? {}) as { Layers?: string[] };
    return {
      id: String(raw.Id ?? ''),
      repoTags: cleanNames(raw.RepoTags),
      repoDigests: cleanNames(raw.RepoDigests),
      size: num(raw.Size),
      created: str(raw.Created) ?? '',
      ...(config.Labels ? { labels: config.Labels } : {}),
      architecture: str(raw.Architecture) ?? '',
      os: str(raw.Os) ?? '',
      ...(str(raw.Variant) ? { variant: str(raw.Variant) } : {}),
      layers: Array.isArray(rootFs.Layers) ? rootFs.Layers : [],
      raw,
    };
  }

  /**
   * POST /images/create?fromImage=… — streams progress. Rejects with EngineError ('auth',
   * 'not-found', 'stream', …) or CancelledError; aborting closes the connection, which makes the
   * engine cancel the pull.
   */
  async pullImage(ref: string, options: PullOptions = {}): Promise<PullResult> {
    const r = splitEngineRef(ref);
    const q = new URLSearchParams({ fromImage: r.name, tag: r.digest ?? r.tag ?? 'latest' });
    if (options.platform) q.set('platform', options.platform);
    const agg = await this.withRegistryAuth(r.registry, options.signal, (auth) =>
      this.stream({ method: 'POST', path: `/images/create?${q}`, headers: { 'x-registry-auth': auth } }, 'pull', options),
    );
    if (!agg.finalStatus) throw this.unfinished('pull');
    return { reference: formatEngineRef(r), ...(agg.digest ? { digest: agg.digest } : {}), status: agg.finalStatus };
  }

  /** POST /images/{name}/push?tag=… — one tag (default latest), as `docker push` does. */
  async pushImage(ref: string, options: ProgressOptions = {}): Promise<PushResult> {
    const r = splitEngineRef(ref);
    if (r.digest) throw new InvalidInputError('reference', ref, 'push a tag, not a digest');
    const tag = r.tag ?? 'latest';
    const agg = await this.withRegistryAuth(r.registry, options.signal, (auth) =>
      this.stream({ method: 'POST', path: `/images/${r.name}/push?${new URLSearchParams({ tag })}`, headers: { 'x-registry-auth': auth } }, 'push', options),
    );
    if (!agg.digest) throw this.unfinished('push');
    return {
      reference: `${r.name}:${tag}`,
      digest: agg.digest,
      ...(agg.manifestSize !== undefined ? { manifestSize: agg.manifestSize } : {}),
    };
  }

  /** POST /images/{source}/tag — source is a reference or an image id; target must carry a name. */
  async tagImage(source: string, target: string, signal?: AbortSignal): Promise<void> {
    const t = splitEngineRef(target);
    if (t.digest) throw new InvalidInputError('reference', target, 'a tag target cannot carry a digest');
    const q = new URLSearchParams({ repo: t.name, tag: t.tag ?? 'latest' });
    const res = await this.send({ method: 'POST', path: `/images/${imageNameForPath(source)}/tag?${q}`, signal });
    await res.body.dump();
  }

  /** DELETE /images/{name}. Without force the engine refuses (409) an id that several tags share. */
  async removeImage(ref: string, options: { force?: boolean; noPrune?: boolean; signal?: AbortSignal } = {}): Promise<RemoveResultItem[]> {
    const q = new URLSearchParams();
    if (options.force) q.set('force', '1');
    if (options.noPrune) q.set('noprune', '1');
    const res = await this.send({
      method: 'DELETE',
      path: `/images/${imageNameForPath(ref)}${q.toString() ? `?${q}` : ''}`,
      signal: options.signal,
    });
    const j = (await res.body.json()) as Array<{ Untagged?: string; Deleted?: string }>;
    return (Array.isArray(j) ? j : []).map((e) => ({
      ...(e.Untagged ? { untagged: e.Untagged } : {}),
      ...(e.Deleted ? { deleted: e.Deleted } : {}),
    }));
  }

  /**
   * GET /images/search — what `docker search` uses. The engine asks Docker Hub, or the registry
   * named in the term ("myregistry:5000/foo") through its v1 search API.
   */
  async searchImages(term: string, options: { limit?: number; signal?: AbortSignal } = {}): Promise<EngineSearchResult[]> {
    const t = term.trim();
    if (!t) throw new InvalidInputError('argument', term, 'the search term is empty');
    const q = new URLSearchParams({ term: t });
    if (options.limit !== undefined) {
      if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > 100) {
        throw new InvalidInputError('argument', String(options.limit), 'the limit must be between 1 and 100');
      }
      q.set('limit', String(options.limit));
    }
    const res = await this.send({
      method: 'GET',
      path: `/images/search?${q}`,
      headers: { 'x-registry-auth': await this.registryAuth(searchRegistry(t)) },
      signal: options.signal,
    });
    const j = (await res.body.json()) as Array<Record<string, unknown>>;
    return (Array.isArray(j) ? j : []).map((e) => ({
      name: String(e.name ?? ''),
      description: String(e.description ?? ''),
      starCount: num(e.star_count),
      official: e.is_official === true,
      automated: e.is_automated === true,
    }));
  }

  /**
   * POST /build — the Dockerfile in `context` built by the engine's classic builder, tagged with
   * options.tags. Output lines and steps go to the callbacks as they come; a failing step is a
   * BuildError naming its Dockerfile line. Aborting closes the connection, which stops the build.
   */
  async buildImage(context: BuildContext, options: BuildOptions = {}): Promise<BuildResult> {
    const dockerfileText = fs.readFileSync(context.dockerfilePath, 'utf8');
    const summary = planBuild(dockerfileText, options);
    const signal = options.signal;
    // Bases from private registries are pulled with the same logins as a pull.
    const logins = await Promise.all(
      baseRegistries(summary).map(async (registry) => ({ registry, credential: this.credentials ? await this.credentials.get(registry).catch(() => undefined) : undefined })),
    );
    const headers: Record<string, string> = { 'content-type': 'application/x-tar' };
    const known = logins.filter((l): l is { registry: string; credential: Credential } => l.credential !== undefined);
    if (known.length) headers['x-registry-config'] = encodeRegistryConfig(known);
    const res = await this.send({
      method: 'POST',
      path: `/build?${buildQuery(context, options)}`,
      headers,
      body: Readable.from(context.tar()),
      signal,
      streaming: true,
    });
    const reader = new BuildStreamReader(dockerfileText, path.relative(context.directory, context.dockerfilePath) || context.dockerfilePath, options);
    const parser = new JsonLinesParser();
    try {
      for await (const chunk of res.body) for (const ev of parser.feed(chunk as Uint8Array)) reader.add(ev);
      for (const ev of parser.end()) reader.add(ev);
    } catch (err) {
      if (err instanceof BuildError) throw err;
      throw this.mapError(err, signal, 'build');
    } finally {
      if (!res.body.destroyed && !res.body.readableEnded) res.body.destroy();
    }
    return reader.finish(options.tags ?? []);
  }

  /** POST /images/create?fromSrc=- — make an image from a root filesystem tar (tests, demo). Returns the image id. */
  async importImage(
    tar: Readable | AsyncIterable<Uint8Array> | Uint8Array,
    ref: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<string> {
    const r = splitEngineRef(ref);
    if (r.digest) throw new InvalidInputError('reference', ref, 'an imported image needs a tag, not a digest');
    const q = new URLSearchParams({ fromSrc: '-', repo: r.name, tag: r.tag ?? 'latest' });
    const body = tar instanceof Uint8Array || tar instanceof Readable ? tar : Readable.from(tar);
    let id: string | undefined;
    await this.stream(
      { method: 'POST', path: `/images/create?${q}`, headers: { 'content-type': 'application/x-tar' }, body },
      'import',
      {
        signal: options.signal,
        onProgress: (_p, ev) => {
          if (typeof ev.status === 'string' && /^sha256:[0-9a-f]{64}$/.test(ev.status)) id = ev.status;
        },
      },
    );
    if (!id) throw this.unfinished('import');
    return id;
  }

  // ---- plumbing -------------------------------------------------------------------------------

  /**
   * The negotiated API version: the older of ours and the engine's. The engine's comes from the
   * API-Version header of /_ping, as the docker CLI reads it (the cheapest request the engine
   * answers); only an engine that does not send it is asked for /version, which also gives its
   * minimum, never gone below.
   */
  private apiVersion(signal?: AbortSignal): Promise<string> {
    if (!this.apiVersionPromise) {
      const p = (async () => {
        let server: string | undefined;
        try {
          const res = await this.send({ method: 'GET', path: '/_ping', signal }, false);
          await res.body.dump();
          server = headerValue(res.headers['api-version']);
        } catch (err) {
          // Only an engine that answered (with an error status) gets a second chance via /version.
          if (!(err instanceof EngineError) || err.status === undefined) throw err;
        }
        if (server && /^\d+\.\d+$/.test(server)) return compareVersions(server, MAX_API_VERSION) < 0 ? server : MAX_API_VERSION;
        return (await this.fetchVersion(signal)).negotiatedApiVersion;
      })();
      // A failed negotiation (engine not up yet) is retried on the next call.
      p.catch(() => {
        if (this.apiVersionPromise === p) this.apiVersionPromise = undefined;
      });
      this.apiVersionPromise = p;
    }
    return this.apiVersionPromise;
  }

  /** GET /version (unversioned), remembered. */
  private async fetchVersion(signal?: AbortSignal): Promise<EngineVersion> {
    if (this.versionCache) return this.versionCache;
    const res = await this.send({ method: 'GET', path: '/version', signal }, false);
    const j = (await res.body.json()) as Record<string, unknown>;
    const server = str(j.ApiVersion) ?? '1.24';
    const min = str(j.MinAPIVersion);
    let use = compareVersions(server, MAX_API_VERSION) < 0 ? server : MAX_API_VERSION;
    if (min && compareVersions(use, min) < 0) use = min;
    this.versionCache = {
      version: str(j.Version) ?? '',
      apiVersion: server,
      ...(min ? { minApiVersion: min } : {}),
      os: str(j.Os) ?? '',
      arch: str(j.Arch) ?? '',
      ...(str(j.KernelVersion) ? { kernelVersion: str(j.KernelVersion) } : {}),
      negotiatedApiVersion: use,
    };
    return this.versionCache;
  }

  /**
   * Run a pull or push with the registry's X-Registry-Auth. A cloud registry's token can be refused
   * before its time (revoked, or expired early): when the store can renew it, the request is made
   * once more with the new one. The engine refuses before it moves any layer, so nothing is repeated.
   */
  private async withRegistryAuth<T>(registry: string, signal: AbortSignal | undefined, run: (auth: string) => Promise<T>): Promise<T> {
    const auth = await this.authWhileNegotiating(registry, signal);
    try {
      return await run(auth);
    } catch (err) {
      const renew = this.credentials?.renew;
      if (!(err instanceof EngineError) || !mayBeRefusedCredential(err) || !renew) throw err;
      const renewed = await renew.call(this.credentials, registry).catch(() => undefined);
      if (!renewed) throw err;
      return run(encodeRegistryAuth(renewed, engineServerAddress(registry)));
    }
  }

  /** The X-Registry-Auth value, looked up while the API version is negotiated (not one after the other). */
  private async authWhileNegotiating(registry: string, signal?: AbortSignal): Promise<string> {
    // A failed negotiation is not this call's to report: the request that needs it retries and reports it.
    // The ping goes out first, so the connection is being made while the credentials are read.
    const negotiated = this.apiVersion(signal).catch(() => undefined);
    const [auth] = await Promise.all([this.registryAuth(registry), negotiated]);
    return auth;
  }

  private async registryAuth(registry: string): Promise<string> {
    const credential = this.credentials ? await this.credentials.get(registry) : undefined;
    return encodeRegistryAuth(credential, engineServerAddress(registry));
  }

  private async getJson(path: string, signal?: AbortSignal): Promise<unknown> {
    const res = await this.send({ method: 'GET', path, signal });
    try {
      return await res.body.json();
    } catch (err) {
      if (err instanceof SyntaxError) {
        throw new EngineError('http', this.endpoint, `the engine answered ${path.split('?')[0]} with something that is not JSON — is ${this.endpoint} really a Docker engine?`);
      }
      throw this.mapError(err, signal, 'request');
    }
  }

  /**
   * One request; versioned path unless `versioned` is false. Non-2xx answers become EngineError
   * with the engine's own message.
   */
  private async send(
    req: { method: Dispatcher.HttpMethod; path: string; headers?: Record<string, string>; body?: Readable | Uint8Array; signal?: AbortSignal; streaming?: boolean },
    versioned = true,
  ): Promise<Dispatcher.ResponseData> {
    if (req.signal?.aborted) throw new CancelledError();
    const prefix = versioned ? `/v${await this.apiVersion(req.signal)}` : '';
    let res: Dispatcher.ResponseData;
    try {
      res = await this.pool.request({
        method: req.method,
        path: prefix + req.path,
        headers: req.headers,
        body: req.body,
        signal: req.signal,
        headersTimeout: req.streaming ? STREAM_HEADERS_TIMEOUT_MS : REQUEST_TIMEOUT_MS,
        // Progress streams can go quiet (a slow registry, a big layer); the caller's signal ends them.
        bodyTimeout: req.streaming ? 0 : REQUEST_TIMEOUT_MS,
      });
    } catch (err) {
      throw this.mapError(err, req.signal, 'connect');
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return res;
    let message = '';
    try {
      const text = await res.body.text();
      try {
        message = String((JSON.parse(text) as { message?: unknown }).message ?? text);
      } catch {
        message = text;
      }
    } catch {
      // The body is only for the message; the status alone still says what happened.
    }
    throw this.httpError(res.statusCode, message.trim(), req.path);
  }

  private httpError(status: number, message: string, path: string): EngineError {
    const text = message || `the engine answered ${status} to ${path.split('?')[0]}`;
    let reason: EngineError['reason'];
    if (status === 404) reason = 'not-found';
    else if (status === 409) reason = 'conflict';
    else if (status === 401 || status === 403) reason = 'auth';
    // Registry failures come back as 500 with the registry's words in them.
    else reason = classifyEngineMessage(text) ?? 'http';
    return new EngineError(reason, this.endpoint, text, status);
  }

  /** Send a request whose answer is a JSON progress stream; fold it; throw on an errorDetail. */
  private async stream(
    req: { method: Dispatcher.HttpMethod; path: string; headers?: Record<string, string>; body?: Readable | Uint8Array },
    operation: 'pull' | 'push' | 'import',
    options: ProgressOptions,
  ): Promise<ProgressAggregator> {
    const signal = options.signal;
    const res = await this.send({ ...req, signal, streaming: true });
    const parser = new JsonLinesParser();
    const agg = new ProgressAggregator();
    const handle = (ev: EngineProgressEvent): void => {
      const err = streamEventError(ev, this.endpoint);
      if (err) throw err;
      agg.add(ev);
      options.onProgress?.(agg.snapshot(), ev);
    };
    try {
      // Leaving this loop early (an errorDetail, a throwing callback) destroys the body, which
      // closes the connection — the engine sees that and stops the work.
      for await (const chunk of res.body) {
        for (const ev of parser.feed(chunk as Uint8Array)) handle(ev);
      }
      for (const ev of parser.end()) handle(ev);
    } catch (err) {
      if (err instanceof EngineError) throw err;
      throw this.mapError(err, signal, operation);
    } finally {
      // On an early exit make sure the socket is gone rather than returned to the pool half-read.
      if (!res.body.destroyed && !res.body.readableEnded) res.body.destroy();
    }
    agg.markFinished();
    return agg;
  }

  private unfinished(operation: 'pull' | 'push' | 'import'): EngineError {
    return new EngineError(
      'stream',
      this.endpoint,
      `the engine ended the ${operation} without reporting that it finished — it may have restarted; run the ${operation} again`,
    );
  }

  /** Turn an undici / socket error into EngineError or CancelledError. */
  private mapError(err: unknown, signal: AbortSignal | undefined, phase: 'connect' | 'request' | 'pull' | 'push' | 'import' | 'build'): Error {
    if (err instanceof EngineError || err instanceof CancelledError || err instanceof InvalidInputError) return err;
    const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string } };
    if (signal?.aborted || e.name === 'AbortError' || e.code === 'UND_ERR_ABORTED') return new CancelledError();
    const code = e.code === 'UND_ERR_SOCKET' && e.cause?.code ? e.cause.code : e.code ?? e.cause?.code;
    const where = this.endpoint;
    // detailText says what happened and where the address came from; describeError adds the
    // generic advice ("Start Docker, or point … at the right socket"), so it is not repeated here.
    const via = this.host.source === 'default' ? '' : ` (set by ${sourceText(this.host)})`;
    const isPipe = this.host.kind !== 'tcp';
    if (code === 'ENOENT') {
      return new EngineError('unreachable', where, `no Docker engine ${isPipe ? 'socket' : 'address'} exists at ${where}${via}`);
    }
    if (code === 'ECONNREFUSED') {
      return new EngineError('unreachable', where, `no Docker engine is listening on ${where}${via}`);
    }
    if (code === 'EACCES' || code === 'EPERM') {
      return new EngineError(
        'permission',
        where,
        `permission denied on ${where}${via} — add your user to the "docker" group and log in again, or point registryExplorer.docker.host / DOCKER_HOST at an engine you may use`,
      );
    }
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return new EngineError('unreachable', where, `cannot resolve the Docker engine host in ${where}${via} — check registryExplorer.docker.host / DOCKER_HOST`);
    }
    if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') {
      return new EngineError('unreachable', where, `the Docker engine at ${where}${via} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s`);
    }
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return new EngineError('unreachable', where, `the Docker engine at ${where} stopped answering`);
    }
    if (phase === 'pull' || phase === 'push' || phase === 'import' || phase === 'build') {
      // The socket closed under a running stream: dockerd stopped or restarted mid-operation.
      return new EngineError(
        'stream',
        where,
        `the connection to the Docker engine at ${where} closed in the middle of the ${phase} — the engine may have restarted; run the ${phase} again`,
      );
    }
    if (/certificate|self.signed|SSL|TLS/i.test(`${code} ${e.message}`)) {
      return new EngineError('unreachable', where, `TLS with the Docker engine at ${where} failed: ${e.message ?? code} — check DOCKER_CERT_PATH / DOCKER_TLS_VERIFY`);
    }
    return new EngineError('unreachable', where, `cannot talk to the Docker engine at ${where}${via}: ${e.message ?? code ?? 'unknown error'}`);
  }
}

function createPool(host: EngineHost): Pool {
  // A Pool, not a single Client: a Client is one connection, and a long pull stream would
  // otherwise hold up every other request (listing images while a pull runs).
  const common = { connections: 8, connectTimeout: CONNECT_TIMEOUT_MS, keepAliveTimeout: 4_000 };
  if (host.kind === 'tcp') {
    const tls = host.tls;
    const connect: Record<string, unknown> = { timeout: CONNECT_TIMEOUT_MS };
    if (tls) {
      const read = (file: string | undefined, what: string): Buffer | undefined => {
        if (!file) return undefined;
        try {
          return fs.readFileSync(file);
        } catch (err) {
          throw new EngineError('config', host.url ?? host.hostText, `cannot read the TLS ${what} ${file}: ${(err as Error).message}`);
        }
      };
      connect.rejectUnauthorized = tls.verify;
      const ca = read(tls.caFile, 'CA certificate');
      const cert = read(tls.certFile, 'client certificate');
      const key = read(tls.keyFile, 'client key');
      if (ca) connect.ca = ca;
      if (cert) connect.cert = cert;
      if (key) connect.key = key;
    }
    return newPool(host.url as string, { ...common, connect });
  }
  // Unix socket or named pipe: the origin is only for the Host header; the connection goes to the path.
  return newPool('http://localhost', { ...common, connect: { socketPath: host.socketPath as string, timeout: CONNECT_TIMEOUT_MS } });
}

/** The registry an engine search goes to: a host prefix in the term, else Docker Hub. */
function searchRegistry(term: string): string {
  const slash = term.indexOf('/');
  if (slash > 0) {
    const first = term.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') return first;
  }
  return 'docker.io';
}

/** Image names go into the path as-is (the engine routes on the rest of the path), ids likewise. */
function imageNameForPath(ref: string): string {
  const r = ref.trim();
  if (!r || /[\s?#]/.test(r)) throw new InvalidInputError('reference', ref, 'not an image reference or id');
  return r;
}

/** "web-1 (exited), api (running)": how messages name containers (first name, else short id; with state). */
export function containersText(containers: ContainerSummary[], max = 5): string {
  const named = containers.slice(0, max).map((c) => `${c.names[0] ?? c.id.slice(0, 12)}${c.state ? ` (${c.state})` : ''}`);
  const more = containers.length - named.length;
  return more > 0 ? `${named.join(', ')} and ${more} more` : named.join(', ');
}

function sourceText(host: EngineHost): string {
  if (host.source === 'setting') return 'registryExplorer.docker.host';
  if (host.source === 'context') return `Docker context "${host.context ?? '?'}"`;
  return host.source;
}

function cleanNames(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && !s.startsWith('<none>')) : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** Compare "1.41" and "1.47" numerically. */
function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * A refusal that a renewed credential may cure: an auth failure, or dockerd's 404 for a pull the
 * registry refused ("pull access denied for …, repository does not exist or may require 'docker
 * login': denied: Your authorization token has expired", ECR's words for a dropped token).
 */
function mayBeRefusedCredential(err: EngineError): boolean {
  return err.reason === 'auth' || (err.reason === 'not-found' && /pull access denied|\bdenied: /i.test(err.message));
}
