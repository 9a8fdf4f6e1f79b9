// Amazon ECR: private registries (<account>.dkr.ecr.<region>.amazonaws.com) and ECR Public
// (public.ecr.aws). Neither takes a password: the registry wants `AWS:<token>` from the API's
// GetAuthorizationToken (valid 12 hours), obtained with the user's own AWS credentials (the standard
// chain: environment, ~/.aws profiles, SSO, web identity). So this provider builds its own client,
// whose credential comes from that token, refreshed before it expires and once more when the registry
// says it has. Browsing is the API's (no catalog): DescribeRepositories, then DescribeImages, which
// carries digests, sizes, push times and scan status for a whole page of tags in one request. Scans
// come from DescribeImageScanFindings, deletes from BatchDeleteImage (by tag: that tag alone; by
// digest: the image and every tag). The SDK lives in clouds/cloud-aws.ts, loaded on first use.
// PURE: no vscode imports.

import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Credential, CredentialStore } from '../credentials/types';
import { RegistryClient, clampPageSize, validateManifestReference, validateRepositoryName } from '../distribution/client';
import { isDigest } from '../distribution/digest';
import { isIndexMediaType } from '../distribution/mediaTypes';
import { createSession, login, sharedTransport } from '../distribution/session';
import { isReplayable, type Transport } from '../distribution/transport';
import type { Page, RegistryEndpoint, RegistryRequest, RegistryResponse, RegistrySession } from '../distribution/types';
import { DistributionError, InvalidInputError, ProtocolError, RegxError, UnsupportedError, redactUrl, type Operation } from '../errors/errors';
import { loadCloudModule } from './clouds/load';
import { platformSummary } from './generic';
import type { AwsAccess, AwsApi, EcrAction, EcrPublicAction } from './clouds/cloud-aws';
import type {
  CreateRepositoryInput,
  DeleteOptions,
  DeletePlan,
  ManifestDeletePlan,
  NamespaceSummary,
  PageRequest,
  PlatformSummary,
  ProviderCapabilities,
  RegistryProvider,
  RepositoryPageRequest,
  RepositorySummary,
  SignInInput,
  SignInResult,
  TagSummary,
} from './provider';
import { checkApiBase, isRecord, num, optional, str } from './vendorApi';
import { countSeverities, emptyCounts, severityOf, type ScanStatus, type Severity, type SeverityCounts, type Vulnerability, type VulnerabilityReport } from './vulnerabilities';

export const ECR_PUBLIC_HOST = 'public.ecr.aws';
/** ECR Public's API, wherever its users are. */
export const ECR_PUBLIC_REGION = 'us-east-1';
export const ECR_TAG_DELETE_NOTE =
  'ECR removes only this tag: the image stays while another tag points at it, and is deleted together with its last tag.';
/** DescribeRepositories, DescribeImages and DescribeImageScanFindings take at most 1000 per page. */
const ECR_MAX_PAGE_SIZE = 1000;
/** Findings pages read for one report (1000 each). */
const MAX_FINDING_PAGES = 20;
/** Refresh a registry token this long before it expires (or at three quarters of a short lifetime). */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** What an ECR host name says: whose registry, where, and which endpoint flavour. */
export type EcrHost =
  | { kind: 'private'; registryId: string; region: string; fips: boolean; dualstack: boolean }
  | { kind: 'public' };

// The partitions' DNS suffixes are those amazon-ecr-credential-helper accepts (ecr-login's
// ecrDomainPattern): commercial, China, and the isolated ISO partitions; `.vpce` is the name an
// interface VPC endpoint's own DNS gives the same registry.
const PRIVATE_HOST = /^(\d{12})\.dkr\.ecr(-fips)?\.([a-z0-9-]+)\.(?:vpce\.)?(?:amazonaws\.com(?:\.cn)?|sc2s\.sgov\.gov|c2s\.ic\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)$/;
const DUALSTACK_HOST = /^(\d{12})\.dkr-ecr(-fips)?\.([a-z0-9-]+)\.on\.aws$/;

/** `<account>.dkr.ecr[-fips].<region>[.vpce].amazonaws.com[.cn]` (and the ISO partitions' suffixes), the dual-stack `…dkr-ecr.<region>.on.aws`, and public.ecr.aws. */
export function parseEcrHost(host: string): EcrHost | undefined {
  const h = host.toLowerCase();
  if (h === ECR_PUBLIC_HOST) return { kind: 'public' };
  const m = PRIVATE_HOST.exec(h) ?? DUALSTACK_HOST.exec(h);
  if (!m) return undefined;
  return { kind: 'private', registryId: m[1]!, region: m[3]!, fips: !!m[2], dualstack: h.endsWith('.on.aws') };
}

export function isEcrHost(host: string): boolean {
  return parseEcrHost(host) !== undefined;
}

/** The registry host of an account's private registry in a region (for another region's repositories). */
export function ecrRegistryHost(registryId: string, region: string): string {
  return `${registryId}.dkr.ecr.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

export interface EcrOptions {
  /** AWS profile; absent: AWS_PROFILE, else the default chain. */
  profile?: string;
  /** Default: from the host. */
  region?: string;
  /** The account whose registry this is; default: from the host. */
  registryId?: string;
  /** More regions of the same account, each a namespace of its own (its repositories live at that region's host). */
  regions?: readonly string[];
  /** The API endpoint instead of the region's (default: AWS_ENDPOINT_URL_ECR / AWS_ENDPOINT_URL from env). */
  endpoint?: string;
  /** Where AWS_* settings are read; default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface EcrProviderOptions {
  /** Docker's own credential for the host (a credential helper such as ecr-login, or a docker login) wins over the AWS chain. */
  credentials?: CredentialStore;
  transport?: Transport;
  userAgent?: string;
  aws?: EcrOptions;
}

type AnyAction = EcrAction | EcrPublicAction;

interface RegistryToken {
  username: string;
  password: string;
  expiresAt: number;
  refreshAt: number;
}

export class EcrProvider implements RegistryProvider {
  readonly kind = 'ecr' as const;
  readonly displayName: string;
  readonly capabilities: ProviderCapabilities;
  readonly client: RegistryClient;
  private readonly isPublic: boolean;
  private readonly transport: Transport;
  private aws: EcrOptions;
  private readonly region: string;
  private readonly registryId: string | undefined;
  private readonly fips: boolean;
  private readonly dualstack: boolean;
  private readonly apis = new Map<string, AwsApi<AnyAction>>();
  private token: RegistryToken | undefined;
  private tokenPromise: Promise<RegistryToken | undefined> | undefined;
  /** The credential the session is using came from GetAuthorizationToken (not from docker's config). */
  private usingAwsToken = false;
  private scanType: Promise<string | undefined> | undefined;
  /** ECR Public: the registry aliases of the signed-in account (repository paths start with one). */
  private aliases: Promise<string[]> | undefined;
  private readonly registryCredentials: EcrCredentialStore;

  constructor(
    endpoint: RegistryEndpoint,
    private readonly options: EcrProviderOptions = {},
  ) {
    const parsed = parseEcrHost(endpoint.host);
    this.aws = { ...(options.aws ?? {}) };
    this.isPublic = parsed?.kind === 'public';
    this.transport = options.transport ?? sharedTransport();
    const region = this.isPublic ? ECR_PUBLIC_REGION : (this.aws.region ?? (parsed?.kind === 'private' ? parsed.region : undefined));
    if (!region) throw new InvalidInputError('registry', endpoint.host, 'not an ECR host name (<account>.dkr.ecr.<region>.amazonaws.com): give its region');
    checkRegion(region);
    if (parsed?.kind === 'private' && this.aws.region && this.aws.region !== parsed.region) {
      throw new InvalidInputError('setting', this.aws.region, `the registry ${endpoint.host} is in ${parsed.region}`);
    }
    this.region = region;
    this.registryId = this.aws.registryId ?? (parsed?.kind === 'private' ? parsed.registryId : undefined);
    this.fips = parsed?.kind === 'private' && parsed.fips;
    this.dualstack = parsed?.kind === 'private' && parsed.dualstack;
    this.displayName = this.isPublic ? 'Amazon ECR Public' : `Amazon ECR (${this.registryId ?? 'account'}, ${region})`;
    this.capabilities = {
      catalog: false,
      namespaces: true,
      search: false,
      deleteTag: 'untag',
      deleteManifest: true,
      signIn: 'aws-profile',
      tagDeleteNote: ECR_TAG_DELETE_NOTE,
      ...(this.isPublic ? {} : { scan: { trigger: true }, manageRepositories: 'repository' as const }),
    };
    this.registryCredentials = new EcrCredentialStore(endpoint.host, options.credentials, this);
    const session = createSession(endpoint, {
      credentials: this.registryCredentials,
      transport: this.transport,
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    });
    this.client = new RegistryClient(new EcrSession(session, this));
  }

  get host(): string {
    return this.client.host;
  }

  /** For a pull or push through the Docker engine: docker's own credential, else the current registry token. */
  engineCredential(): Promise<Credential | undefined> {
    return this.registryCredentials.get(this.host);
  }

  /** A new GetAuthorizationToken, when the engine was refused one of ours (docker's own login has no other). */
  async renewEngineCredential(): Promise<Credential | undefined> {
    if (!this.usingAwsToken) return undefined;
    this.dropToken();
    return this.registryCredentials.get(this.host);
  }

  /** The profile the AWS calls are made with (undefined: AWS_PROFILE or the default chain). */
  get profile(): string | undefined {
    return this.aws.profile;
  }

  // ---------------------------------------------------------------- AWS calls

  private access(region: string, aws: EcrOptions = this.aws): AwsAccess {
    const env = aws.env ?? process.env;
    const endpoint = aws.endpoint ?? (this.isPublic ? env['AWS_ENDPOINT_URL_ECR_PUBLIC'] : env['AWS_ENDPOINT_URL_ECR']) ?? env['AWS_ENDPOINT_URL'];
    // Signed requests carry the session token in a header: https only (plain http on loopback).
    if (endpoint) checkApiBase(endpoint);
    return {
      region,
      transport: this.transport,
      env,
      ...(aws.profile ? { profile: aws.profile } : {}),
      ...(endpoint ? { endpoint } : {}),
      ...(this.fips ? { useFipsEndpoint: true } : {}),
      ...(this.dualstack ? { useDualstackEndpoint: true } : {}),
      ...(this.options.userAgent ? { userAgent: this.options.userAgent } : {}),
    };
  }

  private makeApi(region: string, aws: EcrOptions = this.aws): AwsApi<AnyAction> {
    const cloud = loadCloudModule<typeof import('./clouds/cloud-aws')>('aws');
    const access = this.access(region, aws);
    return (this.isPublic ? cloud.createEcrPublicApi(access) : cloud.createEcrApi(access)) as AwsApi<AnyAction>;
  }

  private api(region: string): AwsApi<AnyAction> {
    let api = this.apis.get(region);
    if (!api) {
      api = this.makeApi(region);
      this.apis.set(region, api);
    }
    return api;
  }

  /** One API call; whatever fails comes back as one of the typed errors, naming profile, region and permission. */
  private async call(action: AnyAction, input: Record<string, unknown>, context: { region?: string; repository?: string; signal?: AbortSignal; api?: AwsApi<AnyAction>; aws?: EcrOptions } = {}): Promise<Record<string, unknown>> {
    const region = context.region ?? this.region;
    const api = context.api ?? this.api(region);
    let answer: unknown;
    try {
      answer = await api.call(action, input, context.signal);
    } catch (err) {
      throw awsError(err, {
        action,
        url: this.apiUrl(region, context.aws),
        region,
        service: this.isPublic ? 'ecr-public' : 'ecr',
        ...optional('profile', profileOf(context.aws ?? this.aws)),
        ...optional('account', this.registryId),
        ...optional('repository', context.repository),
      });
    }
    if (!isRecord(answer)) throw new ProtocolError(this.apiUrl(region, context.aws), `${action} answered with something other than an object`);
    return answer;
  }

  /** The API's address, for messages (never carries anything secret). */
  private apiUrl(region: string, aws: EcrOptions = this.aws): string {
    const endpoint = this.access(region, aws).endpoint;
    if (endpoint) return redactUrl(endpoint);
    return this.isPublic ? `https://api.ecr-public.${region}.amazonaws.com/` : `https://api.ecr.${region}.amazonaws.com/`;
  }

  private registryInput(): Record<string, unknown> {
    return this.registryId && !this.isPublic ? { registryId: this.registryId } : {};
  }

  // ---------------------------------------------------------------- registry token

  /**
   * `AWS:<password>` for the registry, from GetAuthorizationToken; one request per token lifetime,
   * shared by concurrent callers. undefined: ECR Public without any AWS credentials (anonymous pulls).
   */
  registryToken(signal?: AbortSignal): Promise<RegistryToken | undefined> {
    const token = this.token;
    if (token && token.refreshAt > Date.now()) return Promise.resolve(token);
    if (!this.tokenPromise) {
      const p = this.fetchRegistryToken(this.api(this.region), this.aws, signal)
        .then((fresh) => {
          this.token = fresh;
          return fresh;
        })
        .catch((err: unknown) => {
          if (this.isPublic && err instanceof DistributionError && err.hasCode('NoCredentials')) return undefined;
          throw err;
        })
        .finally(() => {
          if (this.tokenPromise === p) this.tokenPromise = undefined;
        });
      this.tokenPromise = p;
    }
    return this.tokenPromise;
  }

  private async fetchRegistryToken(api: AwsApi<AnyAction>, aws: EcrOptions, signal?: AbortSignal): Promise<RegistryToken> {
    const answer = await this.call('GetAuthorizationToken', {}, { api, aws, ...(signal ? { signal } : {}) });
    const data = Array.isArray(answer['authorizationData']) ? answer['authorizationData'].find(isRecord) : answer['authorizationData'];
    const decoded = isRecord(data) ? decodeAuthorizationToken(data['authorizationToken']) : undefined;
    const expiresAt = isRecord(data) ? timeOf(data['expiresAt']) : undefined;
    if (!decoded) throw new ProtocolError(this.apiUrl(this.region, aws), 'GetAuthorizationToken gave no usable authorizationToken');
    const now = Date.now();
    const expires = expiresAt ? Date.parse(expiresAt) : now + 12 * 3600 * 1000;
    const margin = Math.min(REFRESH_MARGIN_MS, Math.max(0, (expires - now) / 4));
    // A token that says it has already expired is tried (the registry decides), not asked for again at every request.
    return { ...decoded, expiresAt: expires, refreshAt: expires > now ? expires - margin : now + 10_000 };
  }

  /** The session's registry token is about to expire: time for a new one. */
  tokenStale(): boolean {
    return this.usingAwsToken && !!this.token && this.token.refreshAt <= Date.now();
  }

  /** Drop the registry token (the registry said it expired, or it is about to). */
  dropToken(): void {
    this.token = undefined;
  }

  noteCredentialSource(fromAws: boolean): void {
    this.usingAwsToken = fromAws;
  }

  get usesAwsToken(): boolean {
    return this.usingAwsToken;
  }

  /** Profile, region and account, for the words of a registry refusal. */
  cloudFacts(): NonNullable<DistributionError['extra']['cloud']> {
    return { region: this.region, ...optional('profile', profileOf(this.aws)), ...optional('account', this.registryId) };
  }

  // ---------------------------------------------------------------- sign-in

  /**
   * Sign in with an AWS profile (signIn 'aws-profile'): the chain must yield credentials that may call
   * GetAuthorizationToken, and the registry must accept the token; only then is the profile adopted.
   * Nothing is stored: the profile is the caller's to remember (it is not a secret), and every token
   * comes fresh from AWS. A pasted `aws ecr get-login-password` (username AWS) is checked and stored
   * like a `docker login`.
   */
  async signIn(input: SignInInput): Promise<SignInResult> {
    if (input.username && input.secret) {
      const credential = { username: input.username, password: input.secret };
      await login(this.client.session.endpoint, credential, { transport: this.transport, ...optional('userAgent', this.options.userAgent), ...optional('signal', input.signal) });
      await this.options.credentials?.store(this.host, credential);
      this.forgetTokens();
      return { username: input.username };
    }
    const profile = input.profile?.trim() || undefined;
    if (input.region && input.region !== this.region) {
      throw new InvalidInputError('setting', input.region, `${this.host} is in ${this.region}`);
    }
    const aws: EcrOptions = { ...this.aws, ...(profile ? { profile } : {}) };
    if (!profile) delete aws.profile;
    const api = this.makeApi(this.region, aws);
    const token = await this.fetchRegistryToken(api, aws, input.signal);
    await login(this.client.session.endpoint, { username: token.username, password: token.password }, {
      transport: this.transport,
      ...optional('userAgent', this.options.userAgent),
      ...optional('signal', input.signal),
    });
    this.aws = aws;
    this.forgetTokens();
    this.apis.set(this.region, api);
    this.token = token;
    return { username: `profile ${profileOf(aws) ?? 'default'}` };
  }

  forgetTokens(): void {
    this.token = undefined;
    this.tokenPromise = undefined;
    this.apis.clear();
    this.scanType = undefined;
    this.aliases = undefined;
    this.client.session.forgetTokens();
  }

  // ---------------------------------------------------------------- browsing

  private regions(): string[] {
    const regions = [this.region, ...(this.aws.regions ?? [])];
    regions.forEach(checkRegion);
    return [...new Set(regions)];
  }

  private namespaceOf(region: string): string {
    return `${this.registryId ?? 'default'} (${region})`;
  }

  private regionOfNamespace(namespace: string | undefined): string {
    if (!namespace) return this.region;
    const region = this.regions().find((r) => this.namespaceOf(r) === namespace);
    if (!region) throw new InvalidInputError('argument', namespace, `not a namespace of ${this.displayName}`);
    return region;
  }

  /** Private: the account in each region (one, unless more regions were given). Public: the account's registry aliases. */
  async listNamespaces(page: PageRequest): Promise<Page<NamespaceSummary>> {
    if (this.isPublic) {
      const aliases = await this.publicAliases(page.signal);
      return { items: aliases.map((name) => ({ name, kind: 'organization' as const, description: 'ECR Public registry alias' })) };
    }
    return {
      items: this.regions().map((region) => ({
        name: this.namespaceOf(region),
        kind: 'organization' as const,
        description: `AWS account ${this.registryId ?? '(default)'}, ${region}`,
      })),
    };
  }

  private publicAliases(signal?: AbortSignal): Promise<string[]> {
    if (!this.aliases) {
      const p = (async () => {
        const answer = await this.call('DescribeRegistries', {}, optional('signal', signal));
        const names: string[] = [];
        for (const registry of arrayOf(answer['registries'])) {
          for (const alias of arrayOf(registry['aliases'])) {
            const name = str(alias['name']);
            if (name && (alias['status'] === undefined || alias['status'] === 'ACTIVE')) names.push(name);
          }
        }
        return names;
      })();
      this.aliases = p;
      p.catch(() => {
        if (this.aliases === p) this.aliases = undefined;
      });
    }
    return this.aliases;
  }

  /** DescribeRepositories, paged by its nextToken. */
  async listRepositories(page: RepositoryPageRequest): Promise<Page<RepositorySummary>> {
    const region = this.isPublic ? this.region : this.regionOfNamespace(page.namespace);
    const answer = await this.call(
      'DescribeRepositories',
      { ...this.registryInput(), maxResults: clampPageSize(page.pageSize, ECR_MAX_PAGE_SIZE), ...optional('nextToken', page.cursor) },
      { region, ...optional('signal', page.signal) },
    );
    const items: RepositorySummary[] = [];
    for (const r of arrayOf(answer['repositories'])) {
      const summary = this.isPublic ? publicRepositorySummary(r) : privateRepositorySummary(r);
      if (!summary) continue;
      if (this.isPublic && page.namespace && !summary.name.startsWith(`${page.namespace}/`)) continue;
      if (!this.isPublic && region !== this.region && this.registryId) summary.registry = ecrRegistryHost(this.registryId, region);
      items.push(summary);
    }
    const next = str(answer['nextToken']);
    return next ? { items, next } : { items };
  }

  /** The repository name the API knows: ECR Public paths start with the registry alias, which the API leaves out. */
  private async apiRepository(repository: string, signal?: AbortSignal): Promise<string | undefined> {
    validateRepositoryName(repository);
    if (!this.isPublic) return repository;
    const aliases = await this.publicAliases(signal).catch(() => [] as string[]);
    const alias = aliases.find((a) => repository.startsWith(`${a}/`));
    return alias ? repository.slice(alias.length + 1) : undefined;
  }

  /**
   * One page of DescribeImages: every tag of each image, with digest, size, push time and scan status,
   * without a manifest request per tag. A repository of someone else's on ECR Public is listed through
   * the registry instead (the API shows only your own).
   */
  async listTags(repository: string, page: PageRequest): Promise<Page<TagSummary>> {
    const name = await this.apiRepository(repository, page.signal);
    if (name === undefined) {
      const names = await this.client.tagsPage(repository, { pageSize: page.pageSize, ...optional('cursor', page.cursor), ...optional('signal', page.signal) });
      return { items: names.items.map((tag) => ({ name: tag })), ...optional('next', names.next) };
    }
    const answer = await this.call(
      'DescribeImages',
      {
        ...this.registryInput(),
        repositoryName: name,
        maxResults: clampPageSize(page.pageSize, ECR_MAX_PAGE_SIZE),
        ...optional('nextToken', page.cursor),
        ...(this.isPublic ? {} : { filter: { tagStatus: 'TAGGED' } }),
      },
      { repository, ...optional('signal', page.signal) },
    );
    const items = tagsFromImageDetails(answer['imageDetails']);
    const next = str(answer['nextToken']);
    return next ? { items, next } : { items };
  }

  /** A multi-platform tag's platforms (DescribeImages does not list them): its index, from the registry. */
  async tagDetails(repository: string, tag: string, signal?: AbortSignal): Promise<TagSummary> {
    const summary = await this.client.summarize(repository, tag, signal ? { signal } : {});
    const platforms = summary.platforms.map(platformSummary).filter((p): p is PlatformSummary => !!p);
    return { name: tag, digest: summary.digest, size: summary.totalSize, ...(platforms.length ? { platforms } : {}) };
  }

  private async imageDetail(repository: string, imageId: { imageTag: string } | { imageDigest: string }, signal?: AbortSignal): Promise<ImageDetail> {
    const name = await this.apiRepository(repository, signal);
    if (name === undefined) throw new UnsupportedError(this.displayName, `changing ${repository}`, 'ECR Public lets you change only the repositories of your own registry aliases.');
    const answer = await this.call('DescribeImages', { ...this.registryInput(), repositoryName: name, imageIds: [imageId] }, { repository, ...optional('signal', signal) });
    const detail = arrayOf(answer['imageDetails']).map(imageDetailOf).find((d): d is ImageDetail => !!d);
    if (!detail) {
      const ref = 'imageTag' in imageId ? imageId.imageTag : imageId.imageDigest;
      throw new DistributionError(404, [{ code: 'ImageNotFoundException', message: `no image ${ref} in ${repository}` }], 'POST', this.apiUrl(this.region), 'tags', {
        vendor: 'aws',
        cloud: { region: this.region, repository, ...optional('account', this.registryId) },
      });
    }
    return detail;
  }

  // ---------------------------------------------------------------- delete

  /** A tag goes alone; when it is the image's last, the image goes with it (removesImage). */
  async planTagDelete(repository: string, tag: string, signal?: AbortSignal): Promise<DeletePlan> {
    validateManifestReference(tag);
    const detail = await this.imageDetail(repository, { imageTag: tag }, signal);
    return { repository, tag, digest: detail.digest, alsoRemoves: [], removesImage: detail.tags.filter((t) => t !== tag).length === 0 };
  }

  /**
   * BatchDeleteImage with the tag and the digest it was shown at (options.digest, else as planned now):
   * if the tag moved meanwhile, ECR refuses (ImageTagDoesNotMatchDigest) instead of removing the tag
   * of an image nobody was shown, and with it perhaps that image.
   */
  async deleteTag(repository: string, tag: string, options: DeleteOptions = {}): Promise<void> {
    validateManifestReference(tag);
    const digest = options.digest ?? (await this.planTagDelete(repository, tag, options.signal)).digest;
    await this.batchDelete(repository, { imageTag: tag, ...optional('imageDigest', digest) }, options.signal);
  }

  /** The image and every tag on it (planManifestDelete names them first). */
  async deleteManifest(repository: string, digest: string, signal?: AbortSignal): Promise<void> {
    if (!isDigest(digest)) throw new InvalidInputError('digest', digest, 'expected a sha256: digest');
    await this.batchDelete(repository, { imageDigest: digest }, signal);
  }

  async planManifestDelete(repository: string, digest: string, signal?: AbortSignal): Promise<ManifestDeletePlan> {
    if (!isDigest(digest)) throw new InvalidInputError('digest', digest, 'expected a sha256: digest');
    const detail = await this.imageDetail(repository, { imageDigest: digest }, signal);
    return { repository, digest: detail.digest, tags: detail.tags };
  }

  private async batchDelete(repository: string, imageId: Record<string, string>, signal?: AbortSignal): Promise<void> {
    const name = await this.apiRepository(repository, signal);
    if (name === undefined) throw new UnsupportedError(this.displayName, `deleting from ${repository}`, 'ECR Public lets you delete only from the repositories of your own registry aliases.');
    const answer = await this.call('BatchDeleteImage', { ...this.registryInput(), repositoryName: name, imageIds: [imageId] }, { repository, ...optional('signal', signal) });
    // BatchDeleteImage answers 200 even when nothing was deleted: the reasons are in failures[].
    const failure = arrayOf(answer['failures'])[0];
    if (failure) throw batchDeleteFailure(failure, { url: this.apiUrl(this.region), region: this.region, repository, ...optional('account', this.registryId) });
    if (arrayOf(answer['imageIds']).length === 0) {
      throw new ProtocolError(this.apiUrl(this.region), 'BatchDeleteImage reported neither a deleted image nor a failure');
    }
  }

  // ---------------------------------------------------------------- scans

  /** DescribeImageScanFindings, every page: basic (findings[]) or enhanced (Amazon Inspector's enhancedFindings[]). */
  async vulnerabilities(repository: string, reference: string, signal?: AbortSignal): Promise<VulnerabilityReport> {
    if (this.isPublic) throw new UnsupportedError(this.displayName, 'vulnerability scans', 'Scan findings are kept by private ECR registries.');
    validateRepositoryName(repository);
    validateManifestReference(reference);
    const imageId = isDigest(reference) ? { imageDigest: reference } : { imageTag: reference };
    const pages: Record<string, unknown>[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const answer = await this.call(
          'DescribeImageScanFindings',
          { ...this.registryInput(), repositoryName: repository, imageId, maxResults: ECR_MAX_PAGE_SIZE, ...optional('nextToken', nextToken) },
          { repository, ...optional('signal', signal) },
        );
        pages.push(answer);
        nextToken = str(answer['nextToken']);
      } while (nextToken && pages.length < MAX_FINDING_PAGES);
    } catch (err) {
      if (err instanceof DistributionError && err.hasCode('ScanNotFoundException')) {
        return { status: 'not-scanned', counts: emptyCounts(), ...optional('message', err.codes[0]?.message) };
      }
      throw err;
    }
    return reportFromScanFindings(pages, !!nextToken);
  }

  /**
   * StartImageScan, which basic scanning allows once a day per image. With enhanced scanning Amazon
   * Inspector rescans on its own and there is nothing to start.
   */
  async scanNow(repository: string, reference: string, signal?: AbortSignal): Promise<void> {
    if (this.isPublic) throw new UnsupportedError(this.displayName, 'vulnerability scans');
    validateRepositoryName(repository);
    validateManifestReference(reference);
    if ((await this.registryScanType(signal)) === 'ENHANCED') {
      throw new UnsupportedError(
        this.displayName,
        'starting a scan by hand',
        'This registry uses enhanced scanning (Amazon Inspector), which rescans images continuously; its findings are already in Show Vulnerabilities.',
      );
    }
    const imageId = isDigest(reference) ? { imageDigest: reference } : { imageTag: reference };
    await this.call('StartImageScan', { ...this.registryInput(), repositoryName: repository, imageId }, { repository, ...optional('signal', signal) });
  }

  /** BASIC or ENHANCED; undefined when the account may not ask (StartImageScan will then say what it says). */
  private registryScanType(signal?: AbortSignal): Promise<string | undefined> {
    this.scanType ??= this.call('GetRegistryScanningConfiguration', {}, optional('signal', signal)).then(
      (answer) => (isRecord(answer['scanningConfiguration']) ? str(answer['scanningConfiguration']['scanType']) : undefined),
      () => undefined,
    );
    return this.scanType;
  }

  // ---------------------------------------------------------------- repositories

  /** CreateRepository: private ECR repositories are always private; ECR does not create them on push. */
  async createRepository(input: CreateRepositoryInput): Promise<void> {
    if (this.isPublic) throw new UnsupportedError(this.displayName, 'creating repositories here', 'Create ECR Public repositories in the AWS console or with aws ecr-public create-repository.');
    validateRepositoryName(input.name);
    if (input.visibility === 'public') {
      throw new InvalidInputError('argument', input.name, 'private ECR repositories cannot be public: ECR Public (public.ecr.aws) holds public ones');
    }
    await this.call('CreateRepository', { ...this.registryInput(), repositoryName: input.name }, { repository: input.name, ...optional('signal', input.signal) });
  }

  /** DeleteRepository with force: the images in it go too (callers confirm first). */
  async deleteRepository(name: string, signal?: AbortSignal): Promise<void> {
    if (this.isPublic) throw new UnsupportedError(this.displayName, 'deleting repositories here');
    validateRepositoryName(name);
    await this.call('DeleteRepository', { ...this.registryInput(), repositoryName: name, force: true }, { repository: name, ...optional('signal', signal) });
  }
}

// ------------------------------------------------------------------------------------------------
// The registry side: a credential store and a session wrapper that keep the token fresh.

/**
 * Docker's own credential for the host first (a credential helper named in config.json, such as
 * docker-credential-ecr-login, or a docker login), then the provider's registry token.
 */
class EcrCredentialStore implements CredentialStore {
  constructor(
    private readonly host: string,
    private readonly inner: CredentialStore | undefined,
    private readonly provider: EcrProvider,
  ) {}

  async get(registry: string): Promise<Credential | undefined> {
    const own = await this.inner?.get(registry);
    if (registry !== this.host || own) {
      if (registry === this.host) this.provider.noteCredentialSource(false);
      return own;
    }
    const token = await this.provider.registryToken();
    this.provider.noteCredentialSource(!!token);
    return token ? { username: token.username, password: token.password } : undefined;
  }

  store(registry: string, credential: Credential): Promise<void> {
    return this.inner ? this.inner.store(registry, credential) : Promise.resolve();
  }

  erase(registry: string): Promise<void> {
    return this.inner ? this.inner.erase(registry) : Promise.resolve();
  }

  list(): Promise<string[]> {
    return this.inner ? this.inner.list() : Promise.resolve([]);
  }
}

/**
 * The Distribution session, with two things ECR needs: a new registry token before the old one
 * expires (the session would keep sending it), and one more try with a new one when the registry
 * answers that it expired (403 "Your authorization token has expired", or a 401). Its failures are
 * marked as ECR's, so the words can say what ECR means (immutable tags, missing repositories).
 */
class EcrSession implements RegistrySession {
  /** Counts restarts, so that concurrent refusals of one expired token renew it once. */
  private restarts = 0;

  constructor(
    private readonly inner: RegistrySession,
    private readonly provider: EcrProvider,
  ) {}

  get endpoint(): RegistryEndpoint {
    return this.inner.endpoint;
  }

  baseUrl(signal?: AbortSignal): Promise<string> {
    return this.inner.baseUrl(signal);
  }

  forgetTokens(): void {
    this.inner.forgetTokens();
  }

  async authorizeAhead(scopes: string[], signal?: AbortSignal): Promise<void> {
    await this.inner.authorizeAhead?.(scopes, signal);
  }

  async request(req: RegistryRequest): Promise<RegistryResponse> {
    if (this.provider.tokenStale()) this.restart();
    const restarts = this.restarts;
    try {
      return await this.inner.request(req);
    } catch (err) {
      if (!(mayBeExpiredToken(err) && this.provider.usesAwsToken && isReplayable(req.body))) throw markAws(err, this.provider.cloudFacts());
    }
    // Another request may have renewed it meanwhile: then this one just tries again with the new one.
    if (this.restarts === restarts) this.restart();
    try {
      return await this.inner.request(req);
    } catch (err) {
      throw markAws(err, this.provider.cloudFacts());
    }
  }

  private restart(): void {
    this.restarts++;
    this.provider.dropToken();
    this.inner.forgetTokens();
  }
}

/** ECR's answer to a registry token past its 12 hours. */
export function isExpiredTokenAnswer(err: unknown): boolean {
  if (!(err instanceof DistributionError) || (err.status !== 401 && err.status !== 403)) return false;
  const text = [...err.codes.map((c) => c.message ?? ''), err.extra.bodySnippet ?? ''].join(' ');
  return /token has expired|expired token|token.*expired/i.test(text);
}

/** ECR's expired-token answer, or a bodiless one (a HEAD) that may be it: worth one new token. */
function mayBeExpiredToken(err: unknown): boolean {
  if (isExpiredTokenAnswer(err)) return true;
  return err instanceof DistributionError && (err.status === 401 || err.status === 403) && err.method === 'HEAD' && err.codes.length === 0;
}

function markAws(err: unknown, cloud: NonNullable<DistributionError['extra']['cloud']>): unknown {
  if (!(err instanceof DistributionError) || err.extra.vendor) return err;
  return new DistributionError(err.status, err.codes, err.method, err.url, err.operation, { ...err.extra, vendor: 'aws', cloud });
}

// ------------------------------------------------------------------------------------------------
// Reading AWS answers (validated here: the SDK hands over whatever the server sent).

interface ImageDetail {
  digest: string;
  tags: string[];
  index?: boolean;
  size?: number;
  pushedAt?: string;
  scan?: VulnerabilityReport;
}

function imageDetailOf(d: Record<string, unknown>): ImageDetail | undefined {
  const digest = str(d['imageDigest']);
  if (!digest || !isDigest(digest)) return undefined;
  const tags = Array.isArray(d['imageTags']) ? d['imageTags'].filter((t): t is string => typeof t === 'string' && t.length > 0) : [];
  const scan = scanSummaryOf(d);
  return {
    digest,
    tags,
    ...(isIndexMediaType(str(d['imageManifestMediaType']) ?? '') ? { index: true } : {}),
    ...optional('size', num(d['imageSizeInBytes'])),
    ...optional('pushedAt', timeOf(d['imagePushedAt'])),
    ...optional('scan', scan),
  };
}

/** DescribeImages' imageDetails → one TagSummary per tag (an image with three tags is three rows). */
export function tagsFromImageDetails(details: unknown): TagSummary[] {
  const items: TagSummary[] = [];
  for (const detail of arrayOf(details).map(imageDetailOf)) {
    if (!detail) continue;
    for (const tag of detail.tags) {
      items.push({
        name: tag,
        digest: detail.digest,
        ...optional('size', detail.size),
        ...optional('lastPushed', detail.pushedAt),
        ...optional('scan', detail.scan),
        ...(detail.index ? { index: true } : {}),
      });
    }
  }
  return items;
}

const SCAN_STATUSES: Record<string, ScanStatus> = {
  COMPLETE: 'success',
  ACTIVE: 'success',
  IN_PROGRESS: 'scanning',
  PENDING: 'scanning',
  FAILED: 'error',
  FINDINGS_UNAVAILABLE: 'error',
  LIMIT_EXCEEDED: 'error',
  UNSUPPORTED_IMAGE: 'unsupported',
  IMAGE_ARCHIVED: 'unsupported',
  IMAGE_SIZE_EXCEEDED: 'unsupported',
  SCAN_ELIGIBILITY_EXPIRED: 'not-scanned',
};

/** Why a status that is not a result is what it is, when ECR gives no description. */
const STATUS_NOTES: Record<string, string> = {
  SCAN_ELIGIBILITY_EXPIRED: 'no longer scanned: its enhanced-scanning duration ran out (SCAN_ELIGIBILITY_EXPIRED)',
  FINDINGS_UNAVAILABLE: 'the findings are no longer available (FINDINGS_UNAVAILABLE)',
  LIMIT_EXCEEDED: 'the scan limit was reached (LIMIT_EXCEEDED)',
  UNSUPPORTED_IMAGE: 'ECR cannot scan this kind of image (UNSUPPORTED_IMAGE)',
  IMAGE_ARCHIVED: 'the image is archived (IMAGE_ARCHIVED)',
  IMAGE_SIZE_EXCEEDED: 'the image is too large to scan (IMAGE_SIZE_EXCEEDED)',
};

function statusOf(value: unknown): { status: ScanStatus; message?: string } | undefined {
  if (!isRecord(value)) return undefined;
  const code = str(value['status']);
  if (!code) return undefined;
  const message = str(value['description']) ?? STATUS_NOTES[code];
  return { status: SCAN_STATUSES[code] ?? 'error', ...optional('message', message ?? (SCAN_STATUSES[code] ? undefined : `scan status ${code}`)) };
}

/** ECR's levels → ours: INFORMATIONAL is negligible, UNDEFINED and UNTRIAGED are unknown. */
export function ecrSeverity(text: unknown): Severity {
  return text === 'INFORMATIONAL' ? 'negligible' : severityOf(text);
}

function countsOf(value: unknown): SeverityCounts {
  const counts = emptyCounts();
  if (!isRecord(value)) return counts;
  for (const [level, n] of Object.entries(value)) {
    const count = num(n);
    if (count !== undefined && count >= 0) counts[ecrSeverity(level)] += Math.floor(count);
  }
  return counts;
}

/** The scan status and counts DescribeImages carries (the older basic scanning fills them; the newer leaves them out). */
function scanSummaryOf(detail: Record<string, unknown>): VulnerabilityReport | undefined {
  const status = statusOf(detail['imageScanStatus']);
  if (!status) return undefined;
  const summary = isRecord(detail['imageScanFindingsSummary']) ? detail['imageScanFindingsSummary'] : {};
  return {
    ...status,
    counts: countsOf(summary['findingSeverityCounts']),
    ...optional('scannedAt', timeOf(summary['imageScanCompletedAt'])),
  };
}

function attribute(finding: Record<string, unknown>, key: string): string | undefined {
  const found = arrayOf(finding['attributes']).find((a) => a['key'] === key);
  return found ? str(found['value']) : undefined;
}

/** Basic scanning: one finding per CVE, the package in its attributes. */
function basicFinding(f: Record<string, unknown>): Vulnerability | undefined {
  const id = str(f['name']);
  if (!id) return undefined;
  const uri = str(f['uri']);
  return {
    id,
    package: attribute(f, 'package_name') ?? '',
    version: attribute(f, 'package_version') ?? '',
    severity: ecrSeverity(f['severity']),
    ...optional('description', str(f['description'])),
    ...(uri ? { links: [uri] } : {}),
  };
}

/** Enhanced scanning (Amazon Inspector): one finding per CVE, one row per vulnerable package. */
function enhancedFindings(f: Record<string, unknown>): Vulnerability[] {
  const details = isRecord(f['packageVulnerabilityDetails']) ? f['packageVulnerabilityDetails'] : {};
  const id = str(details['vulnerabilityId']) ?? str(f['title']);
  if (!id) return [];
  const links = [str(details['sourceUrl']), ...(Array.isArray(details['referenceUrls']) ? details['referenceUrls'].map(str) : [])].filter(
    (l, i, all): l is string => !!l && all.indexOf(l) === i,
  );
  const common = {
    id,
    severity: ecrSeverity(f['severity']),
    ...optional('description', str(f['description'])),
    ...(links.length ? { links } : {}),
  };
  const packages = arrayOf(details['vulnerablePackages']);
  if (!packages.length) return [{ ...common, package: '', version: '' }];
  return packages.map((p) => ({
    ...common,
    package: str(p['name']) ?? '',
    version: [str(p['version']), str(p['release'])].filter(Boolean).join('-'),
    ...optional('fixVersion', str(p['fixedInVersion']) === 'NotAvailable' ? undefined : str(p['fixedInVersion'])),
  }));
}

/** DescribeImageScanFindings pages → one report. `truncated`: more pages than were read (counts then come from ECR's summary). */
export function reportFromScanFindings(pages: readonly Record<string, unknown>[], truncated = false): VulnerabilityReport {
  const first = pages[0] ?? {};
  const status = statusOf(first['imageScanStatus']) ?? { status: 'not-scanned' as const };
  const findings = isRecord(first['imageScanFindings']) ? first['imageScanFindings'] : {};
  const digest = isRecord(first['imageId']) ? str(first['imageId']['imageDigest']) : undefined;
  const vulnerabilities: Vulnerability[] = [];
  let enhanced = false;
  for (const page of pages) {
    const f = isRecord(page['imageScanFindings']) ? page['imageScanFindings'] : {};
    for (const finding of arrayOf(f['findings'])) {
      const v = basicFinding(finding);
      if (v) vulnerabilities.push(v);
    }
    for (const finding of arrayOf(f['enhancedFindings'])) {
      enhanced = true;
      vulnerabilities.push(...enhancedFindings(finding));
    }
  }
  const counted = countsOf(findings['findingSeverityCounts']);
  const counts = truncated || (vulnerabilities.length === 0 && Object.values(counted).some((n) => n > 0)) ? counted : countSeverities(vulnerabilities);
  const hasResult = status.status === 'success';
  return {
    ...status,
    scanner: enhanced ? 'Amazon Inspector (ECR enhanced scanning)' : 'Amazon ECR basic scanning',
    ...optional('scannedAt', timeOf(findings['imageScanCompletedAt'])),
    ...optional('digest', digest),
    counts: hasResult ? counts : emptyCounts(),
    ...(hasResult ? { vulnerabilities } : {}),
  };
}

function privateRepositorySummary(r: Record<string, unknown>): RepositorySummary | undefined {
  const name = str(r['repositoryName']);
  if (!name || !isRepositoryName(name)) return undefined;
  const scanning = isRecord(r['imageScanningConfiguration']) ? r['imageScanningConfiguration'] : {};
  const notes = [String(r['imageTagMutability'] ?? '').startsWith('IMMUTABLE') ? 'immutable tags' : '', scanning['scanOnPush'] === true ? 'scan on push' : ''].filter(Boolean);
  return { name, isPrivate: true, ...(notes.length ? { description: notes.join(' · ') } : {}) };
}

/** ECR Public: the registry path (alias/name) is in repositoryUri; the API's name leaves the alias out. */
function publicRepositorySummary(r: Record<string, unknown>): RepositorySummary | undefined {
  const uri = str(r['repositoryUri']);
  const prefix = `${ECR_PUBLIC_HOST}/`;
  const name = uri?.startsWith(prefix) ? uri.slice(prefix.length) : undefined;
  if (!name || !isRepositoryName(name)) return undefined;
  return { name, isPrivate: false };
}

function isRepositoryName(name: string): boolean {
  try {
    validateRepositoryName(name);
    return true;
  } catch {
    return false;
  }
}

/** base64("AWS:<password>") → its parts; undefined for anything else. */
export function decodeAuthorizationToken(value: unknown): { username: string; password: string } | undefined {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/=]+$/.test(value)) return undefined;
  const text = Buffer.from(value, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** A timestamp as the SDK gives it (Date) or as JSON 1.1 sends it (epoch seconds) → ISO; undefined if unreadable. */
function timeOf(value: unknown): string | undefined {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

function arrayOf(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** The profile the chain will use: the chosen one, else AWS_PROFILE. */
function profileOf(aws: EcrOptions): string | undefined {
  return aws.profile ?? (aws.env ?? process.env)['AWS_PROFILE'] ?? undefined;
}

function checkRegion(region: string): void {
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new InvalidInputError('setting', region, 'not an AWS region (e.g. us-east-1)');
}

// ------------------------------------------------------------------------------------------------
// AWS failures → typed errors. The SDK's errors are read by their fields, not their classes: they
// come from another bundle.

interface CallContext {
  action: string;
  url: string;
  region: string;
  service: 'ecr' | 'ecr-public';
  profile?: string;
  account?: string;
  repository?: string;
}

const OPERATIONS: Partial<Record<string, Operation>> = {
  GetAuthorizationToken: 'token',
  DescribeRepositories: 'catalog',
  DescribeImages: 'tags',
  BatchDeleteImage: 'delete',
};

/** What a failed AWS call means, as a DistributionError tagged 'aws' (or the project's own error, untouched). */
export function awsError(err: unknown, context: CallContext): Error {
  if (err instanceof RegxError) return err;
  const e = isRecord(err) ? err : {};
  const name = typeof e['name'] === 'string' ? e['name'] : 'Error';
  const message = typeof e['message'] === 'string' ? e['message'] : String(err);
  const cloud = {
    region: context.region,
    ...optional('profile', context.profile),
    ...optional('account', context.account),
    ...optional('repository', context.repository),
  };
  if (name === 'CredentialsProviderError' || name === 'TokenProviderError') {
    return new DistributionError(401, [{ code: credentialProblem(message), message }], 'POST', context.url, 'login', { vendor: 'aws', cloud: { ...cloud, action: `${context.service}:${context.action}` } });
  }
  const metadata = isRecord(e['$metadata']) ? e['$metadata'] : undefined;
  if (metadata && (e['$fault'] === 'client' || e['$fault'] === 'server')) {
    const status = num(metadata['httpStatusCode']) ?? (e['$fault'] === 'server' ? 500 : 400);
    const action = /not authorized to perform:? ([\w-]+:\w+)/.exec(message)?.[1] ?? `${context.service}:${context.action}`;
    return new DistributionError(status, [{ code: name, message }], 'POST', context.url, OPERATIONS[context.action] ?? 'other', { vendor: 'aws', cloud: { ...cloud, action } });
  }
  return new ProtocolError(context.url, `the AWS SDK could not complete ${context.action}: ${message}`);
}

/** The credential chain's refusals, by the words the SDK uses for them. */
function credentialProblem(message: string): string {
  if (/SSO session.*(expired|invalid)|token is expired|sso login/i.test(message)) return 'SSOSessionExpired';
  if (/Could not load credentials from any providers/i.test(message)) return 'NoCredentials';
  if (/Could not resolve credentials using profile|profile .* could not be found|Profile .* not found/i.test(message)) return 'ProfileNotFound';
  return 'CredentialsError';
}

/** A failures[] entry of BatchDeleteImage (answered with 200) → the error it stands for. */
export function batchDeleteFailure(failure: Record<string, unknown>, context: { url: string; region: string; repository: string; account?: string }): DistributionError {
  const code = str(failure['failureCode']) ?? 'UnknownFailure';
  const imageId = isRecord(failure['imageId']) ? failure['imageId'] : {};
  const ref = str(imageId['imageTag']) ?? str(imageId['imageDigest']) ?? '';
  const message = str(failure['failureReason']) ?? code;
  const status = code === 'ImageNotFound' ? 404 : code === 'ImageTagDoesNotMatchDigest' || code === 'ImageReferencedByManifestList' ? 409 : 400;
  return new DistributionError(status, [{ code, message, detail: { reference: ref, ...optional('digest', str(imageId['imageDigest'])) } }], 'POST', context.url, 'delete', {
    vendor: 'aws',
    cloud: { region: context.region, repository: context.repository, action: 'ecr:BatchDeleteImage', ...optional('account', context.account) },
  });
}

// ------------------------------------------------------------------------------------------------

/**
 * The profiles of the shared config files (~/.aws/config `[profile x]` and `[default]`, ~/.aws/credentials
 * `[x]`; AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE move them), sorted, for a profile picker.
 * Missing files are no profiles; nothing else is read from them.
 */
export async function listAwsProfiles(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const home = env['HOME'] || env['USERPROFILE'] || os.homedir();
  const configFile = env['AWS_CONFIG_FILE'] || path.join(home, '.aws', 'config');
  const credentialsFile = env['AWS_SHARED_CREDENTIALS_FILE'] || path.join(home, '.aws', 'credentials');
  const names = new Set<string>();
  for (const name of profileSections(await readIfThere(configFile), true)) names.add(name);
  for (const name of profileSections(await readIfThere(credentialsFile), false)) names.add(name);
  return [...names].sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : a.localeCompare(b)));
}

async function readIfThere(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return '';
  }
}

/** Section names that are profiles: in the config file `[default]` and `[profile x]` (not `[sso-session x]`, `[services x]`). */
export function profileSections(text: string, configFile: boolean): string[] {
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*\[\s*([^\]]+?)\s*\]\s*(?:[#;].*)?$/.exec(line);
    if (!m) continue;
    const section = m[1]!;
    if (!configFile) names.push(section);
    else if (section === 'default') names.push(section);
    else if (/^profile\s+/.test(section)) names.push(section.replace(/^profile\s+/, '').trim());
  }
  return names.filter(Boolean);
}

