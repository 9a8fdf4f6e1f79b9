// Pulls and pushes through the REAL Docker engine to a cloud registry: the engine gets the cloud's
// token for that registry from the provider (engineCredentialStore → engineCredential()), as the
// editor and `regx pull/push` hand it over. The cloud is Google Artifact Registry's emulation in
// front of the real token-auth registry, reached on loopback (dockerd speaks plain http to
// 127.0.0.0/8); its /v2/token realm takes `oauth2accesstoken` + a Google access token, which the
// provider gets through google-auth-library from an ADC file whose token_uri is the emulation's.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryCredentialStore } from '../../src/credentials';
import { createTransport } from '../../src/distribution/transport';
import { DockerEngine } from '../../src/docker/engine';
import { describeError } from '../../src/errors/describe';
import { ArtifactRegistryProvider, engineCredentialStore, providerFor } from '../../src/registries';
import { startArtifactRegistryEmulation, type ArtifactRegistryEmulation } from '../emulations/artifactRegistry';
import { tarOf } from '../support/engineImages';
import { rejection } from '../support/rejection';
import { testServices } from '../support/services';

const services = testServices();
const skip = services.dockerHost ? false : 'REGX_TEST_SERVICES has no dockerHost: start the services with --docker (test/run.mjs does) to run the engine tests';
const P = 'regx-engine';
const RUN = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const transport = createTransport({ maxAttempts: 1 });

let emu: ArtifactRegistryEmulation;
let home: string;
let provider: ArtifactRegistryProvider;
const cleanup: string[] = [];
let engine: DockerEngine;

before(async () => {
  if (skip) return;
  emu = await startArtifactRegistryEmulation({ registry: services.token.host, pusher: services.token.user!, reader: services.token.reader! });
  emu.createRepository({ project: P, location: 'us', repository: 'team' });
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-engine-gar-'));
  const adc = path.join(home, 'adc.json');
  fs.writeFileSync(adc, JSON.stringify(emu.addUser('dev@example.com', 'writer', P)));
  const p = providerFor({ host: emu.host, allowHttp: true }, {
    kind: 'artifact-registry',
    googleHost: 'us-docker.pkg.dev',
    apiBaseUrl: emu.url,
    analysisBaseUrl: emu.url,
    transport,
    env: { HOME: home, METADATA_SERVER_DETECTION: 'none', GOOGLE_APPLICATION_CREDENTIALS: adc },
    credentials: new MemoryCredentialStore(),
  });
  assert.ok(p instanceof ArtifactRegistryProvider);
  provider = p;
  engine = DockerEngine.fromEnvironment({
    env: { DOCKER_HOST: services.dockerHost },
    credentials: engineCredentialStore(new MemoryCredentialStore(), (registry) => (registry === emu.host ? provider : undefined)),
  });
});

after(async () => {
  if (skip) return;
  for (const ref of cleanup) await engine.removeImage(ref, { force: true }).catch(() => undefined);
  await engine.close();
  await emu.close();
  await transport.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('the Docker engine and a cloud registry (Artifact Registry emulation)', { skip }, () => {
  const ref = () => `${emu.host}/${P}/team/engine-${RUN}:1.0`;

  it('a push through the engine carries the Google access token, and the image is listed by the API', async () => {
    await engine.importImage(tarOf([{ name: 'hello.txt', content: Buffer.from(`hello from ${RUN}\n`) }]), ref());
    cleanup.push(ref());
    const realmTokensBefore = emu.stats().realmTokens;
    const pushed = await engine.pushImage(ref());
    assert.match(pushed.digest ?? '', /^sha256:[0-9a-f]{64}$/);
    // The engine asked the emulation's realm with oauth2accesstoken + the provider's token.
    assert.ok(emu.stats().realmTokens > realmTokensBefore);
    const tags = await provider.listTags(`${P}/team/engine-${RUN}`, { pageSize: 10 });
    assert.deepEqual(tags.items.map((t) => [t.name, t.digest]), [['1.0', pushed.digest]]);
  });

  it('a pull through the engine gets the same image back', async () => {
    await engine.removeImage(ref(), { force: true });
    const pulled = await engine.pullImage(ref());
    assert.match(pulled.status, /Downloaded newer image|Image is up to date/);
    const listed = await engine.listImages({ reference: ref().replace(/:1\.0$/, '') });
    assert.equal(listed.length, 1);
  });

  it('without the cloud token (anonymous) the engine is refused, in words that say to sign in', async () => {
    const anonymous = DockerEngine.fromEnvironment({ env: { DOCKER_HOST: services.dockerHost }, credentials: new MemoryCredentialStore() });
    try {
      await engine.removeImage(ref(), { force: true });
      const err = await rejection(anonymous.pullImage(ref()));
      assert.match(describeError(err), /sign in|denied|unauthorized|authentication/i);
    } finally {
      await anonymous.close();
    }
  });

  it('a token the cloud expired before its time: the engine is refused once, the provider renews it, the pull succeeds', async () => {
    const before = (await provider.engineCredential())?.password;
    emu.expireAccessTokens();
    const pulled = await engine.pullImage(ref());
    assert.match(pulled.status, /Downloaded newer image|Image is up to date/);
    const after = (await provider.engineCredential())?.password;
    assert.ok(before && after && before !== after, 'the engine got a new access token');
  });
});
