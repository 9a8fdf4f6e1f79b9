// Images with a supply chain, pushed into a REAL test registry with plain HTTP (seed.mjs, not our
// client), for the details tests (integration, extension host, UI): one function,
// seedSupplyChainImages(host), returns every reference and digest the tests check against.
//
// What it pushes into `${prefix}/app` and `${prefix}/hostile`:
// - app:1.0 — one image with a real-looking config (history with empty steps, OCI labels with source,
//   revision and licenses, env, volumes, exposed ports, stop signal) and, as OCI 1.1 referrers (the
//   `sha256-<hex>` tag fallback: Distribution 2.8 has no referrers API): an SPDX 2.3 SBOM (450
//   packages), a CycloneDX 1.5 SBOM (300 components), a cosign signature made with a fresh P-256 key and
//   self-signed certificate, a second cosign signature whose payload was altered after signing, a
//   notation signature (JWS, RSA-PSS, self-signed certificate) and an SLSA v1 provenance in a DSSE
//   envelope; plus the legacy cosign `sha256-<hex>.sig` tag signed with a key pair (no certificate).
// - app:1.1 — the next release: a layer replaced, one added, env and labels changed, its own SPDX SBOM
//   (packages added, removed and upgraded against 1.0's).
// - app:multi — an index (linux/amd64, linux/arm64) with buildx-style attestation manifests: an
//   in-toto SPDX statement and SLSA provenance (v0.2 with BuildKit metadata for amd64, v1 for arm64).
// - hostile:broken-config — an image whose config blob is not JSON.
// - hostile:huge-sbom — an image whose SPDX referrer's layer claims 100 MiB (over the 64 MiB cap).
// - hostile:missing-config — an image whose config blob was deleted after the push (registries with
//   deletes enabled only; `missingConfig` is undefined where the registry refuses blob deletes).
import crypto from 'node:crypto';
import { MediaTypes, getManifest, makeLayer, pushBlob, pushManifest, registryRequest, sha256, type SeedAuth } from './seeding';
import { selfSignedIdentity, type SigningIdentity } from './x509';

export const SupplyChainTypes = {
  spdx: 'application/spdx+json',
  cyclonedx: 'application/vnd.cyclonedx+json',
  cosignSignature: 'application/vnd.dev.cosign.artifact.sig.v1+json',
  simpleSigning: 'application/vnd.dev.cosign.simplesigning.v1+json',
  notarySignature: 'application/vnd.cncf.notary.signature',
  jws: 'application/jose+json',
  inToto: 'application/vnd.in-toto+json',
  dsse: 'application/vnd.dsse.envelope.v1+json',
} as const;

export interface SeededPackage {
  name: string;
  version: string;
  license: string;
  purl: string;
}

export interface SeededRef {
  reference: string;
  repository: string;
  tag: string;
  digest: string;
  mediaType: string;
  size: number;
}

export interface SeededImageRef extends SeededRef {
  configDigest: string;
  layers: { digest: string; size: number; createdBy: string }[];
  /** config + layers, compressed. */
  compressedSize: number;
}

export interface SupplyChainSeed {
  host: string;
  repository: string;
  /** app:1.0, with every referrer kind. */
  release: SeededImageRef & {
    spdx: { manifest: string; blob: string; packages: SeededPackage[] };
    cyclonedx: { manifest: string; blob: string; packages: SeededPackage[] };
    cosign: { manifest: string; signer: string; issuer: string; certificatePem: string };
    cosignTampered: { manifest: string };
    /** The legacy `sha256-<hex>.sig` tag's manifest, signed with `cosignKey` (no certificate). */
    cosignLegacy: { manifest: string; tag: string };
    cosignKey: { name: string; pem: string };
    notation: { manifest: string; signer: string; signedAt: string };
    provenance: { manifest: string; builder: string; sourceRepository: string; sourceRevision: string };
  };
  /** app:1.1, to compare against 1.0. */
  next: SeededImageRef & {
    spdx: { manifest: string; blob: string; packages: SeededPackage[] };
    changes: { added: string[]; removed: string[]; upgraded: { name: string; from: string; to: string }[] };
  };
  /** app:multi. */
  multi: SeededRef & {
    images: Record<'linux/amd64' | 'linux/arm64', SeededImageRef>;
    attestations: { digest: string; for: string; platform: string; predicateTypes: string[] }[];
  };
  brokenConfig: SeededImageRef;
  hugeSbom: SeededImageRef & { sbomManifest: string; claimedSize: number };
  missingConfig?: SeededImageRef;
}

const CREATED = '2024-05-01T10:00:00Z';
const SOURCE = 'https://github.com/example-org/registry-explorer-demo';
const REVISION = '3f1c2a9b7d4e5f60718293a4b5c6d7e8f9012345';

// ---------------------------------------------------------------------------------------------
// Deterministic package lists.

const DEB_NAMES = ['openssl', 'zlib1g', 'libcurl4', 'ca-certificates', 'libc6', 'bash', 'coreutils', 'tar', 'gzip', 'libssl3', 'libpcre2', 'libzstd1', 'liblz4', 'libgcc-s1', 'libstdc++6', 'tzdata', 'dpkg', 'apt', 'perl-base', 'sed'];
const NPM_NAMES = ['express', 'lodash', 'react', 'undici', 'debug', 'chalk', 'commander', 'semver', 'yaml', 'uuid', 'ws', 'minimist', 'glob', 'rimraf', 'esbuild'];
const LICENSES = ['MIT', 'Apache-2.0', 'BSD-3-Clause', 'GPL-2.0-only', 'ISC', 'LGPL-2.1-or-later'];

function debPackages(count: number, offset = 0): SeededPackage[] {
  return Array.from({ length: count }, (_, k) => {
    const i = k + offset;
    const name = `${DEB_NAMES[i % DEB_NAMES.length]}${i >= DEB_NAMES.length ? `-${Math.floor(i / DEB_NAMES.length)}` : ''}`;
    const version = `${1 + (i % 4)}.${i % 10}.${i % 7}-${1 + (i % 3)}`;
    return { name, version, license: LICENSES[i % LICENSES.length], purl: `pkg:deb/debian/${name}@${version}?arch=amd64&distro=debian-12` };
  });
}

function npmPackages(count: number): SeededPackage[] {
  return Array.from({ length: count }, (_, i) => {
    const name = `${NPM_NAMES[i % NPM_NAMES.length]}${i >= NPM_NAMES.length ? `-plugin-${Math.floor(i / NPM_NAMES.length)}` : ''}`;
    const version = `${i % 5}.${(i * 3) % 20}.${i % 9}`;
    return { name, version, license: LICENSES[(i + 1) % LICENSES.length], purl: `pkg:npm/${name}@${version}` };
  });
}

/** 1.1's packages: 1.0's without the first 5, 10 of them upgraded, 7 new ones. */
function nextPackages(base: SeededPackage[]): { packages: SeededPackage[]; changes: SupplyChainSeed['next']['changes'] } {
  const removed = base.slice(0, 5);
  const kept = base.slice(5).map((p) => ({ ...p }));
  const upgraded: { name: string; from: string; to: string }[] = [];
  for (let i = 0; i < 10; i++) {
    const p = kept[i * 7];
    const to = `${p.version.split('.')[0]}.99.${i}`;
    upgraded.push({ name: p.name, from: p.version, to });
    p.version = to;
    p.purl = `pkg:deb/debian/${p.name}@${to}?arch=amd64&distro=debian-12`;
  }
  const added = Array.from({ length: 7 }, (_, i) => {
    const name = `libnew-${i}`;
    return { name, version: `0.${i}.0`, license: 'MIT', purl: `pkg:deb/debian/${name}@0.${i}.0?arch=amd64&distro=debian-12` };
  });
  return { packages: [...kept, ...added], changes: { added: added.map((p) => p.name), removed: removed.map((p) => p.name), upgraded } };
}

/** SPDX 2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/): document creation info and packages with purls. */
function spdxDocument(name: string, packages: SeededPackage[]): object {
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name,
    documentNamespace: `https://example.com/spdx/${encodeURIComponent(name)}`,
    creationInfo: { created: CREATED, creators: ['Tool: syft-1.4.1', 'Organization: Example'] },
    packages: packages.map((p, i) => ({
      name: p.name,
      SPDXID: `SPDXRef-Package-${i}`,
      versionInfo: p.version,
      downloadLocation: 'NOASSERTION',
      // Every third package has only a declared license, as scanners often leave "concluded" unasserted.
      licenseConcluded: i % 3 === 0 ? 'NOASSERTION' : p.license,
      licenseDeclared: p.license,
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl }],
    })),
  };
}

/** CycloneDX 1.5 JSON (https://cyclonedx.org/docs/1.5/json/): metadata.tools.components and components. */
function cyclonedxDocument(name: string, packages: SeededPackage[]): object {
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: `urn:uuid:${crypto.createHash('sha256').update(name).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5')}`,
    version: 1,
    metadata: {
      timestamp: CREATED,
      tools: { components: [{ type: 'application', author: 'anchore', name: 'syft', version: '1.4.1' }] },
      component: { type: 'container', name },
    },
    components: packages.map((p, i) => ({
      type: 'library',
      'bom-ref': p.purl,
      name: p.name,
      version: p.version,
      // The three shapes the spec allows: an SPDX id, a name, an expression.
      licenses: i % 3 === 0 ? [{ license: { id: p.license } }] : i % 3 === 1 ? [{ license: { name: p.license } }] : [{ expression: p.license }],
      purl: p.purl,
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Images.

interface ImageSpec {
  platform: { os: string; architecture: string; variant?: string };
  /** One per history step; `layer` is the size of the layer it made (none: an empty step). */
  steps: { createdBy: string; layer?: number; seed?: string }[];
  env: string[];
  labels: Record<string, string>;
  entrypoint?: string[];
  cmd?: string[];
  workingDir?: string;
  user?: string;
  exposedPorts?: string[];
  volumes?: string[];
  stopSignal?: string;
}

async function pushImage(host: string, repository: string, tag: string | undefined, spec: ImageSpec, auth?: SeedAuth, configOverride?: Buffer): Promise<SeededImageRef> {
  const createdSeconds = Math.floor(Date.parse(CREATED) / 1000);
  const made = spec.steps.flatMap((step, i) => (step.layer === undefined ? [] : [{ step, layer: makeLayer(step.layer, step.seed ?? `${repository}:${tag}:${spec.platform.architecture}:${i}`, createdSeconds) }]));
  const config = {
    created: CREATED,
    author: 'Example Release Team <release@example.com>',
    architecture: spec.platform.architecture,
    os: spec.platform.os,
    ...(spec.platform.variant ? { variant: spec.platform.variant } : {}),
    config: {
      Env: spec.env,
      Labels: spec.labels,
      ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
      ...(spec.cmd ? { Cmd: spec.cmd } : {}),
      ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
      ...(spec.user ? { User: spec.user } : {}),
      ...(spec.exposedPorts ? { ExposedPorts: Object.fromEntries(spec.exposedPorts.map((p) => [p, {}])) } : {}),
      ...(spec.volumes ? { Volumes: Object.fromEntries(spec.volumes.map((v) => [v, {}])) } : {}),
      ...(spec.stopSignal ? { StopSignal: spec.stopSignal } : {}),
    },
    rootfs: { type: 'layers', diff_ids: made.map((m) => m.layer.diffId) },
    history: spec.steps.map((step) => ({ created: CREATED, created_by: step.createdBy, ...(step.layer === undefined ? { empty_layer: true } : {}) })),
  };
  const configBytes = configOverride ?? Buffer.from(JSON.stringify(config));
  const configDigest = sha256(configBytes);
  await Promise.all([
    ...made.map((m) => pushBlob(host, repository, m.layer.blob, { auth, digest: m.layer.digest })),
    pushBlob(host, repository, configBytes, { auth, digest: configDigest }),
  ]);
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { mediaType: MediaTypes.ociConfig, digest: configDigest, size: configBytes.length },
    layers: made.map((m) => ({ mediaType: MediaTypes.ociLayer, digest: m.layer.digest, size: m.layer.size })),
  };
  const pushed = await pushManifest(host, repository, tag ?? sha256(Buffer.from(JSON.stringify(manifest))), manifest, { auth });
  return {
    reference: tag ? `${host}/${repository}:${tag}` : `${host}/${repository}@${pushed.digest}`,
    repository,
    tag: tag ?? '',
    digest: pushed.digest,
    mediaType: pushed.mediaType,
    size: pushed.size,
    configDigest,
    layers: made.map((m) => ({ digest: m.layer.digest, size: m.layer.size, createdBy: m.step.createdBy })),
    compressedSize: configBytes.length + made.reduce((n, m) => n + m.layer.size, 0),
  };
}

function releaseSpec(version: '1.0' | '1.1', platform: ImageSpec['platform'] = { os: 'linux', architecture: 'amd64' }): ImageSpec {
  const next = version === '1.1';
  const arch = platform.architecture;
  return {
    platform,
    steps: [
      { createdBy: `/bin/sh -c #(nop) ADD file:debian-12-${arch}.tar.gz in / `, layer: 3000, seed: `base-debian-12-${arch}` },
      { createdBy: '/bin/sh -c #(nop)  CMD ["bash"]' },
      { createdBy: 'LABEL org.opencontainers.image.source=' + SOURCE },
      { createdBy: 'ENV APP_HOME=/srv/app', },
      { createdBy: 'RUN /bin/sh -c apt-get update && apt-get install -y ca-certificates # buildkit', layer: 2000, seed: `deps-${arch}` },
      { createdBy: 'WORKDIR /srv/app' },
      { createdBy: 'COPY dist/ /srv/app/ # buildkit', layer: next ? 1500 : 1200, seed: `app-${version}-${arch}` },
      ...(next ? [{ createdBy: 'COPY plugins/ /srv/app/plugins/ # buildkit', layer: 700, seed: `plugins-1.1-${arch}` }] : []),
      { createdBy: 'USER app' },
      { createdBy: 'EXPOSE map[8080/tcp:{} 9090/tcp:{}]' },
      { createdBy: 'VOLUME [/srv/app/data]' },
      { createdBy: 'STOPSIGNAL SIGQUIT' },
      { createdBy: 'ENTRYPOINT ["/srv/app/bin/server"]' },
    ],
    env: [
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'APP_HOME=/srv/app',
      next ? 'LOG_LEVEL=debug' : 'LOG_LEVEL=info',
      ...(next ? ['FEATURE_FLAGS=plugins'] : ['LEGACY_MODE=1']),
      'GREETING=a=b=c',
    ],
    labels: {
      'org.opencontainers.image.source': SOURCE,
      'org.opencontainers.image.revision': next ? 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678' : REVISION,
      'org.opencontainers.image.licenses': 'Apache-2.0',
      'org.opencontainers.image.version': version,
      'org.opencontainers.image.title': 'registry-explorer-demo',
      'org.opencontainers.image.documentation': 'https://example.com/docs/demo',
      'org.opencontainers.image.url': 'javascript:alert(1)',
      ...(next ? { 'com.example.channel': 'beta' } : { 'com.example.legacy': 'true' }),
    },
    entrypoint: ['/srv/app/bin/server'],
    cmd: ['--config', '/srv/app/config.yaml'],
    workingDir: '/srv/app',
    user: 'app',
    exposedPorts: next ? ['8080/tcp', '9090/tcp', '9443/tcp'] : ['8080/tcp', '9090/tcp'],
    volumes: ['/srv/app/data'],
    stopSignal: 'SIGQUIT',
  };
}

// ---------------------------------------------------------------------------------------------
// Referrers (OCI 1.1 manifests with a subject) and the `sha256-<hex>` tag fallback index.

interface Subject {
  digest: string;
  mediaType: string;
  size: number;
}

interface ReferrerLayer {
  mediaType: string;
  bytes: Buffer;
  annotations?: Record<string, string>;
  /** A size to write in the descriptor instead of the real one (a hostile referrer). */
  claimedSize?: number;
}

async function pushReferrer(
  host: string,
  repository: string,
  subject: Subject,
  artifactType: string,
  layers: ReferrerLayer[],
  auth?: SeedAuth,
  annotations: Record<string, string> = { 'org.opencontainers.image.created': CREATED },
): Promise<string> {
  const empty = Buffer.from('{}');
  await Promise.all([pushBlob(host, repository, empty, { auth }), ...layers.map((l) => pushBlob(host, repository, l.bytes, { auth }))]);
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    artifactType,
    config: { mediaType: MediaTypes.ociEmpty, digest: sha256(empty), size: empty.length },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: sha256(l.bytes), size: l.claimedSize ?? l.bytes.length, ...(l.annotations ? { annotations: l.annotations } : {}) })),
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations,
  };
  const pushed = await pushManifest(host, repository, sha256(Buffer.from(JSON.stringify(manifest))), manifest, { auth });
  const fallbackTag = `sha256-${subject.digest.slice('sha256:'.length)}`;
  const existing = await getManifest(host, repository, fallbackTag, { auth });
  const previous: { digest: string }[] = existing.status === 200 && Array.isArray(existing.manifest.manifests) ? existing.manifest.manifests : [];
  const entry = { mediaType: MediaTypes.ociManifest, digest: pushed.digest, size: pushed.size, artifactType, annotations };
  await pushManifest(host, repository, fallbackTag, { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [...previous.filter((m) => m.digest !== pushed.digest), entry] }, { auth });
  return pushed.digest;
}

/** cosign's simple signing payload (https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md). */
function simpleSigningPayload(dockerReference: string, digest: string, optional: Record<string, string> = {}): Buffer {
  return Buffer.from(JSON.stringify({
    critical: { identity: { 'docker-reference': dockerReference }, image: { 'docker-manifest-digest': digest }, type: 'cosign container image signature' },
    optional,
  }));
}

function cosignLayer(payload: Buffer, signed: Buffer, key: crypto.KeyObject, certificate?: SigningIdentity): ReferrerLayer {
  const signature = crypto.sign('sha256', signed, key).toString('base64');
  return {
    mediaType: SupplyChainTypes.simpleSigning,
    bytes: payload,
    annotations: {
      'dev.cosignproject.cosign/signature': signature,
      ...(certificate ? { 'dev.sigstore.cosign/certificate': certificate.pem, 'dev.sigstore.cosign/chain': certificate.pem } : {}),
    },
  };
}

/** A notation JWS envelope (https://github.com/notaryproject/specifications/blob/main/specs/signature-envelope-jws.md). */
function notationEnvelope(subject: Subject, identity: SigningIdentity, signingTime: string): Buffer {
  const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const protectedHeader = b64url({
    alg: 'PS256',
    crit: ['io.cncf.notary.signingScheme'],
    cty: 'application/vnd.cncf.notary.payload.v1+json',
    'io.cncf.notary.signingScheme': 'notary.x509',
    'io.cncf.notary.signingTime': signingTime,
  });
  const payload = b64url({ targetArtifact: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size } });
  const signature = crypto.sign('sha256', Buffer.from(`${protectedHeader}.${payload}`), {
    key: identity.privateKey,
    padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
    saltLength: 32,
  });
  return Buffer.from(JSON.stringify({
    payload,
    protected: protectedHeader,
    header: { x5c: [identity.der.toString('base64')], 'io.cncf.notary.signingAgent': 'Notation/1.1.0' },
    signature: signature.toString('base64url'),
  }));
}

function inTotoStatement(subjects: { name: string; digest: string }[], predicateType: string, predicate: object): object {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: subjects.map((s) => ({ name: s.name, digest: { sha256: s.digest.slice('sha256:'.length) } })),
    predicateType,
    predicate,
  };
}

/** SLSA provenance v1 (https://slsa.dev/spec/v1.0/provenance) as GitHub Actions' builder writes it. */
function slsaV1Predicate(revision: string): object {
  return {
    buildDefinition: {
      buildType: 'https://actions.github.io/buildtypes/workflow/v1',
      externalParameters: { workflow: { ref: 'refs/tags/v1.0', repository: SOURCE, path: '.github/workflows/release.yml' } },
      internalParameters: { github: { event_name: 'push', repository_id: '123456' } },
      resolvedDependencies: [{ uri: `git+${SOURCE}@refs/tags/v1.0`, digest: { gitCommit: revision } }],
    },
    runDetails: {
      builder: { id: 'https://github.com/actions/runner/github-hosted' },
      metadata: { invocationId: `${SOURCE}/actions/runs/42/attempts/1`, startedOn: CREATED, finishedOn: CREATED },
    },
  };
}

/** SLSA provenance v0.2 (https://slsa.dev/spec/v0.2/provenance) as BuildKit writes it (mode=max). */
function slsaV02BuildkitPredicate(platform: string): object {
  return {
    builder: { id: 'https://github.com/docker/buildx' },
    buildType: 'https://mobyproject.org/buildkit@v1',
    materials: [
      { uri: 'pkg:docker/debian@12?platform=' + encodeURIComponent(platform), digest: { sha256: 'b'.repeat(64) } },
    ],
    invocation: {
      configSource: { entryPoint: 'Dockerfile' },
      parameters: { frontend: 'dockerfile.v0', args: { 'build-arg:VERSION': '1.0' } },
      environment: { platform },
    },
    metadata: {
      buildInvocationID: 'k3j4h5g6f7d8s9a0',
      buildStartedOn: CREATED,
      buildFinishedOn: CREATED,
      completeness: { parameters: true, environment: true, materials: false },
      reproducible: false,
      'https://mobyproject.org/buildkit@v1#metadata': { vcs: { source: SOURCE, revision: REVISION } },
    },
  };
}

// ---------------------------------------------------------------------------------------------

/** A run-unique prefix, so seeding twice into one registry never collides. */
function defaultPrefix(): string {
  return `details-${process.pid}-${Date.now().toString(36)}`;
}

/**
 * Seeds every image the details tests read, into the registry at `registry` ("127.0.0.1:5000" or
 * "http://127.0.0.1:5000"). Keys and certificates are made fresh on each call.
 */
export async function seedSupplyChainImages(registry: string, auth?: SeedAuth, options: { prefix?: string } = {}): Promise<SupplyChainSeed> {
  const host = registry.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  const prefix = options.prefix ?? defaultPrefix();
  const repository = `${prefix}/app`;
  const hostileRepository = `${prefix}/hostile`;

  // ---- app:1.0 and its referrers
  const release = await pushImage(host, repository, '1.0', releaseSpec('1.0'), auth);
  const subject: Subject = { digest: release.digest, mediaType: release.mediaType, size: release.size };
  const spdxPackages = debPackages(450);
  const cdxPackages = npmPackages(300);
  const spdxBytes = Buffer.from(JSON.stringify(spdxDocument(`${repository}:1.0`, spdxPackages)));
  const cdxBytes = Buffer.from(JSON.stringify(cyclonedxDocument(`${repository}:1.0`, cdxPackages)));
  const spdxManifest = await pushReferrer(host, repository, subject, SupplyChainTypes.spdx, [{ mediaType: SupplyChainTypes.spdx, bytes: spdxBytes }], auth);
  const cdxManifest = await pushReferrer(host, repository, subject, SupplyChainTypes.cyclonedx, [{ mediaType: SupplyChainTypes.cyclonedx, bytes: cdxBytes }], auth);

  const now = new Date();
  const signer = 'release-bot@example.com';
  const oidcIssuer = 'https://token.actions.githubusercontent.com';
  const cosignIdentity = selfSignedIdentity('ec', {
    subject: [['O', 'sigstore.dev'], ['CN', 'Registry Explorer test signer']],
    emails: [signer],
    oidcIssuer,
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(now.getTime() + 3600_000),
    serial: crypto.randomBytes(12),
  });
  const dockerReference = `${host}/${repository}`;
  const payload = simpleSigningPayload(dockerReference, release.digest);
  const cosignManifest = await pushReferrer(host, repository, subject, SupplyChainTypes.cosignSignature, [cosignLayer(payload, payload, cosignIdentity.privateKey, cosignIdentity)], auth);
  // Signed, then altered: the signature is over the original payload, the registry holds another one.
  const original = simpleSigningPayload(dockerReference, release.digest, { build: 'ci-42' });
  const altered = simpleSigningPayload(dockerReference, release.digest, { build: 'ci-43' });
  const tamperedManifest = await pushReferrer(host, repository, subject, SupplyChainTypes.cosignSignature, [cosignLayer(altered, original, cosignIdentity.privateKey, cosignIdentity)], auth);

  // The legacy tag cosign writes without OCI 1.1 (`sha256-<hex>.sig`), signed with a plain key pair.
  const keyPair = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const legacyPayload = simpleSigningPayload(dockerReference, release.digest, { signedBy: 'cosign.pub' });
  const legacyLayer = cosignLayer(legacyPayload, legacyPayload, keyPair.privateKey);
  const legacyConfig = Buffer.from(JSON.stringify({ architecture: '', os: '', config: {}, rootfs: { type: 'layers', diff_ids: [sha256(legacyPayload)] } }));
  await Promise.all([pushBlob(host, repository, legacyPayload, { auth }), pushBlob(host, repository, legacyConfig, { auth })]);
  const legacyTag = `sha256-${release.digest.slice('sha256:'.length)}.sig`;
  const legacy = await pushManifest(host, repository, legacyTag, {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { mediaType: MediaTypes.ociConfig, digest: sha256(legacyConfig), size: legacyConfig.length },
    layers: [{ mediaType: legacyLayer.mediaType, digest: sha256(legacyPayload), size: legacyPayload.length, annotations: legacyLayer.annotations }],
  }, { auth });

  const notaryIdentity = selfSignedIdentity('rsa', {
    subject: [['C', 'US'], ['ST', 'WA'], ['L', 'Seattle'], ['O', 'Example'], ['CN', 'Registry Explorer test notary']],
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(now.getTime() + 86400_000),
    serial: crypto.randomBytes(12),
  });
  const signingTime = '2024-05-01T10:05:00Z';
  const notationManifest = await pushReferrer(host, repository, subject, SupplyChainTypes.notarySignature, [{ mediaType: SupplyChainTypes.jws, bytes: notationEnvelope(subject, notaryIdentity, signingTime) }], auth, {
    'io.cncf.notary.x509chain.thumbprint#S256': JSON.stringify([crypto.createHash('sha256').update(notaryIdentity.der).digest('hex')]),
  });

  const provenanceStatement = inTotoStatement([{ name: dockerReference, digest: release.digest }], 'https://slsa.dev/provenance/v1', slsaV1Predicate(REVISION));
  const dsse = Buffer.from(JSON.stringify({ payloadType: SupplyChainTypes.inToto, payload: Buffer.from(JSON.stringify(provenanceStatement)).toString('base64'), signatures: [] }));
  const provenanceManifest = await pushReferrer(host, repository, subject, SupplyChainTypes.dsse, [{ mediaType: SupplyChainTypes.dsse, bytes: dsse, annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v1' } }], auth);

  // ---- app:1.1
  const next = await pushImage(host, repository, '1.1', releaseSpec('1.1'), auth);
  const nextList = nextPackages(spdxPackages);
  const nextSpdxBytes = Buffer.from(JSON.stringify(spdxDocument(`${repository}:1.1`, nextList.packages)));
  const nextSpdxManifest = await pushReferrer(host, repository, { digest: next.digest, mediaType: next.mediaType, size: next.size }, SupplyChainTypes.spdx, [{ mediaType: SupplyChainTypes.spdx, bytes: nextSpdxBytes }], auth);

  // ---- app:multi, buildx style
  const platforms = [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] as const;
  const images = {} as Record<'linux/amd64' | 'linux/arm64', SeededImageRef>;
  const manifests: object[] = [];
  const attestations: SupplyChainSeed['multi']['attestations'] = [];
  for (const platform of platforms) {
    const text = `${platform.os}/${platform.architecture}` as 'linux/amd64' | 'linux/arm64';
    const spec = releaseSpec('1.0', { ...platform });
    // Not the same bytes as app:1.0's image (whose referrers would then show here too).
    spec.labels['org.opencontainers.image.ref.name'] = 'multi';
    const image = await pushImage(host, repository, undefined, spec, auth);
    images[text] = image;
    manifests.push({ mediaType: image.mediaType, digest: image.digest, size: image.size, platform });
  }
  for (const platform of platforms) {
    const text = `${platform.os}/${platform.architecture}` as 'linux/amd64' | 'linux/arm64';
    const image = images[text];
    const subjects = [{ name: `pkg:docker/${repository}@multi?platform=${encodeURIComponent(text)}`, digest: image.digest }];
    const sbomStatement = Buffer.from(JSON.stringify(inTotoStatement(subjects, 'https://spdx.dev/Document', spdxDocument(`${repository}:multi ${text}`, debPackages(120, platform.architecture === 'arm64' ? 3 : 0)))));
    const provenanceType = platform.architecture === 'amd64' ? 'https://slsa.dev/provenance/v0.2' : 'https://slsa.dev/provenance/v1';
    const provenance = Buffer.from(JSON.stringify(inTotoStatement(subjects, provenanceType, platform.architecture === 'amd64' ? slsaV02BuildkitPredicate(text) : slsaV1Predicate(REVISION))));
    const attestationConfig = Buffer.from(JSON.stringify({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [sha256(sbomStatement), sha256(provenance)] } }));
    await Promise.all([sbomStatement, provenance, attestationConfig].map((b) => pushBlob(host, repository, b, { auth })));
    const pushed = await pushByDigest(host, repository, {
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: MediaTypes.ociConfig, digest: sha256(attestationConfig), size: attestationConfig.length },
      layers: [
        { mediaType: SupplyChainTypes.inToto, digest: sha256(sbomStatement), size: sbomStatement.length, annotations: { 'in-toto.io/predicate-type': 'https://spdx.dev/Document' } },
        { mediaType: SupplyChainTypes.inToto, digest: sha256(provenance), size: provenance.length, annotations: { 'in-toto.io/predicate-type': provenanceType } },
      ],
    }, auth);
    attestations.push({ digest: pushed.digest, for: image.digest, platform: text, predicateTypes: ['https://spdx.dev/Document', provenanceType] });
    manifests.push({
      mediaType: MediaTypes.ociManifest,
      digest: pushed.digest,
      size: pushed.size,
      platform: { architecture: 'unknown', os: 'unknown' },
      annotations: { 'vnd.docker.reference.digest': image.digest, 'vnd.docker.reference.type': 'attestation-manifest' },
    });
  }
  const index = await pushManifest(host, repository, 'multi', { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests }, { auth });

  // ---- hostile
  const brokenConfig = await pushImage(host, hostileRepository, 'broken-config', releaseSpec('1.0'), auth, Buffer.from('{"architecture": "amd64", "os": "linux", "config": {'));
  const hugeBase = await pushImage(host, hostileRepository, 'huge-sbom', releaseSpec('1.0'), auth);
  const claimedSize = 100 * 1024 * 1024;
  const hugeSbomManifest = await pushReferrer(host, hostileRepository, { digest: hugeBase.digest, mediaType: hugeBase.mediaType, size: hugeBase.size }, SupplyChainTypes.spdx, [
    { mediaType: SupplyChainTypes.spdx, bytes: Buffer.from(JSON.stringify(spdxDocument('huge', debPackages(3)))), claimedSize },
  ], auth);

  const missingSpec = releaseSpec('1.0');
  missingSpec.labels['com.example.fate'] = 'config deleted';
  const missing = await pushImage(host, hostileRepository, 'missing-config', missingSpec, auth);
  const deleted = await registryRequest(host, hostileRepository, 'DELETE', `/v2/${hostileRepository}/blobs/${missing.configDigest}`, { auth, expect: [202, 405] });
  await deleted.arrayBuffer();

  return {
    host,
    repository,
    release: {
      ...release,
      spdx: { manifest: spdxManifest, blob: sha256(spdxBytes), packages: spdxPackages },
      cyclonedx: { manifest: cdxManifest, blob: sha256(cdxBytes), packages: cdxPackages },
      cosign: { manifest: cosignManifest, signer, issuer: oidcIssuer, certificatePem: cosignIdentity.pem },
      cosignTampered: { manifest: tamperedManifest },
      cosignLegacy: { manifest: legacy.digest, tag: legacyTag },
      cosignKey: { name: 'cosign.pub', pem: keyPair.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
      notation: { manifest: notationManifest, signer: 'CN=Registry Explorer test notary', signedAt: signingTime },
      provenance: { manifest: provenanceManifest, builder: 'https://github.com/actions/runner/github-hosted', sourceRepository: SOURCE, sourceRevision: REVISION },
    },
    next: { ...next, spdx: { manifest: nextSpdxManifest, blob: sha256(nextSpdxBytes), packages: nextList.packages }, changes: nextList.changes },
    multi: { reference: `${host}/${repository}:multi`, repository, tag: 'multi', digest: index.digest, mediaType: index.mediaType, size: index.size, images, attestations },
    brokenConfig,
    hugeSbom: { ...hugeBase, sbomManifest: hugeSbomManifest, claimedSize },
    ...(deleted.status === 202 ? { missingConfig: missing } : {}),
  };
}

async function pushByDigest(host: string, repository: string, manifest: object, auth?: SeedAuth): Promise<{ digest: string; size: number }> {
  return pushManifest(host, repository, sha256(Buffer.from(JSON.stringify(manifest))), manifest, { auth });
}
