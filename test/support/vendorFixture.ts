// A local stand-in for a vendor API (hub.docker.com, api.github.com, a GitLab instance): node:http on
// loopback replaying responses recorded from the vendor's published API documentation
// (test/fixtures/vendors/<vendor>/*.json, each naming its source). It can also sit in front of a
// REAL local registry as a transparent proxy, adding the headers a vendor's registry sends (Docker
// Hub's ratelimit-*) or answering some requests itself (a 429), so the Distribution side is never a
// recording.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface FixtureRoute {
  method: string;
  /** Exact pathname (no query). */
  path: string;
  /** Query parameters that must be present with these values. */
  query?: Record<string, string>;
  /** Request headers that must equal these values; null = must be absent. Names lower-case. */
  headers?: Record<string, string | null>;
  /** Top-level JSON body fields that must equal these values. */
  jsonBody?: Record<string, unknown>;
  status: number;
  responseHeaders?: Record<string, string>;
  /** JSON body (a string is sent as is). "{{base}}" becomes the fixture's URL, "{{unix+N}}" now+N seconds. */
  body?: unknown;
  /** Why this answer, when it goes beyond the documented example. */
  note?: string;
}

export interface FixtureFile {
  /** Where the shapes come from: documentation URL and section. */
  source: string;
  notes?: string;
  routes: FixtureRoute[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

export interface ProxyOptions {
  /** http://host:port of the real registry behind the fixture. */
  target: string;
  /** Headers added to every proxied answer whose path matches addHeadersTo (default: manifests). */
  addHeaders?: Record<string, string>;
  addHeadersTo?: RegExp;
  /** Answer a request without the registry (return undefined to proxy it). */
  intercept?: (req: RecordedRequest) => { status: number; headers?: Record<string, string>; body?: unknown } | undefined;
}

export interface VendorFixture {
  /** http://127.0.0.1:PORT */
  url: string;
  /** 127.0.0.1:PORT */
  host: string;
  /** Every request, in order (tests assert on headers; nothing here is ever printed). */
  requests: RecordedRequest[];
  /** Replace the routes (first match wins). */
  setRoutes(routes: FixtureRoute[]): void;
  close(): Promise<void>;
}

/** Load test/fixtures/vendors/<vendor>/<name>.json from the source tree (fixtures are not compiled). */
export function loadFixture(vendor: string, name: string): FixtureFile {
  const file = findUp(path.join('test', 'fixtures', 'vendors', vendor, `${name}.json`));
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as FixtureFile;
  if (!parsed.source || !Array.isArray(parsed.routes)) throw new Error(`${file}: a fixture needs "source" and "routes"`);
  return parsed;
}

/** A JSON file of test/fixtures/vendors/<vendor>/ as it is, for emulations that read their recordings their own way. */
export function readVendorJson<T>(vendor: string, name: string): T {
  return JSON.parse(fs.readFileSync(findUp(path.join('test', 'fixtures', 'vendors', vendor, `${name}.json`)), 'utf8')) as T;
}

function findUp(relative: string): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, relative);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  const fromCwd = path.join(process.cwd(), relative);
  if (fs.existsSync(fromCwd)) return fromCwd;
  throw new Error(`${relative} not found above ${__dirname} nor in ${process.cwd()}`);
}

export async function startVendorFixture(options: { routes?: FixtureRoute[]; proxy?: ProxyOptions } = {}): Promise<VendorFixture> {
  let routes = options.routes ?? [];
  const requests: RecordedRequest[] = [];
  let base = '';

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const body = Buffer.concat(chunks);
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        body: body.toString('utf8'),
      };
      requests.push(recorded);

      const route = routes.find((r) => matches(r, recorded));
      if (route) {
        send(res, route.status, route.responseHeaders, route.body, base, recorded.method);
        return;
      }
      if (options.proxy) {
        const answer = options.proxy.intercept?.(recorded);
        if (answer) {
          send(res, answer.status, answer.headers, answer.body, base, recorded.method);
          return;
        }
        proxy(options.proxy, req, recorded, body, res);
        return;
      }
      send(res, 404, {}, { message: `fixture: no route for ${recorded.method} ${recorded.path}` }, base, recorded.method);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    host: `127.0.0.1:${port}`,
    requests,
    setRoutes(next) {
      routes = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function matches(route: FixtureRoute, req: RecordedRequest): boolean {
  if (route.method.toUpperCase() !== req.method.toUpperCase() || route.path !== req.path) return false;
  for (const [name, value] of Object.entries(route.query ?? {})) if (req.query[name] !== value) return false;
  for (const [name, value] of Object.entries(route.headers ?? {})) {
    const actual = req.headers[name.toLowerCase()];
    if (value === null ? actual !== undefined : actual !== value) return false;
  }
  if (route.jsonBody) {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return false;
    }
    for (const [name, value] of Object.entries(route.jsonBody)) if (parsed[name] !== value) return false;
  }
  return true;
}

function expand(text: string, base: string): string {
  return text
    .replaceAll('{{base}}', base)
    .replace(/\{\{unix\+(\d+)\}\}/g, (_, n: string) => String(Math.floor(Date.now() / 1000) + Number(n)));
}

function send(res: http.ServerResponse, status: number, headers: Record<string, string> | undefined, body: unknown, base: string, method: string): void {
  const text = body === undefined ? '' : expand(typeof body === 'string' ? body : JSON.stringify(body), base);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name] = expand(value, base);
  if (text && !Object.keys(out).some((h) => h.toLowerCase() === 'content-type')) out['content-type'] = 'application/json';
  out['content-length'] = String(Buffer.byteLength(text));
  res.writeHead(status, out);
  res.end(method === 'HEAD' ? undefined : text);
}

function proxy(options: ProxyOptions, req: http.IncomingMessage, recorded: RecordedRequest, body: Buffer, res: http.ServerResponse): void {
  const target = new URL(options.target);
  const headers = { ...req.headers, host: target.host };
  const upstream = http.request(
    { host: target.hostname, port: target.port, method: recorded.method, path: req.url, headers },
    (answer) => {
      const out = { ...answer.headers };
      if (options.addHeaders && (options.addHeadersTo ?? /\/manifests\//).test(recorded.path)) Object.assign(out, options.addHeaders);
      res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  upstream.end(body);
}
