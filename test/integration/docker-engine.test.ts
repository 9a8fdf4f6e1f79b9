// DockerEngine against a real dockerd (Debian docker.io 20.10, vfs, its own socket and data root,
// started by test/services/start.mjs --docker) and the real open, Basic and token registries.
// Images are made here: a root filesystem tar generated in-process is imported through the API.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DockerEngine } from '../../src/docker/engine';
import type { EngineHost } from '../../src/docker/host';
import type { ProgressSnapshot } from '../../src/docker/progress';
import type { Credential, CredentialStore } from '../../src/credentials/types';
import { describeError } from '../../src/errors/describe';
import { CancelledError, EngineError } from '../../src/errors/errors';
import { tarOf } from '../support/engineImages';
import { testServices } from '../support/services';

const execFileP = promisify(execFile);
const services = testServices();
const skip = services.dockerHost ? false : 'REGX_TEST_SERVICES has no dockerHost: start the services with --docker (test/run.mjs does) to run the engine tests';

/** A CredentialStore in a Map, so these tests do not depend on any other store implementation. */
class MapStore implements CredentialStore {
  constructor(private readonly map: Record<string, Credential>) {}
  async get(registry: string): Promise<Credential | undefined> {
    return this.map[registry];
  }
  async store(registry: string, credential: Credential): Promise<void> {
    this.map[registry] = credential;
  }
  async erase(registry: string): Promise<void> {
    delete this.map[registry];
  }
  async list(): Promise<string[]> {
    return Object.keys(this.map);
  }
}

const OPEN = services.open.host;
const BASIC = services.basic.host;
const TOKEN = services.token.host;
const RUN = `regx-it/${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const SMALL = `${OPEN}/${RUN}/small:1.0`;

function socketHost(socketPath: string): EngineHost {
  return { kind: 'unix', socketPath, source: 'DOCKER_HOST', hostText: `unix://${socketPath}` };
}

let engine: DockerEngine;
const cleanup: string[] = [];

before(async () => {
  if (skip) return;
  const creds = new MapStore({
    [BASIC]: { username: services.basic.user!.username, password: services.basic.user!.password },
    [TOKEN]: { username: services.token.user!.username, password: services.token.user!.password },
  });
  engine = DockerEngine.fromEnvironment({ env: { DOCKER_HOST: services.dockerHost }, credentials: creds });
});

after(async () => {
  if (skip) return;
  for (const ref of cleanup) await engine.removeImage(ref, { force: true }).catch(() => undefined);
  await engine.close();
});



async function skopeoDigest(ref: string, creds?: { username: string; password: string }): Promise<string> {
  const args = ['inspect', '--tls-verify=false', ...(creds ? ['--creds', `${creds.username}:${creds.password}`] : []), `docker://${ref}`];
  const { stdout } = await execFileP('skopeo', args, { timeout: 60_000 });
  return (JSON.parse(stdout) as { Digest: string }).Digest;
}

/** Our Distribution client's view of the same tag, when it is built (it is written in parallel). */
async function distributionDigest(registry: string, repository: string, tag: string, credential?: Credential): Promise<string | undefined> {
  let mods: { client: typeof import('../../src/distribution/client'); session: typeof import('../../src/distribution/session') };
  try {
    mods = { client: require('../../src/distribution/client'), session: require('../../src/distribution/session') };
  } catch (err) {
    if ((err as { code?: string }).code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
  const store = new MapStore(credential ? { [registry]: credential } : {});
  const session = mods.session.createSession({ host: registry, allowHttp: true }, { credentials: store });
  const head = await new mods.client.RegistryClient(session).headManifest(repository, tag);
  return head?.digest;
}

function assertEngineError(reason: EngineError['reason']): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof EngineError, `expected EngineError ${reason}, got ${String(err)}`);
    assert.equal(err.reason, reason, err.detailText);
    return true;
  };
}

// ---- tests, in order: they share the images made by the first ones ------------------------------

test('ping, version negotiation and info', { skip }, async () => {
  const ping = await engine.ping();
  assert.match(ping.apiVersion ?? '', /^1\.\d+$/);
  const v = await engine.version();
  assert.match(v.version, /\d+\.\d+/);
  assert.equal(v.negotiatedApiVersion, v.apiVersion <= '1.47' ? v.apiVersion : '1.47');
  const info = await engine.info();
  assert.equal(info.storageDriver, 'vfs');
  assert.ok(info.images >= 0);
});

test('import an image from a tar stream; it is listed and inspectable', { skip }, async () => {
  const id = await engine.importImage(
    tarOf([
      { name: 'hello.txt', content: Buffer.from('hello from regx\n') },
      { name: 'data.bin', randomSize: 1_500_000 },
    ]),
    SMALL,
  );
  cleanup.push(SMALL);
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  const listed = await engine.listImages({ reference: `${OPEN}/${RUN}/small` });
  assert.equal(listed.length, 1);
  assert.equal(listed[0].id, id);
  assert.deepEqual(listed[0].repoTags, [SMALL]);
  assert.ok(listed[0].size >= 1_500_000);
  assert.ok(Date.parse(listed[0].created) > 0);
  const details = await engine.inspectImage(SMALL);
  assert.equal(details.id, id);
  assert.equal(details.layers.length, 1);
  assert.equal(details.os, 'linux');
});

const pushed: Record<string, string> = {};

test('tag and push to the open, Basic and token registries; digests agree with skopeo and our Distribution client', { skip }, async (t) => {
  const targets = [
    { ref: SMALL, registry: OPEN, creds: undefined },
    { ref: `${BASIC}/${RUN}/small:1.0`, registry: BASIC, creds: services.basic.user },
    { ref: `${TOKEN}/${RUN}/small:1.0`, registry: TOKEN, creds: services.token.user },
  ];
  for (const target of targets) {
    if (target.ref !== SMALL) {
      await engine.tagImage(SMALL, target.ref);
      cleanup.push(target.ref);
    }
    const snapshots: ProgressSnapshot[] = [];
    const result = await engine.pushImage(target.ref, { onProgress: (p) => snapshots.push(p) });
    assert.match(result.digest, /^sha256:[0-9a-f]{64}$/, target.ref);
    assert.equal(result.reference, target.ref);
    assert.equal(snapshots.at(-1)?.percent, 100);
    assert.equal(snapshots.at(-1)?.layersDone, 1);
    pushed[target.ref] = result.digest;

    assert.equal(await skopeoDigest(target.ref, target.creds), result.digest, `skopeo sees ${target.ref}`);
    const ours = await distributionDigest(target.registry, `${RUN}/small`, '1.0', target.creds);
    if (ours === undefined) t.diagnostic('src/distribution is not built yet: cross-checked with skopeo only');
    else assert.equal(ours, result.digest, `RegistryClient.headManifest sees ${target.ref}`);
  }
});

test('remove locally, pull back from each registry: same digest, repo digest recorded', { skip }, async () => {
  const refs = Object.keys(pushed);
  assert.equal(refs.length, 3, 'the push test ran');
  for (const ref of refs) {
    const removed = await engine.removeImage(ref, { force: true });
    assert.ok(removed.some((r) => r.untagged?.startsWith(ref.split(':').slice(0, -1).join(':'))), JSON.stringify(removed));
  }
  assert.equal((await engine.listImages()).filter((i) => i.repoTags.some((t) => t.includes(RUN))).length, 0);
  for (const ref of refs) {
    const result = await engine.pullImage(ref);
    assert.equal(result.digest, pushed[ref], ref);
    assert.match(result.status, /^Downloaded newer image|^Image is up to date/);
    const details = await engine.inspectImage(ref);
    const name = ref.slice(0, ref.lastIndexOf(':'));
    assert.ok(details.repoDigests.includes(`${name}@${pushed[ref]}`), details.repoDigests.join(','));
  }
  // A second pull is a no-op the engine reports as such.
  assert.match((await engine.pullImage(SMALL)).status, /^Image is up to date/);
});

test('removeImage without force refuses an image several tags share (409 conflict); noPrune keeps parents', { skip }, async () => {
  const extra = `${OPEN}/${RUN}/small:extra`;
  await engine.tagImage(SMALL, extra);
  await engine.tagImage(SMALL, `${OPEN}/${RUN}/small:extra2`);
  const id = (await engine.inspectImage(SMALL)).id;
  await assert.rejects(engine.removeImage(id), assertEngineError('conflict'));
  // By name, only the tag goes.
  const r = await engine.removeImage(extra, { noPrune: true });
  assert.deepEqual(r, [{ untagged: extra }]);
  await engine.removeImage(`${OPEN}/${RUN}/small:extra2`);
});

test('wrong credentials: push and pull fail with EngineError auth', { skip }, async () => {
  const wrong = DockerEngine.fromEnvironment({
    env: { DOCKER_HOST: services.dockerHost },
    credentials: new MapStore({
      [BASIC]: { username: services.basic.user!.username, password: 'not-the-password' },
      [TOKEN]: { ...services.token.reader! }, // may pull, may not push
    }),
  });
  try {
    await assert.rejects(wrong.pushImage(`${BASIC}/${RUN}/small:1.0`), assertEngineError('auth'));
    await assert.rejects(wrong.pullImage(`${BASIC}/${RUN}/small:1.0`), assertEngineError('auth'));
    await assert.rejects(wrong.pushImage(`${TOKEN}/${RUN}/small:1.0`), assertEngineError('auth'));
    // No credentials at all for a Basic registry.
    const anonymous = DockerEngine.fromEnvironment({ env: { DOCKER_HOST: services.dockerHost } });
    await assert.rejects(anonymous.pushImage(`${BASIC}/${RUN}/small:1.0`), assertEngineError('auth'));
    await anonymous.close();
  } finally {
    await wrong.close();
  }
});

test('missing image or tag: not-found from pull, push, inspect, tag and remove', { skip }, async () => {
  await assert.rejects(engine.pullImage(`${OPEN}/${RUN}/nothere:1`), assertEngineError('not-found'));
  await assert.rejects(engine.pullImage(`${OPEN}/${RUN}/small:no-such-tag`), assertEngineError('not-found'));
  await assert.rejects(engine.pushImage(`${OPEN}/${RUN}/never-made:1`), assertEngineError('not-found'));
  await assert.rejects(engine.inspectImage(`${OPEN}/${RUN}/never-made:1`), assertEngineError('not-found'));
  await assert.rejects(engine.tagImage(`${OPEN}/${RUN}/never-made:1`, `${OPEN}/${RUN}/x:1`), assertEngineError('not-found'));
  await assert.rejects(engine.removeImage(`${OPEN}/${RUN}/never-made:1`), assertEngineError('not-found'));
});

test('search goes through the engine (a v1 search endpoint served by this test; Distribution has none)', { skip }, async () => {
  const http = await import('node:http');
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    if (req.url?.startsWith('/v1/search')) {
      res.end(JSON.stringify({ num_results: 1, query: 'thing', results: [{ name: 'demo/thing', description: 'a thing', star_count: 3, is_official: true, is_automated: false }] }));
    } else {
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const results = await engine.searchImages(`127.0.0.1:${port}/thing`, { limit: 5 });
    assert.deepEqual(results, [{ name: 'demo/thing', description: 'a thing', starCount: 3, official: true, automated: false }]);
    assert.ok(seen.some((u) => u === '/v1/search?q=thing&n=5'), seen.join(','));
    // Distribution has no v1 search: the engine's failure comes back as an EngineError.
    await assert.rejects(engine.searchImages(`${OPEN}/thing`), (err: unknown) => err instanceof EngineError);
  } finally {
    server.close();
  }
});

test('engine not running: a socket with nothing behind it, and no socket at all → unreachable naming the path', { skip }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-nosock-'));
  const stale = path.join(dir, 'docker.sock');
  // A process that listens and dies by SIGKILL leaves its socket file behind, as a crashed dockerd does.
  spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`]);
  assert.ok(fs.existsSync(stale), 'stale socket file left behind');
  for (const socketPath of [stale, path.join(dir, 'missing.sock')]) {
    const dead = new DockerEngine({ host: socketHost(socketPath) });
    try {
      await assert.rejects(dead.ping(), (err: unknown) => {
        assertEngineError('unreachable')(err);
        const e = err as EngineError;
        assert.equal(e.endpoint, socketPath);
        assert.ok(e.detailText.includes(socketPath), e.detailText);
        assert.match(e.detailText, /\(set by DOCKER_HOST\)/);
        // The sentence a person sees names the socket and what to do.
        const words = describeError(e);
        assert.ok(words.includes(socketPath), words);
        assert.match(words, /Start Docker/);
        return true;
      });
      await assert.rejects(dead.listImages(), assertEngineError('unreachable'));
    } finally {
      await dead.close();
    }
  }
});

test('permission denied on the socket (a real non-root process against the root:docker 0660 socket)', { skip }, async (t) => {
  const socketPath = services.dockerHost!.replace(/^unix:\/\//, '');
  const mode = fs.statSync(socketPath).mode & 0o777;
  if (process.getuid?.() !== 0 || mode & 0o006) {
    t.skip(`needs root to start a process as nobody, and a socket others cannot use (mode ${mode.toString(8)})`);
    return;
  }
  const engineModule = path.join(__dirname, '..', '..', 'src', 'docker', 'engine.js');
  const script = `
    const { DockerEngine } = require(${JSON.stringify(engineModule)});
    const e = new DockerEngine({ host: { kind: 'unix', socketPath: ${JSON.stringify(socketPath)}, source: 'default', hostText: 'unix://${socketPath}' } });
    e.ping().then(() => console.log(JSON.stringify({ ok: true })), (err) => console.log(JSON.stringify({ reason: err.reason, detailText: err.detailText })))
      .finally(() => e.close());`;
  const child = spawn(process.execPath, ['-e', script], { uid: 65534, gid: 65534, cwd: '/' });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((resolve) => child.on('close', resolve));
  let answer: { reason?: string; detailText?: string; ok?: boolean };
  try {
    answer = JSON.parse(out.trim());
  } catch {
    t.skip(`the unprivileged process could not run the client here: ${out.slice(0, 200)}`);
    return;
  }
  assert.equal(answer.reason, 'permission', out);
  assert.ok(answer.detailText?.includes(socketPath));
  assert.match(answer.detailText ?? '', /docker" group/);
});

test('cancel a pull midway: the stream closes, the engine stops, the image does not appear', { skip, timeout: 600_000 }, async () => {
  const big = `${OPEN}/${RUN}/big:1`;
  cleanup.push(big);
  // 200 MB of random data: incompressible, so the pull takes long enough to interrupt.
  await engine.importImage(tarOf([{ name: 'random.bin', randomSize: 200_000_000 }]), big);
  const pushResult = await engine.pushImage(big);
  assert.match(pushResult.digest, /^sha256:/);
  await engine.removeImage(big, { force: true });

  // start.mjs keeps dockerd's log under ROOT/docker/; when it is there, it is a second witness.
  const logFile = path.join(services.root, 'docker', 'dockerd.log');
  const logStart = fs.existsSync(logFile) ? fs.statSync(logFile).size : -1;

  const controller = new AbortController();
  let events = 0;
  let abortedAt: ProgressSnapshot | undefined;
  const pulling = engine.pullImage(big, {
    signal: controller.signal,
    onProgress: (p) => {
      events++;
      // Abort once real bytes are moving, well before the end.
      if (!abortedAt && p.bytesDone > 5_000_000) {
        abortedAt = p;
        controller.abort();
      }
    },
  });
  await assert.rejects(pulling, (err: unknown) => err instanceof CancelledError);
  assert.ok(abortedAt, 'the pull was aborted midway');
  assert.ok(abortedAt.bytesDone < abortedAt.bytesTotal, `aborted at ${abortedAt.bytesDone}/${abortedAt.bytesTotal}`);
  const eventsAtAbort = events;

  // The stream is closed: no further progress reaches us; and the engine, whose request context
  // ended with the connection, does not finish the pull on its own.
  await new Promise((r) => setTimeout(r, 8_000));
  assert.equal(events, eventsAtAbort, 'no progress after the abort');
  assert.deepEqual(await engine.listImages({ reference: big }), []);
  if (logStart >= 0) {
    const fd = fs.openSync(logFile, 'r');
    const fresh = Buffer.alloc(fs.fstatSync(fd).size - logStart);
    fs.readSync(fd, fresh, 0, fresh.length, logStart);
    fs.closeSync(fd);
    assert.match(fresh.toString('utf8'), /Not continuing with pull after error: context canceled/, 'dockerd logged that it stopped the pull');
  }

  // The engine is still fine, and the next pull really downloads (the first did not finish in the background).
  let downloaded = false;
  const again = await engine.pullImage(big, {
    onProgress: (_p, ev) => {
      if (ev.status === 'Downloading') downloaded = true;
    },
  });
  assert.equal(again.digest, pushResult.digest);
  assert.ok(downloaded, 'the second pull downloaded the layer again');
});
