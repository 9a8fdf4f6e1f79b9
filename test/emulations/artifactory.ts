// An emulation of JFrog Artifactory's Docker registry API and REST API, from JFrog's published REST API
// pages and knowledge-base articles (each fixture in test/fixtures/vendors/artifactory/ names its
// source), in front of a real Distribution registry. Blobs, manifests, tag lists and tokens are the
// real registry's: only Artifactory's own surface is reproduced.
//
// Artifactory's Docker repositories are the real registry's first path component: the repository
// path API /artifactory/api/docker/docker-local/v2/app/manifests/1.0 is the real
// /v2/docker-local/app/manifests/1.0, token scopes are mapped the same way (repository:app:pull asked
// of the emulated realm is repository:docker-local/app:pull asked of the real issuer) and Location,
// Link and WWW-Authenticate are mapped back. All three of Artifactory's Docker access methods answer:
//   - repository path: /artifactory/api/docker/<key>/v2/… on the main listener (and, as Artifactory 7
//     does at the root, /v2/<key>/<image>/… there too);
//   - subdomain: <key>.<host> (by the Host header) is a plain Distribution root for that repository;
//   - port: one listener per key in `portRepositories`, a plain Distribution root for it. *.localhost
//     does not resolve on the test machines, so a client test reaches a subdomain through a port too.
// Every listener also serves the REST API under /artifactory/ (the reverse proxy in front of the
// subdomain and port methods passes it through), and stamps X-JFrog-Version / X-Artifactory-Id on every
// answer. Sign-in forms: Basic user:password|identity token|API key, Bearer identity token, and the
// X-JFrog-Art-Api header; anonymous access is off (Artifactory's default).
//
// Plain node:http, no node:test: the extension-host suite drives the same emulation.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryCredentialStore } from '../../src/credentials';
import { RegistryClient } from '../../src/distribution/client';
import { createSession } from '../../src/distribution/session';
import { createTransport } from '../../src/distribution/transport';
import { untagOnly } from '../../src/distribution/untag';
import { loadFixture } from '../support/vendorFixture';

export interface RealAccount {
  username: string;
  password: string;
}

export interface ArtifactoryEmulationOptions {
  /** host:port of the real token-auth registry behind the emulation. */
  registry: string;
  /** Base URL of that registry's token issuer. */
  issuer: string;
  /** The issuer's service name (default regx-test-registry). */
  service?: string;
  /** The real account that may pull, push and delete, and the read-only one. */
  pusher: RealAccount;
  reader: RealAccount;
  /** Docker repositories also served at the root of a listener of their own (the port method). */
  portRepositories?: string[];
}

export interface ArtifactoryUser {
  name: string;
  password: string;
  identityToken: string;
  apiKey: string;
  permissions: Array<'read' | 'deploy' | 'delete'>;
  standsFor: 'pusher' | 'reader';
}

export interface ArtifactoryRepository {
  key: string;
  type: 'LOCAL' | 'REMOTE' | 'VIRTUAL' | 'FEDERATED';
  description: string;
  url: string;
  packageType: string;
}

export interface ArtifactoryQuirks {
  /** A tags/_catalog page's Link names /v2/… without the repository path (RTFACT-18971). Default true. */
  linkWithoutPrefix: boolean;
  /** Upload Locations name /v2/… without the repository path instead of the absolute URL. Default false. */
  locationWithoutPrefix: boolean;
  /** tags/list also lists the digests of a multi-platform index's images (skopeo#2346). Default true. */
  digestTags: boolean;
}

export interface EmulatedRequest {
  /** Which listener: 'main' or the key of a port listener. */
  listener: string;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case names. Tests assert on the sign-in forms; nothing here is ever printed. */
  headers: Record<string, string>;
}

export interface ArtifactoryEmulation {
  /** http://127.0.0.1:PORT of the main listener. */
  url: string;
  host: string;
  /** The port-method listeners, by repository key. */
  ports: Record<string, { url: string; host: string }>;
  users: { deployer: ArtifactoryUser; viewer: ArtifactoryUser };
  /** Docker repositories first, as GET /api/repositories lists them (url filled in). */
  repositories: ArtifactoryRepository[];
  requests: EmulatedRequest[];
  setQuirks(quirks: Partial<ArtifactoryQuirks>): void;
  close(): Promise<void>;
}

interface Responses {
  headers: Record<string, string>;
  basicChallenge: string;
  errors: Record<'badCredentials' | 'anonymous' | 'forbidden' | 'notFound' | 'unsupportedDocker', { errors: Array<{ status: number; message: string }> }>;
}

/** Where a Docker request is answered: the repository it is bound to (none: the root form) and the path prefix. */
interface Binding {
  key?: string;
  prefix: string;
}

type Auth = { kind: 'anonymous' } | { kind: 'bad' } | { kind: 'user'; user: ArtifactoryUser } | { kind: 'registry-token'; header: string };

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
const MANIFEST_ACCEPT = [OCI_MANIFEST, 'application/vnd.docker.distribution.manifest.v2+json', ...INDEX_TYPES].join(', ');
const API_DOCKER = '/artifactory/api/docker/';

export async function startArtifactoryEmulation(options: ArtifactoryEmulationOptions): Promise<ArtifactoryEmulation> {
  const responses = loadFixture('artifactory', 'responses') as unknown as Responses;
  const accounts = (loadFixture('artifactory', 'accounts') as unknown as { users: ArtifactoryUser[] }).users;
  const listed = (loadFixture('artifactory', 'repositories') as unknown as { repositories: ArtifactoryRepository[] }).repositories;
  const service = options.service ?? 'regx-test-registry';
  const realOrigin = `http://${options.registry}`;
  const requests: EmulatedRequest[] = [];
  const quirks: ArtifactoryQuirks = { linkWithoutPrefix: true, locationWithoutPrefix: false, digestTags: true };
  /** The real registry as the pusher account, for what Artifactory itself does to its storage (deletes). */
  const upstreamTransport = createTransport();
  const upstream = new RegistryClient(
    createSession({ host: options.registry }, { credentials: new MemoryCredentialStore({ [options.registry]: options.pusher }), transport: upstreamTransport }),
  );
  /** Tokens this emulation's realm handed out: a Bearer that is one of them goes to the registry as it is. */
  const issued = new Set<string>();
  let base = '';
  const repositories = (): ArtifactoryRepository[] => listed.map((r) => ({ ...r, url: r.url.replaceAll('{{base}}', base) }));
  const dockerKeys = (): Set<string> => new Set(listed.filter((r) => r.packageType.toLowerCase() === 'docker').map((r) => r.key));

  // ------------------------------------------------------------------ answers

  function send(res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      ...responses.headers,
      ...(text && !headers['content-type'] ? { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' } : {}),
      ...headers,
      'content-length': String(Buffer.byteLength(text)),
    });
    res.end(res.req.method === 'HEAD' ? undefined : text);
  }

  function restError(res: http.ServerResponse, name: keyof Responses['errors'], fill: Record<string, string> = {}, headers: Record<string, string> = {}): void {
    const template = responses.errors[name];
    const errors = template.errors.map((e) => ({ ...e, message: e.message.replace(/\{(\w+)\}/g, (_, k: string) => fill[k] ?? '') }));
    send(res, errors[0]!.status, { errors }, headers);
  }

  // ------------------------------------------------------------------ accounts

  function authOf(req: http.IncomingMessage): Auth {
    const apiKey = header(req, 'x-jfrog-art-api');
    if (apiKey !== undefined) {
      const user = accounts.find((u) => u.apiKey === apiKey);
      return user ? { kind: 'user', user } : { kind: 'bad' };
    }
    const authorization = header(req, 'authorization');
    if (!authorization) return { kind: 'anonymous' };
    const basic = /^Basic\s+(.+)$/i.exec(authorization);
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const user = accounts.find((u) => u.name === decoded.slice(0, colon));
      const secret = decoded.slice(colon + 1);
      return user && colon > 0 && [user.password, user.identityToken, user.apiKey].includes(secret) ? { kind: 'user', user } : { kind: 'bad' };
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization);
    if (bearer) {
      const user = accounts.find((u) => u.identityToken === bearer[1]);
      if (user) return { kind: 'user', user };
      if (issued.has(bearer[1]!)) return { kind: 'registry-token', header: authorization };
    }
    return { kind: 'bad' };
  }

  /** The signed-in user of a REST or realm request; anything else is answered 401 here (anonymous access is off). */
  function signedIn(req: http.IncomingMessage, res: http.ServerResponse): ArtifactoryUser | undefined {
    const auth = authOf(req);
    if (auth.kind === 'user') return auth.user;
    restError(res, auth.kind === 'anonymous' ? 'anonymous' : 'badCredentials', {}, { 'www-authenticate': responses.basicChallenge });
    return undefined;
  }

  /** A real token for a real account, from the real issuer. */
  async function realToken(account: 'pusher' | 'reader', scopes: string[]): Promise<{ token: string; expiresIn: number }> {
    const real = options[account];
    const url = new URL('/token', options.issuer);
    url.searchParams.set('service', service);
    for (const s of scopes) url.searchParams.append('scope', s);
    const answer = await fetch(url, { headers: { authorization: `Basic ${Buffer.from(`${real.username}:${real.password}`).toString('base64')}` } });
    if (!answer.ok) throw new Error(`emulation: the real issuer answered ${answer.status}`);
    const body = (await answer.json()) as { token?: string; access_token?: string; expires_in?: number };
    return { token: body.token ?? body.access_token ?? '', expiresIn: body.expires_in ?? 300 };
  }

  /** The Authorization to send the real registry for this request, or undefined when it was answered here. */
  async function registryAuthorization(req: http.IncomingMessage, res: http.ServerResponse, binding: Binding, scopes: () => string[]): Promise<string | undefined> {
    const auth = authOf(req);
    if (auth.kind === 'registry-token') return auth.header;
    if (auth.kind === 'user') return `Bearer ${(await realToken(auth.user.standsFor, scopes())).token}`;
    const challenge = `Bearer realm="${publicBase(req)}${binding.prefix}/v2/token",service="${header(req, 'host') ?? ''}"`;
    if (auth.kind === 'bad') restError(res, 'badCredentials', {}, { 'www-authenticate': challenge });
    else send(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }] }, { 'www-authenticate': challenge });
    return undefined;
  }

  // ------------------------------------------------------------------ Docker registry API

  const realName = (binding: Binding, name: string) => (binding.key ? `${binding.key}/${name}` : name);
  const emulatedName = (binding: Binding, name: string) => (binding.key && name.startsWith(`${binding.key}/`) ? name.slice(binding.key.length + 1) : name);

  async function docker(req: http.IncomingMessage, res: http.ServerResponse, binding: Binding, path: string, query: URLSearchParams): Promise<void> {
    if (path === '/v2/token') return token(req, res, binding, query);
    if (path === '/v2' || path === '/v2/') {
      const authorization = await registryAuthorization(req, res, binding, () => []);
      if (authorization) forward(req, res, binding, '/v2/', authorization);
      return;
    }
    if (path === '/v2/_catalog') return catalog(req, res, binding, query);
    const m = /^\/v2\/(.+?)\/(manifests|blobs|tags|referrers)(\/.*)?$/.exec(path);
    if (!m) return restError(res, 'unsupportedDocker', { request: path.split('/')[1] ?? '' });
    const [, name, kind, rest] = m as unknown as [string, string, string, string | undefined];
    const real = realName(binding, name);
    if (kind === 'tags' && rest === '/list') return tags(req, res, binding, name, query);
    const action = req.method === 'GET' || req.method === 'HEAD' ? 'pull' : req.method === 'DELETE' ? 'delete' : 'pull,push';
    const from = query.get('from');
    if (from) query.set('from', realName(binding, from));
    const authorization = await registryAuthorization(req, res, binding, () => [
      `repository:${real}:${action}`,
      ...(from ? [`repository:${query.get('from')}:pull`] : []),
    ]);
    if (!authorization) return;
    const search = query.toString();
    forward(req, res, binding, `/v2/${real}/${kind}${rest ?? ''}${search ? `?${search}` : ''}`, authorization);
  }

  /** The realm: checks the Artifactory credential and hands out a real token for the mapped scopes. */
  async function token(req: http.IncomingMessage, res: http.ServerResponse, binding: Binding, query: URLSearchParams): Promise<void> {
    const auth = signedIn(req, res);
    if (!auth) return;
    const scopes = query.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean).map((scope) => mapScope(binding, scope));
    const { token: value, expiresIn } = await realToken(auth.standsFor, scopes);
    issued.add(value);
    send(res, 200, { token: value, expires_in: expiresIn });
  }

  function mapScope(binding: Binding, scope: string): string {
    const m = /^repository:(.+):([^:]*)$/.exec(scope);
    return m ? `repository:${realName(binding, m[1]!)}:${m[2]}` : scope;
  }

  /** Artifactory's List Docker Repositories: the real catalog's names in this repository, paged by n/last. */
  async function catalog(req: http.IncomingMessage, res: http.ServerResponse, binding: Binding, query: URLSearchParams): Promise<void> {
    const authorization = await registryAuthorization(req, res, binding, () => ['registry:catalog:*']);
    if (!authorization) return;
    const names: string[] = [];
    for (let last: string | undefined; ; ) {
      const answer = await fetch(`${realOrigin}/v2/_catalog?n=1000${last ? `&last=${encodeURIComponent(last)}` : ''}`, { headers: { authorization } });
      if (answer.status !== 200) return send(res, answer.status, await answer.text(), { 'content-type': 'application/json' });
      const page = ((await answer.json()) as { repositories?: string[] }).repositories ?? [];
      names.push(...page);
      if (page.length < 1000) break;
      last = page[page.length - 1];
    }
    const mine = binding.key ? names.filter((n) => n.startsWith(`${binding.key}/`)).map((n) => emulatedName(binding, n)) : names;
    const page = pageOf(mine.sort(), query);
    send(res, 200, { repositories: page.items }, page.more ? { link: nextLink(binding, '/v2/_catalog', page) } : {});
  }

  /** Artifactory's List Docker Tags: the real tags (plus, as Artifactory lists them, index children's digests), paged by n/last. */
  async function tags(req: http.IncomingMessage, res: http.ServerResponse, binding: Binding, name: string, query: URLSearchParams): Promise<void> {
    const real = realName(binding, name);
    const authorization = await registryAuthorization(req, res, binding, () => [`repository:${real}:pull`]);
    if (!authorization) return;
    const answer = await fetch(`${realOrigin}/v2/${real}/tags/list`, { headers: { authorization } });
    if (answer.status !== 200) return send(res, answer.status, await answer.text(), { 'content-type': 'application/json' });
    const names = ((await answer.json()) as { tags?: string[] | null }).tags ?? [];
    const all = new Set(names);
    if (quirks.digestTags) for (const digest of await childDigests(real, names, authorization)) all.add(digest);
    const page = pageOf([...all].sort(), query);
    send(res, 200, { name, tags: page.items }, page.more ? { link: nextLink(binding, `/v2/${name}/tags/list`, page) } : {});
  }

  async function childDigests(real: string, tagNames: string[], authorization: string): Promise<string[]> {
    const digests: string[] = [];
    for (const tag of tagNames) {
      const answer = await fetch(`${realOrigin}/v2/${real}/manifests/${tag}`, { headers: { authorization, accept: MANIFEST_ACCEPT } });
      const type = answer.headers.get('content-type') ?? '';
      const body = (await answer.json().catch(() => ({}))) as { manifests?: Array<{ digest?: string }> };
      if (answer.ok && INDEX_TYPES.includes(type)) for (const m of body.manifests ?? []) if (m.digest) digests.push(m.digest);
    }
    return digests;
  }

  function pageOf(sorted: string[], query: URLSearchParams): { items: string[]; more: boolean; n: number } {
    const last = query.get('last');
    const start = last === null ? 0 : sorted.findIndex((x) => x > last) < 0 ? sorted.length : sorted.findIndex((x) => x > last);
    const n = Number(query.get('n') ?? sorted.length) || sorted.length;
    const items = sorted.slice(start, start + n);
    return { items, more: start + n < sorted.length, n };
  }

  function nextLink(binding: Binding, path: string, page: { items: string[]; n: number }): string {
    const prefix = quirks.linkWithoutPrefix ? '' : binding.prefix;
    return `<${prefix}${path}?last=${encodeURIComponent(page.items[page.items.length - 1]!)}&n=${page.n}>; rel="next"`;
  }

  /** Streams the request to the real registry and its answer back, with Location and the challenge mapped. */
  function forward(req: http.IncomingMessage, res: http.ServerResponse, binding: Binding, realPath: string, authorization: string): void {
    const headers: http.OutgoingHttpHeaders = { ...req.headers, host: options.registry, authorization };
    delete headers['x-jfrog-art-api'];
    const target = new URL(realOrigin);
    const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: realPath, headers }, (answer) => {
      const out: http.OutgoingHttpHeaders = { ...answer.headers, ...responses.headers };
      const location = answer.headers.location;
      if (location) out.location = mapLocation(req, binding, location);
      const challenge = answer.headers['www-authenticate'];
      if (challenge) out['www-authenticate'] = mapChallenge(req, binding, challenge);
      res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, responses.headers);
      res.end();
    });
    req.pipe(upstream);
  }

  function mapLocation(req: http.IncomingMessage, binding: Binding, location: string): string {
    const u = new URL(location, realOrigin);
    if (u.origin !== realOrigin) return location;
    const path = binding.key && u.pathname.startsWith(`/v2/${binding.key}/`) ? `/v2/${u.pathname.slice(`/v2/${binding.key}/`.length)}` : u.pathname;
    if (quirks.locationWithoutPrefix) return `${path}${u.search}`;
    return `${publicBase(req)}${binding.prefix}${path}${u.search}`;
  }

  function mapChallenge(req: http.IncomingMessage, binding: Binding, challenge: string): string {
    return challenge
      .replace(/realm="[^"]*"/, `realm="${publicBase(req)}${binding.prefix}/v2/token"`)
      .replace(/service="[^"]*"/, `service="${header(req, 'host') ?? ''}"`)
      .replace(/scope="([^"]*)"/, (_, scopes: string) => `scope="${scopes.replace(/repository:([^:]+):/g, (__, n: string) => `repository:${emulatedName(binding, n)}:`)}"`);
  }

  // ------------------------------------------------------------------ REST API

  async function rest(req: http.IncomingMessage, res: http.ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    const user = signedIn(req, res);
    if (!user) return;
    if (req.method === 'GET' && path === '/artifactory/api/repositories') {
      const type = query.get('type')?.toUpperCase();
      const packageType = query.get('packageType')?.toLowerCase();
      const list = repositories().filter((r) => (!type || r.type === type) && (!packageType || r.packageType.toLowerCase() === packageType));
      return send(res, 200, list);
    }
    if (req.method === 'DELETE' && path.startsWith('/artifactory/') && !path.startsWith('/artifactory/api/')) {
      return deleteItem(res, user, path.slice('/artifactory/'.length));
    }
    restError(res, 'notFound', { path: path.replace(/^\/artifactory\//, '') });
  }

  /** Delete Item on a Docker tag folder (<key>/<image>/<tag>): that tag goes, the image and its other tags stay. */
  async function deleteItem(res: http.ServerResponse, user: ArtifactoryUser, item: string): Promise<void> {
    const [key, ...rest] = item.split('/');
    const tag = rest.pop();
    const image = rest.join('/');
    const itemName = `${key}:${rest.concat(tag ?? []).join('/')}`;
    if (!key || !dockerKeys().has(key) || !tag || !image) return restError(res, 'notFound', { path: itemName });
    if (!user.permissions.includes('delete')) return restError(res, 'forbidden');
    const real = `${key}/${image}`;
    const head = await upstream.headManifest(real, tag).catch(() => undefined);
    if (!head) return restError(res, 'notFound', { path: itemName });
    // The real registry deletes manifests, not tags: the tag is moved onto a placeholder of its own
    // and that is deleted, so only this tag goes, as Artifactory's folder delete does.
    await untagOnly(upstream, real, tag, head.digest);
    send(res, 204);
  }

  // ------------------------------------------------------------------ listeners

  function handler(listener: string, portKey?: string): http.RequestListener {
    return (req, res) => {
      const url = new URL(req.url ?? '/', 'http://emulation');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      requests.push({ listener, method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers });
      const done = (p: Promise<void>) => p.catch(() => (res.headersSent ? res.end() : send(res, 500, { errors: [{ status: 500, message: 'emulation error' }] })));
      const path = url.pathname;
      if (path.startsWith(API_DOCKER)) {
        const after = path.slice(API_DOCKER.length);
        const key = after.split('/', 1)[0]!;
        const inner = after.slice(key.length);
        if (!inner.startsWith('/v2')) return restError(res, 'unsupportedDocker', { request: inner.split('/')[1] ?? '' });
        if (!dockerKeys().has(key)) return restError(res, 'notFound', { path: key });
        return done(docker(req, res, { key, prefix: `${API_DOCKER}${key}` }, inner, url.searchParams));
      }
      if (path.startsWith('/artifactory/')) return done(rest(req, res, path, url.searchParams));
      if (path === '/v2' || path.startsWith('/v2/')) {
        const label = (header(req, 'host') ?? '').split('.')[0]!;
        const key = portKey ?? ((header(req, 'host') ?? '').includes('.') && dockerKeys().has(label) ? label : undefined);
        return done(docker(req, res, { ...(key ? { key } : {}), prefix: '' }, path, url.searchParams));
      }
      restError(res, 'notFound', { path: path.slice(1) });
    };
  }

  const servers: http.Server[] = [];
  const listen = async (listener: string, portKey?: string): Promise<{ url: string; host: string }> => {
    const server = http.createServer(handler(listener, portKey));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url: `http://${host}`, host };
  };
  const main = await listen('main');
  base = main.url;
  const ports: Record<string, { url: string; host: string }> = {};
  for (const key of options.portRepositories ?? []) ports[key] = await listen(key, key);

  const byName = (name: string) => accounts.find((u) => u.name === name)!;
  return {
    ...main,
    ports,
    users: { deployer: byName('deployer'), viewer: byName('viewer') },
    repositories: repositories(),
    requests,
    setQuirks(next) {
      Object.assign(quirks, next);
    },
    close: async () => {
      await upstreamTransport.close();
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The origin the client used (the Host it sent), so realms and Locations point back where it came from. */
function publicBase(req: http.IncomingMessage): string {
  return `http://${header(req, 'host') ?? ''}`;
}
