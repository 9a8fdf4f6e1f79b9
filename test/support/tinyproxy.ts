// A real HTTP proxy for tests: Debian's tinyproxy, started in the foreground with its own config file
// (Listen/Allow 127.0.0.1, ConnectPort for the given registry ports, optional BasicAuth), log and pid
// file in a folder of the caller's. Used by test/integration/proxy.test.ts (regx) and
// test/exthost/suite/proxy.test.ts (the extension inside VS Code).
//
// Proxied requests must name the registries (which listen on 127.0.0.1) by a host name that is not a
// loopback name, because loopback names always go direct (Go's rule): loopbackAlias() finds one (the
// machine's hostname in /etc/hosts, usually). tinyproxy resolves it, regx never does.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import dns from 'node:dns/promises';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Resolves once something accepts connections on 127.0.0.1:port. Fails after `timeoutMs`, or at once
 * when `exited()` says the process that should listen has gone; `log()` (its last log lines, say)
 * goes into either message.
 */
export async function waitForPort(port: number, what: string, { timeoutMs = 10_000, exited, log }: { timeoutMs?: number; exited?: () => boolean; log?: () => string } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const said = () => (log ? `: ${log()}` : '');
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (exited?.()) throw new Error(`${what} exited before it listened on 127.0.0.1:${port}${said()}`);
    if (Date.now() > deadline) throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${timeoutMs / 1000} s${said()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Why proxy tests cannot run here (tinyproxy missing), or undefined when they can. */
export function tinyproxyMissing(): string | undefined {
  try {
    execFileSync('tinyproxy', ['-v'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'tinyproxy is not installed (apt-get install tinyproxy; .ci/run installs it)';
  }
}

/** A host name, other than localhost, that resolves to 127.0.0.1 (so it is not a loopback name to regx). */
export async function loopbackAlias(): Promise<string | undefined> {
  for (const name of [os.hostname(), 'localhost.localdomain']) {
    if (!name || name === 'localhost') continue;
    try {
      const { address } = await dns.lookup(name, { family: 4 });
      if (address === '127.0.0.1') return name;
    } catch {
      // try the next
    }
  }
  return undefined;
}

export const NO_ALIAS_REASON = 'no host name other than localhost resolves to 127.0.0.1 here (add the hostname to /etc/hosts)';

/** One tinyproxy process with its own config, log and pid file. */
export class Tinyproxy {
  readonly port: number;
  readonly logFile: string;
  private child: ChildProcess | undefined;
  constructor(private readonly dir: string, port: number, connectPorts: number[], basicAuth?: { user: string; pass: string }) {
    this.port = port;
    fs.mkdirSync(dir, { recursive: true });
    this.logFile = path.join(dir, 'tinyproxy.log');
    const config = [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 30',
      `LogFile "${this.logFile}"`,
      'LogLevel Info',
      `PidFile "${path.join(dir, 'tinyproxy.pid')}"`,
      'MaxClients 50',
      'Allow 127.0.0.1',
      ...connectPorts.map((p) => `ConnectPort ${p}`),
      ...(basicAuth ? [`BasicAuth ${basicAuth.user} ${basicAuth.pass}`] : []),
    ];
    fs.writeFileSync(path.join(dir, 'tinyproxy.conf'), `${config.join('\n')}\n`);
  }
  /** http://127.0.0.1:port, with credentials when given. */
  url(credentials?: { user: string; pass: string }): string {
    return `http://${credentials ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.pass)}@` : ''}127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    // -d: stay in the foreground, so this process owns it and can stop it.
    this.child = spawn('tinyproxy', ['-d', '-c', path.join(this.dir, 'tinyproxy.conf')], { stdio: 'ignore' });
    await waitForPort(this.port, 'tinyproxy');
  }
  /** The log so far, from `from` (a length mark() returned) on. */
  log(from = 0): string {
    try {
      return fs.readFileSync(this.logFile, 'latin1').slice(from);
    } catch {
      return '';
    }
  }
  /** The log's current length, for log(mark) to read only what came after. */
  mark(): number {
    return this.log().length;
  }
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

/**
 * A TCP relay in front of a proxy that keeps every byte the client sent, per connection: concurrent
 * connections (parallel blob uploads, say) would otherwise interleave mid-line.
 */
export class RecordingRelay {
  private server: net.Server | undefined;
  private sent: Buffer[][] = [];
  port = 0;
  constructor(private readonly target: number) {}
  async start(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target, '127.0.0.1');
      const chunks: Buffer[] = [];
      this.sent.push(chunks);
      client.on('data', (d: Buffer) => chunks.push(Buffer.from(d)));
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }
  /**
   * What the client has sent so far (latin1, so binary TLS bytes stay 1:1), one connection after the
   * other, each starting on a new line; and forget it.
   */
  take(): string {
    const text = this.sent
      .map((chunks) => Buffer.concat(chunks).toString('latin1'))
      .filter(Boolean)
      .join('\n');
    // Connections still open keep recording, from here on.
    for (const chunks of this.sent) chunks.length = 0;
    return text;
  }
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
