// A loopback HTTP(S) server whose routes misbehave on purpose (hang, reset, oversize, 503, 429,
// redirect elsewhere), and which records every request's method, path and headers so tests can
// check, for instance, that Authorization never reached another host.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** n is how many times this path has been hit, including this time (1 = first). */
export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse, n: number, body: string) => void;

export interface HostileServer {
  /** "http://127.0.0.1:PORT" or "https://…". */
  url: string;
  /** "127.0.0.1:PORT". */
  host: string;
  requests: RecordedRequest[];
  route(pathname: string, handler: RouteHandler): void;
  hits(pathname: string): number;
  /** Highest number of requests in progress at once. */
  maxConcurrent(): number;
  close(): Promise<void>;
}

export interface HostileServerOptions {
  /** PEM key and certificate: serve HTTPS. */
  tls?: { key: string; cert: string };
}

export async function startHostileServer(options: HostileServerOptions = {}): Promise<HostileServer> {
  const routes = new Map<string, RouteHandler>();
  const counts = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  let active = 0;
  let peak = 0;

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const pathname = new URL(req.url ?? '/', 'http://x').pathname;
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const n = (counts.get(pathname) ?? 0) + 1;
      counts.set(pathname, n);
      active++;
      peak = Math.max(peak, active);
      const done = () => {
        active--;
      };
      res.once('finish', done);
      res.once('close', () => {
        if (!res.writableFinished) done();
      });
      const handler = routes.get(pathname);
      if (!handler) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('404 page not found\n');
        return;
      }
      handler(req, res, n, body);
    });
  };

  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, listener) : http.createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = `127.0.0.1:${port}`;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}`,
    host,
    requests,
    route(pathname, handler) {
      routes.set(pathname, handler);
    },
    hits(pathname) {
      return counts.get(pathname) ?? 0;
    },
    maxConcurrent() {
      return peak;
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/** A self-signed certificate for 127.0.0.1 (openssl, as the registries' notes do), cached in dir. */
export function selfSignedCert(dir: string): { key: string; cert: string; certPath: string } {
  fs.mkdirSync(dir, { recursive: true });
  const keyPath = path.join(dir, 'hostile.key');
  const certPath = path.join(dir, 'hostile.crt');
  if (!fs.existsSync(keyPath) || !fs.existsSync(certPath)) {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '30',
        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  }
  return { key: fs.readFileSync(keyPath, 'utf8'), cert: fs.readFileSync(certPath, 'utf8'), certPath };
}
