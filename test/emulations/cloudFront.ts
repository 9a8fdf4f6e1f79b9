// The clouds' front door for tests that cannot hand the code under test a loopback address: an HTTP
// proxy (give it as `http.proxy` / HTTPS_PROXY) that answers for the clouds' REAL host names —
// `123456789012.dkr.ecr.us-east-1.amazonaws.com`, `contoso.azurecr.io`, `us-docker.pkg.dev`,
// `artifactregistry.googleapis.com` — and sends each to the emulation a test routed it to.
//
// - `CONNECT host:443` is answered by this process itself: it terminates TLS with a certificate for
//   that name, signed by its own CA (trust `caPath`, e.g. NODE_EXTRA_CA_CERTS), then forwards each
//   request over plain http to the host's emulation, in absolute form (`GET http://host/v2/…`, with
//   `X-Forwarded-Proto: https`), which is how the emulations recognise a request meant for a cloud
//   host name; a route may ask for origin form instead (the REST APIs).
// - Plain-http requests in absolute form are forwarded the same way.
// - Loopback targets (127.0.0.1:PORT, localhost) go straight through, unchanged: whatever else the code
//   under test reaches while the proxy is set.
// - Fixed endpoints: listeners created at start, before their emulation exists (their address goes
//   into an environment variable such as AWS_ENDPOINT_URL_ECR of a process started now), forwarded in
//   origin form to whatever backend is routed to them later.
// Nothing here knows any cloud: it only routes. Unknown host names are refused with 502 and a line
// that names the host, so a missing route is plain in a log.
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CloudRoute {
  /** http://127.0.0.1:PORT of the emulation. */
  backend: string;
  /** 'absolute' (default): `GET http://host/path`, how an emulation knows which cloud host is meant; 'origin': `GET /path` (Host still the cloud's). */
  form?: 'absolute' | 'origin';
  /** Set for a fixed endpoint's route (origin form, the backend's own Host). */
  endpoint?: boolean;
}

export interface CloudFront {
  /** http://127.0.0.1:PORT: the proxy. */
  proxyUrl: string;
  /** PEM file of the CA that signed every certificate this front presents. */
  caPath: string;
  /** http://127.0.0.1:PORT of each fixed endpoint named at start. */
  endpoints: Record<string, string>;
  /** Send requests for this host name (no port: 443 and 80 alike), or this fixed endpoint, to a backend; returns the undo. */
  route(hostOrEndpoint: string, route: CloudRoute | string): () => void;
  /** Every request forwarded, in order: `host method path` (for a test's failure message). */
  log: string[];
  close(): Promise<void>;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function splitHostPort(authority: string, defaultPort: number): { hostname: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(authority);
  return { hostname: (m?.[1] ?? authority).toLowerCase(), port: m?.[2] ? Number(m[2]) : defaultPort };
}

export async function startCloudFront(options: { endpoints?: string[]; dir?: string } = {}): Promise<CloudFront> {
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cloud-front-'));
  const ownsDir = !options.dir;
  fs.mkdirSync(dir, { recursive: true });
  const caKey = path.join(dir, 'ca.key');
  const caPath = path.join(dir, 'ca.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=Cloud front (tests)', '-keyout', caKey, '-out', caPath], { stdio: 'ignore' });

  const routes = new Map<string, CloudRoute>();
  const log: string[] = [];
  const contexts = new Map<string, Promise<tls.SecureContext>>();
  let serial = 0;

  /** A certificate for one host name, made on first use. */
  function contextFor(hostname: string): Promise<tls.SecureContext> {
    let ctx = contexts.get(hostname);
    if (!ctx) {
      ctx = (async () => {
        const base = path.join(dir, `host-${++serial}`);
        const san = net.isIP(hostname) ? `IP:${hostname}` : `DNS:${hostname}`;
        fs.writeFileSync(`${base}.ext`, `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
        await run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${hostname}`, '-keyout', `${base}.key`, '-out', `${base}.csr`]);
        await run('openssl', ['x509', '-req', '-in', `${base}.csr`, '-CA', caPath, '-CAkey', caKey, '-set_serial', String(1000 + serial), '-days', '2', '-extfile', `${base}.ext`, '-out', `${base}.pem`]);
        return tls.createSecureContext({ key: fs.readFileSync(`${base}.key`), cert: fs.readFileSync(`${base}.pem`) });
      })();
      contexts.set(hostname, ctx);
    }
    return ctx;
  }

  function refuse(res: http.ServerResponse, message: string): void {
    log.push(`refused: ${message}`);
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`cloud front: ${message}\n`);
  }

  /** One request for `host` (the cloud's name, maybe with a port), forwarded to its route. */
  function forward(req: http.IncomingMessage, res: http.ServerResponse, scheme: 'http' | 'https', authority: string, pathAndQuery: string, route: CloudRoute | undefined): void {
    const { hostname } = splitHostPort(authority, scheme === 'https' ? 443 : 80);
    const target = route ? new URL(route.backend) : isLoopback(hostname) ? new URL(`http://${authority}`) : undefined;
    if (!target) return refuse(res, `no route for ${hostname} (${req.method} ${pathAndQuery})`);
    const absolute = route && route.form !== 'origin';
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    if (route) {
      headers['x-forwarded-proto'] = scheme;
      // A cloud host keeps its name (the emulation answers for it); a fixed endpoint is the backend's own address.
      headers.host = route.endpoint ? target.host : authority.replace(/:(443|80)$/, '');
    }
    log.push(`${hostname} ${req.method} ${pathAndQuery}`);
    const upstream = http.request({
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: absolute ? `http://${authority.replace(/:(443|80)$/, '')}${pathAndQuery}` : pathAndQuery,
      headers,
    });
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (err) => (res.headersSent ? res.destroy() : refuse(res, `${hostname}: ${err.message}`)));
    req.pipe(upstream);
  }

  // Requests that arrive inside a CONNECT tunnel, after TLS: the tunnel's target is the host.
  const tunnelTargets = new WeakMap<net.Socket, string>();
  const inner = http.createServer((req, res) => {
    const authority = tunnelTargets.get(req.socket) ?? req.headers.host ?? '';
    forward(req, res, 'https', authority, req.url ?? '/', routes.get(splitHostPort(authority, 443).hostname));
  });

  const proxy = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (!/^https?:\/\//i.test(url)) return refuse(res, `not a proxy request: ${req.method} ${url}`);
    const target = new URL(url);
    forward(req, res, 'http', target.host, `${target.pathname}${target.search}`, routes.get(target.hostname.toLowerCase()));
  });
  proxy.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    const authority = req.url ?? '';
    const { hostname, port } = splitHostPort(authority, 443);
    socket.on('error', () => socket.destroy());
    if (!routes.has(hostname)) {
      if (!isLoopback(hostname)) {
        log.push(`refused: no route for CONNECT ${authority}`);
        socket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain\r\n\r\ncloud front: no route for ' + hostname + '\n');
        return;
      }
      // A loopback target: a plain tunnel.
      const upstream = net.connect(port, hostname.replace(/^\[|\]$/g, ''), () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      return;
    }
    contextFor(hostname).then(
      (secureContext) => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) socket.unshift(head);
        const secure = new tls.TLSSocket(socket, { isServer: true, secureContext });
        secure.on('error', () => secure.destroy());
        tunnelTargets.set(secure, authority);
        inner.emit('connection', secure);
      },
      (err: Error) => socket.end(`HTTP/1.1 502 Bad Gateway\r\n\r\ncloud front: no certificate for ${hostname}: ${err.message}\n`),
    );
  });

  const listen = (server: http.Server) =>
    new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
  const servers: http.Server[] = [proxy];
  const endpoints: Record<string, string> = {};
  for (const name of options.endpoints ?? []) {
    const server = http.createServer((req, res) => {
      const route = routes.get(`endpoint:${name}`);
      if (!route) return refuse(res, `nothing is routed to the ${name} endpoint (${req.method} ${req.url})`);
      forward(req, res, 'http', `127.0.0.1:${(server.address() as net.AddressInfo).port}`, req.url ?? '/', route);
    });
    servers.push(server);
    endpoints[name] = `http://127.0.0.1:${await listen(server)}`;
  }
  const proxyPort = await listen(proxy);

  return {
    proxyUrl: `http://127.0.0.1:${proxyPort}`,
    caPath,
    endpoints,
    log,
    route(hostOrEndpoint, given) {
      const isEndpoint = hostOrEndpoint in endpoints;
      const key = isEndpoint ? `endpoint:${hostOrEndpoint}` : hostOrEndpoint.toLowerCase();
      const route: CloudRoute = { ...(typeof given === 'string' ? { backend: given } : given), ...(isEndpoint ? { form: 'origin' as const, endpoint: true } : {}) };
      routes.set(key, route);
      return () => {
        if (routes.get(key) === route) routes.delete(key);
      };
    },
    async close() {
      for (const server of [...servers, inner]) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      if (ownsDir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
