// Proves the test fixture (test/services/start.mjs) behaves as the other integration tests rely on.
// Plain fetch only: these must not depend on our own Distribution client.
import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, it } from 'node:test';
import { testServices } from '../support/services';
import { execFileSync } from 'node:child_process';
import { getManifest, seedArtifact, seedImage, seedIndex, seedManyTags } from '../support/seeding';

const services = testServices();
const basicHeader = (u: { username: string; password: string }) =>
  `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}`;

interface TokenAnswer { token: string; access_token: string; expires_in: number; refresh_token?: string }

async function getToken(user: { username: string; password: string } | undefined, scopes: string[], extra: Record<string, string> = {}) {
  const url = new URL(`${services.token.issuer}/token`);
  url.searchParams.set('service', 'regx-test-registry');
  for (const s of scopes) url.searchParams.append('scope', s);
  for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
  const res = await fetch(url, { headers: user ? { authorization: basicHeader(user) } : {} });
  return { status: res.status, body: (await res.json()) as TokenAnswer & { errors?: unknown } };
}

function claims(jwt: string) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as {
    iss: string; aud: string; exp: number; iat: number; access: { type: string; name: string; actions: string[] }[];
  };
}

describe('test services', () => {
  it('open registry answers /v2/ with 200', async () => {
    const res = await fetch(`http://${services.open.host}/v2/`);
    assert.equal(res.status, 200);
  });

  it('basic registry answers 401 with a Basic challenge, then 200 with the credentials', async () => {
    const anonymous = await fetch(`http://${services.basic.host}/v2/`);
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic realm=/);
    const withUser = await fetch(`http://${services.basic.host}/v2/`, { headers: { authorization: basicHeader(services.basic.user!) } });
    assert.equal(withUser.status, 200);
  });

  it('token registry challenges with the issuer realm', async () => {
    const res = await fetch(`http://${services.token.host}/v2/`);
    assert.equal(res.status, 401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer /);
    assert.ok(challenge.includes(`realm="${services.token.issuer}/token"`), challenge);
    assert.ok(challenge.includes('service="regx-test-registry"'), challenge);
  });

  it('reader gets pull only and cannot start an upload; pusher can', async () => {
    const repo = `fixture/perm-${Date.now()}`;
    const scope = `repository:${repo}:pull,push`;

    const reader = await getToken(services.token.reader, [scope]);
    assert.equal(reader.status, 200);
    assert.deepEqual(claims(reader.body.token).access, [{ type: 'repository', name: repo, actions: ['pull'] }]);
    const refused = await fetch(`http://${services.token.host}/v2/${repo}/blobs/uploads/`, {
      method: 'POST', headers: { authorization: `Bearer ${reader.body.token}` },
    });
    assert.ok(refused.status === 401 || refused.status === 403, `reader upload answered ${refused.status}`);

    const pusher = await getToken(services.token.user, [scope]);
    assert.deepEqual(claims(pusher.body.token).access[0].actions, ['pull', 'push']);
    const accepted = await fetch(`http://${services.token.host}/v2/${repo}/blobs/uploads/`, {
      method: 'POST', headers: { authorization: `Bearer ${pusher.body.token}` },
    });
    assert.equal(accepted.status, 202);
    assert.ok(accepted.headers.get('location'));
  });

  it('issuer: anonymous gets an empty grant, a wrong password gets 401 with a JSON error', async () => {
    const anonymous = await getToken(undefined, ['repository:fixture/x:pull']);
    assert.equal(anonymous.status, 200);
    assert.deepEqual(claims(anonymous.body.token).access, []);

    const wrong = await getToken({ username: 'pusher', password: 'not-the-password' }, ['repository:fixture/x:pull']);
    assert.equal(wrong.status, 401);
    assert.ok(wrong.body.errors, 'a JSON error body');
  });

  it('issuer: OAuth2 POST returns a refresh token that can be exchanged for an access token', async () => {
    const post = (form: Record<string, string>) => fetch(`${services.token.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    const first = await post({
      grant_type: 'password', username: services.token.user!.username, password: services.token.user!.password,
      client_id: 'regx-tests', service: 'regx-test-registry', access_type: 'offline', scope: 'repository:fixture/x:pull',
    });
    assert.equal(first.status, 200);
    const { refresh_token } = (await first.json()) as TokenAnswer;
    assert.ok(refresh_token);

    const second = await post({
      grant_type: 'refresh_token', refresh_token, client_id: 'regx-tests', service: 'regx-test-registry',
      scope: 'repository:fixture/x:pull repository:fixture/y:push',
    });
    assert.equal(second.status, 200);
    const { access_token } = (await second.json()) as TokenAnswer;
    assert.deepEqual(claims(access_token).access.map((a) => a.name), ['fixture/x', 'fixture/y']);
  });

  it('issuer: counts token requests and can hand out tokens the registry treats as expired', async () => {
    const issuer = services.token.issuer!;
    const before = (await (await fetch(`${issuer}/_control/stats`)).json()) as { tokenRequests: number };
    try {
      // The registry allows 60 s of clock leeway on `exp`, so push it well past that.
      await fetch(`${issuer}/_control/lifetime?seconds=300&expSkew=-400`);
      const expired = await getToken(services.token.user, ['repository:fixture/x:pull']);
      assert.equal(expired.body.expires_in, 300);
      const res = await fetch(`http://${services.token.host}/v2/fixture/x/tags/list`, { headers: { authorization: `Bearer ${expired.body.token}` } });
      assert.equal(res.status, 401);
    } finally {
      await fetch(`${issuer}/_control/lifetime?seconds=300&expSkew=0`);
    }
    const after = (await (await fetch(`${issuer}/_control/stats`)).json()) as { tokenRequests: number };
    assert.equal(after.tokenRequests, before.tokenRequests + 1);
  });

  it('registry with deletes disabled answers 405 UNSUPPORTED on a manifest delete', async () => {
    const host = services.openNoDelete.host;
    const image = await seedImage(host, 'fixture/nodelete', 'v1');
    const res = await fetch(`http://${host}/v2/fixture/nodelete/manifests/${image.digest}`, { method: 'DELETE' });
    assert.equal(res.status, 405);
    const body = (await res.json()) as { errors: { code: string }[] };
    assert.equal(body.errors[0].code, 'UNSUPPORTED');
  });

  it('registry with deletes enabled accepts a manifest delete by digest', async () => {
    const host = services.open.host;
    const image = await seedImage(host, 'fixture/delete', 'v1');
    const res = await fetch(`http://${host}/v2/fixture/delete/manifests/${image.digest}`, { method: 'DELETE' });
    assert.equal(res.status, 202);
  });

  it('dockerd answers /_ping when it was started', { skip: !services.dockerHost && 'started without --docker' }, async () => {
    const socketPath = services.dockerHost!.replace(/^unix:\/\//, '');
    const status = await new Promise<number | undefined>((resolve, reject) => {
      http.get({ socketPath, path: '/_ping' }, (res) => { res.resume(); resolve(res.statusCode); }).on('error', reject);
    });
    assert.equal(status, 200);
  });
});

describe('seed helpers', () => {
  const token = services.token;

  it('seedIndex pushes two platforms and their attestations, readable through the token registry', async () => {
    const seeded = await seedIndex(token.host, 'fixture/multi', 'latest', { auth: token.user });
    const got = await getManifest(token.host, 'fixture/multi', 'latest', { auth: token.user });
    assert.equal(got.status, 200);
    if (got.status !== 200) return;
    assert.equal(got.digest, seeded.digest);
    const platforms = got.manifest.manifests.map((m: { platform: { os: string; architecture: string } }) => `${m.platform.os}/${m.platform.architecture}`);
    assert.deepEqual(platforms, ['linux/amd64', 'linux/arm64', 'unknown/unknown', 'unknown/unknown']);
    for (const image of seeded.images) {
      const child = await getManifest(token.host, 'fixture/multi', image.digest, { auth: token.user });
      assert.equal(child.status, 200);
    }
  });

  it('seedArtifact keeps every referrer in the sha256-<hex> fallback index', async () => {
    const host = services.open.host;
    const image = await seedImage(host, 'fixture/refs', 'v1');
    await seedArtifact(host, 'fixture/refs', image, { artifactType: 'application/vnd.example.sbom.v1+json' });
    const sig = await seedArtifact(host, 'fixture/refs', image, { artifactType: 'application/vnd.example.signature.v1' });
    const fallback = await getManifest(host, 'fixture/refs', sig.fallbackTag);
    assert.equal(fallback.status, 200);
    if (fallback.status !== 200) return;
    assert.deepEqual(fallback.manifest.manifests.map((m: { artifactType: string }) => m.artifactType).sort(),
      ['application/vnd.example.sbom.v1+json', 'application/vnd.example.signature.v1']);
    const artifact = await getManifest(host, 'fixture/refs', sig.digest);
    assert.equal(artifact.status === 200 && artifact.manifest.subject.digest, image.digest);
  });

  it('seedManyTags puts one digest under N tags (Basic auth)', async () => {
    const basic = services.basic;
    const seeded = await seedManyTags(basic.host, 'fixture/many', 120, { auth: basic.user });
    const res = await fetch(`http://${basic.host}/v2/fixture/many/tags/list`, { headers: { authorization: basicHeader(basic.user!) } });
    const body = (await res.json()) as { tags: string[] };
    assert.deepEqual([...body.tags].sort(), seeded.tags);
    assert.equal(seeded.tags[0], 'tag-000');
  });

  it('skopeo, an independent client, reads a seeded image with the same digest and layers', { skip: !hasSkopeo() && 'skopeo not installed' }, async () => {
    const host = services.open.host;
    const image = await seedImage(host, 'fixture/skopeo', 'v1', { layers: [2000, 3000], labels: { 'org.example': 'yes' } });
    const out = execFileSync('skopeo', ['inspect', '--tls-verify=false', `docker://${host}/fixture/skopeo:v1`], { encoding: 'utf8' });
    const info = JSON.parse(out) as { Digest: string; Layers: string[]; Labels: Record<string, string> };
    assert.equal(info.Digest, image.digest);
    assert.deepEqual(info.Layers, image.layers.map((l) => l.digest));
    assert.equal(info.Labels['org.example'], 'yes');
  });
});

function hasSkopeo(): boolean {
  try { execFileSync('skopeo', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
}
