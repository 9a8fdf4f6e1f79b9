#!/usr/bin/env node
// Starts the real services the integration tests talk to (see test/support/services.ts for the contract):
//   portBase+1 open registry (deletes on)      portBase+2 open registry (deletes off)
//   portBase+3 htpasswd Basic registry          portBase+4 token-auth registry
//   portBase+5 token issuer fixture             and, with --docker, a private dockerd on ROOT/docker/docker.sock
//
// As a module:  const { services, stop } = await startServices({ portBase, root, docker, dockerStorageDriver })
//   (dockerStorageDriver: vfs by default, which works anywhere; the bench's 1 GB rows ask for overlay2)
// As a command: node test/services/start.mjs [--port-base N] [--root DIR] [--docker]
//   prints exactly one line `REGX_TEST_SERVICES=<json>` on stdout when everything answers,
//   then stays up until SIGINT/SIGTERM. Everything else goes to stderr or to log files under ROOT.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeSigningKey, startTokenIssuer, TOKEN_ISSUER, TOKEN_SERVICE } from './tokenIssuer.mjs';

export const DEFAULT_PORT_BASE = 25000;
const READY_TIMEOUT_MS = 20_000;
// dockerd on vfs can take longer on a cold data-root than a registry does.
const DOCKER_READY_TIMEOUT_MS = 40_000;

export const BASIC_USER = { username: 'tester', password: 'tester-pass' };
export const TOKEN_PUSHER = { username: 'pusher', password: 'pusher-pass' };
export const TOKEN_READER = { username: 'reader', password: 'reader-pass' };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** GETs a URL (over TCP or a unix socket) and resolves with the status, or undefined when nothing answers. */
function probe(options) {
  return new Promise((resolve) => {
    const req = http.get({ ...options, timeout: 1000 }, (res) => { res.resume(); resolve(res.statusCode); });
    req.on('timeout', () => { req.destroy(); resolve(undefined); });
    req.on('error', () => resolve(undefined));
  });
}

/** Leftover processes from a run that was killed hard are recorded per port base, because ports are what collide. */
function pidsFile(portBase) {
  return path.join(os.tmpdir(), `regx-test-services-${portBase}.pids`);
}

function killLeftovers(portBase) {
  let pids = [];
  try { pids = JSON.parse(fs.readFileSync(pidsFile(portBase), 'utf8')); } catch { return; }
  for (const pid of pids) {
    // Only kill what is still one of ours: a pid may have been reused by an unrelated process.
    let cmdline = '';
    try { cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { continue; }
    if (/docker-registry|dockerd|containerd/.test(cmdline)) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  }
  fs.rmSync(pidsFile(portBase), { force: true });
}

function registryConfig({ port, dir, deletes, auth }) {
  // JSON is valid YAML, which spares us a YAML writer.
  const config = {
    version: 0.1,
    log: { level: 'info', fields: { service: `registry-${port}` } },
    storage: {
      filesystem: { rootdirectory: path.join(dir, 'data') },
      delete: { enabled: deletes },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: { addr: `127.0.0.1:${port}`, secret: 'regx-test-upload-state-secret' },
    health: { storagedriver: { enabled: false } },
  };
  if (auth) config.auth = auth;
  return JSON.stringify(config, null, 2);
}

/**
 * Starts every service and resolves once each answers.
 * @param {{ portBase?: number, root?: string, docker?: boolean, dockerStorageDriver?: string }} [options]
 * @returns {Promise<{ services: import('../support/services').TestServices, stop: () => Promise<void> }>}
 */
/**
 * Removes a services folder left by an earlier run, first lifting the mounts a dockerd killed with
 * SIGKILL leaves under it (its data root stays mounted, and the folder then cannot be removed: EBUSY).
 */
export function removeServicesRoot(root) {
  const resolved = path.resolve(root);
  let mounts = [];
  try {
    mounts = fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').map((line) => line.split(' ')[1]).filter(Boolean)
      // /proc/self/mounts writes a space in a path as \040.
      .map((p) => p.replace(/\\040/g, ' '))
      .filter((p) => p === resolved || p.startsWith(`${resolved}/`));
  } catch {
    // not Linux: nothing is mounted the way dockerd does it
  }
  for (const mount of mounts.sort((a, b) => b.length - a.length)) spawnSync('umount', ['-l', mount], { stdio: 'ignore' });
  fs.rmSync(resolved, { recursive: true, force: true });
}

export async function startServices({ portBase = DEFAULT_PORT_BASE, root, docker = false, dockerStorageDriver = 'vfs' } = {}) {
  portBase = Number(portBase);
  const ownRoot = !root;
  root = path.resolve(root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'regx-services-')));
  fs.mkdirSync(root, { recursive: true });
  killLeftovers(portBase);

  const children = []; // { name, child, log }
  let issuer;
  let stopped = false;

  const recordPids = () => {
    fs.writeFileSync(pidsFile(portBase), JSON.stringify(children.map((c) => c.child.pid).filter(Boolean)));
  };

  function launch(name, command, args, log) {
    const fd = fs.openSync(log, 'a');
    const child = spawn(command, args, { stdio: ['ignore', fd, fd], env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } });
    fs.closeSync(fd);
    const entry = { name, child, log, exited: undefined };
    child.on('exit', (code, signal) => { entry.exited = signal ?? `code ${code}`; });
    child.on('error', (err) => { entry.exited = `spawn error: ${err.message}`; });
    children.push(entry);
    recordPids();
    return entry;
  }

  async function waitFor(entry, probeOptions, timeoutMs, what) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (entry.exited) throw new Error(`${entry.name} exited (${entry.exited}) before answering ${what}; see ${entry.log}`);
      if ((await probe(probeOptions)) !== undefined) return;
      await sleep(100);
    }
    throw new Error(`${entry.name} did not answer ${what} within ${timeoutMs / 1000} s; see ${entry.log}`);
  }

  async function stop() {
    if (stopped) return;
    stopped = true;
    await issuer?.close();
    const containerdPid = readContainerdPid();
    await Promise.all(children.map(async ({ child, exited }) => {
      if (exited || child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    }));
    // dockerd stops the containerd it started; if it was killed hard, that containerd would linger.
    if (containerdPid) { try { process.kill(containerdPid, 'SIGKILL'); } catch { /* gone, as expected */ } }
    fs.rmSync(pidsFile(portBase), { force: true });
    if (ownRoot) fs.rmSync(root, { recursive: true, force: true });
  }

  function readContainerdPid() {
    try { return Number(fs.readFileSync(path.join(root, 'docker', 'exec', 'containerd', 'containerd.pid'), 'utf8')) || undefined; } catch { return undefined; }
  }

  try {
    const host = (n) => `127.0.0.1:${portBase + n}`;

    // Token issuer first: the token registry's config names its certificate and realm.
    const tokenDir = path.join(root, 'token-issuer');
    const { keyPath, certPath } = makeSigningKey(tokenDir);
    issuer = await startTokenIssuer({ port: portBase + 5, keyPath, certPath, logPath: path.join(tokenDir, 'issuer.log') })
      .catch((err) => { throw new Error(`token issuer could not listen on ${host(5)}: ${err.message}`); });

    const basicDir = path.join(root, 'basic');
    fs.mkdirSync(basicDir, { recursive: true });
    const htpasswd = execFileSync('htpasswd', ['-Bbn', BASIC_USER.username, BASIC_USER.password], { encoding: 'utf8' });
    fs.writeFileSync(path.join(basicDir, 'htpasswd'), htpasswd);

    const registries = [
      { name: 'open', n: 1, deletes: true },
      { name: 'openNoDelete', n: 2, deletes: false },
      { name: 'basic', n: 3, deletes: true, auth: { htpasswd: { realm: 'regx-test', path: path.join(basicDir, 'htpasswd') } } },
      { name: 'token', n: 4, deletes: true, auth: { token: { realm: `${issuer.url}/token`, service: TOKEN_SERVICE, issuer: TOKEN_ISSUER, rootcertbundle: certPath } } },
    ];
    const entries = registries.map((r) => {
      const dir = path.join(root, r.name);
      fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
      const config = path.join(dir, 'config.yml');
      fs.writeFileSync(config, registryConfig({ port: portBase + r.n, dir, deletes: r.deletes, auth: r.auth }));
      return { r, entry: launch(`registry "${r.name}" (${host(r.n)})`, 'docker-registry', ['serve', config], path.join(dir, 'registry.log')) };
    });

    let dockerHost;
    let dockerWait;
    if (docker) {
      const dockerDir = path.join(root, 'docker');
      fs.mkdirSync(dockerDir, { recursive: true });
      const socket = path.join(dockerDir, 'docker.sock');
      dockerHost = `unix://${socket}`;
      const entry = launch('dockerd', 'dockerd', [
        '--data-root', path.join(dockerDir, 'data'), '--exec-root', path.join(dockerDir, 'exec'),
        '--pidfile', path.join(dockerDir, 'docker.pid'), '-H', dockerHost,
        '--iptables=false', '--ip6tables=false', '--bridge=none', `--storage-driver=${dockerStorageDriver}`,
        // If a system containerd is running, dockerd shares it instead of starting its own; distinct
        // namespaces keep several test engines from seeing each other's images there.
        '--containerd-namespace', `regx-${portBase}`, '--containerd-plugins-namespace', `regx-${portBase}-plugins`,
      ], path.join(dockerDir, 'dockerd.log'));
      dockerWait = waitFor(entry, { socketPath: socket, path: '/_ping' }, DOCKER_READY_TIMEOUT_MS, `GET /_ping on ${socket}`);
    }

    await Promise.all([
      ...entries.map(({ r, entry }) => waitFor(entry, { host: '127.0.0.1', port: portBase + r.n, path: '/v2/' }, READY_TIMEOUT_MS, `GET http://${host(r.n)}/v2/`)),
      dockerWait,
    ]);

    /** @type {import('../support/services').TestServices} */
    const services = {
      open: { host: host(1) },
      openNoDelete: { host: host(2) },
      basic: { host: host(3), user: { ...BASIC_USER } },
      token: { host: host(4), user: { ...TOKEN_PUSHER }, reader: { ...TOKEN_READER }, issuer: issuer.url },
      root,
    };
    if (dockerHost) services.dockerHost = dockerHost;
    return { services, stop };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}

function parseArgs(argv) {
  const options = { portBase: Number(process.env.REGX_TEST_PORT_BASE ?? DEFAULT_PORT_BASE), docker: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port-base') options.portBase = Number(argv[++i]);
    else if (a.startsWith('--port-base=')) options.portBase = Number(a.slice('--port-base='.length));
    else if (a === '--root') options.root = argv[++i];
    else if (a.startsWith('--root=')) options.root = a.slice('--root='.length);
    else if (a === '--docker') options.docker = true;
    else if (a === '--help' || a === '-h') {
      process.stderr.write('usage: node test/services/start.mjs [--port-base N] [--root DIR] [--docker]\n');
      process.exit(0);
    } else {
      process.stderr.write(`unknown argument: ${a}\n`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(options.portBase) || options.portBase < 1024 || options.portBase > 65000) {
    process.stderr.write('--port-base must be an integer between 1024 and 65000\n');
    process.exit(2);
  }
  return options;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const options = parseArgs(process.argv.slice(2));
  let running;
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    // During start-up there is nothing to stop yet: the code below stops it once startServices returns.
    if (!running) return;
    await running.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  try {
    running = await startServices(options);
  } catch (err) {
    process.stderr.write(`services failed to start: ${err.message}\n`);
    process.exit(1);
  }
  if (stopping) {
    await running.stop();
    process.exit(0);
  }
  process.stdout.write(`REGX_TEST_SERVICES=${JSON.stringify(running.services)}\n`);
  process.stderr.write(`services up under ${running.services.root}; Ctrl-C stops them\n`);
}
