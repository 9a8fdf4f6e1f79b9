// A registry endpoint with a path prefix (Artifactory's /artifactory/api/docker/KEY): the session and
// the client put every /v2/ request, cursor, Link and Location below it. A loopback server answers only
// below the prefix, so a request that lost it gets a 404 and fails the test.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { MemoryCredentialStore } from '../../../src/credentials';
import { RegistryClient } from '../../../src/distribution/client';
import { createSession, login } from '../../../src/distribution/session';
import { createTransport } from '../../../src/distribution/transport';
import { DistributionError, InvalidInputError, PolicyError } from '../../../src/errors/errors';
import { rejection } from '../../support/rejection';

const PREFIX = '/artifactory/api/docker/docker-local';
const transport = createTransport({ maxAttempts: 1 });
let server: http.Server;
let host = '';
const seen: string[] = [];
let linkForm: 'dropped' | 'prefixed' | 'foreign' = 'dropped';

before(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', `http://${host}`);
      seen.push(`${req.method} ${url.pathname}${url.search}`);
      const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      };
      if (!url.pathname.startsWith(`${PREFIX}/v2/`)) return send(404, { errors: [{ status: 404, message: 'outside the prefix' }] });
      const path = url.pathname.slice(PREFIX.length);
      if (path === '/v2/token') {
        const ok = req.headers.authorization === `Basic ${Buffer.from('deployer:token-1').toString('base64')}`;
        return ok ? send(200, { token: 'registry-token' }) : send(401, { errors: [{ status: 401, message: 'Bad credentials' }] });
      }
      if (req.headers.authorization !== 'Bearer registry-token') {
        return send(401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, {
          'www-authenticate': `Bearer realm="http://${host}${PREFIX}/v2/token",service="${host}"`,
        });
      }
      if (path === '/v2/') return send(200, {});
      if (path === '/v2/app/tags/list' && !url.searchParams.has('last')) {
        const target = { dropped: '/v2/app/tags/list?last=b&n=2', prefixed: `${PREFIX}/v2/app/tags/list?last=b&n=2`, foreign: 'http://elsewhere.example/v2/app/tags/list?last=b' }[linkForm];
        return send(200, { name: 'app', tags: ['a', 'b'] }, { link: `<${target}>; rel="next"` });
      }
      if (path === '/v2/app/tags/list') return send(200, { name: 'app', tags: ['c'] });
      if (path === '/v2/_catalog' && !url.searchParams.has('last')) return send(200, { repositories: ['app'] }, { link: '</v2/_catalog?last=app&n=1>; rel="next"' });
      if (path === '/v2/_catalog') return send(200, { repositories: ['web'] });
      if (req.method === 'POST' && path === '/v2/app/blobs/uploads/') return send(202, undefined, { location: '/v2/app/blobs/uploads/u1?_state=s1' });
      if (req.method === 'PUT' && path === '/v2/app/blobs/uploads/u1') return send(201, undefined, { location: `${PREFIX}/v2/app/blobs/sha` });
      return send(404, { errors: [{ code: 'NAME_UNKNOWN', message: 'unknown' }] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await transport.close();
});

function client(): RegistryClient {
  const credentials = new MemoryCredentialStore({ [host]: { username: 'deployer', password: 'token-1' } });
  return new RegistryClient(createSession({ host, pathPrefix: PREFIX }, { credentials, transport }));
}

describe('a registry endpoint with a path prefix', () => {
  it('pings, authenticates and pages tags below the prefix, also when the Link leaves it out', async () => {
    seen.length = 0;
    linkForm = 'dropped';
    const c = client();
    const first = await c.tagsPage('app', { pageSize: 2 });
    assert.deepEqual(first, { items: ['a', 'b'], next: '/v2/app/tags/list?last=b&n=2' });
    assert.deepEqual(await c.tagsPage('app', { pageSize: 2, cursor: first.next! }), { items: ['c'] });
    assert.equal(await c.session.baseUrl(), `http://${host}${PREFIX}`);
    assert.equal(c.registry, `${host}${PREFIX}`);
    assert.ok(seen.every((line) => line.split(' ')[1]!.startsWith(`${PREFIX}/v2/`)), seen.join('\n'));
    assert.ok(seen.some((line) => line.startsWith(`GET ${PREFIX}/v2/token?`) && line.includes('scope=repository%3Aapp%3Apull')), seen.join('\n'));
  });

  it('reads a Link that keeps the prefix the same way, and refuses one to another host', async () => {
    linkForm = 'prefixed';
    assert.deepEqual(await client().tagsPage('app', { pageSize: 2 }), { items: ['a', 'b'], next: '/v2/app/tags/list?last=b&n=2' });
    linkForm = 'foreign';
    const err = await rejection(client().tagsPage('app', { pageSize: 2 }));
    assert.ok(err instanceof PolicyError && err.rule === 'cross-host-link');
  });

  it('pages the catalog below the prefix', async () => {
    const c = client();
    const first = await c.catalogPage({ pageSize: 1 });
    assert.deepEqual(first, { items: ['app'], next: '/v2/_catalog?last=app&n=1' });
    assert.deepEqual(await c.catalogPage({ pageSize: 1, cursor: first.next! }), { items: ['web'] });
  });

  it('uploads to a Location that left the prefix out, below the prefix', async () => {
    seen.length = 0;
    const bytes = Buffer.from('layer');
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const outcome = await client().uploadBlob('app', { mediaType: 'application/octet-stream', digest, size: bytes.length }, async function* () {
      yield bytes;
    });
    assert.equal(outcome, 'uploaded');
    assert.ok(seen.includes(`PUT ${PREFIX}/v2/app/blobs/uploads/u1?_state=s1&digest=${encodeURIComponent(digest)}`), seen.join('\n'));
  });

  it('login checks the credential against the realm the prefixed /v2/ names', async () => {
    seen.length = 0;
    await login({ host, pathPrefix: PREFIX }, { username: 'deployer', password: 'token-1' }, { transport });
    assert.deepEqual(seen, [`GET ${PREFIX}/v2/`, `GET ${PREFIX}/v2/token?service=${encodeURIComponent(host)}&account=deployer`]);
    const err = await rejection(login({ host, pathPrefix: PREFIX }, { username: 'deployer', password: 'wrong' }, { transport }));
    assert.ok(err instanceof DistributionError && err.status === 401 && err.operation === 'login');
  });

  it('refuses a prefix that is not a plain path', () => {
    for (const prefix of ['artifactory', '/a/', '/a b', '/a?x=1', '/../x/..%2f']) {
      assert.throws(() => createSession({ host, pathPrefix: prefix }, { transport }), (e: unknown) => e instanceof InvalidInputError && e.what === 'setting');
    }
  });
});
