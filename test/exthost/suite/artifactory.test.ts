// JFrog Artifactory inside a real VS Code, by each of its Docker access methods: at the root (every Docker
// repository, as Artifactory 7 serves them), by a repository path (…/artifactory/api/docker/KEY, one
// repository) and by a port (one repository, its key and REST API in the settings). Connected with the
// scripted form of Connect Registry (kind "artifactory") and through its questions, signed in (and
// refused), browsed to a platform,
// retag, copy and delete (a tag alone goes) — asserting what a person sees. Artifactory cannot run here:
// test/emulations/artifactory.ts is an emulation of its Docker and REST APIs from JFrog's published
// pages, in front of the REAL token registry of REGX_TEST_SERVICES.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RegistryExplorerApi } from '../../../src/extension';
import { startArtifactoryEmulation, type ArtifactoryEmulation } from '../../emulations/artifactory';
import { seedImage, seedIndex, type SeededImage, type SeededIndex } from '../../support/seeding';
import { after, before, services, skip, suite, test } from './harness';
import { TreeView, VendorSuite } from './treeView';
import type { Capture } from './window';

const run = Date.now().toString(36);
const APP = `app${run}`;
const PREFIX = '/artifactory/api/docker/docker-local';

let api: RegistryExplorerApi;
let tree: TreeView;
let emu: ArtifactoryEmulation;
let app: SeededImage;
let multi: SeededIndex;
const session = new VendorSuite();

function capture(): Capture {
  return session.window();
}

function icon(node: Parameters<TreeView['item']>[0]): string | undefined {
  const path = tree.item(node).iconPath;
  return path instanceof vscode.ThemeIcon ? path.id : undefined;
}

suite('Artifactory', () => {
  before(async () => {
    const svc = services() ?? skip('REGX_TEST_SERVICES is not set');
    const token = svc.token;
    const auth = token.user!;
    await session.start();
    ({ api, tree } = session);
    // Artifactory's Docker repositories are the real registry's first path component.
    app = await seedImage(token.host, `docker-local/${APP}`, '1.0', { auth, seed: `${run}-app` });
    await seedImage(token.host, `docker-local/${APP}`, 'keep', { auth, seed: `${run}-app` });
    multi = await seedIndex(token.host, `docker-local/${APP}`, '2.0', { auth, platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] });
    await seedImage(token.host, `docker-remote/cache${run}`, '3.19', { auth, seed: `${run}-cache` });
    emu = await startArtifactoryEmulation({ registry: token.host, issuer: token.issuer!, pusher: auth, reader: token.reader!, portRepositories: ['docker-local'] });
  });

  after(async () => {
    if (emu) await session.stop([emu.host, emu.ports['docker-local']!.host]);
    await emu?.close();
  });

  test('at the root: a revoked identity token is refused in Artifactory\'s words; the deployer signs in with an identity token', async () => {
    const window = capture();
    await vscode.commands.executeCommand('registryExplorer.connectRegistry', { url: emu.url, kind: 'artifactory' });
    const reg = await tree.registry(emu.host);
    assert.equal(tree.label(reg), `Artifactory (${emu.host})`);
    assert.equal(await vscode.commands.executeCommand('registryExplorer.login', reg, { username: 'deployer', password: 'cmVmdGtuOjAxOnJldm9rZWQ' }), false);
    assert.deepEqual(window.texts('error'), [
      `Sign-in to Artifactory (${emu.host}) failed: it refused that user name with this password, identity token or API key (401). Check the user name, and use an identity token (Edit Profile → Generate an Identity Token) or an API key that is not revoked or expired. Artifactory said: "Bad credentials".`,
    ]);
    assert.equal(await api.service.secrets.get(emu.host), undefined);
    assert.equal(await vscode.commands.executeCommand('registryExplorer.login', reg, { username: 'deployer', password: emu.users.deployer.identityToken }), true);
    assert.deepEqual(await api.service.secrets.get(emu.host), { username: 'deployer', password: emu.users.deployer.identityToken });
    assert.ok(window.texts('info').includes(`Signed in to Artifactory (${emu.host}) as deployer.`), window.texts().join(' | '));
  }, { timeout: 60_000 });

  test('at the root: Docker repositories by type → images → tags → platforms; no scans offered', async () => {
    const window = capture();
    const reg = await tree.registry(emu.host);
    const repositories = tree.only(await tree.all(reg), 'namespace');
    assert.deepEqual(repositories.map((n) => [tree.label(n), tree.description(n), icon(n)]), [
      ['docker', 'Virtual repository', 'layers'],
      ['docker-local', 'Local repository: Team images', 'database'],
      ['docker-remote', 'Remote repository: Docker Hub cache', 'cloud'],
    ]);
    const local = await tree.namespace(reg, 'docker-local');
    const image = await tree.repository(local, `docker-local/${APP}`);
    assert.equal(tree.label(image), APP);
    const tags = tree.only(await tree.all(image), 'tag');
    // Artifactory lists the digests of an index's images among its tags: they are not rows.
    assert.deepEqual(tags.map((t) => t.tag), ['1.0', '2.0', 'keep']);
    // Names only in its list: digest, size and age after first paint.
    await tree.descriptionOnceIt(tags[0]!, new RegExp(`^${app.digest.slice(7, 19)} · `));
    await tree.descriptionOnceIt(tags[1]!, / · 2 platforms · /);
    assert.deepEqual(tree.only(await tree.children(tags[1]!), 'platform').map((p) => p.entry.digest), multi.images.map((i) => i.digest));
    assert.doesNotMatch(tree.contextValue(tags[0]!), /\bscannable\b/);
    await vscode.commands.executeCommand('registryExplorer.showVulnerabilities', tags[0]!);
    assert.deepEqual(window.texts('error'), [`Artifactory (${emu.host}) does not offer vulnerability scans.`]);
    const remote = await tree.namespace(reg, 'docker-remote');
    assert.deepEqual(tree.only(await tree.all(remote), 'repository').map((r) => tree.label(r)).filter((l) => l.endsWith(run)), [`cache${run}`]);
  }, { timeout: 60_000 });

  test('retag, copy to another repository and delete one tag (the image stays under its other tag)', async () => {
    const window = capture();
    const image = await tree.repository(await tree.namespace(await tree.registry(emu.host), 'docker-local'), `docker-local/${APP}`);
    const retagged = await vscode.commands.executeCommand<{ digest: string }>('registryExplorer.retag', await tree.tag(image, '1.0'), undefined, 'stable');
    assert.equal(retagged.digest, app.digest);
    const copied = await vscode.commands.executeCommand<{ digest: string }>('registryExplorer.copyImage', await tree.tag(image, '2.0'), undefined, { registry: emu.host, repository: `docker-local/copy${run}`, tag: '2.0', referrers: false });
    assert.equal(copied.digest, multi.digest);

    // The modal says only the tag goes, and why.
    await vscode.commands.executeCommand('registryExplorer.delete', await tree.tag(image, 'keep'));
    const modal = window.messages.find((m) => m.modal)!;
    assert.equal(modal.text, `Delete docker-local/${APP}:keep from ${emu.host}?`);
    assert.match(modal.detail!, /Only the tags are removed; an image stays while another tag names it\./);
    const keep = await tree.tag(image, 'keep');
    const outcome = await vscode.commands.executeCommand<{ removed: string[] }>('registryExplorer.delete', keep, [keep], { choice: 'everything' });
    assert.deepEqual(outcome.removed, [`docker-local/${APP}:keep`]);
    api.registries.refresh(image);
    assert.deepEqual(tree.only(await tree.all(image), 'tag').map((t) => t.tag), ['1.0', '2.0', 'stable']);
    assert.equal((await api.service.client(emu.host).headManifest(`docker-local/${APP}`, '1.0'))?.digest, app.digest);
  }, { timeout: 60_000 });

  test('by a repository path: one Docker repository, its images by their own names, references that name the path; signed in by host', async () => {
    const identity = `${emu.host}${PREFIX}`;
    await vscode.commands.executeCommand('registryExplorer.connectRegistry', { url: `${emu.url}${PREFIX}`, kind: 'artifactory' });
    const reg = await tree.registry(identity);
    assert.equal(tree.description(reg), `${identity} · signed in`, 'the host\'s credentials serve its repository path too');
    const only = tree.only(await tree.all(reg), 'namespace');
    assert.deepEqual(only.map((n) => tree.label(n)), ['docker-local']);
    const image = await tree.repository(only[0]!, APP);
    const one = await tree.tag(image, '1.0');
    assert.equal(await vscode.commands.executeCommand('registryExplorer.copyReference', one), `${identity}/${APP}:1.0`);
    await tree.descriptionOnceIt(one, new RegExp(`^${app.digest.slice(7, 19)} · `));
    assert.ok(emu.requests.some((r) => r.path === `${PREFIX}/v2/${APP}/manifests/1.0`), 'the registry is asked below the repository path');
    // Disconnecting the path leaves the host's sign-in to the root registry.
    await vscode.commands.executeCommand('registryExplorer.disconnectRegistry', reg);
    assert.ok(await api.service.secrets.get(emu.host));
  }, { timeout: 60_000 });

  test('by a port, through Connect Registry\'s questions: URL, access method, repository key, port; the key and REST API saved; its own sign-in', async () => {
    const port = emu.ports['docker-local']!;
    const portNumber = new URL(port.url).port;
    const picks: Record<string, RegExp> = {
      'Which registry?': /JFrog Artifactory/,
      "How does docker reach this Artifactory's repositories?": /Port$/,
      'Does this registry need credentials?': /Continue anonymously/,
    };
    const answers: [RegExp, string][] = [[/^URL of your JFrog Artifactory/, emu.url], [/^Repository key/, 'docker-local'], [/^Port that serves/, portNumber]];
    const window = session.window({
      quickPick: (pick) => picks[pick.placeHolder ?? ''],
      inputBox: (input) => answers.find(([prompt]) => prompt.test(input.prompt ?? ''))?.[1],
    });
    await vscode.commands.executeCommand('registryExplorer.connectRegistry');
    assert.deepEqual(window.picks.map((p) => p.placeHolder), ['Which registry?', 'How does docker reach this Artifactory\'s repositories?', 'Does this registry need credentials?']);
    assert.deepEqual(window.picks[1]!.items, ['$(repo) Repository path', '$(globe) Subdomain', '$(plug) Port']);
    assert.deepEqual(window.inputs.map((i) => [i.prompt, i.validation]), [
      ['URL of your JFrog Artifactory, as you open it in a browser', undefined],
      ['Repository key of the Docker repository', undefined],
      ['Port that serves docker-local', undefined],
    ]);
    const saved = (vscode.workspace.getConfiguration('registryExplorer').get<Record<string, unknown>[]>('registries') ?? []).find((r) => r['url'] === port.url);
    assert.deepEqual(saved, { url: port.url, kind: 'artifactory', repositoryKey: 'docker-local', apiUrl: `${emu.url}/artifactory` });
    assert.equal(await vscode.commands.executeCommand('registryExplorer.login', port.host, { username: 'deployer', password: emu.users.deployer.apiKey }), true);
    assert.deepEqual(await api.service.secrets.get(port.host), { username: 'deployer', password: emu.users.deployer.apiKey });
    const reg = await tree.registry(port.host);
    const image = await tree.repository(await tree.namespace(reg, 'docker-local'), APP);
    assert.deepEqual(tree.only(await tree.all(image), 'tag').map((t) => t.tag), ['1.0', '2.0', 'stable']);
    // The REST API was asked where the setting says, with the API key in Artifactory's header.
    const listed = emu.requests.filter((r) => r.listener === 'main' && r.path === `${PREFIX}/v2/${APP}/tags/list`).at(-1);
    assert.equal(listed?.headers['x-jfrog-art-api'], emu.users.deployer.apiKey);
    assert.ok(emu.requests.some((r) => r.listener === 'docker-local' && r.path.startsWith('/v2/')), 'the registry is asked on its port');
  }, { timeout: 60_000 });

  test('Sign Out and Disconnect leave nothing behind', () => session.signOutAndDisconnect([emu.host, emu.ports['docker-local']!.host]), { timeout: 60_000 });
});
