// Google Artifact Registry inside a real VS Code: connected with the scripted form of Connect Registry
// (kind "artifact-registry", a project), signed in with Application Default Credentials (refused
// first: none configured; nothing saved), browsed project/repository → images → tags → platforms,
// retag, copy and delete, and a token Google expires mid-listing that the tree survives. Google cannot
// be reached from here: test/emulations/artifactRegistry.ts is an emulation of its REST API and token
// endpoint from Google's published protos, in front of the REAL token registry of REGX_TEST_SERVICES;
// google-auth-library (the extension's cloud-google bundle) gets its tokens from it through the ADC
// file's token_uri.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RegistryExplorerApi } from '../../../src/extension';
import { startArtifactRegistryEmulation, type ArtifactRegistryEmulation } from '../../emulations/artifactRegistry';
import { seedImage, seedIndex, type SeededImage, type SeededIndex } from '../../support/seeding';
import { after, before, services, skip, suite, test } from './harness';
import { TreeView, VendorSuite } from './treeView';

const run = Date.now().toString(36);
const P = `regx-ext-${run}`;
const US = 'us-docker.pkg.dev';

let api: RegistryExplorerApi;
let tree: TreeView;
let emu: ArtifactRegistryEmulation;
let app: SeededImage;
let multi: SeededIndex;
let home: string;
const session = new VendorSuite();

suite('Artifact Registry', () => {
  before(async () => {
    const svc = services() ?? skip('REGX_TEST_SERVICES is not set');
    const token = svc.token;
    const auth = token.user!;
    await session.start();
    ({ api, tree } = session);
    app = await seedImage(token.host, `${P}/team/app`, '1.0', { auth, seed: `${run}-gar` });
    await seedImage(token.host, `${P}/team/app`, 'keep', { auth, seed: `${run}-gar` });
    multi = await seedIndex(token.host, `${P}/team/app`, '2.0', { auth, platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] });
    emu = await startArtifactRegistryEmulation({ registry: token.host, pusher: auth, reader: token.reader! });
    emu.createRepository({ project: P, location: 'us', repository: 'team', description: 'Team images' });
    emu.createRepository({ project: P, location: 'us', repository: 'copies' });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-ext-gar-'));
    // The extension host's own environment is what google-auth-library reads: no real gcloud, no metadata server.
    session.setEnv('METADATA_SERVER_DETECTION', 'none');
    session.setEnv('CLOUDSDK_CONFIG', path.join(home, 'gcloud'));
    session.setEnv('GOOGLE_APPLICATION_CREDENTIALS', path.join(home, 'missing.json'));
    // TEST-ONLY: the emulation stands for us-docker.pkg.dev, its REST APIs on the same address.
    api.service.overrideVendor(emu.host, { kind: 'artifact-registry', apiBaseUrl: emu.url, googleHost: US });
  });

  after(async () => {
    if (emu) await session.stop([emu.host]);
    await emu?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  test('without Application Default Credentials the sign-in is refused in words that name the fix, and nothing is saved', async () => {
    const window = session.window();
    const host = await vscode.commands.executeCommand('registryExplorer.connectRegistry', { url: emu.url, kind: 'artifact-registry', projects: [P] });
    assert.equal(host, undefined);
    const [error] = window.texts('error');
    assert.match(error ?? '', /GOOGLE_APPLICATION_CREDENTIALS/);
    assert.match(error ?? '', /gcloud auth application-default login/);
    assert.deepEqual(vscode.workspace.getConfiguration('registryExplorer').get('registries'), []);
  }, { timeout: 60_000 });

  test('with ADC: connected, the entry keeps the project (never a token), nothing in secret storage', async () => {
    const adc = path.join(home, 'adc.json');
    fs.writeFileSync(adc, JSON.stringify(emu.addUser('dev@example.com', 'repoAdmin', P)));
    session.setEnv('GOOGLE_APPLICATION_CREDENTIALS', adc);
    const window = session.window();
    assert.equal(await vscode.commands.executeCommand('registryExplorer.connectRegistry', { url: emu.url, kind: 'artifact-registry', projects: [P] }), emu.host);
    assert.deepEqual(vscode.workspace.getConfiguration('registryExplorer').get('registries'), [{ url: emu.url, kind: 'artifact-registry', projects: [P] }]);
    assert.equal(await api.service.secrets.get(emu.host), undefined);
    assert.ok(window.texts('info').some((t) => t.startsWith(`Signed in to Artifact Registry (${US}) as `)), window.texts().join(' | '));
    const settingsText = JSON.stringify(vscode.workspace.getConfiguration('registryExplorer').get('registries'));
    assert.doesNotMatch(settingsText, /ya29|token|refresh/i);
  }, { timeout: 60_000 });

  test('project/repository → images → tags → platforms', async () => {
    const reg = await tree.registry(emu.host);
    assert.equal(tree.label(reg), `Artifact Registry (${US})`);
    const namespaces = tree.only(await tree.all(reg), 'namespace');
    assert.deepEqual(namespaces.map((n) => n.name), [`${P}/copies`, `${P}/team`]);
    const image = await tree.repository(await tree.namespace(reg, `${P}/team`), `${P}/team/app`);
    const tags = tree.only(await tree.all(image), 'tag');
    assert.deepEqual(tags.map((t) => t.tag), ['1.0', '2.0', 'keep']);
    await tree.descriptionOnceIt(tags[0]!, new RegExp(`^${app.digest.slice(7, 19)} · `));
    assert.deepEqual(tree.only(await tree.children(tags[1]!), 'platform').map((p) => p.entry.digest), multi.images.map((i) => i.digest));
  }, { timeout: 60_000 });

  test('a token Google expires mid-listing: the tree lists on with a renewed one', async () => {
    const reg = await tree.registry(emu.host);
    const image = await tree.repository(await tree.namespace(reg, `${P}/team`), `${P}/team/app`);
    const before = emu.stats().refreshGrants;
    emu.expireAccessTokens();
    api.registries.refresh(image);
    assert.deepEqual(tree.only(await tree.all(image), 'tag').map((t) => t.tag), ['1.0', '2.0', 'keep']);
    assert.ok(emu.stats().refreshGrants > before, 'a new access token was asked for');
  }, { timeout: 60_000 });

  test('retag, copy to another repository, delete one tag', async () => {
    const window = session.window();
    const reg = await tree.registry(emu.host);
    const image = await tree.repository(await tree.namespace(reg, `${P}/team`), `${P}/team/app`);
    const retagged = await vscode.commands.executeCommand<{ digest: string }>('registryExplorer.retag', await tree.tag(image, '1.0'), undefined, 'stable');
    assert.equal(retagged.digest, app.digest);
    const copied = await vscode.commands.executeCommand<{ digest: string }>('registryExplorer.copyImage', await tree.tag(image, '2.0'), undefined, { registry: emu.host, repository: `${P}/copies/app`, tag: '2.0', referrers: false });
    assert.equal(copied.digest, multi.digest);
    const keep = await tree.tag(image, 'keep');
    const outcome = await vscode.commands.executeCommand<{ removed: string[] }>('registryExplorer.delete', keep, [keep], { choice: 'everything' });
    assert.deepEqual(outcome.removed, [`${P}/team/app:keep`], window.texts().join(' | '));
    api.registries.refresh(image);
    assert.deepEqual(tree.only(await tree.all(image), 'tag').map((t) => t.tag), ['1.0', '2.0', 'stable']);
  }, { timeout: 60_000 });

  test('Disconnect leaves nothing behind', async () => {
    await vscode.commands.executeCommand('registryExplorer.disconnectRegistry', await tree.registry(emu.host));
    assert.deepEqual(vscode.workspace.getConfiguration('registryExplorer').get('registries'), []);
    assert.equal(await api.service.secrets.get(emu.host), undefined);
  }, { timeout: 60_000 });
});
