// Azure Container Registry inside a real VS Code, signed in with a Microsoft account through
// vscode.authentication. code-server has no Microsoft account provider, so this suite registers a
// TEST-ONLY one named 'microsoft' whose sessions carry the emulation's Entra tokens: the extension's
// real getSession path runs against it — up to VS Code's consent prompt, which a test run refuses.
// Then the admin user (refused, then accepted and kept in SecretStorage) through the scripted Connect
// Registry (kind "acr"), browsed repositories → tags → platforms, ACR tokens expired mid-listing,
// retag, copy, delete. ACR cannot be reached from here:
// test/emulations/acr.ts is an emulation of its data-plane API from Azure's published spec, in front of
// the REAL token registry of REGX_TEST_SERVICES.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RegistryExplorerApi } from '../../../src/extension';
import { startAcrEmulation, type AcrEmulation } from '../../emulations/acr';
import { seedImage, seedIndex, type SeededImage, type SeededIndex } from '../../support/seeding';
import { after, before, services, skip, suite, test } from './harness';
import { TreeView, VendorSuite } from './treeView';

const run = Date.now().toString(36);
const PREFIX = `acr${run}`;

let api: RegistryExplorerApi;
let tree: TreeView;
let emu: AcrEmulation;
let app: SeededImage;
let multi: SeededIndex;
const session = new VendorSuite();

/** The test's Microsoft account provider: one account at a time, its access token from the emulation's Entra. */
class TestMicrosoftAccounts implements vscode.AuthenticationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  readonly onDidChangeSessions = this.changed.event;
  private current: vscode.AuthenticationSession | undefined;
  created = 0;
  constructor(public account: string) {}
  async getSessions(): Promise<vscode.AuthenticationSession[]> {
    return this.current ? [this.current] : [];
  }
  async createSession(scopes: readonly string[]): Promise<vscode.AuthenticationSession> {
    this.created++;
    this.current = { id: `s${this.created}`, accessToken: emu.issueEntraToken(this.account), account: { id: this.account, label: this.account }, scopes };
    this.changed.fire({ added: [this.current], removed: [], changed: [] });
    return this.current;
  }
  async removeSession(): Promise<void> {
    const gone = this.current;
    this.current = undefined;
    if (gone) this.changed.fire({ added: [], removed: [gone], changed: [] });
  }
  /** Another account signs in in VS Code (Accounts menu). */
  async switchTo(account: string): Promise<void> {
    await this.removeSession();
    this.account = account;
  }
  dispose(): void {
    this.changed.dispose();
  }
}

let accounts: TestMicrosoftAccounts;

/** ACR's catalog lists every repository at the registry's root. */
async function appRepository() {
  return tree.repository(await tree.registry(emu.host), `${PREFIX}/app`);
}
let registration: vscode.Disposable | undefined;

suite('Azure Container Registry', () => {
  before(async () => {
    const svc = services() ?? skip('REGX_TEST_SERVICES is not set');
    const token = svc.token;
    await session.start();
    ({ api, tree } = session);
    emu = await startAcrEmulation({ registry: { host: token.host, issuer: token.issuer!, user: token.user!, reader: token.reader! }, repositoryPrefix: `${PREFIX}/` });
    emu.addPrincipal({ name: 'dev@contoso.com', kind: 'user', role: 'Owner' });
    emu.addPrincipal({ name: 'outsider@contoso.com', kind: 'user', role: 'none' });
    app = await seedImage(token.host, `${PREFIX}/app`, '1.0', { auth: token.user!, seed: `${run}-acr` });
    await seedImage(token.host, `${PREFIX}/app`, 'keep', { auth: token.user!, seed: `${run}-acr-keep` });
    multi = await seedIndex(token.host, `${PREFIX}/app`, '2.0', { auth: token.user!, platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] });
    accounts = new TestMicrosoftAccounts('outsider@contoso.com');
    registration = vscode.authentication.registerAuthenticationProvider('microsoft', 'Microsoft (test)', accounts, { supportsMultipleAccounts: false });
    // TEST-ONLY: the emulation's loopback address is an ACR login server.
    api.service.overrideVendor(emu.host, { kind: 'acr' });
  });

  after(async () => {
    if (emu) await session.stop([emu.host]);
    registration?.dispose();
    accounts?.dispose();
    await emu?.close();
  });

  test('a Microsoft account: Sign In asks VS Code for the session (the consent prompt code-server refuses in tests); nothing is saved', async () => {
    // In a test run VS Code's DialogService refuses every dialog, and the first getSession of an
    // extension from a provider always asks the person to consent: the sign-in ends there, as a
    // refusal would, and the entry is not saved. The session that follows consent is covered by the
    // UI test (test/ui/clouds.test.ts clicks Allow) and the provider's own tests
    // (test/integration/registries-acr.test.ts, the same token source shape).
    const window = session.window();
    const host = await vscode.commands.executeCommand('registryExplorer.connectRegistry', { url: emu.url, kind: 'acr' });
    assert.equal(host, undefined);
    assert.match(window.texts('error').join(' | '), /wants to sign in using Microsoft \(test\)/);
    assert.deepEqual(vscode.workspace.getConfiguration('registryExplorer').get('registries'), []);
    assert.equal(await api.service.secrets.get(emu.host), undefined);
  }, { timeout: 60_000 });

  test('the admin user: a wrong password is refused and nothing stored; the right one is checked, then kept in secret storage', async () => {
    const window = session.window();
    assert.equal(await vscode.commands.executeCommand('registryExplorer.connectRegistry', { url: emu.url, kind: 'acr', credentials: { username: emu.admin.username, password: 'wrong' } }), undefined);
    assert.ok(window.texts('error').length === 1, window.texts().join(' | '));
    assert.deepEqual(vscode.workspace.getConfiguration('registryExplorer').get('registries'), []);
    assert.equal(await api.service.secrets.get(emu.host), undefined);
    const ok = session.window();
    assert.equal(await vscode.commands.executeCommand('registryExplorer.connectRegistry', { url: emu.url, kind: 'acr', credentials: { username: emu.admin.username, password: emu.admin.password } }), emu.host);
    assert.deepEqual(vscode.workspace.getConfiguration('registryExplorer').get('registries'), [{ url: emu.url, kind: 'acr' }]);
    assert.deepEqual(await api.service.secrets.get(emu.host), { username: emu.admin.username, password: emu.admin.password });
    assert.ok(ok.texts('info').includes(`Signed in to Azure Container Registry (${emu.host}) as ${emu.admin.username}.`), ok.texts().join(' | '));
  }, { timeout: 60_000 });

  test('repositories → tags → platforms, with their details after first paint', async () => {
    const listed = await api.service.provider(emu.host).listRepositories({ pageSize: 100 });
    assert.ok(listed.items.some((r) => r.name === `${PREFIX}/app`), JSON.stringify(listed));
    const repo = await appRepository();
    const tags = tree.only(await tree.all(repo), 'tag');
    assert.deepEqual(tags.map((t) => t.tag), ['1.0', '2.0', 'keep']);
    await tree.descriptionOnceIt(tags[0]!, new RegExp(`^${app.digest.slice(7, 19)} · `));
    assert.deepEqual(tree.only(await tree.children(tags[1]!), 'platform').map((p) => p.entry.digest), multi.images.map((i) => i.digest));
  }, { timeout: 60_000 });

  test('ACR tokens expired mid-listing: the tree lists on with new ones', async () => {
    const repo = await appRepository();
    const tokens = emu.count('POST', /^\/oauth2\/token$/) + emu.count('GET', /^\/oauth2\/token$/);
    emu.expireTokens({ access: true });
    api.registries.refresh(repo);
    assert.deepEqual(tree.only(await tree.all(repo), 'tag').map((t) => t.tag), ['1.0', '2.0', 'keep']);
    assert.ok(emu.count('POST', /^\/oauth2\/token$/) + emu.count('GET', /^\/oauth2\/token$/) > tokens, 'a new access token was asked for');
  }, { timeout: 60_000 });

  test('retag, copy, delete one tag', async () => {
    const window = session.window();
    const repo = await appRepository();
    const retagged = await vscode.commands.executeCommand<{ digest: string }>('registryExplorer.retag', await tree.tag(repo, '1.0'), undefined, 'stable');
    assert.equal(retagged.digest, app.digest);
    const copied = await vscode.commands.executeCommand<{ digest: string }>('registryExplorer.copyImage', await tree.tag(repo, '2.0'), undefined, { registry: emu.host, repository: `${PREFIX}/copies`, tag: '2.0', referrers: false });
    assert.equal(copied.digest, multi.digest);
    const keep = await tree.tag(repo, 'keep');
    const outcome = await vscode.commands.executeCommand<{ removed: string[] }>('registryExplorer.delete', keep, [keep], { choice: 'everything' });
    assert.deepEqual(outcome.removed, [`${PREFIX}/app:keep`], window.texts().join(' | '));
    api.registries.refresh(repo);
    assert.deepEqual(tree.only(await tree.all(repo), 'tag').map((t) => t.tag), ['1.0', '2.0', 'stable']);
  }, { timeout: 60_000 });

  test('Sign Out and Disconnect leave nothing behind', async () => {
    await vscode.commands.executeCommand('registryExplorer.logout', emu.host);
    assert.equal(await api.service.secrets.get(emu.host), undefined);
    await vscode.commands.executeCommand('registryExplorer.disconnectRegistry', await tree.registry(emu.host));
    assert.deepEqual(vscode.workspace.getConfiguration('registryExplorer').get('registries'), []);
  }, { timeout: 60_000 });
});
