// "The engine restarted mid-pull" against a REAL dockerd that this file starts and kills itself:
// its own root in a temp dir (data-root, exec-root, pidfile, socket), separate from the shared
// engine in REGX_TEST_SERVICES.dockerHost that other test files use. The image comes from the real
// open registry of REGX_TEST_SERVICES: ~160 MB of random data, imported through the private
// engine and pushed there, so the pull takes long enough to interrupt.
//
// 1. DockerEngine.pullImage with onProgress; once bytes flow, SIGKILL dockerd → EngineError
//    ('stream' or 'unreachable') whose describeError names the socket and says it stopped or
//    restarted mid-pull; no unhandled rejection, no hang. dockerd is started again on the same
//    socket, and a new pull through the same DockerEngine succeeds with the registry's digest.
// 2. The built CLI (`node dist/cli.js pull REF`, DOCKER_HOST = the private engine), killed the same
//    way mid-pull → exit 1 and one `regx: …` line on stderr.
//
// dockerd and the containerd it starts are killed in `after` whatever happened, and the file
// fails if any process under its root is still alive afterwards.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { DockerEngine } from '../../src/docker/engine';
import type { ProgressSnapshot } from '../../src/docker/progress';
import { tarOf } from '../support/engineImages';
import { RegistryClient } from '../../src/distribution/client';
import { createSession } from '../../src/distribution/session';
import { createTransport } from '../../src/distribution/transport';
import { describeError } from '../../src/errors/describe';
import { EngineError } from '../../src/errors/errors';
import type { TestServices } from '../support/services';

// ---- when to run ------------------------------------------------------------------------------

function findDockerd(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v dockerd'], { encoding: 'utf8', env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } });
  const found = which.status === 0 ? which.stdout.trim() : '';
  if (found) return found;
  return ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find((p) => fs.existsSync(p));
}

const DOCKERD = findDockerd();
const services: TestServices | undefined = process.env.REGX_TEST_SERVICES ? (JSON.parse(process.env.REGX_TEST_SERVICES) as TestServices) : undefined;
const skip: string | false = !services
  ? 'REGX_TEST_SERVICES is not set: run through `npm test` (test/run.mjs) or export the line test/services/start.mjs prints'
  : !DOCKERD
    ? 'dockerd is not installed (Debian package docker.io): the restart test starts its own engine'
    : process.getuid?.() !== 0
      ? 'dockerd needs root: run the tests as root to start a private engine'
      : false;

const RUN = `regx-restart/${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const BIG = services ? `${services.open.host}/${RUN}/big:1` : '';
const BIG_SIZE = 160_000_000;
/** Kill once this many bytes have been reported downloaded: clearly mid-pull, well before the end. */
const KILL_AFTER_BYTES = 2_000_000;
const READY_TIMEOUT_MS = 40_000;
/** Upper bound for anything that should end promptly after the kill (a hang fails, it does not stall the suite). */
const SETTLE_TIMEOUT_MS = 30_000;

// ---- the private dockerd ----------------------------------------------------------------------

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function ping(socketPath: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(undefined);
    });
    req.on('error', () => resolve(undefined));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Alive and not a zombie waiting to be reaped. */
function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Pids of every process whose command line mentions `needle` (what `ps -eo pid,args | grep` shows). */
function processesMentioning(needle: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(needle)) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

class PrivateDockerd {
  readonly root: string;
  readonly socket: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly logFile: string;
  private child?: ChildProcess;
  private exited?: Promise<void>;
  /** Every pid we started or saw, for the last-resort kill on process exit. */
  readonly pids = new Set<number>();

  constructor() {
    // Short path: the socket path must fit in sun_path (108 bytes), containerd's sockets live under exec-root.
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-restart-'));
    this.socket = path.join(this.root, 'docker.sock');
    this.dataRoot = path.join(this.root, 'data');
    this.execRoot = path.join(this.root, 'exec');
    this.logFile = path.join(this.root, 'dockerd.log');
  }

  get host(): string {
    return `unix://${this.socket}`;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    assert.ok(!this.running, 'dockerd is already running');
    const ns = `regx-restart-${path.basename(this.root)}`;
    const fd = fs.openSync(this.logFile, 'a');
    const child = spawn(
      DOCKERD as string,
      [
        '--data-root', this.dataRoot, '--exec-root', this.execRoot, '--pidfile', path.join(this.root, 'docker.pid'),
        '-H', this.host, '--iptables=false', '--ip6tables=false', '--bridge=none', '--storage-driver=vfs',
        '--containerd-namespace', ns, '--containerd-plugins-namespace', `${ns}-plugins`,
      ],
      { stdio: ['ignore', fd, fd], env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` } },
    );
    fs.closeSync(fd);
    this.child = child;
    if (child.pid) this.pids.add(child.pid);
    let exitText: string | undefined;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        exitText = signal ?? `code ${code}`;
        resolve();
      });
      child.once('error', (err) => {
        exitText = `spawn error: ${err.message}`;
        resolve();
      });
    });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (exitText) throw new Error(`the private dockerd exited (${exitText}) before answering; its log ends:\n${this.logTail()}`);
      if ((await ping(this.socket)) === 200) {
        const containerd = this.containerdPid();
        if (containerd) this.pids.add(containerd);
        return;
      }
      await sleep(100);
    }
    throw new Error(`the private dockerd did not answer GET /_ping on ${this.socket} within ${READY_TIMEOUT_MS / 1000} s; its log ends:\n${this.logTail()}`);
  }

  /** The end of dockerd's log, for failure messages (the root, log included, is removed in `after`). */
  logTail(lines = 15): string {
    try {
      // grpc's reconnect chatter says nothing a person can act on.
      return fs.readFileSync(this.logFile, 'utf8').trimEnd().split('\n').filter((l) => !l.includes('module=grpc')).slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** SIGKILL, as a crash or an OOM kill does: no clean shutdown, the socket file stays behind. */
  async kill(): Promise<void> {
    if (!this.running) return;
    const containerd = this.containerdPid();
    this.child!.kill('SIGKILL');
    await this.exited;
    // containerd dies with dockerd (parent-death signal), but stays a zombie until init reaps it
    // (~1.5 s here). A dockerd started meanwhile finds containerd.pid naming a pid that still
    // exists, takes it for a running containerd, and gives up after ~20 s. Once it is dead, the
    // pid file is stale: remove it, so the new dockerd starts a fresh containerd at once.
    if (containerd) {
      for (let i = 0; i < 100 && running(containerd); i++) await sleep(20);
      if (running(containerd)) process.kill(containerd, 'SIGKILL');
      for (let i = 0; i < 100 && running(containerd); i++) await sleep(20);
      assert.ok(!running(containerd), `containerd ${containerd} did not die with dockerd`);
      fs.rmSync(path.join(this.execRoot, 'containerd', 'containerd.pid'), { force: true });
    }
  }

  containerdPid(): number | undefined {
    try {
      const pid = Number(fs.readFileSync(path.join(this.execRoot, 'containerd', 'containerd.pid'), 'utf8'));
      return pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stop everything this engine started, unmount what dockerd mounted, remove the root. Never throws. */
  async stop(): Promise<string[]> {
    const problems: string[] = [];
    if (this.running) {
      // SIGTERM first: a clean shutdown unmounts the data-root bind mount and stops containerd.
      this.child!.kill('SIGTERM');
      const timer = setTimeout(() => this.child?.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    const containerd = this.containerdPid();
    if (containerd) this.pids.add(containerd);
    for (const pid of [...this.pids, ...processesMentioning(this.root)]) {
      if (!alive(pid)) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    // Let the kernel reap them before checking.
    for (let i = 0; i < 50 && processesMentioning(this.root).length; i++) await sleep(100);
    const left = processesMentioning(this.root);
    if (left.length) problems.push(`processes still running under ${this.root}: ${left.join(', ')}`);
    problems.push(...this.unmount());
    if (!problems.length) {
      try {
        fs.rmSync(this.root, { recursive: true, force: true });
      } catch (err) {
        problems.push(`removing ${this.root}: ${(err as Error).message}`);
      }
    }
    return problems;
  }

  /**
   * Last resort when the test process ends without `after` (process 'exit', SIGINT, SIGTERM):
   * synchronous, so it runs even there. Kills dockerd and containerd, unmounts, removes the root.
   */
  cleanupSync(): void {
    const containerd = this.containerdPid();
    if (containerd) this.pids.add(containerd);
    for (const pid of this.pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    this.unmount();
    try {
      fs.rmSync(this.root, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }

  /** dockerd bind-mounts its data-root onto itself; a dockerd killed hard leaves that mount behind. */
  unmount(): string[] {
    const problems: string[] = [];
    const mounts = fs
      .readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1] ?? '')
      .filter((m) => m === this.root || m.startsWith(`${this.root}/`))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) {
      const r = spawnSync('umount', ['-l', m], { encoding: 'utf8' });
      if (r.status !== 0) problems.push(`umount ${m}: ${r.stderr.trim()}`);
    }
    return problems;
  }
}

// ---- helpers ----------------------------------------------------------------------------------



/** Rejects with a clear message instead of hanging when `p` does not settle in time. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms / 1000} s (hang)`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The registry's own answer for the tag: HEAD through our Distribution client. */
async function registryDigest(ref: string): Promise<string | undefined> {
  const slash = ref.indexOf('/');
  const colon = ref.lastIndexOf(':');
  const transport = createTransport();
  try {
    const session = createSession({ host: ref.slice(0, slash), allowHttp: true }, { transport });
    return (await new RegistryClient(session).headManifest(ref.slice(slash + 1, colon), ref.slice(colon + 1)))?.digest;
  } finally {
    await transport.close();
  }
}

/** What a person is told: names the socket, says the engine stopped/restarted during the pull. */
function assertRestartWords(words: string, socketPath: string): void {
  assert.ok(words.includes(socketPath), `names the socket ${socketPath}: ${words}`);
  assert.match(words, /\b(stopped|restarted|restart)\b/i, words);
  assert.match(words, /\bpull\b/i, words);
}

const CLI_CANDIDATES = [path.resolve(__dirname, '../../..'), process.cwd()].map((d) => path.join(d, 'dist', 'cli.js'));

// ---- set-up and tear-down ---------------------------------------------------------------------

let dockerd: PrivateDockerd | undefined;
let engine: DockerEngine | undefined;
let pushedDigest = '';
let setup = '';
// If this process ends without reaching `after`, the engine must not outlive it.
const onExit = (): void => dockerd?.cleanupSync();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const onSignal = (signal: NodeJS.Signals): void => {
  dockerd?.cleanupSync();
  dockerd = undefined;
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  // Die of the same signal, as without this handler.
  process.kill(process.pid, signal);
};

before(async () => {
  if (skip) return;
  process.on('exit', onExit);
  for (const s of SIGNALS) process.on(s, onSignal);
  const started = Date.now();
  dockerd = new PrivateDockerd();
  await dockerd.start();
  engine = new DockerEngine({ host: { kind: 'unix', socketPath: dockerd.socket, source: 'DOCKER_HOST', hostText: dockerd.host } });
  await engine.importImage(tarOf([{ name: 'random.bin', randomSize: BIG_SIZE }]), BIG);
  pushedDigest = (await engine.pushImage(BIG)).digest;
  assert.match(pushedDigest, /^sha256:[0-9a-f]{64}$/);
  assert.equal(await registryDigest(BIG), pushedDigest, 'the registry holds what the engine pushed');
  await engine.removeImage(BIG, { force: true });
  assert.deepEqual(await engine.listImages({ reference: BIG }), [], 'nothing local left: the pull must download');
  setup = `set-up (start dockerd, import and push ${BIG_SIZE / 1e6} MB) took ${((Date.now() - started) / 1000).toFixed(1)} s`;
});

after(async () => {
  if (!dockerd) return;
  await engine?.close().catch(() => undefined);
  const problems = await dockerd.stop();
  dockerd = undefined;
  process.removeListener('exit', onExit);
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  assert.deepEqual(problems, [], 'the private dockerd and containerd are gone, nothing left mounted');
});

// ---- tests ------------------------------------------------------------------------------------

test('dockerd killed mid-pull: EngineError naming the socket, no hang; after a restart the same pull succeeds', { skip, timeout: 120_000 }, async (t) => {
  const d = dockerd!;
  const e = engine!;
  t.diagnostic(setup);
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  try {
    let killedAt: ProgressSnapshot | undefined;
    let killing: Promise<void> | undefined;
    const pulling = e.pullImage(BIG, {
      onProgress: (p) => {
        if (!killedAt && p.bytesDone > KILL_AFTER_BYTES) {
          killedAt = p;
          killing = d.kill();
        }
      },
    });
    const err = await within(
      pulling.then(
        (r) => assert.fail(`the pull finished (${r.status}) although dockerd was killed at ${killedAt ? `${killedAt.bytesDone}/${killedAt.bytesTotal} bytes` : 'no point: bytes never flowed'}`),
        (x: unknown) => x,
      ),
      SETTLE_TIMEOUT_MS,
      'the interrupted pull',
    );
    await within(killing ?? Promise.resolve(), SETTLE_TIMEOUT_MS, 'dockerd exiting after SIGKILL');
    assert.ok(killedAt, 'dockerd was killed while bytes were flowing');
    assert.ok(killedAt.bytesDone < killedAt.bytesTotal, `killed midway: ${killedAt.bytesDone}/${killedAt.bytesTotal}`);
    assert.ok(!d.running, 'dockerd is dead');
    t.diagnostic(`killed at ${killedAt.bytesDone}/${killedAt.bytesTotal} bytes, ${killedAt.percent}%`);

    assert.ok(err instanceof EngineError, `expected EngineError, got ${String(err)}`);
    assert.ok(err.reason === 'stream' || err.reason === 'unreachable', `reason ${err.reason}: ${err.detailText}`);
    assert.equal(err.endpoint, d.socket);
    const words = describeError(err);
    assertRestartWords(words, d.socket);
    assert.doesNotMatch(words, /reported an error/, `the engine reported nothing, it went away: ${words}`);
    t.diagnostic(words);

    // While the engine is down, the next call says so promptly (connection refused on the stale socket).
    await within(
      assert.rejects(e.ping(), (x: unknown) => x instanceof EngineError && x.reason === 'unreachable' && describeError(x).includes(d.socket)),
      SETTLE_TIMEOUT_MS,
      'ping of the dead engine',
    );

    // Same socket, same data-root: the same DockerEngine (and its connection pool) carries on.
    await d.start();
    const result = await within(e.pullImage(BIG), 90_000, 'the pull after the restart');
    assert.match(result.status, /^Downloaded newer image/);
    const registry = await registryDigest(BIG);
    assert.equal(result.digest, registry, 'the pulled digest is the one the registry serves');
    assert.equal(result.digest, pushedDigest);
    const details = await e.inspectImage(BIG);
    assert.ok(details.repoDigests.includes(`${BIG.slice(0, BIG.lastIndexOf(':'))}@${registry}`), details.repoDigests.join(', '));

    await sleep(50);
    assert.deepEqual(unhandled.map(String), [], 'no unhandled rejection');
    t.diagnostic(`after the restart: ${result.status}, ${result.digest}`);
  } finally {
    process.removeListener('unhandledRejection', onUnhandled);
  }
});

test('regx pull (built CLI) with DOCKER_HOST at the engine, killed mid-pull: exit 1 and one clear stderr line', { skip, timeout: 120_000 }, async (t) => {
  const cli = CLI_CANDIDATES.find((p) => fs.existsSync(p));
  assert.ok(cli, `dist/cli.js is not built (looked at ${CLI_CANDIDATES.join(', ')}): run node scripts/build.mjs`);
  const d = dockerd!;
  const e = engine!;
  if (!d.running) await d.start();
  await e.removeImage(BIG, { force: true }).catch(() => undefined);
  assert.deepEqual(await e.listImages({ reference: BIG }), []);

  const config = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-restart-cfg-'));
  t.after(() => fs.rmSync(config, { recursive: true, force: true }));
  const child = spawn(process.execPath, [cli, 'pull', BIG], {
    env: { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: config, HOME: config, DOCKER_CONTEXT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  try {
    // Piped, the CLI prints no progress; the engine's download file is the witness that bytes flow.
    // dockerd points TMPDIR at <data-root>/tmp and downloads each layer to a GetImageBlob* file there.
    const tmp = path.join(d.dataRoot, 'tmp');
    const downloaded = (): number => {
      let n = 0;
      for (const f of fs.existsSync(tmp) ? fs.readdirSync(tmp) : []) {
        if (!f.startsWith('GetImageBlob')) continue;
        try {
          n += fs.statSync(path.join(tmp, f)).size;
        } catch {
          // renamed or removed meanwhile
        }
      }
      return n;
    };
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    let seen = 0;
    while (Date.now() < deadline && child.exitCode === null && (seen = downloaded()) <= KILL_AFTER_BYTES) await sleep(10);
    assert.equal(child.exitCode, null, `the CLI ended before the kill: code ${child.exitCode}\n${stdout}${stderr}`);
    assert.ok(seen > KILL_AFTER_BYTES, `bytes never flowed (${seen} downloaded)`);
    await d.kill();

    const code = await within(closed, SETTLE_TIMEOUT_MS, 'regx pull after the engine was killed');
    assert.equal(code, 1, `exit code; stderr:\n${stderr}`);
    assert.equal(stdout, '', 'nothing on stdout');
    const lines = stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one stderr line, got:\n${stderr}`);
    assert.match(lines[0], /^regx: \S/);
    assertRestartWords(lines[0], d.socket);
    t.diagnostic(lines[0]);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
