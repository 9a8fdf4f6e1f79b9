// The fault proxy: a loopback server in front of a REAL Distribution registry (or the token issuer)
// that forwards every request unchanged, except those a rule picks — by method, path pattern and
// which occurrence (1 = the first matching request) — which it answers badly on purpose: hangs,
// resets, 5xx and 429 (with Retry-After), truncated, oversized, corrupted or retyped bodies,
// rewritten headers (Link, WWW-Authenticate), redirects, slowness, or an answer lost after the
// registry did the work. It records every request (method, path, Authorization, status) and the
// peak number in flight, so tests can check retries, budgets and where credentials went.

import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export type Behaviour =
  /** Answer this instead of asking the registry. */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Accept the request and never send a status line. */
  | { kind: 'hang-before-headers' }
  /** Send the registry's headers and the first `afterBytes` of its body, then go silent. */
  | { kind: 'hang-mid-body'; afterBytes?: number }
  /** Drop the connection before any answer (the registry is not asked). */
  | { kind: 'reset-before-headers' }
  /** Send the registry's headers and the first `afterBytes` of its body, then drop the connection. */
  | { kind: 'reset-mid-body'; afterBytes?: number }
  /** The registry's headers (its Content-Length included) and only `keepBytes` of the body, then a clean close. */
  | { kind: 'truncate'; keepBytes?: number }
  /** A 200 whose body is `bytes` long (declared up front when `declare`, else streamed). */
  | { kind: 'oversize'; bytes: number; declare?: boolean; contentType?: string }
  /** The registry's status and headers, with this body (and Content-Type, when given) instead. */
  | { kind: 'replace-body'; body: string; contentType?: string }
  /** The registry's answer with one byte of its body changed: a wrong digest. */
  | { kind: 'corrupt' }
  /** The registry's answer with these headers set (undefined removes one); `rewrite` edits each value. */
  | { kind: 'headers'; set?: Record<string, string | undefined>; rewrite?: (name: string, value: string) => string }
  /** A redirect to `location` (absolute, or a function of the request path). */
  | { kind: 'redirect'; location: string | ((path: string) => string); status?: number }
  /** Wait, then forward as usual. */
  | { kind: 'delay'; ms: number }
  /** Forward to the registry (which does the work), wait for its whole answer, then drop the connection. */
  | { kind: 'lose-answer' }
  /**
   * Decide per request (crash points): 'pass' forwards; 'hang' never answers; 'reset' drops the
   * connection unanswered; 'lose-answer' forwards and drops the answer. `then` runs once the
   * registry was asked (or at once, when it is not).
   */
  | { kind: 'intercept'; decide: (method: string, path: string, socket: Socket) => { action: 'pass' | 'hang' | 'reset' | 'lose-answer'; then?: () => void } }
  /** Forward as usual, and hand the registry's answer to `see` (to learn the tokens an issuer gave out). */
  | { kind: 'observe'; see: (status: number, headers: http.IncomingHttpHeaders, body: Buffer) => void }
  /** Hand-written answer. */
  | { kind: 'custom'; handle: (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void };

export interface Rule {
  /** Upper-case method; absent = any. */
  method?: string;
  /** Matched against the path without the query; a string must match whole. */
  path: RegExp | string;
  /** Which matching requests (1-based) get the behaviour: one, a list, a range, or every one (default). */
  nth?: number | number[] | { from?: number; to?: number } | 'every';
  behaviour: Behaviour;
}

export interface SeenRequest {
  method: string;
  /** Path with query. */
  path: string;
  authorization?: string;
  /** What the client got: the status, or the behaviour's kind when it got no status. */
  outcome: string;
  /** Which rule (index in the order added) acted, if any. */
  rule?: number;
}

export interface FaultProxy {
  /** "http://127.0.0.1:PORT" (or https://). */
  url: string;
  /** "127.0.0.1:PORT" — what regx is pointed at. */
  host: string;
  readonly requests: SeenRequest[];
  /** Add a rule; returns a function that removes it. Rules are tried in the order added. */
  rule(rule: Rule): () => void;
  /** Remove every rule and forget what was seen. */
  reset(): void;
  /** Requests seen matching method and path (same matching as rules). */
  count(method: string | undefined, path: RegExp | string): number;
  /** Most requests in flight at once since the last reset. */
  peakInFlight(): number;
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  /** "host:port" of the real service behind (plain http). */
  upstream: string;
  /** Serve HTTPS with this key and certificate. */
  tls?: { key: string; cert: string };
  /** Rewrite the realm of every WWW-Authenticate the registry sends (to put a fault proxy in front of the issuer). */
  realm?: (realm: string) => string;
  /** Address to listen on (default 127.0.0.1): a non-loopback one makes a registry regx must not send Basic to over http. */
  listen?: string;
  /** Port to listen on (default: any free one). A fixed one must be below 32768, outside the ephemeral range. */
  port?: number;
  /** Called as each client connects, while its socket is open on both ends (to learn which process it is). */
  onConnection?: (socket: Socket) => void;
}

function matches(rule: { method?: string; path: RegExp | string }, method: string, pathname: string): boolean {
  if (rule.method && rule.method !== method) return false;
  return typeof rule.path === 'string' ? rule.path === pathname : rule.path.test(pathname);
}

function selected(nth: Rule['nth'], n: number): boolean {
  if (nth === undefined || nth === 'every') return true;
  if (typeof nth === 'number') return n === nth;
  if (Array.isArray(nth)) return nth.includes(n);
  return n >= (nth.from ?? 1) && n <= (nth.to ?? Infinity);
}

interface Upstream {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  let rules: Array<{ rule: Rule; seen: number; index: number } | undefined> = [];
  let requests: SeenRequest[] = [];
  let inFlight = 0;
  let peak = 0;
  const sockets = new Set<Socket>();
  let self = '';

  const upstreamAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  function forward(req: http.IncomingMessage, body: Buffer): Promise<Upstream> {
    const [hostname, port] = options.upstream.split(':');
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers };
      // Distribution builds Location and Link URLs from Host: keep the client's, so they point back at us.
      headers['host'] = req.headers['host'] ?? self;
      delete headers['content-length'];
      delete headers['transfer-encoding'];
      headers['content-length'] = String(body.length);
      const up = http.request({ hostname, port: Number(port), method: req.method, path: req.url, headers, agent: upstreamAgent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      up.on('error', reject);
      up.end(body);
    });
  }

  function outgoingHeaders(up: Upstream): http.OutgoingHttpHeaders {
    const out: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(up.headers)) {
      if (value === undefined || name === 'connection' || name === 'keep-alive' || name === 'transfer-encoding') continue;
      out[name] = name === 'www-authenticate' && options.realm ? rewriteRealm(value, options.realm) : value;
    }
    if (up.headers['content-length'] === undefined && up.body.length) out['content-length'] = String(up.body.length);
    return out;
  }

  function reply(res: http.ServerResponse, up: Upstream, headers = outgoingHeaders(up), body = up.body): void {
    res.writeHead(up.status, headers);
    res.end(body);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, seen: SeenRequest): Promise<void> {
    const method = req.method ?? 'GET';
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    let behaviour: Behaviour | undefined;
    for (const entry of rules) {
      if (!entry || !matches(entry.rule, method, pathname)) continue;
      entry.seen++;
      if (!behaviour && selected(entry.rule.nth, entry.seen)) {
        behaviour = entry.rule.behaviour;
        seen.rule = entry.index;
      }
    }
    const record = (outcome: string | number) => (seen.outcome = String(outcome));
    const cut = (socket: Socket) => socket.destroy();
    if (!behaviour) {
      const up = await forward(req, body);
      record(up.status);
      return reply(res, up);
    }
    switch (behaviour.kind) {
      case 'status': {
        const text = behaviour.body ?? '';
        record(behaviour.status);
        res.writeHead(behaviour.status, { 'content-length': String(Buffer.byteLength(text)), ...(behaviour.headers ?? {}) });
        res.end(text);
        return;
      }
      case 'hang-before-headers':
        record('hang-before-headers');
        return; // the socket is destroyed when the client gives up, or at close()
      case 'reset-before-headers':
        record('reset-before-headers');
        cut(req.socket);
        return;
      case 'hang-mid-body':
      case 'reset-mid-body': {
        const up = await forward(req, body);
        record(behaviour.kind);
        const keep = Math.min(behaviour.afterBytes ?? Math.floor(up.body.length / 2), Math.max(0, up.body.length - 1));
        const headers = outgoingHeaders(up);
        headers['content-length'] = String(up.body.length);
        res.writeHead(up.status, headers);
        res.write(up.body.subarray(0, keep));
        if (behaviour.kind === 'reset-mid-body') setTimeout(() => cut(req.socket), 20);
        return;
      }
      case 'truncate': {
        const up = await forward(req, body);
        record('truncate');
        const headers = outgoingHeaders(up);
        headers['content-length'] = String(up.body.length);
        res.writeHead(up.status, headers);
        res.write(up.body.subarray(0, behaviour.keepBytes ?? Math.floor(up.body.length / 2)));
        // A clean FIN before the declared length: the client sees a short body, not a reset.
        setTimeout(() => req.socket.end(), 20);
        return;
      }
      case 'oversize': {
        record('oversize');
        res.on('error', () => undefined);
        const headers: http.OutgoingHttpHeaders = { 'content-type': behaviour.contentType ?? 'application/json' };
        if (behaviour.declare) headers['content-length'] = String(behaviour.bytes);
        res.writeHead(200, headers);
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        let sent = 0;
        const pump = () => {
          while (sent < behaviour.bytes && !res.destroyed) {
            const n = Math.min(chunk.length, behaviour.bytes - sent);
            sent += n;
            if (!res.write(chunk.subarray(0, n))) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
        return;
      }
      case 'replace-body': {
        const up = await forward(req, body);
        record(up.status);
        const headers = outgoingHeaders(up);
        const bytes = Buffer.from(behaviour.body);
        headers['content-length'] = String(bytes.length);
        if (behaviour.contentType) headers['content-type'] = behaviour.contentType;
        return reply(res, up, headers, bytes);
      }
      case 'corrupt': {
        const up = await forward(req, body);
        record(up.status);
        const bytes = Buffer.from(up.body);
        if (bytes.length) bytes[bytes.length >> 1] ^= 0x20;
        return reply(res, up, outgoingHeaders(up), bytes);
      }
      case 'headers': {
        const up = await forward(req, body);
        record(up.status);
        const headers = outgoingHeaders(up);
        for (const [name, value] of Object.entries(headers)) {
          if (behaviour.rewrite && value !== undefined) headers[name] = Array.isArray(value) ? value.map((v) => behaviour.rewrite!(name, v)) : behaviour.rewrite(name, String(value));
        }
        for (const [name, value] of Object.entries(behaviour.set ?? {})) {
          if (value === undefined) delete headers[name.toLowerCase()];
          else headers[name.toLowerCase()] = value;
        }
        return reply(res, up, headers);
      }
      case 'redirect': {
        const location = typeof behaviour.location === 'function' ? behaviour.location(req.url ?? '/') : behaviour.location;
        const status = behaviour.status ?? 307;
        record(status);
        res.writeHead(status, { location, 'content-length': '0' });
        res.end();
        return;
      }
      case 'delay': {
        await new Promise((resolve) => setTimeout(resolve, behaviour.ms));
        if (req.socket.destroyed) return void record('client-gone');
        const up = await forward(req, body);
        record(up.status);
        return reply(res, up);
      }
      case 'lose-answer': {
        const up = await forward(req, body);
        record(`lose-answer(${up.status})`);
        cut(req.socket);
        return;
      }
      case 'intercept': {
        const { action, then } = behaviour.decide(method, req.url ?? '/', req.socket);
        if (action === 'hang' || action === 'reset') {
          record(action);
          if (action === 'reset') cut(req.socket);
          then?.();
          return;
        }
        const up = await forward(req, body);
        record(action === 'pass' ? up.status : `lose-answer(${up.status})`);
        then?.();
        if (action === 'lose-answer') return void cut(req.socket);
        return reply(res, up);
      }
      case 'observe': {
        const up = await forward(req, body);
        record(up.status);
        behaviour.see(up.status, up.headers, up.body);
        return reply(res, up);
      }
      case 'custom':
        record('custom');
        behaviour.handle(req, res, body);
        return;
    }
  }

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => undefined);
    req.on('end', () => {
      const authorization = req.headers['authorization'];
      const seen: SeenRequest = { method: req.method ?? '', path: req.url ?? '', ...(authorization ? { authorization } : {}), outcome: 'pending' };
      requests.push(seen);
      inFlight++;
      peak = Math.max(peak, inFlight);
      let counted = true;
      const done = () => {
        if (counted) {
          counted = false;
          inFlight--;
        }
      };
      res.once('finish', done);
      res.once('close', done);
      handle(req, res, Buffer.concat(chunks), seen).catch((err: Error & { code?: string }) => {
        seen.outcome = `proxy-error: ${err.message}`;
        // The registry behind is down (restarting): the client sees what it would without us, a dropped connection.
        if (err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET') {
          req.socket.destroy();
          return;
        }
        if (!res.headersSent) {
          res.writeHead(599, { 'content-type': 'text/plain' });
          res.end(`fault proxy: ${err.message}`);
        } else res.destroy();
      });
    });
  };

  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, listener) : http.createServer(listener);
  server.keepAliveTimeout = 2_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    options.onConnection?.(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // As the Go registry does with bytes that are not HTTP (a TLS hello on a plain port): a 400, then close.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n400 Bad Request');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.listen ?? '127.0.0.1', () => resolve());
  });
  self = `${options.listen ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;

  return {
    url: `${options.tls ? 'https' : 'http'}://${self}`,
    host: self,
    get requests() {
      return requests;
    },
    rule(rule) {
      const index = rules.length;
      rules.push({ rule, seen: 0, index });
      return () => {
        rules[index] = undefined;
      };
    },
    reset() {
      rules = [];
      requests = [];
      peak = inFlight;
    },
    count(method, path) {
      return requests.filter((r) => matches({ ...(method ? { method } : {}), path }, r.method, new URL(r.path, 'http://x').pathname)).length;
    },
    peakInFlight() {
      return peak;
    },
    close() {
      return new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        upstreamAgent.destroy();
        server.close(() => resolve());
      });
    },
  };
}

function rewriteRealm(value: string | string[], realm: (r: string) => string): string | string[] {
  const one = (v: string) => v.replace(/realm="([^"]*)"/i, (_m, r: string) => `realm="${realm(r)}"`);
  return Array.isArray(value) ? value.map(one) : one(value);
}
