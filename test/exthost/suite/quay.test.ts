// Quay inside a real VS Code: connected with Connect Registry's scripted form (kind "quay"), signed in with
// a robot account and an OAuth token (and refused), browsed through organisations to a platform, scan
// badges and Show Vulnerabilities (Quay scans by itself: no Scan Now), tag expirations, retag, copy,
// delete (and an immutable tag's refusal), a repository created, described and deleted — asserting what
// a person sees. Quay cannot run here: test/emulations/quay.ts is an emulation of its API v1 and token
// service from quay/quay and the Red Hat Quay API reference, in front of the REAL token registry.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RegistryExplorerApi } from '../../../src/extension';
import type { RepositoryNode } from '../../../src/vscode/tree/nodes';
import { startQuayEmulation, type QuayEmulation } from '../../emulations/quay';
import { seedImage, seedIndex, type SeededImage, type SeededIndex } from '../../support/seeding';
import { after, before, services, skip, suite, test } from './harness';
import { TreeView, VendorSuite } from './treeView';
import type { Capture } from './window';

const run = Date.now().toString(36);
const REPO = `quaycorp/web${run}`;

let api: RegistryExplorerApi;
let tree: TreeView;
let emu: QuayEmulation;
let scanned: SeededImage;
let queued: SeededImage;
let index: SeededIndex;
const session = new VendorSuite();

function capture(): Capture {
  return session.window();
}

async function web(): Promise<RepositoryNode> {
  return tree.repository(await tree.namespace(await tree.registry(emu.host), 'quaycorp'), REPO);
}

suite('Quay', () => {
  before(async () => {
    const svc = services() ?? skip('REGX_TEST_SERVICES is not set');
    const token = svc.token;
    const auth = token.user!;
    await session.start();
    ({ api, tree } = session);
    // "1.0" one image (scanned), "1.1" and "latest" another (still queued at Quay's scanner), "2.0" an index.
    scanned = await seedImage(token.host, REPO, '1.0', { auth, seed: `${run}-a` });
    queued = await seedImage(token.host, REPO, '1.1', { auth, seed: `${run}-b` });
    await seedImage(token.host, REPO, 'latest', { auth, seed: `${run}-b` });
    index = await seedIndex(token.host, REPO, '2.0', { auth });
    emu = await startQuayEmulation({ registry: token.host, issuer: token.issuer!, pusher: auth, reader: token.reader! });
    emu.setScan(scanned.digest, 'scanned');
  });

  after(async () => {
    if (emu) await session.stop([emu.host]);
    await emu?.close();
  });

  test('Connect Registry saves kind "quay"; a wrong robot token and a wrong OAuth token are refused in Quay\'s words; an OAuth token signs in', async () => {
    const window = capture();
    await vscode.commands.executeCommand('registryExplorer.connectRegistry', { url: emu.url, kind: 'quay' });
    const reg = await tree.registry(emu.host);
    assert.equal(tree.label(reg), `Quay (${emu.host})`);
    assert.deepEqual((vscode.workspace.getConfiguration('registryExplorer').get<{ kind?: string }[]>('registries') ?? []).map((r) => r.kind), ['quay']);

    assert.equal(await vscode.commands.executeCommand('registryExplorer.login', reg, { username: 'quaycorp+ci', password: 'WRONG0TOKEN0FOR0THE0ROBOT' }), false);
    assert.equal(await vscode.commands.executeCommand('registryExplorer.login', reg, { password: 'not-a-real-oauth-token' }), false);
    const [robotWords, oauthWords] = window.texts('error');
    assert.equal(
      robotWords,
      `Sign-in to Quay (${emu.host}) failed: the robot account (organization+name) and its token, or the username and password, were refused. Quay said: "Could not find robot with username: quaycorp+ci and supplied password.".`,
    );
    assert.match(oauthWords!, new RegExp(`^Quay \\(${emu.host.replace(/\./g, '\\.')}\\) refused the OAuth token \\(401\\): it is wrong, expired or revoked, or lacks the user:read scope\\.`));
    assert.equal(await api.service.secrets.get(emu.host), undefined, 'nothing stored on refusal');

    const robot = emu.accounts.robots.ci;
    assert.equal(await vscode.commands.executeCommand('registryExplorer.login', reg, { username: robot.name, password: robot.token }), true);
    assert.deepEqual(await api.service.secrets.get(emu.host), { username: 'quaycorp+ci', password: robot.token }, 'the "+" of the robot name survives');
    assert.equal(await vscode.commands.executeCommand('registryExplorer.login', reg, { password: emu.accounts.fullToken }), true);
    assert.deepEqual(await api.service.secrets.get(emu.host), { username: '$oauthtoken', password: emu.accounts.fullToken });
    assert.ok(window.texts('info').includes(`Signed in to Quay (${emu.host}) as ${emu.accounts.username}.`), window.texts().join(' | '));
  }, { timeout: 60_000 });

  test('your account and organisations → repositories → tags with scan badges and expirations → platforms', async () => {
    const reg = await tree.registry(emu.host);
    const namespaces = tree.only(await tree.all(reg), 'namespace');
    assert.deepEqual(namespaces.map((n) => [tree.label(n), tree.description(n)]), [
      [emu.accounts.username, 'your account'],
      ['quaycorp', 'organization'],
      ['quaypartner', 'organization'],
    ]);
    assert.match(tree.contextValue(namespaces[1]!), /\bcreatable\b/, 'Create Repository… in an organisation');
    const repo = await web();
    assert.equal((tree.item(repo).iconPath as vscode.ThemeIcon).id, 'lock', 'a private repository');
    assert.match(tree.tooltip(repo), /Visibility: private/);
    assert.match(tree.contextValue(repo), /\bmanageable\b/);
    assert.match(tree.contextValue(repo), /\bdescribable\b/);
    // An expiration set in Quay (its tags are known once listed) shows after a refresh.
    await tree.all(repo);
    await emu.setTagExpiration(REPO, '1.1', new Date('2031-05-06T07:08:09Z'));
    api.registries.refresh(repo);

    const one = await tree.tag(repo, '1.0');
    // Quay's security scan per manifest, read after first paint.
    await tree.descriptionOnceIt(one, new RegExp(`^${scanned.digest.slice(7, 19)} · .* · H1 M2 L3 \\?1$`));
    assert.match(tree.tooltip(one), /Vulnerabilities: 1 high, 2 medium, 3 low, 1 unknown/);
    assert.match(tree.contextValue(one), /\bscannable\b/);
    assert.doesNotMatch(tree.contextValue(one), /\bscanTrigger\b/, 'Quay scans by itself: no Scan Now');
    const later = await tree.tag(repo, '1.1');
    await tree.descriptionOnceIt(later, new RegExp(`^${queued.digest.slice(7, 19)} · .*expires 2031-05-06 · scanning…$`));
    assert.match(tree.tooltip(later), /Expires: 2031-05-06T07:08:09/);
    const multi = await tree.tag(repo, '2.0');
    await tree.descriptionOnceIt(multi, / · not scannable$/);
    // Quay's tag list does not say a tag is an index: its details do, and then it expands.
    await tree.descriptionOnceIt(multi, / · 2 platforms · /);
    assert.equal(tree.item(multi).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    const platforms = tree.only(await tree.children(multi), 'platform');
    assert.deepEqual(platforms.map((p) => p.entry.digest), index.images.map((i) => i.digest));
  }, { timeout: 60_000 });

  test('Show Vulnerabilities: Clair\'s findings worst first; an index says why Quay did not scan it; Scan Now is not offered', async () => {
    const window = capture();
    const repo = await web();
    const outcome = await vscode.commands.executeCommand<{ document: vscode.TextDocument }>('registryExplorer.showVulnerabilities', await tree.tag(repo, '1.0'));
    const text = outcome.document.getText();
    assert.match(text, /\| Registry \| Quay \(127\.0\.0\.1:\d+\) \|/);
    assert.match(text, /\| Scanner \| Clair \|/);
    assert.match(text, /\*\*0 critical · 1 high · 2 medium · 3 low · 0 negligible · 1 unknown\*\* — 7 findings in all/);
    const severities = text.split('\n').filter((l) => /^\| (high|medium|low|unknown) \|/.test(l)).map((l) => l.split(' | ')[0]!.slice(2));
    assert.deepEqual(severities, ['high', 'medium', 'medium', 'low', 'low', 'low', 'unknown']);
    assert.match(text, /\| high \| \[RHSA-2023:5837\]\(https:\/\/access\.redhat\.com\/errata\/RHSA-2023:5837\) \| libnghttp2 \|/);
    assert.doesNotMatch(text, /Scan Now/);

    const multi = await vscode.commands.executeCommand<{ document: vscode.TextDocument }>('registryExplorer.showVulnerabilities', await tree.tag(repo, '2.0'));
    assert.match(multi.document.getText(), /The registry cannot scan this image: Quay scans each platform's image, not the multi-platform index: scan one of its platforms\./);

    await vscode.commands.executeCommand('registryExplorer.scanNow', await tree.tag(repo, '1.0'));
    assert.deepEqual(window.texts('error'), [`Quay (${emu.host}) does not offer scans on request.`]);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  }, { timeout: 60_000 });

  test('retag, copy within Quay and delete one tag (its image stays); an immutable tag is refused in Quay\'s words', async () => {
    const window = capture();
    const repo = await web();
    const retagged = await vscode.commands.executeCommand<{ digest: string }>('registryExplorer.retag', await tree.tag(repo, '1.0'), undefined, 'stable');
    assert.equal(retagged.digest, scanned.digest);
    const copied = await vscode.commands.executeCommand<{ digest: string }>('registryExplorer.copyImage', await tree.tag(repo, '2.0'), undefined, { registry: emu.host, repository: `${REPO}-copy`, tag: '2.0', referrers: false });
    assert.equal(copied.digest, index.digest);

    const latest = await tree.tag(repo, 'latest');
    const outcome = await vscode.commands.executeCommand<{ removed: string[] }>('registryExplorer.delete', latest, [latest], { choice: 'everything' });
    assert.deepEqual(outcome.removed, [`${REPO}:latest`]);
    api.registries.refresh(repo);
    assert.deepEqual(tree.only(await tree.all(repo), 'tag').map((t) => t.tag), ['1.0', '1.1', '2.0', 'stable']);

    await emu.setImmutable(REPO, '1.0', true);
    try {
      const one = await tree.tag(repo, '1.0');
      await vscode.commands.executeCommand('registryExplorer.delete', one, [one], { choice: 'everything' });
      assert.deepEqual(window.texts('error'), [
        `Quay (${emu.host}) refused (409): the tag is immutable, so it cannot be moved or deleted; an administrator of the repository can lift that. Quay said: "Cannot delete immutable tag '1.0'".`,
      ]);
    } finally {
      await emu.setImmutable(REPO, '1.0', false);
    }
  }, { timeout: 60_000 });

  test('a repository created in an organisation (visibility, description) shows with its description, is edited, and deleted after a modal naming its tags', async () => {
    const window = capture();
    const org = await tree.namespace(await tree.registry(emu.host), 'quaycorp');
    const made = `quaycorp/made${run}`;
    const created = await vscode.commands.executeCommand('registryExplorer.createRepository', org, undefined, { name: `made${run}`, visibility: 'public', description: 'Made by the **test**' });
    assert.deepEqual(created, { host: emu.host, name: made, what: 'repository', visibility: 'public' });
    assert.deepEqual(await emu.repository(made), { visibility: 'public', description: 'Made by the **test**' });
    assert.ok(window.texts('info').includes(`Created public repository ${made} on Quay (${emu.host}).`), window.texts().join(' | '));
    api.registries.refresh(org);
    const row = await tree.repository(org, made);
    assert.equal(tree.description(row), 'Made by the **test**');
    assert.equal((tree.item(row).iconPath as vscode.ThemeIcon).id, 'repo', 'a public repository');

    await vscode.commands.executeCommand('registryExplorer.editDescription', row, undefined, 'Edited');
    assert.equal((await emu.repository(made))?.description, 'Edited');
    assert.equal(tree.description(row), 'Edited');

    await seedImage(services()!.token.host, made, '1', { auth: services()!.token.user!, seed: `${run}-made` });
    const asked = await vscode.commands.executeCommand<{ confirmation: { message: string; detail: string; button: string }; deleted: boolean }>('registryExplorer.deleteRepository', row, undefined, { confirm: false });
    assert.equal(asked.deleted, false);
    assert.equal(asked.confirmation.message, `Delete repository ${made} from Quay (${emu.host})?`);
    assert.equal(asked.confirmation.button, 'Delete Repository');
    assert.equal(asked.confirmation.detail, 'It holds 1 tag: 1\n\nEvery tag and image in the repository goes with it, for everyone who uses it.\nThis cannot be undone.');
    assert.ok(await emu.repository(made), 'nothing deleted without the confirmation');

    const done = await vscode.commands.executeCommand<{ deleted: boolean }>('registryExplorer.deleteRepository', row, undefined, { confirm: true });
    assert.equal(done.deleted, true);
    assert.equal(await emu.repository(made), undefined);
    assert.ok(!tree.only(await tree.all(org), 'repository').some((r) => r.name === made), 'its row is gone');
  }, { timeout: 60_000 });

  test('Sign Out and Disconnect leave nothing behind', () => session.signOutAndDisconnect([emu.host]), { timeout: 60_000 });
});
