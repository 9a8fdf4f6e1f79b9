// Harbor inside a real VS Code: connected with Connect Registry's scripted form (kind "harbor"), signed in
// (and refused), browsed through projects to a platform, scan badges, Show Vulnerabilities, Scan Now,
// retag, copy, delete (and Harbor's immutability refusal), projects created and deleted, a description
// edited — asserting what a person sees: rows, their descriptions and tooltips, messages and modals.
// Harbor cannot run here: test/emulations/harbor.ts is an emulation of its API from the v2.0 swagger, in
// front of the REAL token registry of REGX_TEST_SERVICES (blobs, manifests and tokens are real).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ToWebview } from '../../../src/details/protocol';
import type { RegistryExplorerApi } from '../../../src/extension';
import type { RepositoryNode, TagNode } from '../../../src/vscode/tree/nodes';
import { startHarborEmulation, type HarborEmulation } from '../../emulations/harbor';
import { seedImage, seedIndex, type SeededImage, type SeededIndex } from '../../support/seeding';
import { after, before, services, skip, suite, test, waitFor } from './harness';
import { TreeView, VendorSuite } from './treeView';
import type { Capture } from './window';

const run = Date.now().toString(36);
const PROJECT = `hbx${run}`;

let api: RegistryExplorerApi;
let tree: TreeView;
let emu: HarborEmulation;
let open: string;
let app: { one: SeededImage; two: SeededImage };
let multi: SeededIndex;
const session = new VendorSuite();

function capture(): Capture {
  return session.window();
}

async function appRepository(): Promise<RepositoryNode> {
  const project = await tree.namespace(await tree.registry(emu.host), PROJECT);
  return tree.repository(project, `${PROJECT}/app`);
}

suite('Harbor', () => {
  before(async () => {
    const svc = services() ?? skip('REGX_TEST_SERVICES is not set');
    const token = svc.token;
    open = svc.open.host;
    await session.start();
    ({ api, tree } = session);
    emu = await startHarborEmulation({ registry: token.host, issuer: token.issuer!, pusher: token.user!, reader: token.reader!, projects: [{ name: PROJECT }] });
    const auth = token.user!;
    // "1.0" and "latest" name one image, "2.0" another; an index with two platforms; a repository to lock.
    app = {
      one: await seedImage(token.host, `${PROJECT}/app`, '1.0', { auth, seed: `${run}-one` }),
      two: await seedImage(token.host, `${PROJECT}/app`, '2.0', { auth, seed: `${run}-two` }),
    };
    await seedImage(token.host, `${PROJECT}/app`, 'latest', { auth, seed: `${run}-one` });
    multi = await seedIndex(token.host, `${PROJECT}/multi`, 'v1', { auth, platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }] });
    await seedImage(token.host, `${PROJECT}/locked`, 'v1', { auth, seed: `${run}-locked-1` });
    await seedImage(token.host, `${PROJECT}/locked`, 'v2', { auth, seed: `${run}-locked-2` });
    await emu.attachScan(`${PROJECT}/app`, '2.0', 'vulnerable');
  });

  after(async () => {
    if (emu) await session.stop([emu.host]);
    await emu?.close();
  });

  test('Connect Registry saves kind "harbor"; a refused robot sign-in shows Harbor\'s words and stores nothing; robot$ci signs in with its "$"', async () => {
    const window = capture();
    await vscode.commands.executeCommand('registryExplorer.connectRegistry', { url: emu.url, kind: 'harbor' });
    const saved = vscode.workspace.getConfiguration('registryExplorer').get<{ url: string; kind?: string }[]>('registries') ?? [];
    assert.deepEqual(saved.map((r) => [r.url, r.kind]), [[emu.url, 'harbor']]);
    const reg = await tree.registry(emu.host);
    assert.equal(tree.label(reg), `Harbor (${emu.host})`);
    assert.match(tree.contextValue(reg), /\bcreatable\b/, 'Create Project… is offered on the registry');

    const robot = emu.accounts.robot;
    assert.equal(await vscode.commands.executeCommand('registryExplorer.login', reg, { username: robot.username, password: 'not-the-secret' }), false);
    assert.deepEqual(window.texts('error'), [
      `Sign-in to Harbor (${emu.host}) failed: the username or secret was refused. A robot account signs in as robot$NAME (a project's robot as robot$PROJECT+NAME) with its secret; an OIDC user signs in with the CLI secret from their user profile in Harbor, not with the identity provider's password.`,
    ]);
    assert.equal(await api.service.secrets.get(emu.host), undefined, 'a refused secret is not stored');

    assert.equal(await vscode.commands.executeCommand('registryExplorer.login', reg, { username: robot.username, password: robot.password }), true);
    assert.deepEqual(await api.service.secrets.get(emu.host), { username: 'robot$ci', password: robot.password });
    assert.ok(window.texts('info').includes(`Signed in to Harbor (${emu.host}) as robot$ci.`), window.texts().join(' | '));
    const settingsText = JSON.stringify(vscode.workspace.getConfiguration('registryExplorer'));
    assert.ok(!settingsText.includes(robot.password), 'the secret is not in settings');
  }, { timeout: 60_000 });

  test('projects → repositories → tags with their scan badge → platforms', async () => {
    const reg = await tree.registry(emu.host);
    const project = await tree.namespace(reg, PROJECT);
    assert.equal(tree.description(project), 'project · private');
    assert.equal(tree.item(project).iconPath instanceof vscode.ThemeIcon && (tree.item(project).iconPath as vscode.ThemeIcon).id, 'project');
    assert.match(tree.contextValue(project), /\bmanageable\b/, 'Delete Project… is offered on a project');
    assert.deepEqual(tree.only(await tree.all(project), 'repository').map((r) => tree.label(r)), ['app', 'locked', 'multi']);

    const repo = await appRepository();
    const two = await tree.tag(repo, '2.0');
    // The overview in Harbor's artifact list is the badge: digest, size, age, then the counts worst first.
    assert.match(tree.description(two), new RegExp(`^${app.two.digest.slice(7, 19)} · .* · C1 H2 M2 L1$`));
    assert.match(tree.tooltip(two), /Vulnerabilities: 1 critical, 2 high, 2 medium, 1 low/);
    assert.match(tree.tooltip(two), /Scanned by: Trivy v0\.50\.1, \d{4}-\d\d-\d\dT/);
    assert.match(tree.contextValue(two), /\bscannable\b/);
    assert.match(tree.contextValue(two), /\bscanTrigger\b/);
    // A tag Harbor never scanned says so once its report (asked for after first paint) arrives.
    await tree.descriptionOnceIt(await tree.tag(repo, '1.0'), / · not scanned$/);

    const v1 = await tree.tag(await tree.repository(project, `${PROJECT}/multi`), 'v1');
    const platforms = tree.only(await tree.children(v1), 'platform');
    assert.deepEqual(platforms.map((p) => tree.label(p)), ['linux/amd64', 'linux/arm64']);
    assert.equal(platforms[1]!.entry.digest, multi.images[1]!.digest);
    assert.match(tree.contextValue(platforms[1]!), /\bscannable\b/);
  }, { timeout: 60_000 });

  test('Show Vulnerabilities opens the whole report, worst first; an unscanned image says it has none', async () => {
    const repo = await appRepository();
    const outcome = await vscode.commands.executeCommand<{ document: vscode.TextDocument }>('registryExplorer.showVulnerabilities', await tree.tag(repo, '2.0'));
    const text = outcome.document.getText();
    assert.equal(outcome.document.uri.scheme, 'registry-explorer-scan');
    assert.equal(outcome.document.languageId, 'markdown');
    assert.match(text, new RegExp(`^# Vulnerabilities of ${emu.host.replace(/\./g, '\\.')}/${PROJECT}/app:2\\.0\\n`));
    assert.match(text, /\| Scanner \| Trivy v0\.50\.1 \|/);
    assert.match(text, new RegExp(`\\| Image \\| \`${app.two.digest}\` \\|`));
    assert.match(text, /\*\*1 critical · 2 high · 2 medium · 1 low · 0 negligible · 0 unknown\*\* — 6 findings in all/);
    const severities = text.split('\n').filter((l) => /^\| (critical|high|medium|low) \|/.test(l)).map((l) => l.split(' | ')[0]!.slice(2));
    assert.deepEqual(severities, ['critical', 'high', 'high', 'medium', 'medium', 'low']);
    assert.match(text, /\| critical \| \[CVE-2023-38545\]\(https:\/\/avd\.aquasec\.com\/nvd\/cve-2023-38545\) \| curl \| 8\.2\.1-r0 \| 8\.4\.0-r0 \|/);

    const none = await vscode.commands.executeCommand<{ document: vscode.TextDocument }>('registryExplorer.showVulnerabilities', await tree.tag(repo, 'latest'));
    assert.match(none.document.getText(), /The registry has not scanned this image, so it has no findings to show\. Scan Now \(in the tag's menu\) asks the registry to scan it\./);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  }, { timeout: 60_000 });

  test('Show Image Details of a scanned tag: its Vulnerabilities tab gets Harbor\'s report', async () => {
    const repo = await appRepository();
    const posted: ToWebview[] = [];
    const listening = api.details.onDidPost(({ message }) => posted.push(message));
    try {
      await vscode.commands.executeCommand('registryExplorer.showImageDetails', await tree.tag(repo, '2.0'));
      const sent = await waitFor('the scan posted to the panel', () => posted.find((m): m is Extract<ToWebview, { type: 'vulnerabilities' }> => m.type === 'vulnerabilities'), 20_000);
      assert.equal(sent.digest, app.two.digest);
      assert.ok(sent.vulnerabilities.available, JSON.stringify(sent.vulnerabilities));
      const report = (sent.vulnerabilities as Extract<typeof sent.vulnerabilities, { available: true }>).report;
      assert.deepEqual([report.counts.critical, report.counts.high, report.counts.medium, report.counts.low], [1, 2, 2, 1]);
      assert.equal(report.vulnerabilities?.length, 6);
    } finally {
      listening.dispose();
      for (const panel of api.details.list()) panel.dispose();
    }
  }, { timeout: 60_000 });

  test('Scan Now waits for the scanner with progress, then the badge and a message show the result; Cancel stops only the waiting', async () => {
    const window = capture();
    const repo = await appRepository();
    const one = await tree.tag(repo, '1.0');
    const scanning = vscode.commands.executeCommand<{ report: { status: string }; stillScanning: boolean; polls: number }>('registryExplorer.scanNow', one, undefined, { pollMs: 200, maxPolls: 100 });
    await tree.descriptionOnceIt(one, / · scanning…$/);
    await emu.completeScan(`${PROJECT}/app`, '1.0', 'clean');
    const outcome = await scanning;
    assert.equal(outcome.report.status, 'success');
    assert.equal(outcome.stillScanning, false);
    assert.ok(outcome.polls >= 1);
    assert.match(tree.description(one), / · no findings$/);
    assert.ok(window.texts('info').includes(`Scanned ${emu.host}/${PROJECT}/app:1.0: no findings.`), window.texts().join(' | '));
    // "latest" names the same image: once its row is refreshed it shows the same result.
    api.registries.refresh(await tree.tag(repo, 'latest'));
    await tree.descriptionOnceIt(await tree.tag(repo, 'latest'), / · no findings$/);

    // Cancel while waiting: silent, and the row still says a scan runs (Harbor keeps scanning).
    const two = await tree.tag(repo, '2.0');
    const cancelled = vscode.commands.executeCommand('registryExplorer.scanNow', two, undefined, { pollMs: 200, maxPolls: 100 });
    await waitFor('the scan to be waited for', () => api.runningOperations() > 0);
    await tree.descriptionOnceIt(two, / · scanning…$/);
    assert.equal(api.cancelOperations(), 1);
    assert.equal(await cancelled, undefined);
    assert.deepEqual(window.texts('error'), [], 'a cancel is not an error');
    await emu.completeScan(`${PROJECT}/app`, '2.0', 'vulnerable');
  }, { timeout: 60_000 });

  test('retag and copy go through the registry; a retag onto an immutable tag shows Harbor\'s refusal', async () => {
    const window = capture();
    const repo = await appRepository();
    const retagged = await vscode.commands.executeCommand<{ digest: string }>('registryExplorer.retag', await tree.tag(repo, '2.0'), undefined, 'stable');
    assert.equal(retagged.digest, app.two.digest);
    api.registries.refresh(repo);
    assert.match(tree.description(await tree.tag(repo, 'stable')), new RegExp(`^${app.two.digest.slice(7, 19)} · `));

    const copied = await vscode.commands.executeCommand<{ digest: string }>('registryExplorer.copyImage', await tree.tag(repo, '2.0'), undefined, { registry: emu.host, repository: `${PROJECT}/copied`, tag: '2.0', referrers: false });
    assert.equal(copied.digest, app.two.digest);
    const out = await vscode.commands.executeCommand<{ digest: string }>('registryExplorer.copyImage', await tree.tag(repo, '1.0'), undefined, { registry: open, repository: `hbx-${run}/out`, tag: '1.0', referrers: false });
    assert.equal(out.digest, app.one.digest);
    assert.ok(window.texts('info').some((t) => t.startsWith(`Copied ${emu.host}/${PROJECT}/app:1.0 to ${open}/hbx-${run}/out:1.0, same digest`)), window.texts().join(' | '));

    emu.setImmutable(`${PROJECT}/locked`, 'v1');
    const locked = await tree.repository(await tree.namespace(await tree.registry(emu.host), PROJECT), `${PROJECT}/locked`);
    await vscode.commands.executeCommand('registryExplorer.retag', await tree.tag(locked, 'v2'), undefined, 'v1');
    assert.deepEqual(window.texts('error'), [
      `Harbor (${emu.host}) refused to overwrite the tag: a tag immutability rule of its project protects it, so nothing can be pushed or retagged onto it (412). Push under a new tag, or ask a project admin to change the rule (the project's Policy → Tag Immutability). Harbor said: "Failed to process request due to 'locked:v1' configured as immutable.".`,
    ]);
  }, { timeout: 60_000 });

  test('delete removes only the tag (its image stays under its other tag); an immutable tag is refused in Harbor\'s words', async () => {
    const window = capture();
    const repo = await appRepository();
    const latest = await tree.tag(repo, 'latest');
    const outcome = await vscode.commands.executeCommand<{ removed: string[] }>('registryExplorer.delete', latest, [latest], { choice: 'everything' });
    assert.deepEqual(outcome.removed, [`${PROJECT}/app:latest`]);
    assert.deepEqual(tree.only(await tree.all(repo), 'tag').map((t) => t.tag), ['1.0', '2.0', 'stable']);
    assert.ok(window.texts('info').includes(`Deleted ${PROJECT}/app:latest.`), window.texts().join(' | '));

    // Without a scripted answer the modal names the tag and says only it goes.
    const asked = capture();
    await vscode.commands.executeCommand('registryExplorer.delete', await tree.tag(repo, '1.0'), undefined);
    const modal = asked.messages.find((m) => m.modal)!;
    assert.equal(modal.text, `Delete ${PROJECT}/app:1.0 from ${emu.host}?`);
    assert.match(modal.detail!, /Only the tags are removed; an image stays while another tag names it\./);

    const errors = capture();
    const locked = await tree.repository(await tree.namespace(await tree.registry(emu.host), PROJECT), `${PROJECT}/locked`);
    const v1 = (await tree.tag(locked, 'v1')) as TagNode;
    await vscode.commands.executeCommand('registryExplorer.delete', v1, [v1], { choice: 'everything' });
    assert.deepEqual(errors.texts('error'), [
      `Harbor (${emu.host}) refused to delete: a tag immutability rule of its project protects the tag, so neither the tag nor its artifact can be deleted (412). A project admin can change the rule (the project's Policy → Tag Immutability). Harbor said: "the tag v1 configured as immutable, cannot be deleted".`,
    ]);
    assert.ok(tree.only(await tree.all(locked), 'tag').some((t) => t.tag === 'v1'), 'the immutable tag is still there');
  }, { timeout: 60_000 });

  test('a description edited shows on the repository row; Harbor keeps it', async () => {
    const repo = await appRepository();
    assert.match(tree.contextValue(repo), /\bdescribable\b/);
    const outcome = await vscode.commands.executeCommand<{ description: string }>('registryExplorer.editDescription', repo, undefined, 'The app <CI> & "release" images');
    assert.equal(outcome.description, 'The app <CI> & "release" images');
    assert.equal(tree.description(repo), 'The app <CI> & "release" images');
    // Read back from Harbor after a refresh of its project.
    const project = await tree.namespace(await tree.registry(emu.host), PROJECT);
    api.registries.refresh(project);
    await tree.all(project);
    assert.equal(tree.description(await appRepository()), 'The app <CI> & "release" images');
    assert.match(tree.tooltip(await appRepository()), /Description: The app <CI> & "release" images/);
  }, { timeout: 60_000 });

  test('a project is created (private), shown, named with what it holds in the delete modal, refused while it holds a repository, and deleted once empty', async () => {
    const window = capture();
    // Creating projects takes Harbor's administrator.
    await api.service.secrets.store(emu.host, emu.accounts.admin);
    const reg = await tree.registry(emu.host);
    const name = `new${run}`;
    const created = await vscode.commands.executeCommand<{ name: string; what: string; visibility: string }>('registryExplorer.createRepository', reg, undefined, { name, visibility: 'private' });
    assert.deepEqual(created, { host: emu.host, name, what: 'project', visibility: 'private' });
    assert.equal(emu.project(name)?.public, false);
    assert.ok(window.texts('info').includes(`Created private project ${name} on Harbor (${emu.host}).`), window.texts().join(' | '));
    const project = await tree.namespace(reg, name);
    assert.equal(tree.description(project), 'project · private');

    await seedImage(services()!.token.host, `${name}/svc`, '1', { auth: services()!.token.user!, seed: `${run}-svc` });
    const asked = await vscode.commands.executeCommand<{ confirmation: { message: string; detail: string; button: string }; deleted: boolean }>('registryExplorer.deleteRepository', project, undefined, { confirm: false });
    assert.equal(asked.deleted, false);
    assert.equal(asked.confirmation.message, `Delete project ${name} from Harbor (${emu.host})?`);
    assert.equal(asked.confirmation.button, 'Delete Project');
    assert.match(asked.confirmation.detail, new RegExp(`^It holds 1 repository:\\n• ${name}/svc\\n\\nThis cannot be undone\\.$`));
    assert.ok(emu.project(name), 'nothing was deleted without the confirmation');

    await vscode.commands.executeCommand('registryExplorer.deleteRepository', project, undefined, { confirm: true });
    assert.deepEqual(window.texts('error'), [`Harbor (${emu.host}) will not delete project "${name}" while it still holds repositories (412). Delete its repositories first (their artifacts go with them), then the project.`]);

    const empty = `empty${run}`;
    await vscode.commands.executeCommand('registryExplorer.createRepository', reg, undefined, { name: empty, visibility: 'public' });
    const done = await vscode.commands.executeCommand<{ deleted: boolean; confirmation: { detail: string } }>('registryExplorer.deleteRepository', await tree.namespace(reg, empty), undefined, { confirm: true });
    assert.equal(done.deleted, true);
    assert.match(done.confirmation.detail, /^It holds no repositories\./);
    assert.equal(emu.project(empty), undefined);
    assert.ok(!tree.only(await tree.all(reg), 'namespace').some((n) => n.name === empty), 'the project row is gone');
    await api.service.secrets.store(emu.host, emu.accounts.robot);
  }, { timeout: 60_000 });

  test('an entry with a kind the extension does not know is reported once and skipped; the others stay', async () => {
    const window = capture();
    const config = vscode.workspace.getConfiguration('registryExplorer');
    const entries = config.get<unknown[]>('registries') ?? [];
    await config.update('registries', [{ url: 'registry.example.com', kind: 'nexus' }, ...entries], vscode.ConfigurationTarget.Global);
    try {
      const roots = tree.only(await tree.children(), 'registry').map((r) => r.root.host);
      assert.deepEqual(roots, [emu.host]);
      await waitFor('the warning', () => window.texts('warning').length > 0);
      assert.deepEqual(window.texts('warning'), [
        'Registry Explorer: skipped an entry of "registryExplorer.registries": the entry for registry.example.com has "kind": "nexus"; it must be one of "harbor", "quay", "artifactory", "ecr", "acr", "artifact-registry", or left out',
      ]);
      assert.deepEqual(window.messages[0]!.buttons, ['Open Settings']);
    } finally {
      await config.update('registries', entries, vscode.ConfigurationTarget.Global);
    }
  }, { timeout: 60_000 });

  test('Sign Out and Disconnect leave nothing behind', () => session.signOutAndDisconnect([emu.host]), { timeout: 60_000 });
});
