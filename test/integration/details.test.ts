// Image details against the REAL registries (test/services/start.mjs) with images seeded by
// seedSupplyChainImages (plain HTTP, not our client): what readImageDetails, readSupplyChain,
// sbomPage, compareImages and vulnerabilitiesView return — the data the panel and `regx inspect
// --details` show — and regx's output lines and exit codes. Harbor's scans through its emulation in
// front of the real token registry (test/emulations/harbor.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryCredentialStore } from '../../src/credentials';
import { compareImages, readImageDetails, readSupplyChain, sbomPage, vulnerabilitiesView } from '../../src/details';
import { forgetParsedSboms } from '../../src/details/supplyChain';
import { RegistryClient } from '../../src/distribution/client';
import { createSession } from '../../src/distribution/session';
import { createTransport, type RequestLogEntry } from '../../src/distribution/transport';
import { CancelledError, DistributionError } from '../../src/errors/errors';
import { providerFor } from '../../src/registries';
import { startHarborEmulation, type HarborEmulation } from '../emulations/harbor';
import { rejection } from '../support/rejection';
import { runRegx } from '../support/runRegx';
import { seedSupplyChainImages, type SupplyChainSeed } from '../support/supplyChainSeed';
import { testServices } from '../support/services';

const services = testServices();
const requests: RequestLogEntry[] = [];
const transport = createTransport({ maxAttempts: 1, onRequest: (entry) => requests.push(entry) });
const clientOf = (host: string) => new RegistryClient(createSession({ host }, { transport }));

let seed: SupplyChainSeed;
let elsewhere: SupplyChainSeed;
let open: RegistryClient;
let env: NodeJS.ProcessEnv;

before(async () => {
  seed = await seedSupplyChainImages(services.open.host);
  elsewhere = await seedSupplyChainImages(`http://${services.openNoDelete.host}`);
  open = clientOf(services.open.host);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-details-'));
  env = { PATH: process.env.PATH ?? '', HOME: home, DOCKER_CONFIG: path.join(home, 'docker') };
});

after(async () => {
  await transport.close();
});

describe('readImageDetails: one image', () => {
  it('shows the overview, every history step with the layer it made (empty steps marked), sizes as stored', async () => {
    const details = await readImageDetails(open, { repository: seed.repository, reference: '1.0' });
    assert.deepEqual([details.reference, details.kind, details.digest, details.tag, details.platforms], [seed.release.reference, 'image', seed.release.digest, '1.0', []]);
    const image = details.image!;
    assert.deepEqual([image.platform, image.created, image.compressedSize, details.totalSize], ['linux/amd64', '2024-05-01T10:00:00Z', seed.release.compressedSize, seed.release.compressedSize]);
    assert.equal(image.layers.length, 12);
    assert.deepEqual(image.layers.filter((l) => l.layer).map((l) => [l.step, l.layer!.digest, l.layer!.size, l.createdBy]), seed.release.layers.map((l, i) => [[0, 4, 6][i], l.digest, l.size, l.createdBy]));
    assert.deepEqual(image.layers.filter((l) => l.emptyLayer).map((l) => l.createdBy), [
      '/bin/sh -c #(nop)  CMD ["bash"]', `LABEL org.opencontainers.image.source=https://github.com/example-org/registry-explorer-demo`, 'ENV APP_HOME=/srv/app',
      'WORKDIR /srv/app', 'USER app', 'EXPOSE map[8080/tcp:{} 9090/tcp:{}]', 'VOLUME [/srv/app/data]', 'STOPSIGNAL SIGQUIT', 'ENTRYPOINT ["/srv/app/bin/server"]',
    ]);
    assert.deepEqual([image.problems, details.problems], [[], []]);
  });

  it('shows the config: entrypoint, cmd, env split at the first "=", working dir, user, ports, volumes, stop signal', async () => {
    const config = (await readImageDetails(open, { repository: seed.repository, reference: '1.0' })).image!.config!;
    assert.deepEqual(config.entrypoint, ['/srv/app/bin/server']);
    assert.deepEqual(config.cmd, ['--config', '/srv/app/config.yaml']);
    assert.deepEqual(config.env.find((e) => e.name === 'GREETING'), { name: 'GREETING', value: 'a=b=c' });
    assert.deepEqual([config.workingDir, config.user, config.exposedPorts, config.volumes, config.stopSignal], ['/srv/app', 'app', ['8080/tcp', '9090/tcp'], ['/srv/app/data'], 'SIGQUIT']);
  });

  it('links the OCI labels: source, the revision to its GitHub commit, licenses marked, a javascript: URL left as text', async () => {
    const labels = Object.fromEntries((await readImageDetails(open, { repository: seed.repository, reference: '1.0' })).image!.config!.labels.map((l) => [l.key, l]));
    assert.equal(labels['org.opencontainers.image.source'].link, 'https://github.com/example-org/registry-explorer-demo');
    assert.equal(labels['org.opencontainers.image.revision'].link, 'https://github.com/example-org/registry-explorer-demo/commit/3f1c2a9b7d4e5f60718293a4b5c6d7e8f9012345');
    assert.deepEqual([labels['org.opencontainers.image.licenses'].known, labels['org.opencontainers.image.licenses'].value], ['licenses', 'Apache-2.0']);
    assert.deepEqual([labels['org.opencontainers.image.url'].value, labels['org.opencontainers.image.url'].link], ['javascript:alert(1)', undefined]);
  });

  it('a reference that does not exist is an error, not an empty panel', async () => {
    const failure = await rejection(readImageDetails(open, { repository: seed.repository, reference: 'no-such-tag' }));
    assert.ok(failure instanceof DistributionError && failure.status === 404, String(failure));
  });

  it('stops when the caller cancels', async () => {
    const controller = new AbortController();
    controller.abort();
    assert.ok((await rejection(readImageDetails(open, { repository: seed.repository, reference: 'multi' }, { signal: controller.signal }))) instanceof CancelledError);
  });
});

describe('readImageDetails: an index', () => {
  it('lists the platforms, attestations as such (naming what they attest), and shows linux/amd64 by default', async () => {
    const details = await readImageDetails(open, { repository: seed.repository, reference: 'multi' });
    const amd64 = seed.multi.images['linux/amd64'];
    const arm64 = seed.multi.images['linux/arm64'];
    assert.equal(details.kind, 'index');
    assert.deepEqual(details.platforms.map((p) => [p.platform, p.isAttestation, p.digest, p.attests]), [
      ['linux/amd64', false, amd64.digest, undefined],
      ['linux/arm64', false, arm64.digest, undefined],
      ['attestation for linux/amd64', true, seed.multi.attestations[0].digest, amd64.digest],
      ['attestation for linux/arm64', true, seed.multi.attestations[1].digest, arm64.digest],
    ]);
    assert.deepEqual([details.image!.digest, details.image!.platform], [amd64.digest, 'linux/amd64']);
    assert.equal(details.totalSize, amd64.compressedSize + arm64.compressedSize);
  });

  it('switches platform by name or by digest; an unknown one says so and shows the default', async () => {
    const arm64 = seed.multi.images['linux/arm64'];
    assert.equal((await readImageDetails(open, { repository: seed.repository, reference: 'multi', platform: 'linux/arm64' })).image!.digest, arm64.digest);
    assert.equal((await readImageDetails(open, { repository: seed.repository, reference: seed.multi.digest, platform: arm64.digest })).image!.digest, arm64.digest);
    const unknown = await readImageDetails(open, { repository: seed.repository, reference: 'multi', platform: 'windows/amd64' });
    assert.equal(unknown.image!.platform, 'linux/amd64');
    assert.match(unknown.problems[0].message, /no image for windows\/amd64; showing linux\/amd64 instead/);
    const attestation = await readImageDetails(open, { repository: seed.repository, reference: 'multi', platform: seed.multi.attestations[1].digest });
    assert.equal(attestation.image!.platform, 'linux/amd64');
    assert.match(attestation.problems[0].message, /is an attestation \(its SBOM and provenance are under Supply chain\), not a platform image; showing linux\/amd64/);
  });
});

describe('readSupplyChain', () => {
  it("finds app:1.0's signatures: cosign checked against its certificate (verified, and failed when altered), notation, the legacy .sig tag", async () => {
    const chain = await readSupplyChain(open, seed.repository, seed.release.digest);
    const byDigest = Object.fromEntries(chain.signatures.map((s) => [s.digest, s]));
    const cosign = byDigest[seed.release.cosign.manifest];
    assert.deepEqual([cosign.format, cosign.verification.status, cosign.signer, cosign.issuer, cosign.signedAt], ['cosign', 'verified', seed.release.cosign.signer, seed.release.cosign.issuer, '2024-05-01T10:00:00Z']);
    assert.match(cosign.verification.detail, /chain to Fulcio or another trust root, and any transparency-log entry, were NOT checked/);
    const tampered = byDigest[seed.release.cosignTampered.manifest];
    assert.equal(tampered.verification.status, 'failed');
    assert.match(tampered.verification.detail, /changed after signing/);
    const notation = byDigest[seed.release.notation.manifest];
    assert.deepEqual([notation.format, notation.verification.status, notation.signedAt], ['notation', 'verified', seed.release.notation.signedAt]);
    assert.match(notation.signer!, /^CN=Registry Explorer test notary, O=Example/);
    const legacy = byDigest[seed.release.cosignLegacy.manifest];
    assert.deepEqual([legacy.format, legacy.verification.status], ['cosign', 'not-checked']);
    assert.equal(chain.signatures.length, 4);
    assert.deepEqual(chain.problems, []);
  });

  it("checks the key-signed .sig tag with the caller's public key", async () => {
    const chain = await readSupplyChain(open, seed.repository, seed.release.digest, { publicKeys: [seed.release.cosignKey] });
    const legacy = chain.signatures.find((s) => s.digest === seed.release.cosignLegacy.manifest)!;
    assert.deepEqual([legacy.verification.status, legacy.verification.detail], ['verified', 'Signature checked with the public key cosign.pub.']);
  });

  it("finds the SPDX and CycloneDX SBOMs and the SLSA v1 provenance (in a DSSE envelope) with builder, source and revision", async () => {
    const chain = await readSupplyChain(open, seed.repository, seed.release.digest);
    assert.deepEqual(chain.sboms.map((s) => [s.format, s.digest, s.packageCount, s.source, s.tool]), [
      ['spdx', seed.release.spdx.blob, 450, 'referrer', 'syft-1.4.1'],
      ['cyclonedx', seed.release.cyclonedx.blob, 300, 'referrer', 'syft-1.4.1'],
    ]);
    assert.deepEqual(chain.attestations.map((a) => [a.predicateType, a.builder, a.sourceRepository, a.sourceRevision, a.entryPoint]), [
      ['https://slsa.dev/provenance/v1', seed.release.provenance.builder, seed.release.provenance.sourceRepository, seed.release.provenance.sourceRevision, '.github/workflows/release.yml'],
    ]);
  });

  it("reads an index's buildx attestations: every platform's, or only the shown platform's", async () => {
    const all = await readSupplyChain(open, seed.repository, seed.multi.digest);
    const bySubject = (x: unknown[], y: unknown[]) => String(x[3]).localeCompare(String(y[3]));
    assert.deepEqual(all.sboms.map((s) => [s.source, s.format, s.packageCount, s.subject]).sort(bySubject), [
      ['attestation', 'spdx', 120, seed.multi.images['linux/amd64'].digest],
      ['attestation', 'spdx', 120, seed.multi.images['linux/arm64'].digest],
    ].sort(bySubject));
    assert.deepEqual(new Set(all.attestations.map((a) => a.predicateType)), new Set(['https://slsa.dev/provenance/v0.2', 'https://slsa.dev/provenance/v1']));
    const v02 = all.attestations.find((a) => a.predicateType === 'https://slsa.dev/provenance/v0.2')!;
    assert.deepEqual([v02.builder, v02.buildType, v02.sourceRepository, v02.entryPoint], ['https://github.com/docker/buildx', 'https://mobyproject.org/buildkit@v1', 'https://github.com/example-org/registry-explorer-demo', 'Dockerfile']);

    const arm64 = seed.multi.images['linux/arm64'].digest;
    const one = await readSupplyChain(open, seed.repository, seed.multi.digest, { platform: arm64 });
    assert.deepEqual([one.sboms.map((s) => s.subject), one.attestations.map((a) => [a.predicateType, a.subject])], [[arm64], [['https://slsa.dev/provenance/v1', arm64]]]);
  });

  it('an SBOM claiming 100 MiB is a problem row and is never downloaded', async () => {
    const mark = requests.length;
    const chain = await readSupplyChain(open, seed.hugeSbom.repository, seed.hugeSbom.digest);
    assert.deepEqual(chain.sboms, []);
    assert.equal(chain.problems.length, 1);
    assert.match(chain.problems[0].message, /declares 100 MiB, more than the 64 MiB Registry Explorer reads of it: it was not downloaded/);
    assert.ok(!requests.slice(mark).some((r) => r.method === 'GET' && r.url.includes('/blobs/')), 'no blob GET');
  });
});

describe('sbomPage', () => {
  it('pages through the SPDX packages (200 at a time) with name, version, license and purl, fetching the blob once', async () => {
    forgetParsedSboms();
    const mark = requests.length;
    const pages = [];
    for (let offset = 0; offset < 450; offset += 200) pages.push(await sbomPage(open, seed.repository, seed.release.spdx.blob, '', offset, 200));
    assert.deepEqual(pages.map((p) => [p.offset, p.total, p.items.length]), [[0, 450, 200], [200, 450, 200], [400, 450, 50]]);
    assert.deepEqual(pages.flatMap((p) => p.items), seed.release.spdx.packages.map((p) => ({ name: p.name, version: p.version, license: p.license, purl: p.purl })));
    const blobGets = requests.slice(mark).filter((r) => r.url.includes(`/blobs/${seed.release.spdx.blob}`));
    assert.deepEqual(blobGets.map((r) => r.method), ['HEAD', 'GET'], 'one HEAD for the size, one GET for the bytes');
  });

  it('filters case-insensitively across name, version and license; CycloneDX licenses in every form', async () => {
    const page = await sbomPage(open, seed.repository, seed.release.cyclonedx.blob, 'EXPRESS', 0, 200);
    const expected = seed.release.cyclonedx.packages.filter((p) => [p.name, p.version, p.license, p.purl].some((f) => f.toLowerCase().includes('express')));
    assert.deepEqual([page.total, page.items.map((p) => p.name)], [expected.length, expected.map((p) => p.name)]);
    const mit = await sbomPage(open, seed.repository, seed.release.cyclonedx.blob, 'mit', 0, 1000);
    assert.equal(mit.total, seed.release.cyclonedx.packages.filter((p) => p.license.toLowerCase().includes('mit') || p.name.includes('mit') || p.purl.includes('mit')).length);
  });

  it('a digest that is no blob of the repository is an error in words', async () => {
    const failure = await rejection(sbomPage(open, seed.repository, `sha256:${'0'.repeat(64)}`, '', 0, 10));
    assert.match(String((failure as Error).message), /has no such blob/);
  });
});

describe('compareImages', () => {
  it('1.0 → 1.1: size, layers added/removed/shared, config and label changes, packages added/removed/upgraded', async () => {
    const c = await compareImages(open, { repository: seed.repository, reference: '1.0' }, open, { repository: seed.repository, reference: '1.1' });
    assert.deepEqual([c.base, c.other, c.sizeDelta], [seed.release.reference, seed.next.reference, seed.next.compressedSize - seed.release.compressedSize]);
    const baseLayers = new Set(seed.release.layers.map((l) => l.digest));
    const nextLayers = new Set(seed.next.layers.map((l) => l.digest));
    assert.deepEqual(c.layersAdded.map((l) => l.digest), seed.next.layers.filter((l) => !baseLayers.has(l.digest)).map((l) => l.digest));
    assert.deepEqual(c.layersRemoved.map((l) => l.digest), seed.release.layers.filter((l) => !nextLayers.has(l.digest)).map((l) => l.digest));
    assert.equal(c.layersShared, 2);
    assert.deepEqual(c.config, [
      { field: 'Env LOG_LEVEL', before: 'info', after: 'debug' },
      { field: 'Env LEGACY_MODE', before: '1' },
      { field: 'Env FEATURE_FLAGS', after: 'plugins' },
      { field: 'ExposedPorts 9443/tcp', after: '9443/tcp' },
    ]);
    assert.deepEqual(c.labels.map((l) => l.field), ['com.example.channel', 'com.example.legacy', 'org.opencontainers.image.revision', 'org.opencontainers.image.version']);
    assert.ok(!('unavailable' in c.packages));
    if ('unavailable' in c.packages) return;
    assert.deepEqual(c.packages.added.map((p) => p.name), [...seed.next.changes.added].sort());
    assert.deepEqual(c.packages.removed.map((p) => p.name), [...seed.next.changes.removed].sort());
    assert.deepEqual(c.packages.upgraded, [...seed.next.changes.upgraded].sort((a, b) => (a.name < b.name ? -1 : 1)));
    assert.deepEqual(c.problems, []);
  });

  it('compares across registries, and says why packages cannot be compared when one side has no SBOM', async () => {
    const other = clientOf(services.openNoDelete.host);
    const across = await compareImages(open, { repository: seed.repository, reference: '1.0' }, other, { repository: elsewhere.repository, reference: '1.1' });
    assert.deepEqual([across.layersShared, across.config.length], [2, 4]);
    assert.ok(!('unavailable' in across.packages));
    const noSbom = await compareImages(open, { repository: seed.repository, reference: '1.0' }, open, { repository: seed.brokenConfig.repository, reference: 'broken-config' });
    assert.deepEqual(noSbom.packages, { unavailable: `No SBOM found for ${seed.brokenConfig.reference}: packages cannot be compared.` });
    assert.match(noSbom.problems.map((p) => `${p.what}: ${p.message}`).join('\n'), /broken-config: config: .*config is not valid JSON/);
  });
});

describe('hostile images', () => {
  it('a config blob that is not JSON is a problem row; the layers are still listed', async () => {
    const details = await readImageDetails(open, { repository: seed.brokenConfig.repository, reference: 'broken-config' });
    const image = details.image!;
    assert.equal(image.config, undefined);
    assert.deepEqual(image.problems.map((p) => p.what), ['config']);
    assert.match(image.problems[0].message, /config is not valid JSON/);
    assert.deepEqual(image.layers.map((l) => l.layer?.digest), seed.brokenConfig.layers.map((l) => l.digest));
  });

  it('a config blob the registry no longer has is a problem row naming it', async () => {
    assert.ok(seed.missingConfig, 'the open registry deletes blobs');
    const details = await readImageDetails(open, { repository: seed.missingConfig.repository, reference: 'missing-config' });
    assert.equal(details.image!.config, undefined);
    assert.deepEqual(details.image!.problems.map((p) => p.what), ['config']);
    assert.equal(details.image!.problems[0].message, `Blob ${seed.missingConfig.configDigest} not found in ${seed.missingConfig.repository} on ${services.open.host}.`);
    assert.equal(details.image!.layers.filter((l) => l.layer).length, 3);
  });
});

describe('vulnerabilitiesView', () => {
  let emu: HarborEmulation;
  const project = `dt${Date.now().toString(36)}`;
  let harborSeed: SupplyChainSeed;

  before(async () => {
    emu = await startHarborEmulation({ registry: services.token.host, issuer: services.token.issuer!, pusher: services.token.user!, reader: services.token.reader!, projects: [{ name: project }] });
    harborSeed = await seedSupplyChainImages(services.token.host, services.token.user!, { prefix: project });
  });

  after(async () => {
    await emu?.close();
  });

  it('says plainly that a Distribution registry keeps no scan results', async () => {
    const provider = providerFor({ host: services.open.host }, { client: open, kind: 'generic', transport });
    assert.deepEqual(await vulnerabilitiesView(provider, seed.repository, seed.release.digest), {
      available: false,
      reason: `${services.open.host} is a Distribution registry: it keeps no scan results.`,
    });
  });

  it("gives Harbor's report, and the details and supply chain read through Harbor's token auth", async () => {
    await emu.attachScan(harborSeed.repository, '1.0', 'vulnerable');
    const credentials = new MemoryCredentialStore({ [emu.host]: { username: emu.accounts.robot.username, password: emu.accounts.robot.password } });
    const provider = providerFor({ host: emu.host }, { kind: 'harbor', credentials, transport });
    const view = await vulnerabilitiesView(provider, harborSeed.repository, harborSeed.release.digest);
    assert.ok(view.available);
    if (!view.available) return;
    assert.deepEqual([view.report.status, view.report.counts.critical, view.report.counts.high, view.report.vulnerabilities?.length], ['success', 1, 2, 6]);
    const details = await readImageDetails(provider.client, { repository: harborSeed.repository, reference: '1.0' });
    assert.equal(details.image!.layers.filter((l) => l.layer).length, 3);
    const chain = await readSupplyChain(provider.client, harborSeed.repository, harborSeed.release.digest);
    assert.deepEqual(chain.signatures.map((s) => s.verification.status).sort(), ['failed', 'not-checked', 'verified', 'verified']);
  });
});

describe('regx inspect --details', () => {
  it('prints the overview, layers table, config, labels, supply chain and why there are no vulnerabilities', async () => {
    const keyFile = path.join(env.HOME as string, 'cosign.pub');
    fs.writeFileSync(keyFile, seed.release.cosignKey.pem);
    const result = await runRegx(['inspect', '--details', seed.release.reference, '--key', keyFile], env);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split('\n');
    assert.equal(lines[0], `Reference   ${seed.release.reference}`);
    assert.ok(lines.includes(`Digest      ${seed.release.digest}`));
    assert.ok(lines.includes('  STEP  SIZE     DIGEST               CREATED BY'));
    assert.ok(lines.some((l) => /^ {2}4 {5}\S+ kB {2}sha256:[0-9a-f]{12} {2}RUN \/bin\/sh -c apt-get update/.test(l)), 'layer row of step 4');
    assert.ok(lines.includes('  1     -        (empty)              /bin/sh -c #(nop) CMD ["bash"]'));
    assert.ok(lines.includes('  StopSignal    SIGQUIT'));
    assert.ok(lines.includes('  Volumes       /srv/app/data'));
    assert.ok(lines.includes('  org.opencontainers.image.revision=3f1c2a9b7d4e5f60718293a4b5c6d7e8f9012345  <https://github.com/example-org/registry-explorer-demo/commit/3f1c2a9b7d4e5f60718293a4b5c6d7e8f9012345>'));
    assert.ok(lines.includes('  Signatures (4)'));
    assert.equal(lines.filter((l) => /^ {4}cosign {4}verified/.test(l)).length, 2, 'the certificate one and the key one');
    assert.ok(lines.some((l) => /^ {4}cosign {4}failed/.test(l)));
    assert.ok(lines.some((l) => /^ {4}spdx {10}450 packages {2}syft-1\.4\.1/.test(l)));
    assert.ok(lines.some((l) => /^ {4}https:\/\/slsa\.dev\/provenance\/v1 {2}sha256:[0-9a-f]{12}$/.test(l)));
    assert.ok(lines.includes('      source       https://github.com/example-org/registry-explorer-demo @ 3f1c2a9b7d4e5f60718293a4b5c6d7e8f9012345'));
    assert.ok(lines.includes(`  ${services.open.host} is a Distribution registry: it keeps no scan results.`));
  });

  it('--json gives {details, supplyChain, vulnerabilities}; --platform picks the index entry', async () => {
    const result = await runRegx(['inspect', '--details', '--json', seed.multi.reference, '--platform', 'linux/arm64'], env);
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as { details: { image: { digest: string } }; supplyChain: { sboms: unknown[] }; vulnerabilities: { available: boolean } };
    assert.deepEqual(Object.keys(json), ['details', 'supplyChain', 'vulnerabilities']);
    assert.equal(json.details.image.digest, seed.multi.images['linux/arm64'].digest);
    assert.deepEqual([json.supplyChain.sboms.length, json.vulnerabilities.available], [1, false]);
  });

  it('--compare prints what changed', async () => {
    const result = await runRegx(['inspect', '--details', seed.release.reference, '--compare', seed.next.reference], env);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split('\n');
    assert.ok(lines.includes('Layers  2 added, 1 removed, 2 shared'));
    assert.ok(lines.includes('  ~ Env LOG_LEVEL: info → debug'));
    assert.ok(lines.includes('  + ExposedPorts 9443/tcp: 9443/tcp'));
    assert.ok(lines.includes('Packages (7 added, 5 removed, 10 upgraded)'));
    assert.ok(lines.includes(`  ~ ${seed.next.changes.upgraded[0].name} ${seed.next.changes.upgraded[0].from} → ${seed.next.changes.upgraded[0].to}`));
  });

  it('a broken config blob: the details still print, the problem is named, exit 1', async () => {
    const result = await runRegx(['inspect', '--details', seed.brokenConfig.reference], env);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /\nProblems\n {2}config: .*config is not valid JSON\./);
    assert.equal(result.stderr, `regx: Config of ${seed.brokenConfig.reference} could not be read.\n`);
  });

  it('a missing reference exits 1 in words; flags that need --details are a usage error (2); plain inspect is unchanged', async () => {
    const missing = await runRegx(['inspect', '--details', `${services.open.host}/${seed.repository}:nope`], env);
    assert.deepEqual([missing.code, missing.stdout], [1, '']);
    assert.match(missing.stderr, /^regx: Tag "nope" not found in .*\/app on /);
    const usage = await runRegx(['inspect', seed.release.reference, '--compare', seed.next.reference], env);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--platform, --key and --compare need --details/);
    const plain = await runRegx(['inspect', '--json', seed.release.reference], env);
    assert.equal(plain.code, 0, plain.stderr);
    assert.deepEqual(Object.keys(JSON.parse(plain.stdout) as object), ['reference', 'digest', 'mediaType', 'size', 'platforms', 'created', 'labels']);
  });
});
