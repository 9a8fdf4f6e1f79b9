// An EMULATION of Amazon ECR's API (the JSON 1.1 actions of the ECR API Reference,
// docs.aws.amazon.com/AmazonECR/latest/APIReference/, and ECR Public's, .../AmazonECRPublic/latest/APIReference/)
// and of ECR's registry front door, in front of a REAL Distribution registry (the token-auth registry
// of the test services). One listener answers:
//   POST /  X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Action>   (ECR: GetAuthorizationToken,
//           DescribeRepositories, DescribeImages, DescribeImageScanFindings, GetRegistryScanningConfiguration,
//           StartImageScan, BatchDeleteImage, CreateRepository, DeleteRepository)
//   POST /  X-Amz-Target: SpencerFrontendService.<Action>                 (ECR Public: GetAuthorizationToken,
//           DescribeRegistries, DescribeRepositories, DescribeImages, BatchDeleteImage; us-east-1 only)
//   POST /  Action=AssumeRoleWithWebIdentity (STS query API)  and  GET /federation/credentials (the SSO
//           portal's GetRoleCredentials): what the credential chain calls for web identity and SSO
//   /v2/*   ECR's registry: Basic `AWS:<token>` only, checked against the tokens GetAuthorizationToken
//           issued (expired ones get ECR's 403); behind it the real registry, with a real JWT from the
//           real issuer (accounts map onto its pusher / reader). Requests may come in absolute form
//           (the emulation is then the HTTP proxy of `<account>.dkr.ecr.<region>.amazonaws.com` and of
//           public.ecr.aws): the host says which registry is meant.
//   /token/ ECR Public's Bearer realm: anonymous pulls, or Basic `AWS:<token>` from its GetAuthorizationToken.
// The API requests' SigV4 Authorization header is read for its access key id, region and service, and
// the key is checked against the principals configured here; the signature itself is NOT verified
// (that is the SDK's and AWS's business, not this client's).
// Repositories are the emulation's table (ECR creates none on push); each maps onto the real registry
// under ecr/<run>/<account>/<region>/<name> (ECR Public: ecr-public/<run>/<alias>/<name>). Images, tags, digests and
// sizes are read from what the real registry holds (tags/list + manifests), so browsing and pulling
// agree. Untagging a tag that shares its image (BatchDeleteImage by tag) is done on Distribution by
// deleting the manifest and putting the same bytes back under the other tags. Error bodies and scan
// findings are the recorded fixtures in test/fixtures/vendors/ecr/. Controls are plain methods, and
// there are no node:test imports: the extension-host suite starts this too.

import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readVendorJson } from '../support/vendorFixture';

export interface Login {
  username: string;
  password: string;
}

/** An IAM identity the emulation knows, by access key id. */
export interface EcrPrincipal {
  accessKeyId: string;
  secretAccessKey: string;
  /** Named in AccessDenied messages. */
  arn: string;
  /** The account of the real token issuer it acts as. */
  registryAccount: 'pusher' | 'reader';
  /** A read-only policy (AmazonEC2ContainerRegistryReadOnly): no pushes, deletes, scans or repository changes. */
  readOnly?: boolean;
  /** Temporary credentials: this session token must come along (X-Amz-Security-Token). */
  sessionToken?: string;
}

export const ECR_ACCOUNT = '123456789012';

/** The emulation's principals: an administrator, a read-only user, and the temporary credentials SSO and web identity hand out. */
export const ECR_PRINCIPALS = {
  admin: { accessKeyId: 'AKIAEMULATEDADMIN001', secretAccessKey: 'emulated/admin/secret', arn: `arn:aws:iam::${ECR_ACCOUNT}:user/regx-admin`, registryAccount: 'pusher' },
  reader: { accessKeyId: 'AKIAEMULATEDREADER01', secretAccessKey: 'emulated/reader/secret', arn: `arn:aws:iam::${ECR_ACCOUNT}:user/regx-reader`, registryAccount: 'reader', readOnly: true },
  sso: {
    accessKeyId: 'ASIAEMULATEDSSO00001',
    secretAccessKey: 'emulated/sso/secret',
    sessionToken: 'emulated-sso-session-token',
    arn: `arn:aws:sts::${ECR_ACCOUNT}:assumed-role/AWSReservedSSO_RegxDeveloper_0123456789abcdef/regx-dev`,
    registryAccount: 'pusher',
  },
  webIdentity: {
    accessKeyId: 'ASIAEMULATEDWEBID001',
    secretAccessKey: 'emulated/web-identity/secret',
    sessionToken: 'emulated-web-identity-session-token',
    arn: `arn:aws:sts::${ECR_ACCOUNT}:assumed-role/regx-ci/regx-ci-session`,
    registryAccount: 'pusher',
  },
} satisfies Record<string, EcrPrincipal>;

/** What the SSO portal and STS accept, to hand out the sso / webIdentity principals. */
export const ECR_SSO = { accessToken: 'emulated-sso-access-token', accountId: ECR_ACCOUNT, roleName: 'RegxDeveloper' };
export const ECR_WEB_IDENTITY = { token: 'emulated-oidc-token', roleArn: `arn:aws:iam::${ECR_ACCOUNT}:role/regx-ci` };

export interface EcrEmulationOptions {
  /** host:port of the real token-auth Distribution registry (plain http). */
  registry: string;
  /** Base URL of its token issuer. */
  issuer: string;
  /** The issuer's service for that registry. Default regx-test-registry. */
  service?: string;
  pusher: Login;
  reader: Login;
  /** The account the emulation's own host (127.0.0.1:port) is the registry of. Default 123456789012. */
  registryId?: string;
  /** Its region. Default us-east-1. */
  region?: string;
  /** Registry token lifetime. Default 12 hours, as ECR's. */
  tokenLifetimeSeconds?: number;
  /** The account's ECR Public registry alias. Default regx-public. */
  publicAlias?: string;
}

export interface EmulatedRequest {
  /** 'api' (POST / with X-Amz-Target), 'registry' (/v2/), 'token' (ECR Public realm), 'sts', 'sso'. */
  listener: 'api' | 'registry' | 'token' | 'sts' | 'sso';
  method: string;
  /** The host the request was for (absolute-form requests name the proxied host). */
  host: string;
  path: string;
  /** The API action, for api requests. */
  action?: string;
  /** The access key id of the SigV4 signature, for api requests. */
  accessKeyId?: string;
  /** The region of the SigV4 credential scope. */
  region?: string;
  status?: number;
}

export interface ScanResult {
  /** ECR's imageScanStatus.status: COMPLETE, ACTIVE, IN_PROGRESS, FAILED, SCAN_ELIGIBILITY_EXPIRED, FINDINGS_UNAVAILABLE, … */
  status: string;
  description?: string;
  /** Which recorded findings a COMPLETE / ACTIVE scan has. Default basic. */
  findings?: 'basic' | 'enhanced' | 'none';
}

export interface EcrEmulation {
  /** http://127.0.0.1:PORT: the API endpoint, and the registry of the default account and region. */
  url: string;
  host: string;
  registryId: string;
  region: string;
  publicAlias: string;
  /** Every request, in order (nothing here is ever printed). */
  requests: EmulatedRequest[];
  /** `<account>.dkr.ecr.<region>.amazonaws.com`, reached with this emulation as the HTTP proxy. */
  registryHost(region?: string): string;
  /** Where a repository lives on the real registry. */
  realRepository(name: string, region?: string): string;
  /** Where an ECR Public repository lives on the real registry. */
  realPublicRepository(name: string, alias?: string): string;
  createRepository(name: string, options?: { region?: string; immutable?: boolean; scanOnPush?: boolean }): void;
  createPublicRepository(name: string, options?: { alias?: string }): void;
  setImmutable(name: string, immutable: boolean, region?: string): void;
  /** A registry token (as GetAuthorizationToken would give) for a principal: for seeding through the registry. */
  issueToken(principal?: EcrPrincipal): Login;
  /** Every registry token issued so far is past its expiresAt. */
  expireTokens(): void;
  /** The next `count` registry tokens GetAuthorizationToken issues are refused as expired from the start (the cloud dropped them before their expiresAt). */
  expireNextTokens(count: number): void;
  setTokenLifetime(seconds: number): void;
  /** The temporary credentials of this access key are expired (ExpiredTokenException). */
  expireSession(accessKeyId: string, expired?: boolean): void;
  /** Refuse an IAM action to a principal (AccessDeniedException), or allow it again. */
  deny(accessKeyId: string, action: string, denied?: boolean): void;
  /** The registry's scanning configuration. */
  setScanType(type: 'BASIC' | 'ENHANCED'): void;
  /** The account's BLOB_MOUNTING setting (PutAccountSetting); off by default, as in ECR: a mount request starts a plain upload. */
  setBlobMounting(enabled: boolean): void;
  /** The next answers to this API action (all, or `times` of them) are this raw body (a hostile or broken server); undefined: normal again. */
  answerRaw(action: string, answer: { status: number; body: string; times?: number } | undefined): void;
  /** The image (tag or digest) has this scan status and findings. Resolves with its digest. */
  setScan(name: string, reference: string, result: ScanResult, region?: string): Promise<string>;
  /** Counters the tests assert on. */
  stats(): { authorizationTokens: number; publicAuthorizationTokens: number; expiredAnswers: number; actions: Record<string, number> };
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Fixtures

interface ErrorsFixture {
  api: Record<string, { status: number; message: string; type?: string }>;
  batchDeleteFailures: Record<string, string>;
  registry: Record<string, { status: number; headers?: Record<string, string>; body: unknown }>;
}

/** A recorded body of test/fixtures/vendors/ecr/ (errors, scan-basic, scan-enhanced). */
export function readFixture<T>(name: string): T {
  return readVendorJson<T>('ecr', name);
}

/** {name} placeholders in fixture text; anything else ({imageDigest:'…'}) stays as written. */
export function fill<T>(value: T, vars: Record<string, string>): T {
  const text = JSON.stringify(value).replace(/\{(\w+)\}/g, (all, key: string) => (key in vars ? JSON.stringify(vars[key]).slice(1, -1) : all));
  return JSON.parse(text) as T;
}

const ECR_TARGET = 'AmazonEC2ContainerRegistry_V20150921.';
const PUBLIC_TARGET = 'SpencerFrontendService.';
const PUBLIC_HOST = 'public.ecr.aws';
const PRIVATE_HOST = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com$/;
const ACCEPT_MANIFESTS = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');
const READ_ONLY_ALLOWED = new Set(['GetAuthorizationToken', 'DescribeRepositories', 'DescribeImages', 'DescribeImageScanFindings', 'GetRegistryScanningConfiguration', 'DescribeRegistries']);

class ApiError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Repository {
  name: string;
  registryId: string;
  region: string;
  createdAt: number;
  immutable: boolean;
  scanOnPush: boolean;
  /** Where it is on the real registry. */
  real: string;
  /** ECR Public: the alias its path starts with. */
  alias?: string;
}

interface IssuedToken {
  principal: EcrPrincipal;
  expiresAt: number;
  public: boolean;
}

interface ManifestInfo {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  parsed: Record<string, unknown>;
}

interface ImageRecord {
  digest: string;
  tags: string[];
  size: number;
  mediaType: string;
  artifactMediaType?: string;
  pushedAt: number;
}

interface ScanState extends ScanResult {
  completedAt: number;
  startedAt?: number;
}

export async function startEcrEmulation(options: EcrEmulationOptions): Promise<EcrEmulation> {
  const errors = readFixture<ErrorsFixture>('errors');
  const scanFixtures = { basic: readFixture<{ response: Record<string, unknown> }>('scan-basic').response, enhanced: readFixture<{ response: Record<string, unknown> }>('scan-enhanced').response };
  const registryId = options.registryId ?? ECR_ACCOUNT;
  const defaultRegion = options.region ?? 'us-east-1';
  const publicAlias = options.publicAlias ?? 'regx-public';
  const service = options.service ?? 'regx-test-registry';
  let tokenLifetime = options.tokenLifetimeSeconds ?? 12 * 3600;
  let droppedTokens = 0;
  let scanType: 'BASIC' | 'ENHANCED' = 'BASIC';
  let blobMounting = false;
  const principals = new Map<string, EcrPrincipal>(Object.values(ECR_PRINCIPALS).map((p) => [p.accessKeyId, p as EcrPrincipal]));
  const denied = new Map<string, Set<string>>();
  const expiredSessions = new Set<string>();
  const repositories = new Map<string, Repository>();
  const tokens = new Map<string, IssuedToken>();
  const pushedAt = new Map<string, number>();
  const scans = new Map<string, ScanState>();
  const manifestCache = new Map<string, ManifestInfo>();
  const realTokens = new Map<string, { token: string; until: number }>();
  const requests: EmulatedRequest[] = [];
  const rawAnswers = new Map<string, { status: number; body: string; times?: number }>();
  const counters = { authorizationTokens: 0, publicAuthorizationTokens: 0, expiredAnswers: 0, actions: {} as Record<string, number> };
  let base = '';
  let ownHost = '';
  // Each emulation keeps its repositories apart on the shared real registry, so a second run finds none of the first's.
  const run = crypto.randomBytes(3).toString('hex');
  const realPrivate = (name: string, region: string, id = registryId) => `ecr/${run}/${id}/${region}/${name}`;
  const realPublic = (name: string, alias: string) => `ecr-public/${run}/${alias}/${name}`;

  const repoKey = (name: string, region: string, id = registryId) => `${id}/${region}/${name}`;
  const publicKey = (alias: string, name: string) => `public/${alias}/${name}`;

  function createRepository(name: string, o: { region?: string; immutable?: boolean; scanOnPush?: boolean; id?: string } = {}): Repository {
    const region = o.region ?? defaultRegion;
    const id = o.id ?? registryId;
    const repo: Repository = {
      name,
      registryId: id,
      region,
      createdAt: Math.floor(Date.now() / 1000),
      immutable: !!o.immutable,
      scanOnPush: !!o.scanOnPush,
      real: realPrivate(name, region, id),
    };
    repositories.set(repoKey(name, region, id), repo);
    return repo;
  }

  function createPublicRepository(name: string, o: { alias?: string } = {}): Repository {
    const alias = o.alias ?? publicAlias;
    const repo: Repository = { name, registryId, region: 'us-east-1', createdAt: Math.floor(Date.now() / 1000), immutable: false, scanOnPush: false, real: realPublic(name, alias), alias };
    repositories.set(publicKey(alias, name), repo);
    return repo;
  }

  // -------------------------------------------------------------------------------------------
  // The real registry behind

  const registryBase = `http://${options.registry}`;

  async function realToken(account: 'pusher' | 'reader', scopes: string[]): Promise<string> {
    const key = `${account} ${[...scopes].sort().join(' ')}`;
    const cached = realTokens.get(key);
    if (cached && cached.until > Date.now()) return cached.token;
    const login = account === 'pusher' ? options.pusher : options.reader;
    const url = new URL(`${options.issuer.replace(/\/+$/, '')}/token`);
    url.searchParams.set('service', service);
    for (const s of scopes) url.searchParams.append('scope', s);
    const res = await fetch(url, { headers: { authorization: `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}` } });
    if (!res.ok) throw new Error(`emulation: the issuer answered ${res.status}`);
    const body = (await res.json()) as { token?: string; access_token?: string; expires_in?: number };
    const token = body.token ?? body.access_token ?? '';
    realTokens.set(key, { token, until: Date.now() + Math.max(10, (body.expires_in ?? 60) - 10) * 1000 });
    return token;
  }

  /** A request to the real registry as the emulation itself (reading what a repository holds). */
  async function real(method: string, pathAndQuery: string, realRepo: string, actions: string, headers: Record<string, string> = {}, body?: Buffer): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
    const token = await realToken('pusher', [`repository:${realRepo}:${actions}`]);
    const res = await fetch(`${registryBase}${pathAndQuery}`, { method, headers: { ...headers, authorization: `Bearer ${token}` }, ...(body ? { body } : {}) });
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
  }

  async function manifest(repo: Repository, reference: string): Promise<ManifestInfo | undefined> {
    const cached = reference.startsWith('sha256:') ? manifestCache.get(`${repo.real}@${reference}`) : undefined;
    if (cached) return cached;
    const res = await real('GET', `/v2/${repo.real}/manifests/${reference}`, repo.real, 'pull', { accept: ACCEPT_MANIFESTS });
    if (res.status !== 200) return undefined;
    const digest = res.headers.get('docker-content-digest') ?? `sha256:${crypto.createHash('sha256').update(res.bytes).digest('hex')}`;
    const info = { digest, mediaType: (res.headers.get('content-type') ?? '').split(';')[0]!, bytes: res.bytes, parsed: JSON.parse(res.bytes.toString('utf8')) as Record<string, unknown> };
    manifestCache.set(`${repo.real}@${digest}`, info);
    return info;
  }

  async function realTags(repo: Repository): Promise<string[]> {
    const tags: string[] = [];
    let next: string | undefined = `/v2/${repo.real}/tags/list?n=1000`;
    while (next) {
      const res = await real('GET', next, repo.real, 'pull');
      if (res.status === 404) return [];
      if (res.status !== 200) throw new Error(`emulation: tags/list answered ${res.status}`);
      const body = JSON.parse(res.bytes.toString('utf8')) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      const link = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
      next = link ? new URL(link, registryBase).pathname + new URL(link, registryBase).search : undefined;
    }
    return tags;
  }

  function imageSize(info: ManifestInfo): number {
    const config = info.parsed['config'] as { size?: number } | undefined;
    const layers = (info.parsed['layers'] as { size?: number }[] | undefined) ?? [];
    return (config?.size ?? 0) + layers.reduce((sum, l) => sum + (l.size ?? 0), 0);
  }

  /** The repository's images as DescribeImages lists them: tagged ones from tags/list, untagged ones pushed through here. */
  async function images(repo: Repository): Promise<ImageRecord[]> {
    const byDigest = new Map<string, ImageRecord>();
    const add = async (reference: string, tag?: string) => {
      const info = await manifest(repo, reference);
      if (!info) return;
      let record = byDigest.get(info.digest);
      if (!record) {
        let size = imageSize(info);
        const children = info.parsed['manifests'] as { digest: string }[] | undefined;
        if (Array.isArray(children)) {
          // ECR: "If the image is a manifest list, this will be the max size of all manifests in the list."
          size = 0;
          for (const child of children) {
            const c = await manifest(repo, child.digest);
            if (c) size = Math.max(size, imageSize(c));
          }
        }
        const config = info.parsed['config'] as { mediaType?: string } | undefined;
        record = {
          digest: info.digest,
          tags: [],
          size,
          mediaType: info.mediaType,
          ...(config?.mediaType ? { artifactMediaType: config.mediaType } : {}),
          pushedAt: pushedAt.get(`${repo.real}@${info.digest}`) ?? repo.createdAt,
        };
        byDigest.set(info.digest, record);
      }
      if (tag) record.tags.push(tag);
    };
    for (const tag of (await realTags(repo)).sort()) await add(tag, tag);
    for (const key of pushedAt.keys()) {
      const [realRepo, digest] = key.split('@') as [string, string];
      if (realRepo === repo.real && !byDigest.has(digest)) await add(digest);
    }
    return [...byDigest.values()].sort((a, b) => b.pushedAt - a.pushedAt || a.digest.localeCompare(b.digest));
  }

  // -------------------------------------------------------------------------------------------
  // The API

  function apiError(name: string, vars: Record<string, string> = {}): ApiError {
    const entry = errors.api[name];
    if (!entry) return new ApiError(name, 400, name);
    return new ApiError(entry.type ?? name, entry.status, fill(entry.message, vars));
  }

  function sigV4(req: http.IncomingMessage): { accessKeyId: string; region: string; service: string } | undefined {
    const m = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(String(req.headers['authorization'] ?? ''));
    return m ? { accessKeyId: m[1]!, region: m[2]!, service: m[3]! } : undefined;
  }

  function authenticate(req: http.IncomingMessage): { principal: EcrPrincipal; region: string; service: string } {
    const sig = sigV4(req);
    if (!sig) throw apiError('MissingAuthenticationTokenException');
    const principal = principals.get(sig.accessKeyId);
    if (!principal) throw apiError('UnrecognizedClientException');
    if (principal.sessionToken) {
      if (req.headers['x-amz-security-token'] !== principal.sessionToken) throw apiError('UnrecognizedClientException');
      if (expiredSessions.has(principal.accessKeyId)) throw apiError('ExpiredTokenException');
    }
    return { principal, region: sig.region, service: sig.service };
  }

  function authorize(principal: EcrPrincipal, service: string, action: string, resource: string): void {
    const iamAction = `${service}:${action}`;
    const refused = denied.get(principal.accessKeyId)?.has(iamAction) || (principal.readOnly && !READ_ONLY_ALLOWED.has(action));
    if (refused) throw apiError('AccessDeniedException', { arn: principal.arn, action: iamAction, resource });
  }

  function repositoryArn(repo: { name: string; region: string; registryId: string }, service = 'ecr'): string {
    return `arn:aws:${service}:${repo.region}:${repo.registryId}:repository/${repo.name}`;
  }

  function findRepository(input: Record<string, unknown>, region: string, isPublic: boolean): Repository {
    const name = String(input['repositoryName'] ?? '');
    const id = typeof input['registryId'] === 'string' ? input['registryId'] : registryId;
    const repo = isPublic ? [...repositories.values()].find((r) => r.alias === publicAlias && r.name === name) : repositories.get(repoKey(name, region, id));
    if (!repo) throw apiError('RepositoryNotFoundException', { name, registryId: id });
    return repo;
  }

  function checkMaxResults(input: Record<string, unknown>): number {
    const max = input['maxResults'];
    if (max === undefined) return 100;
    if (typeof max !== 'number' || max < 1 || max > 1000) throw apiError('ValidationException', { value: String(max) });
    return max;
  }

  /** nextToken: opaque to clients, bound to the action and repository it continues. */
  function pageOf<T>(items: T[], input: Record<string, unknown>, scope: string): { page: T[]; nextToken?: string } {
    const max = checkMaxResults(input);
    let offset = 0;
    if (input['nextToken'] !== undefined) {
      try {
        const parsed = JSON.parse(Buffer.from(String(input['nextToken']), 'base64url').toString('utf8')) as { o: number; s: string };
        if (parsed.s !== scope || !Number.isInteger(parsed.o) || parsed.o < 0) throw new Error('foreign token');
        offset = parsed.o;
      } catch {
        throw apiError('InvalidParameterException');
      }
    }
    const page = items.slice(offset, offset + max);
    const end = offset + page.length;
    return end < items.length ? { page, nextToken: Buffer.from(JSON.stringify({ o: end, s: scope })).toString('base64url') } : { page };
  }

  function repositoryJson(repo: Repository, isPublic: boolean): Record<string, unknown> {
    if (isPublic) {
      return {
        repositoryArn: `arn:aws:ecr-public::${repo.registryId}:repository/${repo.name}`,
        registryId: repo.registryId,
        repositoryName: repo.name,
        repositoryUri: `${PUBLIC_HOST}/${repo.alias}/${repo.name}`,
        createdAt: repo.createdAt,
      };
    }
    return {
      repositoryArn: repositoryArn(repo),
      registryId: repo.registryId,
      repositoryName: repo.name,
      repositoryUri: `${repo.registryId}.dkr.ecr.${repo.region}.amazonaws.com/${repo.name}`,
      createdAt: repo.createdAt,
      imageTagMutability: repo.immutable ? 'IMMUTABLE' : 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: repo.scanOnPush },
      encryptionConfiguration: { encryptionType: 'AES256' },
    };
  }

  function scanKey(repo: Repository, digest: string): string {
    return `${repo.real}@${digest}`;
  }

  function imageJson(repo: Repository, image: ImageRecord, isPublic: boolean): Record<string, unknown> {
    const detail: Record<string, unknown> = {
      registryId: repo.registryId,
      repositoryName: repo.name,
      imageDigest: image.digest,
      ...(image.tags.length ? { imageTags: image.tags } : {}),
      imageSizeInBytes: image.size,
      imagePushedAt: image.pushedAt,
      imageManifestMediaType: image.mediaType,
      ...(image.artifactMediaType ? { artifactMediaType: image.artifactMediaType } : {}),
    };
    const scan = isPublic ? undefined : scans.get(scanKey(repo, image.digest));
    if (scan) {
      // The older basic scanning also summarises here (DescribeImages: imageScanStatus, imageScanFindingsSummary).
      detail['imageScanStatus'] = { status: scan.status, ...(scan.description ? { description: scan.description } : {}) };
      const fixture = scan.findings && scan.findings !== 'none' ? scanFixtures[scan.findings] : undefined;
      const counts = fixture ? ((fixture['imageScanFindings'] as Record<string, unknown>)['findingSeverityCounts'] as Record<string, number>) : {};
      if (scan.status === 'COMPLETE' || scan.status === 'ACTIVE') {
        detail['imageScanFindingsSummary'] = { imageScanCompletedAt: scan.completedAt, vulnerabilitySourceUpdatedAt: scan.completedAt, findingSeverityCounts: counts };
      }
    }
    return detail;
  }

  /** The image an imageId names (tag, digest, or both, which must agree). */
  async function resolveImage(repo: Repository, imageId: Record<string, unknown>): Promise<{ image?: ImageRecord; failure?: string }> {
    const tag = typeof imageId['imageTag'] === 'string' ? imageId['imageTag'] : undefined;
    const digest = typeof imageId['imageDigest'] === 'string' ? imageId['imageDigest'] : undefined;
    const all = await images(repo);
    const byTag = tag ? all.find((i) => i.tags.includes(tag)) : undefined;
    const byDigest = digest ? all.find((i) => i.digest === digest) : undefined;
    if (tag && digest) {
      if (!byTag && !byDigest) return { failure: 'ImageNotFound' };
      if (!byTag || byTag.digest !== digest) return { failure: 'ImageTagDoesNotMatchDigest' };
      return { image: byTag };
    }
    const image = byTag ?? byDigest;
    return image ? { image } : { failure: 'ImageNotFound' };
  }

  function notFoundImage(repo: Repository, imageId: Record<string, unknown>): ApiError {
    return apiError('ImageNotFoundException', {
      name: repo.name,
      registryId: repo.registryId,
      digest: String(imageId['imageDigest'] ?? 'null'),
      tag: String(imageId['imageTag'] ?? 'null'),
    });
  }

  async function describeImages(repo: Repository, input: Record<string, unknown>, isPublic: boolean): Promise<Record<string, unknown>> {
    const ids = Array.isArray(input['imageIds']) ? (input['imageIds'] as Record<string, unknown>[]) : undefined;
    if (ids) {
      const details: Record<string, unknown>[] = [];
      for (const id of ids) {
        const { image } = await resolveImage(repo, id);
        if (!image) throw notFoundImage(repo, id);
        details.push(imageJson(repo, image, isPublic));
      }
      return { imageDetails: details };
    }
    const filter = (input['filter'] as { tagStatus?: string } | undefined)?.tagStatus ?? 'ANY';
    const all = (await images(repo)).filter((i) => (filter === 'TAGGED' ? i.tags.length > 0 : filter === 'UNTAGGED' ? i.tags.length === 0 : true));
    const { page, nextToken } = pageOf(all, input, `DescribeImages ${repo.real} ${filter}`);
    return { imageDetails: page.map((i) => imageJson(repo, i, isPublic)), ...(nextToken ? { nextToken } : {}) };
  }

  async function scanFindings(repo: Repository, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const imageId = (input['imageId'] ?? {}) as Record<string, unknown>;
    const { image } = await resolveImage(repo, imageId);
    if (!image) throw notFoundImage(repo, imageId);
    const scan = scans.get(scanKey(repo, image.digest));
    const vars = { name: repo.name, registryId: repo.registryId, digest: image.digest, tag: String(imageId['imageTag'] ?? image.tags[0] ?? 'null'), region: repo.region };
    if (!scan) throw apiError('ScanNotFoundException', { ...vars, digest: String(imageId['imageDigest'] ?? 'null'), tag: String(imageId['imageTag'] ?? 'null') });
    const answer: Record<string, unknown> = {
      registryId: repo.registryId,
      repositoryName: repo.name,
      imageId: { imageDigest: image.digest, ...(imageId['imageTag'] ? { imageTag: imageId['imageTag'] } : {}) },
      imageScanStatus: { status: scan.status, ...(scan.description ? { description: scan.description } : {}) },
    };
    if (scan.status !== 'COMPLETE' && scan.status !== 'ACTIVE') return answer;
    if (!scan.findings || scan.findings === 'none') {
      answer['imageScanFindings'] = { imageScanCompletedAt: scan.completedAt, vulnerabilitySourceUpdatedAt: scan.completedAt, findingSeverityCounts: {}, findings: [] };
      return answer;
    }
    const recorded = fill(scanFixtures[scan.findings], { ...vars, completedAt: '__completedAt__' });
    const findings = JSON.parse(JSON.stringify(recorded['imageScanFindings']).replaceAll('"__completedAt__"', String(scan.completedAt))) as Record<string, unknown>;
    const listKey = scan.findings === 'enhanced' ? 'enhancedFindings' : 'findings';
    const list = findings[listKey] as unknown[];
    const { page, nextToken } = pageOf(list, input, `DescribeImageScanFindings ${repo.real} ${image.digest}`);
    answer['imageScanFindings'] = { ...findings, [listKey]: page };
    if (nextToken) answer['nextToken'] = nextToken;
    return answer;
  }

  /** ECR's untag on Distribution, which only deletes by digest: delete the manifest, put the same bytes back under the other tags. */
  async function untag(repo: Repository, image: ImageRecord, tag: string): Promise<void> {
    const info = await manifest(repo, image.digest);
    if (!info) return;
    const del = await real('DELETE', `/v2/${repo.real}/manifests/${image.digest}`, repo.real, 'delete');
    if (del.status !== 202) throw new ApiError('ServerException', 500, `the registry behind answered ${del.status} to a delete`);
    manifestCache.delete(`${repo.real}@${image.digest}`);
    for (const other of image.tags.filter((t) => t !== tag)) {
      const put = await real('PUT', `/v2/${repo.real}/manifests/${other}`, repo.real, 'pull,push', { 'content-type': info.mediaType }, info.bytes);
      if (put.status !== 201) throw new ApiError('ServerException', 500, `the registry behind answered ${put.status} to a retag`);
    }
  }

  async function batchDelete(repo: Repository, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const deleted: Record<string, unknown>[] = [];
    const failures: Record<string, unknown>[] = [];
    for (const id of (input['imageIds'] as Record<string, unknown>[] | undefined) ?? []) {
      const { image, failure } = await resolveImage(repo, id);
      if (!image) {
        failures.push({ imageId: id, failureCode: failure, failureReason: errors.batchDeleteFailures[failure!] ?? failure });
        continue;
      }
      const tag = typeof id['imageTag'] === 'string' ? id['imageTag'] : undefined;
      if (!tag) {
        const index = await referencingIndex(repo, image.digest);
        if (index) {
          failures.push({ imageId: id, failureCode: 'ImageReferencedByManifestList', failureReason: fill(errors.batchDeleteFailures['ImageReferencedByManifestList']!, { index }) });
          continue;
        }
      }
      if (tag && image.tags.length > 1) {
        await untag(repo, image, tag);
      } else {
        const del = await real('DELETE', `/v2/${repo.real}/manifests/${image.digest}`, repo.real, 'delete');
        if (del.status !== 202) throw new ApiError('ServerException', 500, `the registry behind answered ${del.status} to a delete`);
        pushedAt.delete(`${repo.real}@${image.digest}`);
        manifestCache.delete(`${repo.real}@${image.digest}`);
      }
      deleted.push({ imageDigest: image.digest, ...(tag ? { imageTag: tag } : {}) });
    }
    return { imageIds: deleted, failures };
  }

  async function referencingIndex(repo: Repository, digest: string): Promise<string | undefined> {
    for (const image of await images(repo)) {
      const info = await manifest(repo, image.digest);
      const children = info?.parsed['manifests'] as { digest: string }[] | undefined;
      if (Array.isArray(children) && children.some((c) => c.digest === digest)) return image.digest;
    }
    return undefined;
  }

  function issueToken(principal: EcrPrincipal, isPublic: boolean): { password: string; expiresAt: number } {
    const password = `eyJ${crypto.randomBytes(48).toString('base64url')}`;
    const expiresAt = Date.now() + tokenLifetime * 1000;
    // A token dropped early still tells its holder the nominal expiresAt: only the registry refuses it.
    const dropped = droppedTokens > 0 && !isPublic;
    if (dropped) droppedTokens--;
    tokens.set(password, { principal, expiresAt: dropped ? Date.now() - 1 : expiresAt, public: isPublic });
    return { password, expiresAt };
  }

  async function api(req: http.IncomingMessage, body: Buffer, record: EmulatedRequest): Promise<{ status: number; body: unknown }> {
    const target = String(req.headers['x-amz-target']);
    const isPublic = target.startsWith(PUBLIC_TARGET);
    if (!isPublic && !target.startsWith(ECR_TARGET)) throw new ApiError('UnknownOperationException', 404, `unknown operation ${target}`);
    const action = target.slice((isPublic ? PUBLIC_TARGET : ECR_TARGET).length);
    record.action = action;
    counters.actions[action] = (counters.actions[action] ?? 0) + 1;
    const { principal, region, service: svc } = authenticate(req);
    record.accessKeyId = principal.accessKeyId;
    record.region = region;
    const iamService = isPublic ? 'ecr-public' : 'ecr';
    if (svc !== iamService) throw apiError('UnrecognizedClientException');
    if (isPublic && region !== 'us-east-1') throw apiError('UnsupportedCommandException');
    let input: Record<string, unknown>;
    try {
      input = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
    } catch {
      throw new ApiError('SerializationException', 400, 'the body is not JSON');
    }
    const repoResource = () => repositoryArn({ name: String(input['repositoryName'] ?? '*'), region, registryId: String(input['registryId'] ?? registryId) }, iamService);

    switch (action) {
      case 'GetAuthorizationToken': {
        authorize(principal, iamService, action, '*');
        const { password, expiresAt } = issueToken(principal, isPublic);
        const authorizationToken = Buffer.from(`AWS:${password}`).toString('base64');
        if (isPublic) {
          counters.publicAuthorizationTokens++;
          return { status: 200, body: { authorizationData: { authorizationToken, expiresAt: expiresAt / 1000 } } };
        }
        counters.authorizationTokens++;
        return { status: 200, body: { authorizationData: [{ authorizationToken, expiresAt: expiresAt / 1000, proxyEndpoint: `https://${registryId}.dkr.ecr.${region}.amazonaws.com` }] } };
      }
      case 'DescribeRegistries': {
        authorize(principal, iamService, action, '*');
        return {
          status: 200,
          body: {
            registries: [
              {
                registryId,
                registryArn: `arn:aws:ecr-public::${registryId}:registry/${registryId}`,
                registryUri: `${PUBLIC_HOST}/${publicAlias}`,
                verified: false,
                aliases: [{ name: publicAlias, status: 'ACTIVE', primaryRegistryAlias: true, defaultRegistryAlias: true }],
              },
            ],
          },
        };
      }
      case 'DescribeRepositories': {
        authorize(principal, iamService, action, repoResource());
        const id = typeof input['registryId'] === 'string' ? input['registryId'] : registryId;
        let list = [...repositories.values()].filter((r) => (isPublic ? r.alias === publicAlias : !r.alias && r.registryId === id && r.region === region));
        const names = input['repositoryNames'] as string[] | undefined;
        if (names) {
          for (const name of names) if (!list.some((r) => r.name === name)) throw apiError('RepositoryNotFoundException', { name, registryId: id });
          list = list.filter((r) => names.includes(r.name));
        }
        list.sort((a, b) => a.name.localeCompare(b.name));
        const { page, nextToken } = pageOf(list, input, `DescribeRepositories ${id} ${region} ${isPublic}`);
        return { status: 200, body: { repositories: page.map((r) => repositoryJson(r, isPublic)), ...(nextToken ? { nextToken } : {}) } };
      }
      case 'DescribeImages': {
        authorize(principal, iamService, action, repoResource());
        return { status: 200, body: await describeImages(findRepository(input, region, isPublic), input, isPublic) };
      }
      case 'DescribeImageScanFindings': {
        authorize(principal, iamService, action, repoResource());
        return { status: 200, body: await scanFindings(findRepository(input, region, false), input) };
      }
      case 'GetRegistryScanningConfiguration': {
        authorize(principal, iamService, action, '*');
        return { status: 200, body: { registryId, scanningConfiguration: { scanType, rules: [] } } };
      }
      case 'StartImageScan': {
        authorize(principal, iamService, action, repoResource());
        const repo = findRepository(input, region, false);
        if (scanType === 'ENHANCED') throw apiError('EnhancedScanValidationException');
        const imageId = (input['imageId'] ?? {}) as Record<string, unknown>;
        const { image } = await resolveImage(repo, imageId);
        if (!image) throw notFoundImage(repo, imageId);
        const key = scanKey(repo, image.digest);
        const previous = scans.get(key);
        if (previous?.startedAt && Date.now() - previous.startedAt < 24 * 3600 * 1000) throw apiError('LimitExceededException');
        scans.set(key, { status: 'IN_PROGRESS', completedAt: previous?.completedAt ?? 0, startedAt: Date.now() });
        return { status: 200, body: { registryId: repo.registryId, repositoryName: repo.name, imageId: { imageDigest: image.digest, ...(imageId['imageTag'] ? { imageTag: imageId['imageTag'] } : {}) }, imageScanStatus: { status: 'IN_PROGRESS' } } };
      }
      case 'BatchDeleteImage': {
        authorize(principal, iamService, action, repoResource());
        return { status: 200, body: await batchDelete(findRepository(input, region, isPublic), input) };
      }
      case 'CreateRepository': {
        authorize(principal, iamService, action, repoResource());
        const name = String(input['repositoryName'] ?? '');
        if (repositories.has(repoKey(name, region))) throw apiError('RepositoryAlreadyExistsException', { name, registryId });
        const repo = createRepository(name, {
          region,
          immutable: String(input['imageTagMutability'] ?? '').startsWith('IMMUTABLE'),
          scanOnPush: (input['imageScanningConfiguration'] as { scanOnPush?: boolean } | undefined)?.scanOnPush === true,
        });
        return { status: 200, body: { repository: repositoryJson(repo, false) } };
      }
      case 'DeleteRepository': {
        authorize(principal, iamService, action, repoResource());
        const repo = findRepository(input, region, false);
        const held = await images(repo);
        if (held.length && input['force'] !== true) throw apiError('RepositoryNotEmptyException', { name: repo.name, registryId: repo.registryId });
        for (const image of held) await real('DELETE', `/v2/${repo.real}/manifests/${image.digest}`, repo.real, 'delete');
        repositories.delete(repoKey(repo.name, repo.region, repo.registryId));
        return { status: 200, body: { repository: repositoryJson(repo, false) } };
      }
      default:
        throw new ApiError('UnknownOperationException', 404, `${action} is not emulated`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // STS (web identity) and the SSO portal: what the credential chain calls to get the temporary keys.

  function sts(body: Buffer): { status: number; type: string; text: string } {
    const form = new URLSearchParams(body.toString('utf8'));
    const xml = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${inner}`;
    if (form.get('Action') !== 'AssumeRoleWithWebIdentity' || form.get('WebIdentityToken') !== ECR_WEB_IDENTITY.token || form.get('RoleArn') !== ECR_WEB_IDENTITY.roleArn) {
      return {
        status: 400,
        type: 'text/xml',
        text: xml(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>Couldn't retrieve verification key from your identity provider</Message></Error><RequestId>${crypto.randomUUID()}</RequestId></ErrorResponse>`),
      };
    }
    const p = ECR_PRINCIPALS.webIdentity;
    const expiration = new Date(Date.now() + 3600 * 1000).toISOString();
    return {
      status: 200,
      type: 'text/xml',
      text: xml(
        `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>` +
          `<Credentials><AccessKeyId>${p.accessKeyId}</AccessKeyId><SecretAccessKey>${p.secretAccessKey}</SecretAccessKey><SessionToken>${p.sessionToken}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
          `<AssumedRoleUser><Arn>${p.arn}</Arn><AssumedRoleId>AROAEMULATED:regx-ci-session</AssumedRoleId></AssumedRoleUser>` +
          `<SubjectFromWebIdentityToken>regx-ci</SubjectFromWebIdentityToken><Provider>token.actions.githubusercontent.com</Provider>` +
          `</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>${crypto.randomUUID()}</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`,
      ),
    };
  }

  function sso(req: http.IncomingMessage, url: URL): { status: number; body: unknown } {
    if (req.headers['x-amz-sso_bearer_token'] !== ECR_SSO.accessToken) {
      return { status: 401, body: { message: 'Session token not found or invalid' } };
    }
    if (url.searchParams.get('account_id') !== ECR_SSO.accountId || url.searchParams.get('role_name') !== ECR_SSO.roleName) {
      return { status: 403, body: { message: 'No access' } };
    }
    const p = ECR_PRINCIPALS.sso;
    return { status: 200, body: { roleCredentials: { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey, sessionToken: p.sessionToken, expiration: Date.now() + 3600 * 1000 } } };
  }

  // -------------------------------------------------------------------------------------------
  // The registry front door

  function registryError(res: http.ServerResponse, name: string, vars: Record<string, string>, record: EmulatedRequest, method: string): void {
    const entry = fill(errors.registry[name]!, vars);
    if (name === 'expired') counters.expiredAnswers++;
    record.status = entry.status;
    sendJson(res, entry.status, entry.body, { ...(entry.headers ?? {}), 'docker-distribution-api-version': 'registry/2.0' }, method);
  }

  /** The registry a host names: the default one for the emulation's own address. */
  function registryOf(host: string): { kind: 'private'; registryId: string; region: string } | { kind: 'public' } {
    if (host === PUBLIC_HOST) return { kind: 'public' };
    const m = PRIVATE_HOST.exec(host);
    return m ? { kind: 'private', registryId: m[1]!, region: m[2]! } : { kind: 'private', registryId, region: defaultRegion };
  }

  /** "/v2/<name>/<manifests|blobs|tags|referrers>/…" → name and the rest. */
  function splitRegistryPath(pathname: string): { name: string; rest: string } | undefined {
    const m = /^\/v2\/(.+?)\/((?:manifests|blobs|tags|referrers)\/.*)$/.exec(pathname);
    return m ? { name: m[1]!, rest: m[2]! } : undefined;
  }

  function writeActionOf(method: string, rest: string): string | undefined {
    if (method === 'GET' || method === 'HEAD') return undefined;
    if (method === 'DELETE') return 'ecr:BatchDeleteImage';
    if (rest.startsWith('manifests/')) return 'ecr:PutImage';
    if (method === 'POST') return 'ecr:InitiateLayerUpload';
    if (method === 'PATCH') return 'ecr:UploadLayerPart';
    return 'ecr:CompleteLayerUpload';
  }

  async function registry(req: http.IncomingMessage, res: http.ServerResponse, url: URL, host: string, body: Buffer, record: EmulatedRequest): Promise<void> {
    const method = req.method ?? 'GET';
    const which = registryOf(host);
    const vars: Record<string, string> = { host, registryId: which.kind === 'private' ? which.registryId : registryId, region: which.kind === 'private' ? which.region : 'us-east-1' };
    const authorization = String(req.headers['authorization'] ?? '');

    if (which.kind === 'public') {
      // ECR Public: a Bearer registry whose tokens the /token/ realm hands out (real JWTs, passed through).
      if (!/^Bearer\s+/i.test(authorization)) return registryError(res, 'publicUnauthorized', vars, record, method);
      if (url.pathname === '/v2/' || url.pathname === '/v2') return sendRegistryOk(res, record, method);
      const parts = splitRegistryPath(url.pathname);
      const alias = parts?.name.split('/')[0] ?? '';
      const repo = parts ? repositories.get(publicKey(alias, parts.name.slice(alias.length + 1))) : undefined;
      if (!parts || !repo) return registryError(res, 'nameUnknown', { ...vars, name: parts?.name ?? url.pathname }, record, method);
      return forward(req, res, url, repo, parts, body, authorization, record, parts.name);
    }

    const basic = /^Basic\s+(.+)$/i.exec(authorization);
    const decoded = basic ? Buffer.from(basic[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const issued = colon > 0 && decoded.slice(0, colon) === 'AWS' ? tokens.get(decoded.slice(colon + 1)) : undefined;
    if (!issued || issued.public) return registryError(res, 'unauthorized', vars, record, method);
    if (issued.expiresAt <= Date.now()) return registryError(res, 'expired', vars, record, method);
    if (url.pathname === '/v2/' || url.pathname === '/v2') return sendRegistryOk(res, record, method);
    if (url.pathname === '/v2/_catalog') {
      const n = Number(url.searchParams.get('n') ?? 100);
      if (n > 1000) return registryError(res, 'maxResults', vars, record, method);
      const names = [...repositories.values()].filter((r) => !r.alias && r.registryId === vars['registryId'] && r.region === vars['region']).map((r) => r.name).sort();
      record.status = 200;
      return sendJson(res, 200, { repositories: names }, {}, method);
    }
    const parts = splitRegistryPath(url.pathname);
    const repo = parts ? repositories.get(repoKey(parts.name, vars['region']!, vars['registryId'])) : undefined;
    if (!parts || !repo) return registryError(res, 'nameUnknown', { ...vars, name: parts?.name ?? url.pathname }, record, method);
    const writeAction = writeActionOf(method, parts.rest);
    if (writeAction && issued.principal.readOnly) {
      return registryError(res, 'notAuthorized', { ...vars, name: repo.name, arn: issued.principal.arn, action: writeAction }, record, method);
    }
    if (parts.rest.startsWith('tags/list') && Number(url.searchParams.get('n') ?? 0) > 1000) return registryError(res, 'maxResults', vars, record, method);
    const reference = parts.rest.startsWith('manifests/') ? decodeURIComponent(parts.rest.slice('manifests/'.length)) : undefined;
    if (method === 'PUT' && reference && !reference.startsWith('sha256:') && repo.immutable) {
      const existing = await real('HEAD', `/v2/${repo.real}/manifests/${reference}`, repo.real, 'pull', { accept: ACCEPT_MANIFESTS });
      if (existing.status === 200) return registryError(res, 'immutable', { ...vars, name: repo.name, tag: reference }, record, method);
    }
    const actions = method === 'GET' || method === 'HEAD' ? 'pull' : method === 'DELETE' ? 'delete' : 'pull,push';
    const scopes = [`repository:${repo.real}:${actions}`];
    const from = url.searchParams.get('from');
    const fromRepo = from ? repositories.get(repoKey(from, repo.region, repo.registryId)) : undefined;
    if (fromRepo) scopes.push(`repository:${fromRepo.real}:pull`);
    const token = await realToken(issued.principal.registryAccount, scopes);
    return forward(req, res, url, repo, parts, body, `Bearer ${token}`, record, parts.name, fromRepo);
  }

  function sendRegistryOk(res: http.ServerResponse, record: EmulatedRequest, method: string): void {
    record.status = 200;
    sendJson(res, 200, {}, { 'docker-distribution-api-version': 'registry/2.0' }, method);
  }

  /** Pass a registry request to the real registry under the repository's real name, and its answer back under the ECR name. */
  function forward(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    repo: Repository,
    parts: { name: string; rest: string },
    body: Buffer,
    authorization: string,
    record: EmulatedRequest,
    shownName: string,
    fromRepo?: Repository,
  ): Promise<void> {
    const query = new URLSearchParams(url.search);
    if (fromRepo) query.set('from', fromRepo.real);
    if (query.has('mount') && !(blobMounting && fromRepo)) {
      // ECR mounts blobs only with BLOB_MOUNTING on, within one account and region: otherwise the
      // POST starts an ordinary upload (202), which clients must handle.
      query.delete('mount');
      query.delete('from');
    }
    const search = query.toString();
    const upstreamPath = `/v2/${repo.real}/${parts.rest}${search ? `?${search}` : ''}`;
    const headers: http.OutgoingHttpHeaders = {};
    for (const name of ['accept', 'content-type', 'content-range', 'range']) if (req.headers[name]) headers[name] = req.headers[name];
    headers['authorization'] = authorization;
    headers['content-length'] = String(body.length);
    const method = req.method ?? 'GET';
    return new Promise((resolve) => {
      const upstream = http.request(`${registryBase}${upstreamPath}`, { method, headers }, (answer) => {
        const out: http.OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value === undefined || name === 'connection' || name === 'keep-alive' || name === 'transfer-encoding') continue;
          out[name] = typeof value === 'string' ? showAs(value, repo.real, shownName) : value;
        }
        const challenge = answer.headers['www-authenticate'];
        // ECR's own registry answers Basic only: the real issuer's challenge never shows.
        if (!repo.alias) delete out['www-authenticate'];
        if (challenge && repo.alias) {
          // The real issuer's realm never shows: ECR Public's own realm and the scope under its name.
          const scope = /scope="([^"]*)"/.exec(challenge)?.[1];
          out['www-authenticate'] = `Bearer realm="http://${PUBLIC_HOST}/token/",service="${PUBLIC_HOST}"${scope ? `,scope="${scope.replaceAll(repo.real, shownName)}"` : ''}`;
        }
        const status = answer.statusCode ?? 502;
        record.status = status;
        if (status === 201 && method === 'PUT' && parts.rest.startsWith('manifests/')) {
          const digest = answer.headers['docker-content-digest'];
          if (typeof digest === 'string') pushedAt.set(`${repo.real}@${digest}`, Math.floor(Date.now() / 1000));
        }
        res.writeHead(status, out);
        answer.pipe(res);
        answer.on('end', () => resolve());
      });
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
        resolve();
      });
      upstream.end(body);
    });
  }

  /** The real registry's Location / Link values, with the ECR name instead of the real one, as paths on this host. */
  function showAs(value: string, realName: string, shownName: string): string {
    return value.replaceAll(registryBase, '').replaceAll(`/v2/${realName}/`, `/v2/${shownName}/`);
  }

  /** ECR Public's realm: a real token from the real issuer, for the scopes under their real names. */
  async function publicToken(req: http.IncomingMessage, res: http.ServerResponse, url: URL, record: EmulatedRequest): Promise<void> {
    const authorization = String(req.headers['authorization'] ?? '');
    let account: 'pusher' | 'reader' = 'reader';
    let pushAllowed = false;
    if (authorization) {
      const basic = /^Basic\s+(.+)$/i.exec(authorization);
      const decoded = basic ? Buffer.from(basic[1]!, 'base64').toString('utf8') : '';
      const colon = decoded.indexOf(':');
      const issued = colon > 0 ? tokens.get(decoded.slice(colon + 1)) : undefined;
      if (!issued || !issued.public) {
        record.status = 401;
        return sendJson(res, 401, { errors: [{ code: 'DENIED', message: 'Not Authorized' }] }, {}, 'GET');
      }
      if (issued.expiresAt <= Date.now()) {
        counters.expiredAnswers++;
        record.status = 403;
        return sendJson(res, 403, errors.registry['expired']!.body, {}, 'GET');
      }
      account = issued.principal.registryAccount;
      pushAllowed = !issued.principal.readOnly;
    }
    const scopes: string[] = [];
    for (const scope of url.searchParams.getAll('scope')) {
      const m = /^repository:(.+):([a-z,*]+)$/.exec(scope);
      if (!m) continue;
      const alias = m[1]!.split('/')[0]!;
      const repo = repositories.get(publicKey(alias, m[1]!.slice(alias.length + 1)));
      if (!repo) continue;
      // Anyone may pull from ECR Public; pushing needs the alias's own account.
      const actions = m[2]!.split(',').filter((a) => a === 'pull' || (pushAllowed && alias === publicAlias && a === 'push'));
      if (actions.length) scopes.push(`repository:${repo.real}:${actions.join(',')}`);
    }
    const token = await realToken(account, scopes);
    record.status = 200;
    sendJson(res, 200, { token }, {}, 'GET');
  }

  // -------------------------------------------------------------------------------------------

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        // Absolute form (the emulation as the proxy of an ECR host) names the host; else the Host header.
        const url = new URL(req.url ?? '/', `http://${req.headers.host ?? ownHost}`);
        const host = url.host;
        const method = req.method ?? 'GET';
        const record: EmulatedRequest = { listener: 'registry', method, host, path: url.pathname };
        requests.push(record);
        try {
          if (method === 'POST' && url.pathname === '/' && req.headers['x-amz-target']) {
            record.listener = 'api';
            const target = String(req.headers['x-amz-target']);
            const rawAction = target.slice(target.lastIndexOf('.') + 1);
            const raw = rawAnswers.get(rawAction);
            if (raw) {
              record.action = rawAction;
              if (raw.times !== undefined && --raw.times <= 0) rawAnswers.delete(rawAction);
              record.status = raw.status;
              res.writeHead(raw.status, { 'content-type': 'application/x-amz-json-1.1' });
              return void res.end(raw.body);
            }
            const answer = await api(req, body, record);
            record.status = answer.status;
            return sendJson(res, answer.status, answer.body, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': crypto.randomUUID() }, method);
          }
          if (method === 'POST' && url.pathname === '/' && /x-www-form-urlencoded/.test(String(req.headers['content-type']))) {
            record.listener = 'sts';
            const answer = sts(body);
            record.status = answer.status;
            res.writeHead(answer.status, { 'content-type': answer.type });
            return void res.end(answer.text);
          }
          if (method === 'GET' && url.pathname === '/federation/credentials') {
            record.listener = 'sso';
            const answer = sso(req, url);
            record.status = answer.status;
            return sendJson(res, answer.status, answer.body, {}, method);
          }
          if (method === 'GET' && (url.pathname === '/token/' || url.pathname === '/token')) {
            record.listener = 'token';
            return await publicToken(req, res, url, record);
          }
          if (url.pathname === '/v2' || url.pathname.startsWith('/v2/')) return await registry(req, res, url, host, body, record);
          record.status = 404;
          sendJson(res, 404, { message: `emulation: nothing at ${method} ${url.pathname}` }, {}, method);
        } catch (err) {
          const e = err instanceof ApiError ? err : new ApiError('ServerException', 500, err instanceof Error ? err.message : String(err));
          record.status = e.status;
          if (!res.headersSent) {
            sendJson(res, e.status, { __type: e.type, message: e.message }, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': e.type, 'x-amzn-requestid': crypto.randomUUID() }, method);
          } else res.end();
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  ownHost = `127.0.0.1:${port}`;
  base = `http://${ownHost}`;

  return {
    url: base,
    host: ownHost,
    registryId,
    region: defaultRegion,
    publicAlias,
    requests,
    registryHost: (region = defaultRegion) => `${registryId}.dkr.ecr.${region}.amazonaws.com`,
    realRepository: (name, region = defaultRegion) => realPrivate(name, region),
    realPublicRepository: (name, alias = publicAlias) => realPublic(name, alias),
    createRepository: (name, o = {}) => void createRepository(name, o),
    createPublicRepository: (name, o = {}) => void createPublicRepository(name, o),
    setImmutable(name, immutable, region = defaultRegion) {
      const repo = repositories.get(repoKey(name, region));
      if (!repo) throw new Error(`emulation: no repository ${name}`);
      repo.immutable = immutable;
    },
    issueToken(principal = ECR_PRINCIPALS.admin) {
      return { username: 'AWS', password: issueToken(principal, false).password };
    },
    expireTokens() {
      for (const t of tokens.values()) t.expiresAt = Math.min(t.expiresAt, Date.now() - 1);
    },
    expireNextTokens(count) {
      droppedTokens = count;
    },
    setTokenLifetime(seconds) {
      tokenLifetime = seconds;
    },
    expireSession(accessKeyId, expired = true) {
      if (expired) expiredSessions.add(accessKeyId);
      else expiredSessions.delete(accessKeyId);
    },
    deny(accessKeyId, action, refuse = true) {
      const set = denied.get(accessKeyId) ?? new Set<string>();
      if (refuse) set.add(action);
      else set.delete(action);
      denied.set(accessKeyId, set);
    },
    setScanType(type) {
      scanType = type;
    },
    setBlobMounting(enabled) {
      blobMounting = enabled;
    },
    answerRaw(action, answer) {
      if (answer) rawAnswers.set(action, answer);
      else rawAnswers.delete(action);
    },
    async setScan(name, reference, result, region = defaultRegion) {
      const repo = repositories.get(repoKey(name, region));
      if (!repo) throw new Error(`emulation: no repository ${name}`);
      const info = await manifest(repo, reference);
      if (!info) throw new Error(`emulation: no image ${reference} in ${name}`);
      const previous = scans.get(scanKey(repo, info.digest));
      scans.set(scanKey(repo, info.digest), { ...result, completedAt: Math.floor(Date.now() / 1000), ...(previous?.startedAt ? { startedAt: previous.startedAt } : {}) });
      return info.digest;
    },
    stats: () => ({ ...counters, actions: { ...counters.actions } }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string>, method: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers, 'content-length': String(Buffer.byteLength(text)) });
  res.end(method === 'HEAD' ? undefined : text);
}
