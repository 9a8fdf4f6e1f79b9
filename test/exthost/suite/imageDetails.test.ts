// Show Image Details in the real extension host: what each panel posts to its webview (the
// ToWebview messages, watched through the API's details.onDidPost) for images seeded into the real
// test registry (seedSupplyChainImages): a single-arch image, an index with buildx attestations, SPDX
// and CycloneDX SBOM pages and a search, a verified and a tampered cosign signature, SLSA provenance,
// a compare of two tags, a broken config blob; and the panel's life: one per digest, reads aborted
// when it closes (seen by the registry's socket), restored by the serializer.
import * as assert from 'node:assert/strict';
import type * as http from 'node:http';
import * as vscode from 'vscode';
import type { ImageDetails } from '../../../src/details/model';
import type { DetailsTarget, FromWebview, ToWebview } from '../../../src/details/protocol';
import type { RegistryExplorerApi } from '../../../src/extension';
import type { ImageDetailsPanel } from '../../../src/vscode/details/imageDetailsPanels';
import { startHostileServer } from '../../support/hostileServer';
import { seedSupplyChainImages, type SupplyChainSeed } from '../../support/supplyChainSeed';
import { captureWindow } from './window';
import { activateExtension, after, afterEach, before, services, skip, suite, test, waitFor, withSetting } from './harness';

const VIEW_TYPE = 'registryExplorer.imageDetails';

let api: RegistryExplorerApi;
let seed: SupplyChainSeed;
const restore: (() => Promise<void>)[] = [];
/** Every message each panel posted since the suite began. */
const posted = new Map<ImageDetailsPanel, ToWebview[]>();

function messagesOf(panel: ImageDetailsPanel): ToWebview[] {
  return posted.get(panel) ?? [];
}

/** The first message of `type` (matching `where`) the panel posted, waiting for it. */
async function message<T extends ToWebview['type']>(
  panel: ImageDetailsPanel,
  type: T,
  where: (m: Extract<ToWebview, { type: T }>) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<Extract<ToWebview, { type: T }>> {
  return waitFor(
    `a "${type}" message`,
    () => messagesOf(panel).find((m): m is Extract<ToWebview, { type: T }> => m.type === type && where(m as Extract<ToWebview, { type: T }>)),
    timeoutMs,
  );
}

/** A failure the panel posted instead, so a test that waits for data says why it did not come. */
function failures(panel: ImageDetailsPanel): string {
  return messagesOf(panel)
    .filter((m): m is Extract<ToWebview, { type: 'failed' }> => m.type === 'failed')
    .map((m) => `${m.what}: ${m.message}`)
    .join('; ');
}

async function open(reference: string, platform?: string): Promise<ImageDetailsPanel> {
  const at = reference.indexOf(':');
  const target: DetailsTarget = { host: seed.host, repository: reference.slice(0, at), reference: reference.slice(at + 1), ...(platform ? { platform } : {}) };
  const panel = (await vscode.commands.executeCommand('registryExplorer.showImageDetails', target)) as ImageDetailsPanel | undefined;
  assert.ok(panel, `a panel for ${reference}`);
  return panel;
}

async function detailsOf(panel: ImageDetailsPanel, where: (d: ImageDetails) => boolean = () => true): Promise<ImageDetails> {
  try {
    return (await message(panel, 'details', (m) => where(m.details))).details;
  } catch (error) {
    throw new Error(`${(error as Error).message} (failures: ${failures(panel) || 'none'})`);
  }
}

let nextRequest = 1000;
/** A webview request without its id (distributed over the union, so each keeps its own fields). */
type Request<M = Extract<FromWebview, { requestId: number }>> = M extends unknown ? Omit<M, 'requestId'> : never;
/** Asks the panel what its webview would, and waits for the answer with that request id. */
async function ask<T extends 'sbomPage' | 'tags' | 'comparison'>(panel: ImageDetailsPanel, type: T, request: Request): Promise<Extract<ToWebview, { type: T }>> {
  const requestId = nextRequest++;
  void panel.receive({ ...request, requestId });
  const answer = await waitFor(`the answer to request ${requestId}`, () => messagesOf(panel).find((m) => 'requestId' in m && m.requestId === requestId), 30_000);
  if (answer.type === 'failed') throw new Error(`request ${requestId} failed: ${answer.what}: ${answer.message}`);
  assert.equal(answer.type, type);
  return answer as Extract<ToWebview, { type: T }>;
}

suite('image details panel', () => {
  before(async () => {
    const svc = services() ?? skip('REGX_TEST_SERVICES is not set');
    api = (await activateExtension()).exports as RegistryExplorerApi;
    restore.push(await withSetting('registryExplorer', 'registries', [{ url: `http://${svc.open.host}`, name: 'Details registry' }]));
    restore.push(await withSetting('registryExplorer', 'useDockerConfig', false));
    seed = await seedSupplyChainImages(svc.open.host, undefined, { prefix: 'extdetails' });
    const subscription = api.details.onDidPost(({ panel, message }) => posted.set(panel, [...messagesOf(panel), message]));
    restore.push(async () => subscription.dispose());
  });

  afterEach(async () => {
    for (const panel of api?.details.list() ?? []) panel.dispose();
  });

  after(async () => {
    for (const r of restore.reverse()) await r();
  });

  test('a single-arch image: overview, layers with their history steps, config and linked labels', async () => {
    const panel = await open(`${seed.repository}:1.0`);
    const details = await detailsOf(panel);
    assert.equal(details.kind, 'image');
    assert.equal(details.digest, seed.release.digest);
    assert.equal(details.reference, `${seed.host}/${seed.repository}:1.0`);
    assert.deepEqual(details.platforms, []);
    const image = details.image!;
    assert.equal(image.compressedSize, seed.release.compressedSize);
    assert.equal(details.totalSize, seed.release.compressedSize);
    assert.equal(image.configDigest, seed.release.configDigest);
    assert.deepEqual(image.problems, []);
    // One row per history step; the non-empty ones carry the seeded layers in order.
    const withLayers = image.layers.filter((r) => r.layer);
    assert.deepEqual(withLayers.map((r) => r.layer!.digest), seed.release.layers.map((l) => l.digest));
    assert.deepEqual(withLayers.map((r) => r.createdBy), seed.release.layers.map((l) => l.createdBy));
    assert.ok(image.layers.some((r) => r.emptyLayer && !r.layer), 'an empty step (ENV, CMD…) is marked');
    const config = image.config!;
    assert.ok(config.exposedPorts.length > 0 && config.volumes.length > 0 && config.stopSignal, 'ports, volumes and the stop signal are shown');
    const source = config.labels.find((l) => l.key === 'org.opencontainers.image.source');
    assert.ok(source?.link?.startsWith('https://'), `the source label links: ${JSON.stringify(source)}`);
    assert.equal(panel.webviewPanel.title, 'app:1.0');
  });

  test('from the palette: registry, repository and tag are asked for, as Inspect asks', async () => {
    const window = captureWindow({
      quickPick: (pick) => {
        if (pick.placeHolder === 'Registry') return 'Details registry';
        if (pick.placeHolder?.startsWith('Repository')) return pick.items.includes(seed.repository) ? seed.repository : /Enter a repository name/;
        if (pick.placeHolder?.startsWith('Tag')) return '1.1';
        return undefined;
      },
      inputBox: () => seed.repository,
    });
    let panel: ImageDetailsPanel | undefined;
    try {
      panel = (await vscode.commands.executeCommand('registryExplorer.showImageDetails')) as ImageDetailsPanel | undefined;
    } finally {
      window.dispose();
    }
    assert.ok(panel, `a panel (asked: ${window.picks.map((p) => p.placeHolder).join(' → ')})`);
    assert.deepEqual(window.picks.map((p) => p.title), ['Show image details', 'Show image details', 'Show image details']);
    const details = await detailsOf(panel);
    assert.equal(details.digest, seed.next.digest);
    assert.equal(details.tag, '1.1');
  });

  test('an index: its platforms, attestation entries marked as such, and a switch of platform', async () => {
    const panel = await open(`${seed.repository}:multi`);
    const details = await detailsOf(panel);
    assert.equal(details.kind, 'index');
    assert.equal(details.digest, seed.multi.digest);
    const images = details.platforms.filter((p) => !p.isAttestation);
    const attestations = details.platforms.filter((p) => p.isAttestation);
    assert.deepEqual(images.map((p) => p.platform).sort(), ['linux/amd64', 'linux/arm64']);
    assert.equal(attestations.length, seed.multi.attestations.length);
    for (const a of attestations) assert.ok(seed.multi.attestations.some((s) => s.digest === a.digest && s.for === a.attests), `attestation ${a.platform} names what it attests`);
    assert.equal(details.image!.digest, seed.multi.images['linux/amd64'].digest, 'linux/amd64 is shown first');

    const arm = seed.multi.images['linux/arm64'].digest;
    await panel.receive({ type: 'selectPlatform', digest: arm });
    const switched = await detailsOf(panel, (d) => d.image?.digest === arm);
    assert.equal(switched.image!.compressedSize, seed.multi.images['linux/arm64'].compressedSize);
    assert.equal(panel.currentTarget.platform, arm);
    // A digest that is not an entry of the index is refused, in words.
    await panel.receive({ type: 'selectPlatform', digest: seed.release.digest });
    await message(panel, 'failed', (m) => /not a platform/.test(m.message));
  });

  test('SBOMs: SPDX and CycloneDX read in pages of at most 200, and a search', async () => {
    const panel = await open(`${seed.repository}:1.0`);
    const chain = (await message(panel, 'supplyChain', undefined, 30_000)).supplyChain;
    const spdx = chain.sboms.find((s) => s.format === 'spdx');
    const cdx = chain.sboms.find((s) => s.format === 'cyclonedx');
    assert.ok(spdx && cdx, `both SBOMs listed: ${JSON.stringify(chain.sboms)}`);
    assert.equal(spdx.packageCount, seed.release.spdx.packages.length);
    assert.equal(cdx.packageCount, seed.release.cyclonedx.packages.length);

    const first = (await ask(panel, 'sbomPage', { type: 'sbomQuery', sbom: spdx.digest, query: '', offset: 0, limit: 200 })).page;
    assert.equal(first.total, 450);
    assert.equal(first.items.length, 200);
    const last = (await ask(panel, 'sbomPage', { type: 'sbomQuery', sbom: spdx.digest, query: '', offset: 400, limit: 200 })).page;
    assert.equal(last.items.length, 50);
    // A page larger than SBOM_PAGE_SIZE is not sent, whatever the webview asks.
    const capped = (await ask(panel, 'sbomPage', { type: 'sbomQuery', sbom: cdx.digest, query: '', offset: 0, limit: 100_000 })).page;
    assert.equal(capped.items.length, 200);
    assert.equal(capped.total, 300);

    const expected = seed.release.spdx.packages.filter((p) => [p.name, p.version, p.license].some((f) => f.toLowerCase().includes('openssl')));
    const search = (await ask(panel, 'sbomPage', { type: 'sbomQuery', sbom: spdx.digest, query: 'openssl', offset: 0, limit: 200 })).page;
    assert.equal(search.total, expected.length);
    assert.deepEqual(search.items.map((p) => p.name).sort(), expected.map((p) => p.name).sort());

    // Only an SBOM of this image: no other blob can be asked for.
    const requestId = nextRequest++;
    await panel.receive({ type: 'sbomQuery', requestId, sbom: seed.release.configDigest, query: '', offset: 0, limit: 10 });
    await message(panel, 'failed', (m) => m.requestId === requestId && /not an SBOM/.test(m.message));
  });

  test('signatures: the cosign one verified, the tampered one failed; provenance names builder and source', async () => {
    const panel = await open(`${seed.repository}:1.0`);
    const chain = (await message(panel, 'supplyChain', undefined, 30_000)).supplyChain;
    const good = chain.signatures.find((s) => s.digest === seed.release.cosign.manifest);
    const tampered = chain.signatures.find((s) => s.digest === seed.release.cosignTampered.manifest);
    assert.ok(good && tampered, `both cosign signatures listed: ${JSON.stringify(chain.signatures)}`);
    assert.equal(good.format, 'cosign');
    assert.equal(good.verification.status, 'verified', good.verification.detail);
    assert.equal(good.signer, seed.release.cosign.signer);
    assert.equal(tampered.verification.status, 'failed', tampered.verification.detail);
    const notation = chain.signatures.find((s) => s.format === 'notation');
    assert.ok(notation, 'the notation signature is listed');

    const provenance = chain.attestations.find((a) => a.digest === seed.release.provenance.manifest) ?? chain.attestations[0];
    assert.ok(provenance, `provenance listed: ${JSON.stringify(chain.attestations)}`);
    assert.equal(provenance.builder, seed.release.provenance.builder);
    assert.equal(provenance.sourceRepository, seed.release.provenance.sourceRepository);
    assert.equal(provenance.sourceRevision, seed.release.provenance.sourceRevision);
  });

  test('compare 1.0 with 1.1: the tag picker, layers, size delta and packages added, removed and upgraded', async () => {
    const panel = await open(`${seed.repository}:1.0`);
    await detailsOf(panel);
    const tags = await ask(panel, 'tags', { type: 'listTags', filter: '1.' });
    assert.deepEqual([...tags.tags].sort(), ['1.0', '1.1']);
    assert.ok(!tags.tags.some((t) => t.startsWith('sha256-')), 'referrer fallback tags are not offered');

    const comparison = (await ask(panel, 'comparison', { type: 'compare', reference: '1.1' })).comparison;
    assert.equal(comparison.sizeDelta, seed.next.compressedSize - seed.release.compressedSize);
    const baseLayers = new Set(seed.release.layers.map((l) => l.digest));
    const nextLayers = new Set(seed.next.layers.map((l) => l.digest));
    assert.deepEqual(comparison.layersAdded.map((l) => l.digest).sort(), seed.next.layers.filter((l) => !baseLayers.has(l.digest)).map((l) => l.digest).sort());
    assert.deepEqual(comparison.layersRemoved.map((l) => l.digest).sort(), seed.release.layers.filter((l) => !nextLayers.has(l.digest)).map((l) => l.digest).sort());
    assert.ok(comparison.config.length > 0 || comparison.labels.length > 0, 'env or label changes are listed');
    assert.ok(!('unavailable' in comparison.packages), `packages compared: ${JSON.stringify(comparison.packages)}`);
    const packages = comparison.packages as Exclude<typeof comparison.packages, { unavailable: string }>;
    assert.deepEqual(packages.added.map((p) => p.name).sort(), [...seed.next.changes.added].sort());
    assert.deepEqual(packages.removed.map((p) => p.name).sort(), [...seed.next.changes.removed].sort());
    assert.deepEqual(
      packages.upgraded.map((p) => `${p.name} ${p.from}→${p.to}`).sort(),
      seed.next.changes.upgraded.map((p) => `${p.name} ${p.from}→${p.to}`).sort(),
    );
  });

  test('a broken config blob is a problem row, and the rest of the panel still shows', async () => {
    const panel = await open(`${seed.brokenConfig.repository}:${seed.brokenConfig.tag}`);
    const details = await detailsOf(panel);
    assert.equal(details.digest, seed.brokenConfig.digest);
    const problems = [...details.problems, ...(details.image?.problems ?? [])];
    assert.ok(problems.some((p) => /config/i.test(p.what) && p.message.length > 0), `a config problem: ${JSON.stringify(problems)}`);
    assert.ok(details.image && details.image.layers.some((r) => r.layer), 'the layers are still listed');
  });

  test('a tag that does not exist: the panel says so in words, and a retry reads again', async () => {
    const panel = await open(`${seed.repository}:no-such-tag`);
    const failure = await message(panel, 'failed', (m) => m.what === 'details');
    assert.equal(failure.requestId, undefined);
    assert.match(failure.message, /no-such-tag|not found|unknown/i);
    assert.ok(!messagesOf(panel).some((m) => m.type === 'details'));
    // The webview's 'ready' (a reload of the page) after a failure tries again rather than show nothing.
    const before = messagesOf(panel).filter((m) => m.type === 'failed').length;
    await panel.receive({ type: 'ready' });
    await waitFor('a second try', () => messagesOf(panel).filter((m) => m.type === 'failed').length > before);
  });

  test('an SBOM over the size cap: its problem is said in words, and nothing else is lost', async () => {
    const panel = await open(`${seed.hugeSbom.repository}:${seed.hugeSbom.tag}`);
    const chain = (await message(panel, 'supplyChain', undefined, 30_000)).supplyChain;
    const sbom = chain.sboms[0];
    const words = [...chain.problems.map((p) => p.message)];
    if (sbom) {
      // Listed from its descriptor; reading its packages is what fails, as an error row of the SBOM.
      const requestId = nextRequest++;
      await panel.receive({ type: 'sbomQuery', requestId, sbom: sbom.digest, query: '', offset: 0, limit: 200 });
      words.push((await message(panel, 'failed', (m) => m.requestId === requestId)).message);
    }
    assert.ok(words.some((w) => /too large|larger than|exceeds|MiB|MB/i.test(w)), `the cap is named: ${JSON.stringify(words)}`);
    assert.ok((await detailsOf(panel)).image?.layers.length, 'the overview and layers still show');
  });

  test('a registry without scans says so; copy reaches the clipboard; only https links are opened', async () => {
    const panel = await open(`${seed.repository}:1.0`);
    const vulnerabilities = (await message(panel, 'vulnerabilities', undefined, 30_000)).vulnerabilities;
    assert.equal(vulnerabilities.available, false);
    assert.match((vulnerabilities as { reason: string }).reason, /scan/i);

    await vscode.env.clipboard.writeText('');
    await panel.receive({ type: 'copy', text: seed.release.digest });
    assert.equal(await vscode.env.clipboard.readText(), seed.release.digest);

    for (const url of ['http://example.com/', 'javascript:alert(1)', 'file:///etc/passwd']) {
      const before = messagesOf(panel).length;
      await panel.receive({ type: 'openLink', url });
      const refusal = messagesOf(panel).slice(before).find((m) => m.type === 'failed');
      assert.ok(refusal && refusal.type === 'failed' && /https/.test(refusal.message), `${url} refused: ${JSON.stringify(refusal)}`);
    }
    // A message of no known shape is ignored, not answered.
    const before = messagesOf(panel).length;
    await panel.receive({ type: 'fetch', url: 'https://evil.example/' });
    await panel.receive('ready');
    assert.equal(messagesOf(panel).length, before);
  });

  test('one panel per image: the same tag, or its digest, reveals the panel already open', async () => {
    const first = await open(`${seed.repository}:1.0`);
    await detailsOf(first);
    const again = await open(`${seed.repository}:1.0`);
    const byDigest = await open(`${seed.repository}:${seed.release.digest}`);
    assert.equal(again, first);
    assert.equal(byDigest, first);
    const other = await open(`${seed.repository}:1.1`);
    assert.notEqual(other, first);
    assert.equal(api.details.list().length, 2);
    const detailsTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(VIEW_TYPE));
    await waitFor('two Image Details tabs in the editor', () => detailsTabs().length === 2, 5_000).catch(() => {
      throw new Error(`tabs: ${detailsTabs().map((t) => t.label).join(', ')}`);
    });
  });

  test('closing the panel aborts its reads: the registry sees the connection go', async () => {
    const hostile = await startHostileServer();
    try {
      let closed = false;
      let held: http.ServerResponse | undefined;
      hostile.route('/v2/', (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
      hostile.route('/v2/slow/app/manifests/1.0', (req, res) => {
        // HEAD (the reuse check) answers at once; the panel's GET is held until the client gives up.
        if (req.method === 'HEAD') return void res.writeHead(404).end();
        held = res;
        res.once('close', () => (closed = true));
      });
      const panel = (await vscode.commands.executeCommand('registryExplorer.showImageDetails', { host: hostile.host, repository: 'slow/app', reference: '1.0' })) as ImageDetailsPanel;
      await waitFor('the manifest GET to reach the registry', () => held, 15_000);
      assert.equal(panel.signal.aborted, false);
      panel.webviewPanel.dispose();
      await waitFor('the held request to be closed by the client', () => closed, 5_000);
      assert.equal(panel.signal.aborted, true);
      assert.equal(api.details.list().includes(panel), false);
      assert.ok(!messagesOf(panel).some((m) => m.type === 'failed'), 'a closed panel reports nothing');
    } finally {
      await hostile.close();
    }
  });

  test('the serializer restores a panel from the state its webview kept', async () => {
    const webviewPanel = vscode.window.createWebviewPanel(VIEW_TYPE, 'restored', vscode.ViewColumn.Active, {});
    const target: DetailsTarget = { host: seed.host, repository: seed.repository, reference: 'multi', platform: seed.multi.images['linux/arm64'].digest };
    await api.details.deserializeWebviewPanel(webviewPanel, { target, tab: 2 });
    const panel = await waitFor('the restored panel', () => api.details.list().find((p) => p.webviewPanel === webviewPanel));
    // Its webview loads the bundle and says 'ready'; the panel answers with the platform it showed.
    const details = await detailsOf(panel);
    assert.equal(details.digest, seed.multi.digest);
    assert.equal(details.image!.digest, target.platform);
    assert.equal(webviewPanel.webview.options.enableScripts, true);
    assert.deepEqual(webviewPanel.webview.options.localResourceRoots?.map((u) => u.path.replace(/.*\/(dist\/webview)$/, '$1')), ['dist/webview']);
  });
});
