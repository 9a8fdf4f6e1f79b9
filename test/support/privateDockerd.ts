// A REAL dockerd of a test's own, for what the services' shared engine cannot have: an environment of
// its own (HTTPS_PROXY, SSL_CERT_FILE), fixed when dockerd starts. Root only; its data, exec root and
// socket live under one temporary folder, removed by stop() with whatever dockerd mounted there.
// (test/integration/docker-engine-restart.test.ts keeps a fuller one that also kills and restarts it.)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const READY_TIMEOUT_MS = 40_000;

function findDockerd(): string | undefined {
  return ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find((p) => fs.existsSync(p));
}

/** Why a private dockerd cannot start here, or undefined when it can. */
export function privateDockerdUnavailable(): string | undefined {
  if (!findDockerd()) return 'dockerd is not installed (Debian package docker.io)';
  if (process.getuid?.() !== 0) return 'dockerd needs root: run the tests as root to start a private engine';
  return undefined;
}

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

export class PrivateDockerd {
  private readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-dk-'));
  private child: ChildProcess | undefined;
  readonly host = `unix://${path.join(this.root, 'docker.sock')}`;

  /** dockerd with `env` added to this process's environment; resolves once GET /_ping answers. */
  async start(env: Record<string, string> = {}): Promise<void> {
    const log = fs.openSync(path.join(this.root, 'dockerd.log'), 'a');
    const ns = `regx-${path.basename(this.root)}`;
    this.child = spawn(findDockerd()!, [
      '--data-root', path.join(this.root, 'data'), '--exec-root', path.join(this.root, 'exec'), '--pidfile', path.join(this.root, 'docker.pid'),
      '-H', this.host, '--iptables=false', '--ip6tables=false', '--bridge=none', '--storage-driver=vfs',
      '--containerd-namespace', ns, '--containerd-plugins-namespace', `${ns}-plugins`,
    ], { stdio: ['ignore', log, log], env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin`, ...env } });
    fs.closeSync(log);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) break;
      if (await ping(path.join(this.root, 'docker.sock'))) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the private dockerd did not answer GET /_ping; its log ends:\n${this.logTail()}`);
  }

  logTail(lines = 15): string {
    try {
      return fs.readFileSync(path.join(this.root, 'dockerd.log'), 'utf8').trimEnd().split('\n').filter((l) => !l.includes('module=grpc')).slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** SIGTERM (a clean shutdown stops its containerd and unmounts), SIGKILL after 10 s; then the folder goes. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    const mounts = fs.readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '')
      .filter((m) => m === this.root || m.startsWith(`${this.root}/`)).sort((a, b) => b.length - a.length);
    for (const m of mounts) spawnSync('umount', ['-l', m]);
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
