// An EMULATION of Harbor's API v2.0 (goharbor.io) from its published spec, api/v2.0/swagger.yaml of
// goharbor/harbor, and — where the spec leaves a behaviour out — the Harbor source files named beside
// each rule, in front of a REAL Distribution registry (the token-auth registry of the test services).
//
// Two listeners, as Harbor behind a front door may look:
//   127.0.0.1:P1  the registry (/v2/*, proxied to the real registry: blobs, manifests, tags/list and
//                 uploads are real) and the Harbor API (/api/v2.0/*, emulated);
//   localhost:P2  Harbor's token service (/service/token). The registry's challenge names it, so the
//                 realm is on ANOTHER host than the registry, with service="harbor-registry".
// The token service checks Harbor accounts (test/fixtures/vendors/harbor/accounts.json: a user, a
// robot$ account, an OIDC user's CLI secret, a read-only guest), maps each onto an account of the real
// token issuer and hands out the issuer's real JWT, which the real registry verifies.
// Projects are the fixture's plus those a test asks for or creates; repositories, artifacts and tags
// are derived from what the registry really holds under PROJECT/, so browsing and pulling agree.
// Scan reports, account objects and error bodies are the recorded fixtures. Controls (immutable tags,
// scan results, no scanner, read-only mode) are plain methods, so any test suite can drive them.
// No node:test imports: the extension-host suite starts this too.

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface Login {
  username: string;
  password: string;
}

export interface HarborEmulationOptions {
  /** host:port of the real token-auth Distribution registry (plain http). */
  registry: string;
  /** Base URL of that registry's token issuer. */
  issuer: string;
  /** The issuer's service name for that registry. Default regx-test-registry. */
  service?: string;
  /** The issuer's account that may pull, push and delete. */
  pusher: Login;
  /** The issuer's read-only account. */
  reader: Login;
  /** Projects to create besides the fixture's "library". */
  projects?: Array<{ name: string; public?: boolean }>;
  /** The name the token service is reached by in the realm. Default localhost (the registry is 127.0.0.1). */
  realmHost?: string;
}

export interface EmulatedRequest {
  /** Which listener answered: the registry, the Harbor API (same listener, /api/v2.0) or the token service. */
  listener: 'registry' | 'api' | 'token';
  method: string;
  /** The path as sent, still encoded. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
}

export type ReportName = 'vulnerable' | 'clean';

export interface HarborEmulation {
  /** http://127.0.0.1:P1 — registry and API. */
  url: string;
  host: string;
  /** The realm the registry's challenge names: http://localhost:P2/service/token. */
  realm: string;
  /** host:port of the token service as the realm names it. */
  realmHost: string;
  /** Every request to either listener, in order (tests assert on headers; nothing here is ever printed). */
  requests: EmulatedRequest[];
  /** The fixture accounts by role: a user with a password, a robot$ account, an OIDC user's CLI secret, a read-only guest. */
  accounts: { admin: Login; robot: Login; oidc: Login; guest: Login };
  close(): Promise<void>;
  /** A tag immutability rule matching this tag (Project → Policy → Tag Immutability). */
  setImmutable(repository: string, tag: string, immutable?: boolean): void;
  /** The image (tag or digest) has been scanned, with this recorded report. Resolves with its digest. */
  attachScan(repository: string, reference: string, report: ReportName): Promise<string>;
  /** A scan started by POST …/scan finishes, with this recorded report (default "vulnerable"). */
  completeScan(repository: string, reference: string, report?: ReportName): Promise<void>;
  /** No scanner configured (Interrogation Services → Scanners empty). */
  setScanner(available: boolean): void;
  /** Harbor's "Repository Read Only" system setting. */
  setReadOnly(on: boolean): void;
  /** A project as the emulation holds it, or undefined. */
  project(name: string): { id: number; name: string; public: boolean } | undefined;
}

// ---------------------------------------------------------------------------------------------
// Fixtures

interface Account {
  username: string;
  secret: string;
  kind: 'user' | 'robot' | 'oidc';
  role: 'admin' | 'projectAdmin' | 'maintainer' | 'guest';
  registryAccount: 'pusher' | 'reader';
  profile?: Record<string, unknown>;
}

interface ErrorFixture {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

interface ScanFixture {
  mimeType: string;
  reports: Record<ReportName, { overview: Record<string, unknown>; report: Record<string, unknown> }>;
  running: Record<string, unknown>;
}

function readFixture<T>(name: string): T {
  const relative = path.join('test', 'fixtures', 'vendors', 'harbor', `${name}.json`);
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, relative);
    if (fs.existsSync(candidate)) return JSON.parse(fs.readFileSync(candidate, 'utf8')) as T;
    if (path.dirname(dir) === dir) break;
  }
  return JSON.parse(fs.readFileSync(path.join(process.cwd(), relative), 'utf8')) as T;
}

const HARBOR_SERVICE = 'harbor-registry';
const NATIVE_MIME = 'application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const ACCEPT_MANIFESTS = [OCI_MANIFEST, OCI_INDEX, 'application/vnd.docker.distribution.manifest.v2+json', DOCKER_LIST].join(', ');
/** Harbor's zero time, what it shows for "never pulled". */
const NEVER = '0001-01-01T00:00:00.000Z';
/** swagger ProjectReq.project_name / Harbor's project name rule. */
const PROJECT_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-f0-9]{32,}$/;

const sha256 = (bytes: Buffer | string) => `sha256:${crypto.createHash('sha256').update(bytes).digest('hex')}`;

// ---------------------------------------------------------------------------------------------
// The real registry, as the emulation itself reads and changes it (with the issuer's pusher account).

interface Manifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  json: Record<string, unknown>;
}

class Upstream {
  private readonly tokens = new Map<string, { token: string; expires: number }>();
  private readonly manifests = new Map<string, Manifest>();
  private readonly blobs = new Map<string, Buffer>();

  constructor(
    readonly base: string,
    private readonly issuer: string,
    private readonly service: string,
    private readonly login: Login,
  ) {}

  /** A token of the real issuer for these scopes, with any of the issuer's accounts (or anonymous). */
  async issue(scopes: string[], login: Login | undefined): Promise<Record<string, unknown>> {
    const url = new URL(`${this.issuer}/token`);
    url.searchParams.set('service', this.service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    const headers: Record<string, string> = login ? { authorization: basic(login.username, login.password) } : {};
    const res = await fetch(url, { headers });
    if (!res.ok) throw new Error(`harbor emulation: the token issuer answered ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  }

  private async token(scopes: string[]): Promise<string> {
    const key = scopes.join(' ');
    const have = this.tokens.get(key);
    if (have && have.expires > Date.now()) return have.token;
    const body = await this.issue(scopes, this.login);
    const token = String(body['token']);
    this.tokens.set(key, { token, expires: Date.now() + 30_000 });
    return token;
  }

  async send(method: string, pathOrUrl: string, scopes: string[], init: { headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<Response> {
    const token = await this.token(scopes);
    return fetch(new URL(pathOrUrl, this.base), {
      method,
      headers: { ...(init.headers ?? {}), authorization: `Bearer ${token}` },
      ...(init.body !== undefined ? { body: init.body } : {}),
      redirect: 'follow',
    });
  }

  async catalog(): Promise<string[]> {
    const names: string[] = [];
    let next: string | undefined = '/v2/_catalog?n=1000';
    while (next) {
      const res = await this.send('GET', next, ['registry:catalog:*']);
      if (!res.ok) throw new Error(`harbor emulation: _catalog answered ${res.status}`);
      names.push(...(((await res.json()) as { repositories?: string[] }).repositories ?? []));
      next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    }
    return names;
  }

  async tags(repository: string): Promise<string[]> {
    const res = await this.send('GET', `/v2/${repository}/tags/list`, [repoScope(repository)]);
    if (res.status === 404) {
      await res.arrayBuffer();
      return [];
    }
    if (!res.ok) throw new Error(`harbor emulation: tags/list of ${repository} answered ${res.status}`);
    return [...(((await res.json()) as { tags?: string[] | null }).tags ?? [])].sort();
  }

  /** A manifest by tag or digest, undefined when the registry has none. Manifests by digest never change. */
  async manifest(repository: string, reference: string): Promise<Manifest | undefined> {
    const cached = this.manifests.get(`${repository}@${reference}`);
    if (cached) return cached;
    const res = await this.send('GET', `/v2/${repository}/manifests/${reference}`, [repoScope(repository)], { headers: { accept: ACCEPT_MANIFESTS } });
    if (res.status === 404) {
      await res.arrayBuffer();
      return undefined;
    }
    if (!res.ok) throw new Error(`harbor emulation: manifest ${repository}:${reference} answered ${res.status}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const json = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    const mediaType = String(json['mediaType'] ?? (res.headers.get('content-type') ?? OCI_MANIFEST).split(';')[0]);
    const manifest = { digest: sha256(bytes), mediaType, bytes, json };
    this.manifests.set(`${repository}@${manifest.digest}`, manifest);
    return manifest;
  }

  async blob(repository: string, digest: string): Promise<Buffer> {
    const cached = this.blobs.get(digest);
    if (cached) return cached;
    const res = await this.send('GET', `/v2/${repository}/blobs/${digest}`, [repoScope(repository)]);
    if (!res.ok) throw new Error(`harbor emulation: blob ${digest} answered ${res.status}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    this.blobs.set(digest, bytes);
    return bytes;
  }

  async deleteManifest(repository: string, digest: string): Promise<void> {
    const res = await this.send('DELETE', `/v2/${repository}/manifests/${digest}`, [repoScope(repository)]);
    await res.arrayBuffer();
    if (res.status !== 202 && res.status !== 404) throw new Error(`harbor emulation: deleting ${repository}@${digest} answered ${res.status}`);
  }

  async putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const res = await this.send('PUT', `/v2/${repository}/manifests/${reference}`, [repoScope(repository)], { headers: { 'content-type': mediaType }, body: bytes });
    await res.arrayBuffer();
    if (res.status !== 201) throw new Error(`harbor emulation: pushing ${repository}:${reference} answered ${res.status}`);
    return sha256(bytes);
  }

  async pushBlob(repository: string, bytes: Buffer): Promise<string> {
    const digest = sha256(bytes);
    const head = await this.send('HEAD', `/v2/${repository}/blobs/${digest}`, [repoScope(repository)]);
    if (head.ok) return digest;
    const start = await this.send('POST', `/v2/${repository}/blobs/uploads/`, [repoScope(repository)]);
    await start.arrayBuffer();
    const location = new URL(start.headers.get('location') ?? '', this.base);
    location.searchParams.set('digest', digest);
    const put = await this.send('PUT', location.toString(), [repoScope(repository)], { headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    await put.arrayBuffer();
    if (put.status !== 201) throw new Error(`harbor emulation: uploading a blob to ${repository} answered ${put.status}`);
    return digest;
  }
}

function repoScope(repository: string): string {
  return `repository:${repository}:pull,push,delete`;
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

// ---------------------------------------------------------------------------------------------
// Harbor's own state: projects, repository descriptions, ids and times, immutability, scans.

interface Project {
  id: number;
  name: string;
  public: boolean;
  created: string;
  fixture?: Record<string, unknown>;
}

interface ScanState {
  status: 'Running' | 'Success';
  report?: ReportName;
  reportId: string;
  start: string;
  end?: string;
}

interface ArtifactRow {
  id: number;
  project: Project;
  repository: string;
  digest: string;
  manifestMediaType: string;
  mediaType: string;
  size: number;
  pushTime: string;
  tags: Array<{ id: number; name: string; pushTime: string }>;
  references?: Array<Record<string, unknown>>;
  extraAttrs?: Record<string, unknown>;
  annotations?: unknown;
  /** Digests of the manifests an index lists. */
  children: string[];
}

interface Caller {
  account?: Account;
}

class HarborState {
  readonly projects = new Map<string, Project>();
  private nextProjectId = 1;
  private readonly ids = new Map<string, number>();
  private nextId = 100;
  private readonly firstSeen = new Map<string, string>();
  readonly descriptions = new Map<string, string>();
  readonly pulls = new Map<string, number>();
  readonly immutable = new Set<string>();
  readonly scans = new Map<string, ScanState>();
  /** Per repository: digests left without tags by a tag delete; Harbor keeps them as untagged artifacts. */
  readonly untagged = new Map<string, Set<string>>();
  /** Bearer tokens the token service handed out, and for whom (the registry's _catalog is admin-only). */
  readonly issuedTo = new Map<string, string>();
  scanner = true;
  readOnly = false;

  constructor(
    readonly up: Upstream,
    readonly accounts: Account[],
    readonly errors: Record<string, ErrorFixture>,
    readonly scanFixture: ScanFixture,
  ) {}

  addProject(name: string, isPublic: boolean, fixture?: Record<string, unknown>): Project {
    const id = typeof fixture?.['project_id'] === 'number' ? fixture['project_id'] : this.nextProjectId;
    this.nextProjectId = Math.max(this.nextProjectId, id + 1);
    const created = typeof fixture?.['creation_time'] === 'string' ? fixture['creation_time'] : new Date().toISOString();
    const project: Project = { id, name, public: isPublic, created, ...(fixture ? { fixture } : {}) };
    this.projects.set(name, project);
    return project;
  }

  idOf(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(key, id);
    }
    return id;
  }

  seen(key: string): string {
    let time = this.firstSeen.get(key);
    if (!time) {
      time = new Date().toISOString();
      this.firstSeen.set(key, time);
    }
    return time;
  }

  /** A push through the registry: the tag's push time is now. */
  pushed(repository: string, tag: string | undefined, digest: string): void {
    const now = new Date().toISOString();
    this.firstSeen.set(`${repository}@${digest}`, this.firstSeen.get(`${repository}@${digest}`) ?? now);
    if (tag) this.firstSeen.set(`${repository}:${tag}@${digest}`, now);
  }

  projectOf(repository: string): Project | undefined {
    return this.projects.get(repository.split('/')[0]!);
  }

  /** Repositories of a project that hold something (Harbor lists repositories with artifacts). */
  async repositories(project: Project): Promise<string[]> {
    const names = (await this.up.catalog()).filter((name) => name.startsWith(`${project.name}/`));
    const held = await Promise.all(names.map(async (name) => (await this.up.tags(name)).length > 0 || (this.untagged.get(name)?.size ?? 0) > 0));
    return names.filter((_, i) => held[i]).sort();
  }

  /**
   * The artifacts of a repository, as Harbor lists them: every manifest with a tag, and untagged
   * ones that no index of the repository refers to (src/pkg/artifact/dao/dao.go, filter "both").
   */
  async artifacts(repository: string): Promise<ArtifactRow[]> {
    const project = this.projectOf(repository);
    if (!project) return [];
    const tagsByDigest = new Map<string, string[]>();
    const tags = await this.up.tags(repository);
    const manifests = await Promise.all(tags.map((tag) => this.up.manifest(repository, tag)));
    tags.forEach((tag, i) => {
      const m = manifests[i];
      if (m) tagsByDigest.set(m.digest, [...(tagsByDigest.get(m.digest) ?? []), tag]);
    });
    for (const digest of [...(this.untagged.get(repository) ?? [])]) {
      if (tagsByDigest.has(digest)) continue;
      if (await this.up.manifest(repository, digest)) tagsByDigest.set(digest, []);
      else this.untagged.get(repository)?.delete(digest);
    }
    const rows = await Promise.all([...tagsByDigest].map(([digest, names]) => this.describe(project, repository, digest, names)));
    const children = new Set(rows.flatMap((r) => r.children));
    return rows
      .filter((r): r is ArtifactRow => !!r && (r.tags.length > 0 || !children.has(r.digest)))
      .sort((a, b) => b.pushTime.localeCompare(a.pushTime) || a.id - b.id);
  }

  /** One artifact: size, platforms and build attributes the way Harbor's abstractors compute them. */
  async describe(project: Project, repository: string, digest: string, tags: string[]): Promise<ArtifactRow> {
    const m = await this.up.manifest(repository, digest);
    if (!m) throw new Error(`harbor emulation: ${repository}@${digest} vanished`);
    const id = this.idOf(`${repository}@${digest}`);
    const row: ArtifactRow = {
      id,
      project,
      repository,
      digest,
      manifestMediaType: m.mediaType,
      mediaType: m.mediaType,
      size: m.bytes.length,
      pushTime: this.seen(`${repository}@${digest}`),
      tags: tags.map((name) => ({ id: this.idOf(`${repository}:${name}`), name, pushTime: this.seen(`${repository}:${name}@${digest}`) })),
      annotations: m.json['annotations'] ?? null,
      children: [],
    };
    const entries = Array.isArray(m.json['manifests']) ? (m.json['manifests'] as Array<Record<string, unknown>>) : undefined;
    if (entries) {
      // src/controller/artifact/manifest/index.go: the index's own bytes plus each child's size.
      row.references = [];
      for (const entry of entries) {
        const childDigest = String(entry['digest']);
        row.children.push(childDigest);
        const child = await this.describe(project, repository, childDigest, []);
        row.size += child.size;
        row.references.push({
          parent_id: id,
          child_id: child.id,
          child_digest: childDigest,
          platform: entry['platform'] ?? null,
          annotations: entry['annotations'] ?? null,
          urls: entry['urls'] ?? null,
        });
      }
      return row;
    }
    // src/controller/artifact/manifest/v2.go: manifest bytes + config + layers; the config's media
    // type is the artifact's; processor/image reads created, architecture, os, config and author.
    const config = (m.json['config'] ?? {}) as Record<string, unknown>;
    const layers = Array.isArray(m.json['layers']) ? (m.json['layers'] as Array<Record<string, unknown>>) : [];
    row.size += Number(config['size'] ?? 0) + layers.reduce((sum, l) => sum + Number(l['size'] ?? 0), 0);
    row.mediaType = String(config['mediaType'] ?? m.mediaType);
    if (/image\.config|container\.image/.test(row.mediaType) && typeof config['digest'] === 'string') {
      const image = JSON.parse((await this.up.blob(repository, config['digest'])).toString('utf8')) as Record<string, unknown>;
      row.extraAttrs = { created: image['created'], architecture: image['architecture'], os: image['os'], config: image['config'] ?? {}, author: image['author'] ?? '' };
    }
    return row;
  }

  async artifact(repository: string, reference: string): Promise<ArtifactRow | undefined> {
    const rows = await this.artifacts(repository);
    return DIGEST.test(reference) ? rows.find((r) => r.digest === reference) ?? (await this.child(repository, reference)) : rows.find((r) => r.tags.some((t) => t.name === reference));
  }

  /** A child of an index is an artifact too (by digest), though not listed. */
  private async child(repository: string, digest: string): Promise<ArtifactRow | undefined> {
    const project = this.projectOf(repository);
    if (!project || !(await this.up.manifest(repository, digest))) return undefined;
    return this.describe(project, repository, digest, []);
  }

  /** Why Harbor refuses to delete this artifact (immutable tags, a parent index), or undefined. */
  async deleteRefusal(repository: string, row: ArtifactRow): Promise<ErrorFixture | undefined> {
    const locked = row.tags.find((t) => this.immutable.has(`${repository}:${t.name}`));
    if (locked) return this.error('tagImmutableDelete', { tag: locked.name });
    const parents = (await this.artifacts(repository)).filter((r) => r.children.includes(row.digest));
    if (parents.length) return this.error('referencedByIndex');
    return undefined;
  }

  /** Delete an artifact and the children only it held (src/controller/artifact/controller.go deleteDeeply). */
  async deleteArtifact(repository: string, row: ArtifactRow): Promise<void> {
    await this.up.deleteManifest(repository, row.digest);
    this.forget(repository, row.digest);
    const rest = await this.artifacts(repository);
    for (const child of row.children) {
      if (rest.some((r) => r.digest === child || r.children.includes(child))) continue;
      await this.up.deleteManifest(repository, child);
      this.forget(repository, child);
    }
  }

  forget(repository: string, digest: string): void {
    this.untagged.get(repository)?.delete(digest);
    this.scans.delete(`${repository}@${digest}`);
  }

  /**
   * Remove one tag and keep its artifact, as Harbor's database does. A Distribution 2.8 registry can
   * only delete by digest, so the tag is moved to a throw-away manifest of its own first, and that
   * manifest is deleted: the artifact stays, reachable by digest.
   */
  async untag(repository: string, tag: string, digest: string): Promise<void> {
    const empty = Buffer.from('{}');
    const configDigest = await this.up.pushBlob(repository, empty);
    const placeholder = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: configDigest, size: empty.length },
        layers: [],
        annotations: { 'org.goharbor.emulation.untag': `${tag}-${crypto.randomUUID()}` },
      }),
    );
    const placed = await this.up.putManifest(repository, tag, placeholder, OCI_MANIFEST);
    await this.up.deleteManifest(repository, placed);
    let kept = this.untagged.get(repository);
    if (!kept) this.untagged.set(repository, (kept = new Set()));
    kept.add(digest);
  }

  error(name: string, values: Record<string, string | number> = {}): ErrorFixture {
    const fixture = this.errors[name];
    if (!fixture) throw new Error(`harbor emulation: no error fixture ${name}`);
    const fill = (text: string) => text.replace(/\{(\w+)\}/g, (_, key: string) => String(values[key] ?? `{${key}}`));
    return { status: fixture.status, ...(fixture.headers ? { headers: fixture.headers } : {}), body: JSON.parse(fill(JSON.stringify(fixture.body))) };
  }

  /** Who is asking: Harbor's Basic-auth security generators (basic_auth.go, robot.go, oidc_cli.go). A failed login is anonymous. */
  caller(authorization: string | undefined, method: string, decodedPath: string): Caller {
    const m = /^Basic\s+(.+)$/i.exec(authorization ?? '');
    if (!m) return {};
    const text = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    const username = text.slice(0, colon);
    const secret = text.slice(colon + 1);
    const account = this.accounts.find((a) => a.username === username && a.secret === secret);
    if (!account) return {};
    if (account.kind === 'oidc' && !oidcCliAccepts(method, decodedPath)) return {};
    return { account };
  }

  canRead(caller: Caller, project: Project): boolean {
    return project.public || !!caller.account;
  }

  canWrite(caller: Caller): boolean {
    return !!caller.account && caller.account.role !== 'guest';
  }

  denied(caller: Caller): ErrorFixture {
    return this.error(caller.account ? 'forbidden' : 'unauthorized');
  }

  /** ScanOverview: report MIME type → NativeReportSummary, or undefined when never scanned. */
  overview(repository: string, digest: string, mimeType: string): Record<string, unknown> | undefined {
    const state = this.scans.get(`${repository}@${digest}`);
    if (!state) return undefined;
    if (state.status === 'Running') {
      return { [mimeType]: { ...this.scanFixture.running, report_id: state.reportId, start_time: state.start } };
    }
    const recorded = this.scanFixture.reports[state.report!].overview;
    return { [mimeType]: { ...recorded, report_id: state.reportId, start_time: state.start, end_time: state.end } };
  }

  report(repository: string, digest: string, mimeType: string): Record<string, unknown> {
    const state = this.scans.get(`${repository}@${digest}`);
    if (state?.status !== 'Success') return {};
    const recorded = this.scanFixture.reports[state.report!].report;
    const vulnerabilities = (recorded['vulnerabilities'] as Array<Record<string, unknown>>).map((v) => ({ ...v, artifact_digests: [digest] }));
    return { [mimeType]: { generated_at: state.end, ...recorded, vulnerabilities } };
  }
}

/**
 * src/server/middleware/security/oidc_cli.go valid(): an OIDC user's CLI secret counts only on the
 * token service, the registry and a few API calls; anywhere else the request is anonymous.
 */
function oidcCliAccepts(method: string, decodedPath: string): boolean {
  const p = decodedPath.replace(/\/+$/, '');
  if (p === '/service/token' || p.startsWith('/v2')) return true;
  if (method === 'POST' && p === '/api/v2.0/projects') return true;
  if (method === 'GET' && (p === '/api/v2.0/projects' || p === '/api/v2.0/systeminfo' || p === '/api/version' || p === '/api/v2.0/labels')) return true;
  if (method === 'GET' && (/^\/api\/v2\.0\/projects\/.*\/repositories$/.test(p) || /^\/api\/v2\.0\/projects\/.*\/repositories\/.*\/artifacts$/.test(p))) return true;
  return method === 'DELETE' && /^\/api\/v2\.0\/projects\/.*\/repositories\/.*\/artifacts\/.*\/tags\/.*$/.test(p);
}

/** Go's template.HTMLEscapeString, which Harbor applies to a repository description (repository.go UpdateRepository). */
function htmlEscape(text: string): string {
  return text.replace(/[&'<>"\0]/g, (c) => ({ '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;', '"': '&#34;', '\0': '\uFFFD' })[c]!);
}

// ---------------------------------------------------------------------------------------------
// HTTP

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

function send(res: http.ServerResponse, answer: Answer, method: string): void {
  const text = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  const headers: Record<string, string> = { 'x-request-id': crypto.randomUUID(), ...(answer.headers ?? {}) };
  if (text && !Object.keys(headers).includes('content-type')) {
    headers['content-type'] = typeof answer.body === 'string' ? 'text/plain; charset=utf-8' : answer.status >= 400 ? 'application/json; charset=utf-8' : 'application/json';
  }
  headers['content-length'] = String(Buffer.byteLength(text));
  res.writeHead(answer.status, headers);
  res.end(method === 'HEAD' ? undefined : text);
}

function headersOf(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A page of a list, with Harbor's X-Total-Count and Link headers (src/server/v2.0/handler/base.go Links). */
function paged<T>(items: T[], url: URL): { page: T[]; headers: Record<string, string> } {
  const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
  const pageSize = Math.min(100, Math.max(1, Number(url.searchParams.get('page_size') ?? 10) || 10));
  const total = items.length;
  const link = (n: number, rel: string) => {
    const q = new URLSearchParams(url.searchParams);
    q.set('page', String(n));
    q.set('page_size', String(pageSize));
    // Harbor unescapes the query it writes into the link.
    return `<${url.pathname}?${decodeURIComponent(q.toString())}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1 && (page - 1) * pageSize < total) links.push(link(page - 1, 'prev'));
  if (page * pageSize < total) links.push(link(page + 1, 'next'));
  return {
    page: items.slice((page - 1) * pageSize, page * pageSize),
    headers: { 'x-total-count': String(total), ...(links.length ? { link: links.join(' , ') } : {}) },
  };
}

export async function startHarborEmulation(options: HarborEmulationOptions): Promise<HarborEmulation> {
  const accounts = readFixture<{ accounts: Account[] }>('accounts').accounts;
  const errors = readFixture<{ errors: Record<string, ErrorFixture> }>('errors').errors;
  const scanFixture = readFixture<ScanFixture>('scans');
  const upstream = new Upstream(`http://${options.registry}`, options.issuer.replace(/\/+$/, ''), options.service ?? 'regx-test-registry', options.pusher);
  const state = new HarborState(upstream, accounts, errors, scanFixture);
  for (const p of readFixture<{ projects: Array<Record<string, unknown>> }>('projects').projects) {
    state.addProject(String(p['name']), (p['metadata'] as Record<string, string>)['public'] === 'true', p);
  }
  for (const p of options.projects ?? []) if (!state.projects.has(p.name)) state.addProject(p.name, !!p.public);
  const logins: Record<'pusher' | 'reader', Login> = { pusher: options.pusher, reader: options.reader };
  const requests: EmulatedRequest[] = [];

  const tokenServer = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://token');
      requests.push({ listener: 'token', method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: headersOf(req) });
      await readBody(req);
      if (url.pathname !== '/service/token' || req.method !== 'GET') return send(res, { status: 404, body: '404 page not found\n' }, req.method ?? 'GET');
      send(res, await tokenAnswer(url, req.headers.authorization), 'GET');
    })().catch((err: unknown) => send(res, { status: 500, body: { errors: [{ code: 'UNKNOWN', message: String(err) }] } }, 'GET'));
  });

  /** src/core/service/token: check the Harbor account, keep the scopes it may have, hand out a real token. */
  async function tokenAnswer(url: URL, authorization: string | undefined): Promise<Answer> {
    const service = url.searchParams.get('service') ?? '';
    if (service !== HARBOR_SERVICE) {
      const e = state.error('tokenUnknownService', { service });
      return { status: e.status, body: e.body };
    }
    const caller = state.caller(authorization, 'GET', '/service/token');
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
    if (!caller.account && scopes.length === 0) return { status: state.error('tokenUnauthorized').status, body: '' };
    const granted: string[] = [];
    for (const scope of scopes) {
      const first = scope.indexOf(':');
      const last = scope.lastIndexOf(':');
      if (first < 0 || last === first) continue;
      const type = scope.slice(0, first);
      const name = scope.slice(first + 1, last);
      let actions = scope.slice(last + 1).split(',').filter(Boolean);
      if (type === 'registry' && name === 'catalog') {
        if (caller.account?.role === 'admin') granted.push(scope);
        continue;
      }
      const project = type === 'repository' ? state.projectOf(name) : undefined;
      if (!project || !state.canRead(caller, project)) continue;
      if (!state.canWrite(caller) || state.readOnly) actions = actions.filter((a) => a === 'pull');
      if (actions.length) granted.push(`repository:${name}:${actions.join(',')}`);
    }
    // Anonymous callers get public pulls only: the issuer's read-only account stands in for them.
    const login = caller.account ? logins[caller.account.registryAccount] : granted.length ? logins.reader : undefined;
    const issued = await upstream.issue(granted, login);
    const token = String(issued['token']);
    if (caller.account) state.issuedTo.set(token, caller.account.username);
    return { status: 200, body: { token, expires_in: issued['expires_in'], issued_at: issued['issued_at'] } };
  }

  const mainServer = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://harbor');
      const method = req.method ?? 'GET';
      const listener = url.pathname.startsWith('/api/') ? 'api' : 'registry';
      requests.push({ listener, method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: headersOf(req) });
      const body = await readBody(req);
      if (listener === 'api') return send(res, await api(method, url, req.headers, body), method);
      const answer = await registryCheck(method, url, req.headers.authorization);
      if (answer) return send(res, answer, method);
      await proxy(req, url, body, res);
    })().catch((err: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: { errors: [{ code: 'UNKNOWN', message: String(err) }] } }, 'GET');
      else res.destroy();
    });
  });

  await Promise.all([
    new Promise<void>((resolve) => mainServer.listen(0, '127.0.0.1', resolve)),
    new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve)),
  ]);
  const host = `127.0.0.1:${(mainServer.address() as AddressInfo).port}`;
  const realmHost = `${options.realmHost ?? 'localhost'}:${(tokenServer.address() as AddressInfo).port}`;
  const realm = `http://${realmHost}/service/token`;

  // ----------------------------------------------------------------------------- registry side

  /** What Harbor's registry middlewares answer before the registry itself is asked; undefined: proxy it. */
  async function registryCheck(method: string, url: URL, authorization: string | undefined): Promise<Answer | undefined> {
    const p = decodeURIComponent(url.pathname);
    const writing = method === 'PUT' || method === 'POST' || method === 'PATCH' || method === 'DELETE';
    if (state.readOnly && writing) return state.error('readOnly');
    if (p === '/v2/_catalog') {
      const bearer = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1];
      const who = bearer ? state.issuedTo.get(bearer) : undefined;
      if (state.accounts.find((a) => a.username === who)?.role !== 'admin') return state.error('catalogDenied');
      return catalog(url);
    }
    const m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(p);
    if (!m) return undefined;
    const [, repository, reference] = m as unknown as [string, string, string];
    if (method === 'PUT' && !DIGEST.test(reference) && state.immutable.has(`${repository}:${reference}`)) {
      if ((await upstream.tags(repository)).includes(reference)) {
        return state.error('tagImmutablePush', { name: repository.slice(repository.indexOf('/') + 1), tag: reference });
      }
    }
    if (method === 'DELETE') {
      if (!DIGEST.test(reference)) return state.error('deleteByTag', { tag: reference });
      const row = await state.artifact(repository, reference);
      const refusal = row ? await state.deleteRefusal(repository, row) : undefined;
      if (refusal) return refusal;
      if (row) state.forget(repository, row.digest);
    }
    return undefined;
  }

  /** Harbor's _catalog (src/server/registry/catalog.go): its non-empty repositories, paged by n and last. */
  async function catalog(url: URL): Promise<Answer> {
    const names: string[] = [];
    for (const project of state.projects.values()) names.push(...(await state.repositories(project)));
    names.sort();
    const last = url.searchParams.get('last');
    const n = Number(url.searchParams.get('n') ?? names.length) || names.length;
    const rest = last ? names.filter((name) => name > last) : names;
    const page = rest.slice(0, n);
    const more = rest.length > n;
    return {
      status: 200,
      headers: more ? { link: `</v2/_catalog?last=${encodeURIComponent(page.at(-1)!)}&n=${n}>; rel="next"` } : {},
      body: { repositories: page },
    };
  }

  /** To the real registry, as it is; its challenge is rewritten to name Harbor's token service. */
  function proxy(req: http.IncomingMessage, url: URL, body: Buffer, res: http.ServerResponse): Promise<void> {
    const target = new URL(upstream.base);
    return new Promise((resolve) => {
      // The Host header stays the emulation's, so the registry writes its Location headers for it.
      const upstreamReq = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const headers = { ...answer.headers };
          const challenge = headers['www-authenticate'];
          if (typeof challenge === 'string') {
            headers['www-authenticate'] = challenge.replace(/realm="[^"]*"/, `realm="${realm}"`).replace(/service="[^"]*"/, `service="${HARBOR_SERVICE}"`);
          }
          if (typeof headers.location === 'string') headers.location = headers.location.replace(upstream.base, `http://${host}`);
          res.writeHead(answer.statusCode ?? 502, headers);
          answer.pipe(res);
          answer.on('end', () => {
            afterProxy(req.method ?? 'GET', url, answer.statusCode ?? 0, headers);
            resolve();
          });
        },
      );
      upstreamReq.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
        resolve();
      });
      upstreamReq.end(body);
    });
  }

  function afterProxy(method: string, url: URL, status: number, headers: http.IncomingHttpHeaders): void {
    const m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(decodeURIComponent(url.pathname));
    if (!m) return;
    const [, repository, reference] = m as unknown as [string, string, string];
    const digest = typeof headers['docker-content-digest'] === 'string' ? headers['docker-content-digest'] : undefined;
    if (method === 'PUT' && status === 201 && digest) state.pushed(repository, DIGEST.test(reference) ? undefined : reference, digest);
    if (method === 'GET' && status === 200) state.pulls.set(repository, (state.pulls.get(repository) ?? 0) + 1);
  }

  // ----------------------------------------------------------------------------- API side

  async function api(method: string, url: URL, headers: http.IncomingHttpHeaders, body: Buffer): Promise<Answer> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(url.pathname);
    } catch {
      return state.error('pathNotFound', { path: url.pathname });
    }
    const caller = state.caller(headers.authorization, method, decoded);
    // Go's router matches the decoded path, so a repository name with "/" must arrive encoded twice.
    const seg = decoded.replace(/^\/api\/v2\.0/, '').split('/').slice(1);
    const notFound = () => state.error('pathNotFound', { path: decoded });
    const mime = acceptedMime(headers['x-accept-vulnerabilities']);
    const writing = method !== 'GET' && method !== 'HEAD';
    if (state.readOnly && writing && !(seg.length === 8 && seg[6] === 'scan')) return state.error('readOnly');

    if (seg[0] === 'users' && seg[1] === 'current' && seg.length === 2 && method === 'GET') {
      if (!caller.account) return state.error('unauthorized');
      if (caller.account.kind === 'robot') return state.error('currentUserRobot');
      return { status: 200, body: caller.account.profile };
    }
    if (seg[0] === 'repositories' && seg.length === 1 && method === 'GET') {
      const all: Array<Record<string, unknown>> = [];
      for (const project of [...state.projects.values()].filter((p) => state.canRead(caller, p))) {
        for (const name of await state.repositories(project)) all.push(await repositoryJson(project, name));
      }
      const { page, headers: paging } = paged(all, url);
      return { status: 200, headers: paging, body: page };
    }
    if (seg[0] !== 'projects') return notFound();
    if (seg.length === 1) {
      if (method === 'GET') {
        const visible = [...state.projects.values()].filter((p) => state.canRead(caller, p)).sort((a, b) => a.id - b.id);
        const { page, headers: paging } = paged(visible, url);
        return { status: 200, headers: paging, body: await Promise.all(page.map(projectJson)) };
      }
      if (method === 'POST') return createProject(caller, body);
      return notFound();
    }
    const project = projectByNameOrId(seg[1]!, headers['x-is-resource-name'] === 'true');
    if (seg.length === 2) {
      if (method === 'GET') {
        if (!project) return caller.account ? state.error('projectNotFound', { project: seg[1]! }) : state.error('unauthorized');
        return state.canRead(caller, project) ? { status: 200, body: await projectJson(project) } : state.denied(caller);
      }
      if (method === 'DELETE') {
        if (!state.canWrite(caller)) return state.denied(caller);
        if (!project) return state.error('projectNotFound', { project: seg[1]! });
        if ((await state.repositories(project)).length > 0) return state.error('projectNotEmpty');
        state.projects.delete(project.name);
        return { status: 200 };
      }
      return notFound();
    }
    if (seg[2] !== 'repositories') return notFound();
    if (!project) return caller.account ? state.error('projectNotFound', { project: seg[1]! }) : state.error('unauthorized');
    if (!state.canRead(caller, project)) return state.denied(caller);
    if (seg.length === 3) {
      if (method !== 'GET') return notFound();
      const names = await state.repositories(project);
      const { page, headers: paging } = paged(names, url);
      return { status: 200, headers: paging, body: await Promise.all(page.map((name) => repositoryJson(project, name))) };
    }
    // Harbor unescapes repository_name once more (artifact.go Prepare → unescapePathParams).
    const repository = `${project.name}/${decodeURIComponent(seg[3]!)}`;
    if (seg.length === 4) {
      const exists = (await state.repositories(project)).includes(repository);
      if (method === 'GET') return exists ? { status: 200, body: await repositoryJson(project, repository) } : state.error('repositoryNotFound', { repository });
      if (method === 'PUT') {
        if (!state.canWrite(caller)) return state.denied(caller);
        if (!exists) return state.error('repositoryNotFound', { repository });
        const description = (JSON.parse(body.toString('utf8') || '{}') as { description?: unknown }).description;
        state.descriptions.set(repository, htmlEscape(typeof description === 'string' ? description : ''));
        return { status: 200 };
      }
      return notFound();
    }
    if (seg[4] !== 'artifacts') return notFound();
    if (seg.length === 5) {
      if (method !== 'GET') return notFound();
      const rows = filterArtifacts(await state.artifacts(repository), url.searchParams.get('q'));
      const { page, headers: paging } = paged(rows, url);
      return { status: 200, headers: paging, body: page.map((row) => artifactJson(row, url.searchParams, mime)) };
    }
    const reference = seg[5]!;
    const row = await state.artifact(repository, reference);
    const missing = () => state.error('artifactNotFound', { repository, reference: DIGEST.test(reference) ? `@${reference}` : `:${reference}` });
    if (seg.length === 6) {
      if (method === 'GET') return row ? { status: 200, body: artifactJson(row, url.searchParams, mime) } : missing();
      if (method === 'DELETE') {
        if (!state.canWrite(caller)) return state.denied(caller);
        if (!row) return missing();
        const refusal = await state.deleteRefusal(repository, row);
        if (refusal) return refusal;
        await state.deleteArtifact(repository, row);
        return { status: 200 };
      }
      return notFound();
    }
    if (seg.length === 7 && seg[6] === 'scan' && method === 'POST') {
      if (!state.canWrite(caller)) return state.denied(caller);
      if (!row) return missing();
      if (!state.scanner) return state.error('noScanner', { projectId: project.id });
      state.scans.set(`${repository}@${row.digest}`, { status: 'Running', reportId: crypto.randomUUID(), start: new Date().toISOString() });
      return { status: 202 };
    }
    if (seg.length === 8 && seg[6] === 'tags' && method === 'DELETE') {
      if (!state.canWrite(caller)) return state.denied(caller);
      if (!row) return missing();
      const tag = seg[7]!;
      if (!row.tags.some((t) => t.name === tag)) return state.error('tagNotFound', { tag, artifactId: row.id });
      if (state.immutable.has(`${repository}:${tag}`)) return state.error('tagImmutableDelete', { tag });
      await state.untag(repository, tag, row.digest);
      return { status: 200 };
    }
    if (seg.length === 8 && seg[6] === 'additions' && seg[7] === 'vulnerabilities' && method === 'GET') {
      if (!row) return missing();
      if (!state.scanner) return state.error('noScannerReport', { projectId: project.id });
      return { status: 200, body: state.report(repository, row.digest, mime) };
    }
    return notFound();
  }

  function projectByNameOrId(text: string, isName: boolean): Project | undefined {
    // X-Is-Resource-Name: without it a number is a project id (swagger parameters.isResourceName).
    if (!isName && /^\d+$/.test(text)) return [...state.projects.values()].find((p) => p.id === Number(text));
    return state.projects.get(text);
  }

  function createProject(caller: Caller, body: Buffer): Answer {
    if (!state.canWrite(caller)) return state.denied(caller);
    let req: { project_name?: unknown; metadata?: { public?: unknown } };
    try {
      req = JSON.parse(body.toString('utf8')) as typeof req;
    } catch {
      return { status: 400, body: { errors: [{ code: 'BAD_REQUEST', message: 'parsing project body from "" failed, because invalid character' }] } };
    }
    const name = typeof req.project_name === 'string' ? req.project_name : '';
    if (!PROJECT_NAME.test(name) || name.length > 255) return state.error('projectNameInvalid');
    const visibility = req.metadata?.public ?? 'false';
    if (visibility !== 'true' && visibility !== 'false') {
      return { status: 400, body: { errors: [{ code: 'BAD_REQUEST', message: `metadata.public should only be 'true' or 'false', but got: '${String(visibility)}'` }] } };
    }
    if (state.projects.has(name)) return state.error('projectExists', { project: name });
    const project = state.addProject(name, visibility === 'true');
    return { status: 201, headers: { location: `/api/v2.0/projects/${project.id}` } };
  }

  async function projectJson(project: Project): Promise<Record<string, unknown>> {
    return {
      project_id: project.id,
      owner_id: 1,
      name: project.name,
      owner_name: 'admin',
      creation_time: project.created,
      update_time: project.created,
      deleted: false,
      togglable: true,
      current_user_role_id: 1,
      current_user_role_ids: [1],
      ...(project.fixture ?? {}),
      repo_count: (await state.repositories(project)).length,
      metadata: { ...((project.fixture?.['metadata'] as Record<string, string>) ?? {}), public: String(project.public) },
    };
  }

  async function repositoryJson(project: Project, name: string): Promise<Record<string, unknown>> {
    const created = state.seen(`repository:${name}`);
    return {
      id: state.idOf(`repository:${name}`),
      project_id: project.id,
      name,
      description: state.descriptions.get(name) ?? '',
      artifact_count: (await state.artifacts(name)).length,
      pull_count: state.pulls.get(name) ?? 0,
      creation_time: created,
      update_time: created,
    };
  }

  function artifactJson(row: ArtifactRow, query: URLSearchParams, mime: string): Record<string, unknown> {
    const withTag = query.get('with_tag') !== 'false';
    const withImmutable = query.get('with_immutable_status') === 'true';
    const base = `/api/v2.0/projects/${row.project.name}/repositories/${encodeURIComponent(encodeURIComponent(row.repository.slice(row.project.name.length + 1)))}/artifacts/${row.digest}/additions`;
    const overview = query.get('with_scan_overview') === 'true' ? state.overview(row.repository, row.digest, mime) : undefined;
    return {
      id: row.id,
      type: 'IMAGE',
      media_type: row.mediaType,
      manifest_media_type: row.manifestMediaType,
      project_id: row.project.id,
      repository_id: state.idOf(`repository:${row.repository}`),
      repository_name: row.repository,
      digest: row.digest,
      size: row.size,
      icon: 'sha256:0048162a053eef4d4ce3fe7518615bef084403614f8bca43b40ae2e762e11e06',
      push_time: row.pushTime,
      pull_time: NEVER,
      extra_attrs: row.extraAttrs ?? null,
      annotations: row.annotations ?? null,
      references: row.references ?? null,
      tags: withTag
        ? row.tags.map((t) => ({
            id: t.id,
            repository_id: state.idOf(`repository:${row.repository}`),
            artifact_id: row.id,
            name: t.name,
            push_time: t.pushTime,
            pull_time: NEVER,
            immutable: withImmutable && state.immutable.has(`${row.repository}:${t.name}`),
          }))
        : null,
      addition_links: row.references
        ? null
        : { build_history: { href: `${base}/build_history`, absolute: false }, vulnerabilities: { href: `${base}/vulnerabilities`, absolute: false } },
      labels: null,
      accessories: null,
      ...(overview ? { scan_overview: overview } : {}),
    };
  }

  function acceptedMime(header: string | string[] | undefined): string {
    const wanted = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((s) => s.trim().toLowerCase());
    if (wanted.includes(NATIVE_MIME) && !wanted.includes(scanFixture.mimeType)) return NATIVE_MIME;
    return scanFixture.mimeType;
  }

  /** The q parameter's exact (k=v) and fuzzy (k=~v) matches on tags and digest (swagger parameters.query). */
  function filterArtifacts(rows: ArtifactRow[], q: string | null): ArtifactRow[] {
    let out = rows;
    for (const part of (q ?? '').split(',').filter(Boolean)) {
      const eq = part.indexOf('=');
      const key = part.slice(0, eq);
      const raw = part.slice(eq + 1);
      const fuzzy = raw.startsWith('~');
      const value = fuzzy ? raw.slice(1) : raw;
      if (key === 'tags') out = out.filter((r) => r.tags.some((t) => (fuzzy ? t.name.includes(value) : t.name === value)));
      else if (key === 'digest') out = out.filter((r) => r.digest === value);
    }
    return out;
  }

  async function resolve(repository: string, reference: string): Promise<string> {
    const row = await state.artifact(repository, reference);
    if (!row) throw new Error(`harbor emulation: no artifact ${repository} ${reference}`);
    return row.digest;
  }

  const byRole = (role: Account['role'], kind: Account['kind']) => {
    const a = accounts.find((x) => x.role === role && x.kind === kind);
    if (!a) throw new Error(`harbor emulation: no ${kind} ${role} in accounts.json`);
    return { username: a.username, password: a.secret };
  };

  return {
    url: `http://${host}`,
    host,
    realm,
    realmHost,
    requests,
    accounts: { admin: byRole('admin', 'user'), robot: byRole('maintainer', 'robot'), oidc: byRole('projectAdmin', 'oidc'), guest: byRole('guest', 'user') },
    close: () =>
      Promise.all(
        [mainServer, tokenServer].map(
          (server) =>
            new Promise<void>((done) => {
              server.closeAllConnections();
              server.close(() => done());
            }),
        ),
      ).then(() => undefined),
    setImmutable(repository, tag, immutable = true) {
      if (immutable) state.immutable.add(`${repository}:${tag}`);
      else state.immutable.delete(`${repository}:${tag}`);
    },
    async attachScan(repository, reference, report) {
      const digest = await resolve(repository, reference);
      const now = new Date().toISOString();
      state.scans.set(`${repository}@${digest}`, { status: 'Success', report, reportId: crypto.randomUUID(), start: now, end: now });
      return digest;
    },
    async completeScan(repository, reference, report = 'vulnerable') {
      const digest = await resolve(repository, reference);
      const running = state.scans.get(`${repository}@${digest}`);
      if (running?.status !== 'Running') throw new Error(`harbor emulation: no scan running for ${repository} ${reference}`);
      state.scans.set(`${repository}@${digest}`, { ...running, status: 'Success', report, end: new Date().toISOString() });
    },
    setScanner(available) {
      state.scanner = available;
    },
    setReadOnly(on) {
      state.readOnly = on;
    },
    project(name) {
      const p = state.projects.get(name);
      return p ? { id: p.id, name: p.name, public: p.public } : undefined;
    },
  };
}
