// `regx push` and `regx pull` to Amazon ECR, Azure Container Registry and Google Artifact Registry by
// their REAL host names, through a REAL Docker engine: regx asks the cloud for its token (the AWS SDK
// with a profile, @azure/identity's managed identity, google-auth-library's ADC) and hands it to the
// engine (X-Registry-Auth), which pushes and pulls the layers itself. A token the cloud drops before its
// time is refused by the registry, renewed by regx and the push or pull made once more.
//
// The engine is a private dockerd (test/support/privateDockerd.ts) started with the cloud front
// (test/emulations/cloudFront.ts) as its HTTPS_PROXY and the front's CA in SSL_CERT_FILE, so that
// `123456789012.dkr.ecr.us-east-1.amazonaws.com`, `contoso.azurecr.io` and `us-docker.pkg.dev` reach
// the emulations over TLS as the real ones would; behind them is the REAL token registry.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DockerEngine } from '../../src/docker/engine';
import { startAcrEmulation, type AcrEmulation } from '../emulations/acr';
import { startArtifactRegistryEmulation, type ArtifactRegistryEmulation } from '../emulations/artifactRegistry';
import { startCloudFront, type CloudFront } from '../emulations/cloudFront';
import { ECR_ACCOUNT, ECR_PRINCIPALS, startEcrEmulation, type EcrEmulation } from '../emulations/ecr';
import { tarOf } from '../support/engineImages';
import { PrivateDockerd, privateDockerdUnavailable } from '../support/privateDockerd';
import { runRegx } from '../support/runRegx';
import { testServices } from '../support/services';
import { NO_AZURE, withEnv } from '../support/withEnv';

const services = testServices();
const skip = !services.dockerHost
  ? 'REGX_TEST_SERVICES has no dockerHost: start the services with --docker (test/run.mjs does) to run the engine tests'
  : privateDockerdUnavailable() ?? false;
const RUN = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const ECR_HOST = `${ECR_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`;
const ACR_HOST = 'contoso.azurecr.io';
const GOOGLE_HOST = 'us-docker.pkg.dev';
const GOOGLE_PROJECT = 'acme-engine';

let front: CloudFront;
let dockerd: PrivateDockerd;
let engine: DockerEngine;
let ecr: EcrEmulation;
let acr: AcrEmulation;
let gar: ArtifactRegistryEmulation;
let home: string;
let env: NodeJS.ProcessEnv;
/** @azure/identity reads process.env itself: an App Service managed identity of the ACR emulation's. */
let azure: Record<string, string | undefined>;

const regx = (argv: string[]) => withEnv(azure, () => runRegx(argv, env));

/** A one-file image in the engine, made locally (no network). */
async function localImage(ref: string): Promise<void> {
  await engine.importImage(tarOf([{ name: 'hello.txt', content: Buffer.from(`${ref} ${RUN}\n`) }]), ref);
}

async function engineHas(ref: string): Promise<boolean> {
  const [repo, tag] = [ref.slice(0, ref.lastIndexOf(':')), ref.slice(ref.lastIndexOf(':') + 1)];
  return (await engine.listImages({ reference: repo })).some((i) => i.repoTags.includes(`${repo}:${tag}`));
}

before(async () => {
  if (skip) return;
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-engine-clouds-'));
  front = await startCloudFront({ dir: path.join(home, 'front') });
  // Go (dockerd) trusts SSL_CERT_FILE instead of the system bundle: the system's roots plus the front's CA.
  const bundle = path.join(home, 'ca-bundle.pem');
  const system = '/etc/ssl/certs/ca-certificates.crt';
  fs.writeFileSync(bundle, (fs.existsSync(system) ? fs.readFileSync(system, 'utf8') : '') + fs.readFileSync(front.caPath, 'utf8'));
  dockerd = new PrivateDockerd();
  await dockerd.start({ HTTPS_PROXY: front.proxyUrl, HTTP_PROXY: front.proxyUrl, NO_PROXY: '', SSL_CERT_FILE: bundle });
  engine = DockerEngine.fromEnvironment({ env: { DOCKER_HOST: dockerd.host } });

  const token = services.token;
  ecr = await startEcrEmulation({ registry: token.host, issuer: token.issuer!, pusher: token.user!, reader: token.reader! });
  ecr.createRepository('engine/app');
  acr = await startAcrEmulation({ registry: { host: token.host, issuer: token.issuer!, user: token.user!, reader: token.reader! }, repositoryPrefix: `engine${RUN}/` });
  acr.addPrincipal({ name: 'mi-regx', kind: 'managed-identity', role: 'AcrPush' });
  gar = await startArtifactRegistryEmulation({ registry: token.host, pusher: token.user!, reader: token.reader! });
  gar.createRepository({ project: GOOGLE_PROJECT, location: 'us', repository: 'engine' });
  front.route(ECR_HOST, ecr.url);
  front.route(ACR_HOST, { backend: acr.url, form: 'origin' });
  front.route(GOOGLE_HOST, gar.url);

  fs.writeFileSync(path.join(home, 'aws-credentials'), `[admin]\naws_access_key_id = ${ECR_PRINCIPALS.admin.accessKeyId}\naws_secret_access_key = ${ECR_PRINCIPALS.admin.secretAccessKey}\n`);
  fs.writeFileSync(path.join(home, 'adc.json'), JSON.stringify(gar.addUser('ci@acme.example', 'writer', GOOGLE_PROJECT)));
  fs.mkdirSync(path.join(home, 'docker'));
  // regx's own requests to the registries (none are needed for a pull or push, but a HEAD may be) trust the front by certs.d.
  for (const host of [ECR_HOST, ACR_HOST, GOOGLE_HOST]) {
    fs.mkdirSync(path.join(home, 'certs.d', host), { recursive: true });
    fs.copyFileSync(front.caPath, path.join(home, 'certs.d', host, 'ca.crt'));
  }
  env = {
    PATH: process.env.PATH,
    HOME: home,
    DOCKER_HOST: dockerd.host,
    DOCKER_CONFIG: path.join(home, 'docker'),
    REGX_CACHE_DIR: 'off',
    REGX_CERTS_D: path.join(home, 'certs.d'),
    HTTPS_PROXY: front.proxyUrl,
    AWS_PROFILE: 'admin',
    AWS_CONFIG_FILE: path.join(home, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_ECR: ecr.url,
    GOOGLE_APPLICATION_CREDENTIALS: path.join(home, 'adc.json'),
    METADATA_SERVER_DETECTION: 'none',
    CLOUDSDK_CONFIG: path.join(home, 'gcloud'),
  };
  azure = { ...NO_AZURE, IDENTITY_ENDPOINT: acr.identityEndpoint, IDENTITY_HEADER: acr.identityHeader, AZURE_CLIENT_ID: 'mi-regx' };
});

after(async () => {
  if (skip) return;
  await engine?.close();
  await dockerd?.stop();
  await Promise.all([ecr?.close(), acr?.close(), gar?.close()]);
  await front?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('regx push and pull through the Docker engine, to each cloud by its own host name', { skip }, () => {
  const clouds = [
    { name: 'Amazon ECR', ref: () => `${ECR_HOST}/engine/app:${RUN}` },
    { name: 'Azure Container Registry', ref: () => `${ACR_HOST}/engine${RUN}/app:1.0` },
    { name: 'Artifact Registry', ref: () => `${GOOGLE_HOST}/${GOOGLE_PROJECT}/engine/app:1.0` },
  ];
  for (const cloud of clouds) {
    it(`${cloud.name}: regx push of a local image, the registry lists it, regx pull brings it back`, async () => {
      const ref = cloud.ref();
      await localImage(ref);
      const pushed = await regx(['push', ref]);
      assert.equal(pushed.code, 0, `${pushed.stderr}\n${front.log.slice(-5).join('\n')}\n${dockerd.logTail()}`);
      const digest = /sha256:[0-9a-f]{64}/.exec(pushed.stdout)?.[0];
      assert.ok(digest, pushed.stdout);
      // regx's own client asks the registry (through the cloud's API where it has one): the tag names what was pushed.
      const listed = await regx(['digest', ref]);
      assert.deepEqual([listed.code, listed.stdout.trim()], [0, digest], listed.stderr);

      await engine.removeImage(ref, { force: true });
      assert.equal(await engineHas(ref), false);
      const pulled = await regx(['pull', ref]);
      assert.equal(pulled.code, 0, `${pulled.stderr}\n${dockerd.logTail()}`);
      assert.match(pulled.stdout, new RegExp(`Digest: ${digest}`));
      assert.equal(await engineHas(ref), true);
    });
  }

  it('Amazon ECR: a registry token ECR drops before its expiresAt is refused to the engine; regx gets a new one and the pull goes through', async () => {
    const ref = clouds[0]!.ref();
    await engine.removeImage(ref, { force: true });
    const before = ecr.stats();
    ecr.expireNextTokens(1);
    const pulled = await regx(['pull', ref]);
    assert.equal(pulled.code, 0, `${pulled.stderr}\n${dockerd.logTail()}`);
    const after = ecr.stats();
    assert.ok(after.expiredAnswers > before.expiredAnswers, 'the registry refused the dropped token');
    assert.equal(after.authorizationTokens - before.authorizationTokens, 2, 'GetAuthorizationToken was asked once more');
    assert.equal(await engineHas(ref), true);
  });

  it('Artifact Registry: an access token Google revokes early is refused to the engine; regx gets a new one and the push goes through', async () => {
    const ref = `${GOOGLE_HOST}/${GOOGLE_PROJECT}/engine/app:renewed`;
    await localImage(ref);
    const before = gar.stats();
    gar.expireNextAccessTokens(1);
    const pushed = await regx(['push', ref]);
    assert.equal(pushed.code, 0, `${pushed.stderr}\n${dockerd.logTail()}`);
    assert.equal(gar.stats().refreshGrants - before.refreshGrants, 2, 'a second access token was asked for');
    const listed = await regx(['tags', `${GOOGLE_HOST}/${GOOGLE_PROJECT}/engine/app`]);
    assert.deepEqual(listed.stdout.trim().split('\n').sort(), ['1.0', 'renewed']);
  });
});
