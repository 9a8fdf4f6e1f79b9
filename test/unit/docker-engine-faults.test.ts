// DockerEngine's handling of what a real engine rarely does on cue: dying in the middle of a pull,
// old or new API versions, errors inside a 200 stream. A small HTTP server on a unix socket plays
// the engine (answers shaped like dockerd 20.10's, see fixtures/docker-streams); the real engine
// is covered in test/integration/docker-engine.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { DockerEngine, splitEngineRef } from '../../src/docker/engine';
import { EngineError, InvalidInputError } from '../../src/errors/errors';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function fakeEngine(apiVersion: string, handler: Handler, minVersion = '1.12'): Promise<{ engine: DockerEngine; seen: http.IncomingMessage[]; close: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-fake-engine-'));
  const socketPath = path.join(dir, 'docker.sock');
  const seen: http.IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req);
    if (req.url === '/version') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ Version: 'fake', ApiVersion: apiVersion, MinAPIVersion: minVersion, Os: 'linux', Arch: 'amd64' }));
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const engine = new DockerEngine({
    host: { kind: 'unix', socketPath, source: 'setting', hostText: `unix://${socketPath}` },
    credentials: {
      get: async (registry) => (registry === 'reg.example:5000' ? { username: 'u', password: 'p' } : undefined),
      store: async () => undefined,
      erase: async () => undefined,
      list: async () => [],
    },
  });
  return {
    engine,
    seen,
    close: async () => {
      await engine.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

test('the engine dying in the middle of a pull is a stream error that says so', async () => {
  const fake = await fakeEngine('1.41', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"status":"Pulling from demo/x","id":"1"}\r\n{"status":"Pulling fs layer","progressDetail":{},"id":"abc"}\r\n');
    res.write('{"status":"Downloading","progressDetail":{"current":100,"total":1000},"id":"abc"}\r\n');
    // dockerd killed: the connection drops with the chunked body unfinished.
    setTimeout(() => res.socket?.destroy(), 50);
  });
  try {
    let progressSeen = 0;
    await assert.rejects(fake.engine.pullImage('reg.example:5000/demo/x:1', { onProgress: () => progressSeen++ }), (err: unknown) => {
      assert.ok(err instanceof EngineError, String(err));
      assert.equal(err.reason, 'stream');
      assert.match(err.detailText, /closed in the middle of the pull — the engine may have restarted/);
      return true;
    });
    assert.equal(progressSeen, 3);
  } finally {
    await fake.close();
  }
});

test('a pull stream that ends cleanly but never says it finished is not a success', async () => {
  const fake = await fakeEngine('1.41', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"Pulling from demo/x","id":"1"}\r\n');
  });
  try {
    await assert.rejects(fake.engine.pullImage('demo/x'), (err: unknown) => err instanceof EngineError && err.reason === 'stream');
  } finally {
    await fake.close();
  }
});

test('API version: the older of ours and the engine\'s; X-Registry-Auth from the store for the image\'s registry', async () => {
  const fake = await fakeEngine('1.52', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"Digest: sha256:' + 'a'.repeat(64) + '"}\r\n{"status":"Status: Downloaded newer image for reg.example:5000/demo/x:1"}\r\n');
  }, '1.44');
  try {
    const result = await fake.engine.pullImage('reg.example:5000/demo/x:1', { platform: 'linux/arm64' });
    assert.equal(result.digest, `sha256:${'a'.repeat(64)}`);
    const req = fake.seen.find((r) => r.url?.includes('/images/create'));
    assert.ok(req);
    const url = new URL(req.url ?? '', 'http://x');
    assert.equal(url.pathname, '/v1.47/images/create');
    assert.equal(url.searchParams.get('fromImage'), 'reg.example:5000/demo/x');
    assert.equal(url.searchParams.get('tag'), '1');
    assert.equal(url.searchParams.get('platform'), 'linux/arm64');
    const auth = JSON.parse(Buffer.from(String(req.headers['x-registry-auth']), 'base64').toString('utf8'));
    assert.deepEqual(auth, { username: 'u', password: 'p', serveraddress: 'reg.example:5000' });
    assert.equal((await fake.engine.version()).negotiatedApiVersion, '1.47');
  } finally {
    await fake.close();
  }
  const old = await fakeEngine('1.40', (_req, res) => res.end('[]'));
  try {
    await old.engine.listImages();
    assert.ok(old.seen.some((r) => r.url === '/v1.40/images/json'));
  } finally {
    await old.close();
  }
});

test('an errorDetail in a 200 push stream rejects with the engine\'s words; 500 with registry words is classified', async () => {
  const fake = await fakeEngine('1.41', (req, res) => {
    if (req.url?.includes('/push')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"Preparing","progressDetail":{},"id":"abc"}\r\n{"errorDetail":{"message":"unexpected EOF"},"error":"unexpected EOF"}\r\n');
    } else {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"message":"unauthorized: authentication required"}\n');
    }
  });
  try {
    await assert.rejects(fake.engine.pushImage('demo/x:1'), (err: unknown) => err instanceof EngineError && err.reason === 'stream' && err.detailText === 'unexpected EOF');
    await assert.rejects(fake.engine.pullImage('demo/x:1'), (err: unknown) => err instanceof EngineError && err.reason === 'auth' && err.status === 500);
  } finally {
    await fake.close();
  }
});

test('malformed DOCKER_HOST and bad references fail before any connection', () => {
  assert.throws(() => DockerEngine.fromEnvironment({ env: { DOCKER_HOST: 'tcp//oops' } }), InvalidInputError);
  assert.throws(() => splitEngineRef('Demo/X'), /lowercase/);
  assert.throws(() => splitEngineRef('demo/x:bad tag'), InvalidInputError);
  assert.throws(() => splitEngineRef('demo/x@sha256:123'), /digest/);
  assert.deepEqual(splitEngineRef('alpine'), { registry: 'docker.io', name: 'alpine' });
  assert.deepEqual(splitEngineRef('localhost:5000/a/b:1@sha256:' + 'b'.repeat(64)), {
    registry: 'localhost:5000',
    name: 'localhost:5000/a/b',
    tag: '1',
    digest: 'sha256:' + 'b'.repeat(64),
  });
  assert.equal(splitEngineRef('index.docker.io/library/alpine:3').registry, 'docker.io');
});
