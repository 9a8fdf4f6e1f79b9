// What the fault cases share: the real services with fault proxies in front, a private DOCKER_CONFIG
// holding the token registry's login, seeded images, and assertions about what a user sees.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFaultProxy, type FaultProxy } from './harness';
import type { CliResult } from '../support/runRegx';
import { seedImage, type SeededImage } from '../support/seeding';
import { testServices, type TestServices } from '../support/services';
import { waitForPort } from '../support/tinyproxy';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const cliPath = path.join(repoRoot, 'dist', 'cli.js');

export interface FaultWorld {
  services: TestServices;
  /** In front of the open registry (deletes on). */
  open: FaultProxy;
  /** In front of the token issuer. */
  issuer: FaultProxy;
  /** In front of the token registry; its challenges name `issuer`'s realm. */
  token: FaultProxy;
  home: string;
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export async function startWorld(name: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<FaultWorld> {
  const services = testServices();
  const open = await startFaultProxy({ upstream: services.open.host });
  const issuerHost = new URL(services.token.issuer!).host;
  const issuer = await startFaultProxy({ upstream: issuerHost });
  const token = await startFaultProxy({ upstream: services.token.host, realm: (realm) => realm.replace(issuerHost, issuer.host) });
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `regx-${name}-`));
  const dockerConfig = path.join(home, 'docker');
  fs.mkdirSync(dockerConfig, { recursive: true });
  const { username, password } = services.token.user!;
  fs.writeFileSync(path.join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [token.host]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } } }), { mode: 0o600 });
  // Nothing here may read the developer's credentials or reach their Docker engine.
  const env: NodeJS.ProcessEnv = {
    DOCKER_CONFIG: dockerConfig,
    HOME: home,
    DOCKER_HOST: `unix://${path.join(home, 'no-engine.sock')}`,
    PATH: process.env.PATH,
    ...extraEnv,
  };
  return {
    services,
    open,
    issuer,
    token,
    home,
    env,
    async close() {
      await Promise.all([open.close(), issuer.close(), token.close()]);
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A fresh repository name per call, so cases never see each other's tags. */
let serial = 0;
export function uniqueRepo(prefix: string): string {
  return `faults/${prefix}-${process.pid}-${(serial++).toString(36)}`;
}

export async function seedOpen(world: FaultWorld, repository: string, tag = '1.0', layers = [2048, 1024]): Promise<SeededImage> {
  return seedImage(world.services.open.host, repository, tag, { layers });
}

export async function seedToken(world: FaultWorld, repository: string, tag = '1.0', layers = [2048, 1024]): Promise<SeededImage> {
  return seedImage(world.services.token.host, repository, tag, { layers, auth: world.services.token.user! });
}

/** Exit 0, nothing on stderr. */
export function succeeded(result: CliResult): string {
  assert.equal(result.code, 0, `expected success, got ${result.code}: ${result.stderr}`);
  assert.equal(result.stderr, '', 'a success prints nothing on stderr');
  return result.stdout;
}

/** Exit 1 with exactly one `regx: …` line that matches, no stack trace, nothing on stdout. */
export function failedWith(result: CliResult, says: RegExp): string {
  assert.equal(result.code, 1, `expected exit 1, got ${result.code}: ${result.stdout}${result.stderr}`);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
  assert.match(lines[0]!, /^regx: \S/);
  assert.match(lines[0]!, says);
  assert.doesNotMatch(result.stderr, /\n\s+at |TypeError|undefined|\[object Object\]/);
  return lines[0]!;
}

/**
 * A message may say it retried only when it did, and never more often than the registry saw: N
 * requests seen allow at most N-1 claimed retries (fewer when some went to learning the scheme).
 */
export function claimsRetriesHonestly(line: string, requestsSeen: number): void {
  const claimed = /even after (one retry|(\d+) retries)/.exec(line);
  const retries = claimed ? (claimed[1] === 'one retry' ? 1 : Number(claimed[2])) : 0;
  assert.ok(retries <= requestsSeen - 1, `"${line}" after ${requestsSeen} request(s)`);
  if (requestsSeen > 1) assert.ok(retries >= 1, `"${line}" does not say it retried, after ${requestsSeen} requests`);
  assert.doesNotMatch(line.replace(claimed?.[0] ?? '', ''), /retr(y|ied|ying)/i, 'no other claim of a retry');
}

export interface SpawnedCli {
  child: ReturnType<typeof spawn>;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The real binary, as a user runs it. */
export function spawnCli(argv: string[], env: NodeJS.ProcessEnv): SpawnedCli {
  const child = spawn(process.execPath, [cliPath, ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Resolves once `check` is true (polled), or fails after `ms`. */
export async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A fixed port for a test's own server that must keep its port across restarts: beside the shared
 * services' (REGX_TEST_PORT_BASE, default 25000, +1…+5), below Linux's ephemeral range (32768 and up),
 * where an outgoing connection of any test could already hold it.
 */
export function ownPort(offset: number): number {
  return Number(process.env.REGX_TEST_PORT_BASE ?? 25000) + offset;
}

export interface OwnRegistry {
  host: string;
  /** The running process (a new one after start()). */
  process(): ChildProcess;
  /** Start it (again, on the same port and data). */
  start(): Promise<void>;
  kill(): void;
}

/**
 * A real Distribution registry of the test's own (deletes on), for what the shared services must not
 * suffer: being killed and restarted, or an htpasswd of distinctive credentials. Its config is the
 * shape test/services/start.mjs writes (JSON is YAML).
 */
export function ownRegistry(dir: string, port: number, auth?: Record<string, unknown>): OwnRegistry {
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(config, JSON.stringify({
    version: 0.1,
    log: { level: 'info' },
    storage: { filesystem: { rootdirectory: path.join(dir, 'data') }, delete: { enabled: true }, maintenance: { uploadpurging: { enabled: false } } },
    http: { addr: `127.0.0.1:${port}`, secret: 'regx-faults-own-registry' },
    health: { storagedriver: { enabled: false } },
    ...(auth ? { auth } : {}),
  }));
  let child: ChildProcess | undefined;
  return {
    host: `127.0.0.1:${port}`,
    process: () => child!,
    async start() {
      const log = path.join(dir, 'registry.log');
      const started = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', fs.openSync(log, 'a')] });
      child = started;
      const lastLines = () => fs.readFileSync(log, 'utf8').trim().split('\n').slice(-3).join(' | ');
      try {
        await waitForPort(port, 'the registry', { timeoutMs: 30_000, exited: () => started.exitCode !== null || started.signalCode !== null, log: lastLines });
      } catch (err) {
        // Never leave a registry behind that would keep the test process alive.
        started.kill('SIGKILL');
        throw err;
      }
    },
    kill() {
      child?.kill('SIGKILL');
    },
  };
}
