// Harbor (goharbor.io), API v2.0 (api/v2.0/swagger.yaml). Its /v2/_catalog is for system admins
// only, so projects, their repositories and artifacts — each with its tags, digest, size, push time,
// platforms and scan overview — come from the Harbor API, which lives on the registry's own host under
// /api/v2.0 and takes the same Basic credentials as the registry's token service (/service/token on
// whatever host its challenge names): a user's password, a robot account's secret (robot$NAME) or an
// OIDC user's CLI secret. Tags are removed one at a time and artifacts as a whole through the API;
// scans are read and started there. Manifests, retag and copy go through the Distribution client.
// PURE: no vscode imports.

import { RegistryClient, validateRepositoryName } from '../distribution/client';
import { formatPlatform, isAttestationDescriptor, normalizePlatform } from '../distribution/platform';
import { sharedTransport } from '../distribution/session';
import { basicAuthorization } from '../distribution/tokens';
import { headerValue, type TransportResponse } from '../distribution/transport';
import type { Page } from '../distribution/types';
import { DistributionError, InvalidInputError, RefusedError } from '../errors/errors';
import { validateDigest, validateTag } from '../reference';
import { GenericProvider, type GenericProviderOptions } from './generic';
import type {
  CreateRepositoryInput,
  DeleteOptions,
  DeletePlan,
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
import { VendorApi, isRecord, nextPageFromLink, num, optional, pageFromCursor, str, vendorPageSize, vendorSession, withVendor, type ApiRequest } from './vendorApi';
import { emptyCounts, severityOf, type ScanStatus, type Vulnerability, type VulnerabilityReport } from './vulnerabilities';

/** Where the API is below the registry's origin. */
export const HARBOR_API_PATH = '/api/v2.0';
/** The report type Harbor's scanners (Trivy) write today; scan overviews are keyed by it. */
export const HARBOR_REPORT_MIME = 'application/vnd.security.vulnerability.report; version=1.1';
/** The older native report type, still accepted. */
export const HARBOR_NATIVE_REPORT_MIME = 'application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0';
/** Harbor's token service names itself so in the registry's challenge (detect.ts recognises Harbor by it). */
export const HARBOR_TOKEN_SERVICE = 'harbor-registry';
/** Harbor's own rule for project names (swagger ProjectReq.project_name). */
const PROJECT_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const ACCEPT_VULNERABILITIES = { 'x-accept-vulnerabilities': `${HARBOR_REPORT_MIME}, ${HARBOR_NATIVE_REPORT_MIME}` };

export interface HarborProviderOptions extends GenericProviderOptions {
  /** The API base instead of <registry origin>/api/v2.0 (a Harbor whose API is served elsewhere). */
  apiBaseUrl?: string;
}

/** One Harbor artifact (an image or an index) as the API lists it, read at the boundary. */
export interface HarborArtifact {
  id?: number;
  digest: string;
  size?: number;
  /** ISO time the artifact was pushed. */
  pushTime?: string;
  /** The image's build time (extra_attrs.created), for single images. */
  created?: string;
  isIndex: boolean;
  tags: Array<{ name: string; pushTime?: string; immutable?: boolean }>;
  platforms: PlatformSummary[];
  /** The scan overview; undefined when the answer carried none (not asked, or never scanned). */
  scan?: VulnerabilityReport;
}

/** What deleting an artifact removes: the artifact and every tag on it. */
export interface ArtifactDeletePlan {
  repository: string;
  /** The tag or digest the user named. */
  reference: string;
  digest: string;
  /** Every tag on the artifact: all of them go. */
  tags: string[];
}

export class HarborProvider implements RegistryProvider {
  readonly kind = 'harbor' as const;
  readonly displayName: string;
  readonly capabilities: ProviderCapabilities = {
    catalog: false,
    namespaces: true,
    search: false,
    deleteTag: 'untag',
    deleteManifest: true,
    signIn: 'username-and-secret',
    scan: { trigger: true },
    manageRepositories: 'project',
    editDescription: true,
  };
  readonly client: RegistryClient;
  private apiPromise: Promise<VendorApi> | undefined;

  constructor(
    client: RegistryClient,
    private readonly options: HarborProviderOptions = {},
  ) {
    // Registry refusals (a push onto an immutable tag) are marked as Harbor's for their words.
    this.client = new RegistryClient(vendorSession(client.session, 'harbor'));
    this.displayName = `Harbor (${client.host})`;
  }

  get host(): string {
    return this.client.host;
  }

  // ---------------------------------------------------------------- API plumbing

  /** The API is on the registry's origin, in the scheme the /v2/ ping settled on. */
  private api(signal?: AbortSignal): Promise<VendorApi> {
    if (!this.apiPromise) {
      const p = (async () => {
        const base = this.options.apiBaseUrl ?? `${await this.client.session.baseUrl(signal)}${HARBOR_API_PATH}`;
        return new VendorApi(base, 'harbor', this.options.transport ?? sharedTransport(), this.options.userAgent);
      })();
      this.apiPromise = p;
      p.catch(() => {
        if (this.apiPromise === p) this.apiPromise = undefined;
      });
    }
    return this.apiPromise;
  }

  /** Basic with the stored account, as Harbor's API takes it; undefined when signed out (public projects only). */
  private async authorization(): Promise<string | undefined> {
    const credential = await this.options.credentials?.get(this.host);
    return credential?.password ? basicAuthorization(credential.username, credential.password) : undefined;
  }

  private async request(req: Omit<ApiRequest, 'authorization'>): Promise<TransportResponse> {
    const [api, authorization] = await Promise.all([this.api(req.signal), this.authorization()]);
    return api.request({ ...req, ...(authorization ? { authorization } : {}) });
  }

  private async json(req: Omit<ApiRequest, 'authorization'>): Promise<{ body: unknown; headers: TransportResponse['headers'] }> {
    const [api, authorization] = await Promise.all([this.api(req.signal), this.authorization()]);
    const { body, headers } = await api.json<unknown>({ ...req, ...(authorization ? { authorization } : {}) });
    return { body, headers };
  }

  /** A request that answers with no body worth reading (DELETE, PUT, POST …/scan). */
  private async change(req: Omit<ApiRequest, 'authorization'>): Promise<void> {
    const res = await this.request(req);
    await res.dump();
  }

  forgetTokens(): void {
    this.client.session.forgetTokens();
  }

  // ---------------------------------------------------------------- sign-in

  /**
   * Checked the way `docker login` checks it — a token request to the realm the registry names,
   * without scopes — then stored under the registry host. That is the one check Harbor accepts for
   * all three kinds of account: GET /users/current answers 412 for robot accounts (swagger), and an
   * OIDC user's CLI secret counts only on /service/token, /v2/ and a few list calls
   * (src/server/middleware/security/oidc_cli.go), so it would be refused there too.
   */
  async signIn(input: SignInInput): Promise<SignInResult> {
    try {
      return await new GenericProvider(this.client, this.options).signIn(input);
    } catch (err) {
      throw withVendor(err, 'harbor');
    }
  }

  // ---------------------------------------------------------------- browsing

  /** Projects the account can see (signed out: the public ones), paged. */
  async listNamespaces(page: PageRequest): Promise<Page<NamespaceSummary>> {
    const pageNo = pageFromCursor(page.cursor);
    const pageSize = vendorPageSize(page.pageSize);
    const { body, headers } = await this.json({ method: 'GET', path: '/projects', query: { page: pageNo, page_size: pageSize }, operation: 'catalog', ...signalOf(page) });
    const items: NamespaceSummary[] = [];
    for (const p of arrayOf(body)) {
      const name = str(p['name']);
      if (!name) continue;
      const metadata = isRecord(p['metadata']) ? p['metadata'] : {};
      items.push({ name, kind: 'project', description: metadata['public'] === 'true' ? 'public' : 'private' });
    }
    return withNext(items, nextPage(headers, pageNo, pageSize, items.length));
  }

  /** Repositories of a project, or every repository the account can see when no project is named. */
  async listRepositories(page: RepositoryPageRequest): Promise<Page<RepositorySummary>> {
    const pageNo = pageFromCursor(page.cursor);
    const pageSize = vendorPageSize(page.pageSize);
    const path = page.namespace ? `/projects/${encodeURIComponent(projectName(page.namespace))}/repositories` : '/repositories';
    const { body, headers } = await this.json({ method: 'GET', path, query: { page: pageNo, page_size: pageSize }, operation: 'catalog', ...signalOf(page) });
    const items: RepositorySummary[] = [];
    for (const r of arrayOf(body)) {
      const name = str(r['name'])?.toLowerCase();
      if (!name) continue;
      const description = str(r['description']);
      items.push({
        name,
        ...optional('description', description ? unescapeHtml(description) : undefined),
        ...optional('lastUpdated', harborTime(r['update_time'])),
        ...optional('pullCount', num(r['pull_count'])),
      });
    }
    return withNext(items, nextPage(headers, pageNo, pageSize, items.length));
  }

  /**
   * One page of artifacts, as one row per tag: digest, size, push time, platforms and the scan
   * overview come in the same answer. Untagged artifacts have no row.
   */
  async listTags(repository: string, page: PageRequest): Promise<Page<TagSummary>> {
    const pageNo = pageFromCursor(page.cursor);
    const pageSize = vendorPageSize(page.pageSize);
    const { body, headers } = await this.json({
      method: 'GET',
      path: `${harborRepositoryPath(repository)}/artifacts`,
      query: { with_tag: 'true', with_scan_overview: 'true', page: pageNo, page_size: pageSize },
      headers: ACCEPT_VULNERABILITIES,
      operation: 'tags',
      ...signalOf(page),
    });
    const artifacts = arrayOf(body).map(parseArtifact).filter((a): a is HarborArtifact => !!a);
    const items = artifacts.flatMap((a) => a.tags.map((t) => tagSummary(a, t)));
    return withNext(items, nextPage(headers, pageNo, pageSize, artifacts.length));
  }

  async tagDetails(repository: string, tag: string, signal?: AbortSignal): Promise<TagSummary> {
    const artifact = await this.findArtifact(repository, tag, signal);
    return tagSummary(artifact, artifact.tags.find((t) => t.name === tag) ?? { name: tag });
  }

  /**
   * The artifact a tag or digest names. A tag is looked up through the artifact list (q=tags=…),
   * where an OIDC user's CLI secret counts; a digest with GET …/artifacts/{digest}, which also finds
   * an index's platforms, which the list leaves out.
   */
  async findArtifact(repository: string, reference: string, signal?: AbortSignal): Promise<HarborArtifact> {
    const query = { with_tag: 'true', with_scan_overview: 'true', with_immutable_status: 'true' };
    const call = { method: 'GET' as const, headers: ACCEPT_VULNERABILITIES, operation: 'tags' as const, ...(signal ? { signal } : {}) };
    if (reference.includes(':')) {
      const { body } = await this.json({ ...call, path: `${harborRepositoryPath(repository)}/artifacts/${validateDigest(reference)}`, query });
      const artifact = parseArtifact(body);
      if (artifact?.digest === reference) return artifact;
    } else {
      const { body } = await this.json({ ...call, path: `${harborRepositoryPath(repository)}/artifacts`, query: { ...query, q: `tags=${validateTag(reference)}`, page: 1, page_size: 10 } });
      const artifact = arrayOf(body)
        .map(parseArtifact)
        .find((a) => a?.tags.some((t) => t.name === reference));
      if (artifact) return artifact;
    }
    throw await this.notFound(`artifact ${repository}${reference.includes(':') ? '@' : ':'}${reference} not found`, repository, signal);
  }

  private async notFound(message: string, repository: string, signal?: AbortSignal): Promise<DistributionError> {
    const url = (await this.api(signal)).url(`${harborRepositoryPath(repository)}/artifacts`);
    return new DistributionError(404, [{ code: 'NOT_FOUND', message }], 'GET', url, 'tags', { vendor: 'harbor' });
  }

  // ---------------------------------------------------------------- vulnerabilities

  /** The scan overview of the image, and every finding when the scan succeeded. */
  async vulnerabilities(repository: string, reference: string, signal?: AbortSignal): Promise<VulnerabilityReport> {
    const artifact = await this.findArtifact(repository, reference, signal);
    const report = artifact.scan ?? { status: 'not-scanned', digest: artifact.digest, counts: emptyCounts() };
    if (report.status !== 'success') return report;
    const { body } = await this.json({
      method: 'GET',
      path: `${harborRepositoryPath(repository)}/artifacts/${artifact.digest}/additions/vulnerabilities`,
      headers: ACCEPT_VULNERABILITIES,
      operation: 'other',
      ...(signal ? { signal } : {}),
    });
    return { ...report, vulnerabilities: findingsOf(body) };
  }

  /** POST …/scan (202): the overview says "scanning" until the scanner is done. */
  async scanNow(repository: string, reference: string, signal?: AbortSignal): Promise<void> {
    await this.change({
      method: 'POST',
      path: `${harborRepositoryPath(repository)}/artifacts/${encodeURIComponent(artifactReference(reference))}/scan`,
      json: { scan_type: 'vulnerability' },
      okStatuses: [202],
      operation: 'other',
      ...(signal ? { signal } : {}),
    });
  }

  // ---------------------------------------------------------------- delete

  /** Harbor removes a tag on its own: the artifact and its other tags stay. */
  async planTagDelete(repository: string, tag: string, signal?: AbortSignal): Promise<DeletePlan> {
    const artifact = await this.findArtifact(repository, tag, signal);
    return { repository, tag, digest: artifact.digest, alsoRemoves: [] };
  }

  /** DELETE …/artifacts/{tag}/tags/{tag}: only that tag goes. */
  async deleteTag(repository: string, tag: string, options: DeleteOptions = {}): Promise<void> {
    validateTag(tag);
    const reference = encodeURIComponent(tag);
    await this.change({
      method: 'DELETE',
      path: `${harborRepositoryPath(repository)}/artifacts/${reference}/tags/${reference}`,
      operation: 'delete',
      ...signalOf(options),
    });
  }

  /** What deleting the artifact a tag or digest names would remove: every tag on it. */
  async planArtifactDelete(repository: string, reference: string, signal?: AbortSignal): Promise<ArtifactDeletePlan> {
    const artifact = await this.findArtifact(repository, reference, signal);
    return { repository, reference, digest: artifact.digest, tags: artifact.tags.map((t) => t.name) };
  }

  /**
   * Delete an artifact with every tag on it, as planned. Planned again first: tags beyond the one
   * named need confirmShared, and a tag that came onto the artifact since the plan stops it, so
   * no tag is removed unseen (as the generic provider's executeTagDelete).
   */
  async deleteArtifact(plan: ArtifactDeletePlan, options: DeleteOptions = {}): Promise<void> {
    const others = plan.tags.filter((t) => t !== plan.reference);
    if (others.length && !options.confirmShared) {
      throw new RefusedError(`deleting ${plan.repository}@${plan.digest} would also remove ${others.join(', ')}: Harbor deletes the artifact with every tag on it`);
    }
    const fresh = await this.planArtifactDelete(plan.repository, plan.digest, options.signal);
    const unexpected = fresh.tags.filter((t) => !plan.tags.includes(t));
    if (unexpected.length) {
      throw new RefusedError(`since the check, ${unexpected.join(', ')} also point at ${plan.digest}: check again before deleting`);
    }
    await this.change({ method: 'DELETE', path: `${harborRepositoryPath(plan.repository)}/artifacts/${plan.digest}`, operation: 'delete', ...signalOf(options) });
  }

  /** By digest, with every tag on it (the caller has named them, as the interface asks). */
  async deleteManifest(repository: string, digest: string, signal?: AbortSignal): Promise<void> {
    const plan = await this.planArtifactDelete(repository, digest, signal);
    await this.deleteArtifact(plan, { confirmShared: true, ...(signal ? { signal } : {}) });
  }

  // ---------------------------------------------------------------- projects and descriptions

  /** A project (Harbor's namespace level); repositories appear in it on push. */
  async createRepository(input: CreateRepositoryInput): Promise<void> {
    const name = projectName(input.name);
    await this.change({
      method: 'POST',
      path: '/projects',
      json: { project_name: name, metadata: { public: input.visibility === 'public' ? 'true' : 'false' } },
      okStatuses: [201],
      operation: 'other',
      ...signalOf(input),
    });
  }

  /** Harbor deletes only an empty project; it refuses (412) while repositories are left. */
  async deleteRepository(name: string, signal?: AbortSignal): Promise<void> {
    await this.change({
      method: 'DELETE',
      path: `/projects/${encodeURIComponent(projectName(name))}`,
      // Without it, a project named "123" would be taken for the project with id 123.
      headers: { 'x-is-resource-name': 'true' },
      operation: 'delete',
      ...(signal ? { signal } : {}),
    });
  }

  async setDescription(repository: string, description: string, signal?: AbortSignal): Promise<void> {
    await this.change({ method: 'PUT', path: harborRepositoryPath(repository), json: { description }, operation: 'other', ...(signal ? { signal } : {}) });
  }
}

// ------------------------------------------------------------------------------------------------
// Pure mapping of Harbor's JSON (exported for unit tests).

/**
 * /projects/{project}/repositories/{name} for a registry path "project/name". Harbor decodes the
 * path and then the repository name once more, so a name with "/" is URL-encoded twice (a/b → a%252Fb).
 */
export function harborRepositoryPath(repository: string): string {
  const name = validateRepositoryName(repository);
  const slash = name.indexOf('/');
  if (slash <= 0) throw new InvalidInputError('repository', repository, 'Harbor repositories are PROJECT/NAME');
  return `/projects/${encodeURIComponent(name.slice(0, slash))}/repositories/${encodeURIComponent(encodeURIComponent(name.slice(slash + 1)))}`;
}

function projectName(name: string): string {
  const trimmed = name.trim();
  if (!PROJECT_NAME.test(trimmed) || trimmed.length > 255) {
    throw new InvalidInputError('repository', name, 'a Harbor project name is lower-case letters and digits, separated by single ".", "_" or "-"');
  }
  return trimmed;
}

function artifactReference(reference: string): string {
  return reference.includes(':') ? validateDigest(reference) : validateTag(reference);
}

/** An Artifact object of the API, or undefined when it lacks a digest. */
export function parseArtifact(value: unknown): HarborArtifact | undefined {
  if (!isRecord(value)) return undefined;
  const digest = str(value['digest']);
  if (!digest) return undefined;
  const extra = isRecord(value['extra_attrs']) ? value['extra_attrs'] : {};
  const references = Array.isArray(value['references']) ? value['references'].filter(isRecord) : [];
  const size = num(value['size']);
  const tags = (Array.isArray(value['tags']) ? value['tags'].filter(isRecord) : [])
    .map((t) => ({ name: str(t['name']), pushTime: harborTime(t['push_time']), immutable: t['immutable'] === true }))
    .filter((t): t is { name: string; pushTime: string | undefined; immutable: boolean } => !!t.name)
    .map((t) => ({ name: t.name, ...optional('pushTime', t.pushTime), ...(t.immutable ? { immutable: true } : {}) }));
  let platforms: PlatformSummary[];
  if (references.length) {
    platforms = references.map(referencePlatform).filter((p): p is PlatformSummary => !!p);
  } else {
    const own = platformOf(extra, digest, size);
    platforms = own ? [own] : [];
  }
  const scan = scanFromOverview(value['scan_overview'], digest);
  return {
    ...optional('id', num(value['id'])),
    digest,
    ...optional('size', size),
    ...optional('pushTime', harborTime(value['push_time'])),
    ...optional('created', str(extra['created'])),
    isIndex: references.length > 0,
    tags,
    platforms,
    ...optional('scan', scan),
  };
}

function referencePlatform(reference: Record<string, unknown>): PlatformSummary | undefined {
  const digest = str(reference['child_digest']);
  const platform = isRecord(reference['platform']) ? reference['platform'] : undefined;
  const annotations = isRecord(reference['annotations']) ? (reference['annotations'] as Record<string, string>) : undefined;
  if (!platform) return undefined;
  const p = platformOf(platform, digest, undefined);
  if (!p || isAttestationDescriptor({ platform: { os: p.os, architecture: p.architecture }, ...(annotations ? { annotations } : {}) })) return undefined;
  return p;
}

function platformOf(fields: Record<string, unknown>, digest: string | undefined, size: number | undefined): PlatformSummary | undefined {
  const os = str(fields['os']);
  const architecture = str(fields['architecture']);
  if (!os || !architecture) return undefined;
  const p = normalizePlatform({ os, architecture, ...optional('variant', str(fields['variant'])) });
  return { platform: formatPlatform(p), os: p.os, architecture: p.architecture, ...optional('variant', p.variant), ...optional('digest', digest), ...optional('size', size) };
}

function tagSummary(artifact: HarborArtifact, tag: { name: string; pushTime?: string }): TagSummary {
  return {
    name: tag.name,
    digest: artifact.digest,
    ...optional('size', artifact.size),
    ...optional('lastPushed', tag.pushTime ?? artifact.pushTime),
    ...optional('created', artifact.created),
    ...(artifact.platforms.length ? { platforms: artifact.platforms } : {}),
    ...optional('scan', artifact.scan),
  };
}

const SCAN_STATUSES: Record<string, ScanStatus> = {
  success: 'success',
  pending: 'scanning',
  running: 'scanning',
  scheduled: 'scanning',
  error: 'error',
  stopped: 'error',
};

/**
 * A ScanOverview (report MIME type → NativeReportSummary) as our report: the v1.1 report first,
 * then the native one, then whatever type is there. undefined when there is no overview.
 */
export function scanFromOverview(overview: unknown, digest: string): VulnerabilityReport | undefined {
  if (!isRecord(overview)) return undefined;
  const key = [HARBOR_REPORT_MIME, HARBOR_NATIVE_REPORT_MIME].find((k) => isRecord(overview[k])) ?? Object.keys(overview).find((k) => isRecord(overview[k]));
  const summary = key ? (overview[key] as Record<string, unknown>) : undefined;
  if (!summary) return undefined;
  const statusText = str(summary['scan_status'])?.toLowerCase() ?? '';
  const status = SCAN_STATUSES[statusText] ?? 'not-scanned';
  const counts = emptyCounts();
  const vulnerabilitySummary = isRecord(summary['summary']) ? summary['summary'] : {};
  const bySeverity = isRecord(vulnerabilitySummary['summary']) ? vulnerabilitySummary['summary'] : {};
  for (const [severity, count] of Object.entries(bySeverity)) counts[severityOf(severity)] += num(count) ?? 0;
  const scanner = isRecord(summary['scanner']) ? summary['scanner'] : {};
  const scannerName = [str(scanner['name']), str(scanner['version'])].filter(Boolean).join(' ');
  return {
    status,
    ...optional('scanner', scannerName || undefined),
    ...optional('scannedAt', harborTime(summary['end_time']) ?? harborTime(summary['start_time'])),
    digest,
    counts,
    ...(statusText === 'stopped' ? { message: 'the scan was stopped' } : {}),
  };
}

/** The findings of GET …/additions/vulnerabilities ({ MIME type: Report }). */
export function findingsOf(addition: unknown): Vulnerability[] {
  if (!isRecord(addition)) return [];
  const key = [HARBOR_REPORT_MIME, HARBOR_NATIVE_REPORT_MIME].find((k) => isRecord(addition[k])) ?? Object.keys(addition).find((k) => isRecord(addition[k]));
  const report = key ? (addition[key] as Record<string, unknown>) : undefined;
  const items = report && Array.isArray(report['vulnerabilities']) ? report['vulnerabilities'].filter(isRecord) : [];
  const findings: Vulnerability[] = [];
  for (const item of items) {
    const id = str(item['id']);
    const pkg = str(item['package']);
    if (!id || !pkg) continue;
    const links = Array.isArray(item['links']) ? item['links'].filter((l): l is string => typeof l === 'string' && /^https?:\/\//.test(l)) : [];
    findings.push({
      id,
      package: pkg,
      version: str(item['version']) ?? '',
      ...optional('fixVersion', str(item['fix_version'])),
      severity: severityOf(item['severity']),
      ...optional('description', str(item['description'])),
      ...(links.length ? { links } : {}),
    });
  }
  return findings;
}

/** Harbor writes 0001-01-01T00:00:00Z for "never" (a tag never pulled): that is no time at all. */
function harborTime(value: unknown): string | undefined {
  const text = str(value);
  return text && !text.startsWith('0001-') ? text : undefined;
}

/** Harbor stores repository descriptions HTML-escaped (Go's template.HTMLEscapeString); read them back as written. */
export function unescapeHtml(text: string): string {
  return text.replace(/&(amp|lt|gt|#34|#39|quot);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', '#34': '"', '#39': "'", quot: '"' })[e]!);
}

/** The next page: X-Total-Count when Harbor sends it, else Link rel="next"; never after an empty page. */
function nextPage(headers: TransportResponse['headers'], pageNo: number, pageSize: number, received: number): string | undefined {
  if (received === 0) return undefined;
  const total = Number(headerValue(headers['x-total-count']));
  if (headerValue(headers['x-total-count']) !== undefined && Number.isInteger(total) && total >= 0) {
    return pageNo * pageSize < total ? String(pageNo + 1) : undefined;
  }
  const next = nextPageFromLink(headers['link']);
  return next ? String(next) : undefined;
}

function withNext<T>(items: T[], next: string | undefined): Page<T> {
  return next ? { items, next } : { items };
}

function arrayOf(body: unknown): Record<string, unknown>[] {
  return Array.isArray(body) ? body.filter(isRecord) : [];
}

function signalOf(holder: { signal?: AbortSignal | undefined }): { signal?: AbortSignal } {
  return holder.signal ? { signal: holder.signal } : {};
}
