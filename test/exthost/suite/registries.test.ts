// The Registries view inside a real VS Code, against the real registries of REGX_TEST_SERVICES:
// connect by command, page repositories and tags, tag details, multi-platform tags, error nodes
// (401 → Sign in…, unreachable → Retry), sign-in/sign-out and where the secrets end up.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RegistryExplorerApi } from '../../../src/extension';
import type { ErrorNode, LoadMoreNode, RegistryNode, RepositoryNode, TagNode, TreeNode } from '../../../src/vscode/tree/nodes';
import { seedImage, seedIndex, seedManyTags } from '../../support/seeding';
import { activateExtension, after, before, services, skip, suite, test, waitFor, withSetting } from './harness';

const PAGE = 5;
// Names unique to this file, so other suites seeding the same registries do not disturb the counts.
const NS = 'exttree';
const MANY = `${NS}/many`;
const MULTI = `${NS}/multi`;
const SORTED = `${NS}/sorted`;

let api: RegistryExplorerApi;
const restore: (() => Promise<void>)[] = [];

async function children(node?: TreeNode): Promise<TreeNode[]> {
  return api.registries.getChildren(node);
}

async function registry(host: string): Promise<RegistryNode> {
  return waitFor(`registry ${host} in the tree`, async () => (await children()).find((n): n is RegistryNode => n.kind === 'registry' && n.root.host === host));
}

function only<K extends TreeNode['kind']>(nodes: TreeNode[], kind: K): Extract<TreeNode, { kind: K }>[] {
  return nodes.filter((n): n is Extract<TreeNode, { kind: K }> => n.kind === kind);
}

/** Every repository under a registry node, through namespace groups. */
async function repositories(reg: RegistryNode): Promise<RepositoryNode[]> {
  const result: RepositoryNode[] = [];
  for (const child of await children(reg)) {
    if (child.kind === 'repository') result.push(child);
    if (child.kind === 'namespace') result.push(...only(await children(child), 'repository'));
  }
  return result;
}

async function repositoryNode(reg: RegistryNode, name: string): Promise<RepositoryNode> {
  // Filter to reach the repository whatever page it is on; the filter is cleared by the caller.
  api.registries.setFilter(reg, name);
  const repo = (await repositories(reg)).find((r) => r.name === name);
  assert.ok(repo, `repository ${name} under ${reg.root.host}`);
  return repo;
}

suite('registries view', () => {
  before(async () => {
    const svc = services() ?? skip('REGX_TEST_SERVICES is not set');
    api = (await activateExtension()).exports as RegistryExplorerApi;
    // Start from nothing, page small, and keep the machine's docker logins out of the tree.
    restore.push(await withSetting('registryExplorer', 'registries', []));
    restore.push(await withSetting('registryExplorer', 'pageSize', PAGE));
    restore.push(await withSetting('registryExplorer', 'useDockerConfig', false));
    restore.push(await withSetting('registryExplorer', 'tags.sort', 'semver'));
    const host = svc.open.host;
    await seedManyTags(host, MANY, 12, { prefix: 'v1.' });
    await seedIndex(host, MULTI, '1.0', { platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] });
    for (const tag of ['1.2', '1.9', '1.10', 'latest']) await seedImage(host, SORTED, tag, { seed: `sorted-${tag}` });
    // Enough repositories that the catalog has more than one page.
    for (let i = 0; i < PAGE + 1; i++) await seedImage(host, `${NS}/r${i}`, 'latest', { seed: 'exttree-r' });
  });

  after(async () => {
    for (const r of restore.reverse()) await r();
  });

  test('the welcome view shows while nothing is connected', async () => {
    assert.deepEqual(await children(), []);
  });

  test('Connect Registry adds it to settings and to the tree', async () => {
    const host = services()!.open.host;
    await vscode.commands.executeCommand('registryExplorer.connectRegistry', { url: `http://${host}`, name: 'Open test registry' });
    const saved = vscode.workspace.getConfiguration('registryExplorer').get<{ url: string; name?: string }[]>('registries')!;
    assert.deepEqual(saved, [{ url: `http://${host}`, name: 'Open test registry' }]);
    const reg = await registry(host);
    const item = api.registries.getTreeItem(reg);
    assert.equal(item.label, 'Open test registry');
    assert.equal(item.id, `registry:${host}`);
    assert.match(String(item.contextValue), /^registry\b/);
  });

  test('a registry expands to one page of repositories, then Load more', async () => {
    const reg = await registry(services()!.open.host);
    api.registries.setFilter(reg, undefined);
    api.registries.refresh(reg);
    const first = await repositories(reg);
    assert.equal(first.length, PAGE, `one page of ${PAGE} repositories, got ${first.map((r) => r.name).join(', ')}`);
    const more = only(await children(reg), 'loadMore')[0];
    assert.ok(more, 'a Load more… node after the first page');
    await vscode.commands.executeCommand('registryExplorer.loadMore', more);
    const second = await repositories(reg);
    assert.ok(second.length > PAGE && second.length <= 2 * PAGE, `after Load more: ${second.length}`);
    // Each Load more… fetches as many again as are shown, not one more page.
    const again = only(await children(reg), 'loadMore')[0];
    if (again) {
      await vscode.commands.executeCommand('registryExplorer.loadMore', again);
      const third = await repositories(reg);
      assert.ok(third.length > second.length + PAGE || !only(await children(reg), 'loadMore')[0], `after a second Load more: ${third.length} (was ${second.length})`);
      assert.ok(third.length <= 2 * second.length, `after a second Load more: ${third.length} (was ${second.length})`);
    }
    // Namespaced repositories are grouped under their namespace.
    assert.ok((await children(reg)).some((n) => n.kind === 'namespace'), 'namespace groups');
  });

  test('a filter narrows the repositories and shows on the node', async () => {
    const reg = await registry(services()!.open.host);
    await vscode.commands.executeCommand('registryExplorer.filter', reg, `${NS}/r`);
    const names = (await repositories(reg)).map((r) => r.name);
    assert.ok(names.length >= PAGE, `filtered names: ${names.join(', ')}`);
    assert.ok(names.every((n) => n.startsWith(`${NS}/r`)), names.join(', '));
    const item = api.registries.getTreeItem(reg);
    assert.match(String(item.description), /filter: "exttree\/r"/);
    assert.match(String(item.contextValue), /\bfiltered\b/);
    await vscode.commands.executeCommand('registryExplorer.clearFilter', reg);
    assert.doesNotMatch(String(api.registries.getTreeItem(reg).contextValue), /\bfiltered\b/);
  });

  test('tags come one page at a time, sorted by version, with details filled in after', async () => {
    const reg = await registry(services()!.open.host);
    const repo = await repositoryNode(reg, MANY);
    let kids = await children(repo);
    let tags = only(kids, 'tag');
    assert.equal(tags.length, PAGE);
    let more: LoadMoreNode | undefined = only(kids, 'loadMore')[0];
    assert.ok(more, 'Load more… under the tags');
    await vscode.commands.executeCommand('registryExplorer.loadMore', more);
    await vscode.commands.executeCommand('registryExplorer.loadMore', more);
    kids = await children(repo);
    tags = only(kids, 'tag');
    assert.equal(tags.length, 12);
    assert.equal(only(kids, 'loadMore').length, 0, 'no Load more… once every tag is shown');
    // Semver order: v1.11 before v1.10 before v1.09 … (numbers, not text).
    assert.deepEqual(tags.slice(0, 3).map((t) => t.tag), ['v1.11', 'v1.10', 'v1.09']);

    await waitFor('tag details', () => api.registries.detailsOf(tags[0]!)?.summary);
    const item = api.registries.getTreeItem(tags[0]!);
    assert.match(String(item.description), /^[0-9a-f]{12} · /, `description: ${item.description}`);
    assert.ok(item.tooltip instanceof vscode.MarkdownString && item.tooltip.value.includes('sha256:'), 'tooltip names the digest');
    api.registries.setFilter(reg, undefined);
  });

  test('tag sort "name" and a tag filter', async () => {
    const reg = await registry(services()!.open.host);
    const repo = await repositoryNode(reg, SORTED);
    assert.deepEqual(only(await children(repo), 'tag').map((t) => t.tag), ['latest', '1.10', '1.9', '1.2']);
    const undo = await withSetting('registryExplorer', 'tags.sort', 'name');
    try {
      assert.deepEqual(only(await children(repo), 'tag').map((t) => t.tag), ['1.10', '1.2', '1.9', 'latest']);
    } finally {
      await undo();
    }
    await vscode.commands.executeCommand('registryExplorer.filter', repo, '1.1');
    assert.deepEqual(only(await children(repo), 'tag').map((t) => t.tag), ['1.10']);
    api.registries.setFilter(repo, undefined);
    api.registries.setFilter(reg, undefined);
  });

  test('a multi-platform tag expands to its platforms', async () => {
    const reg = await registry(services()!.open.host);
    const repo = await repositoryNode(reg, MULTI);
    const tag = only(await children(repo), 'tag').find((t) => t.tag === '1.0')!;
    await waitFor('index details', () => api.registries.detailsOf(tag)?.summary);
    assert.equal(api.registries.getTreeItem(tag).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    const platforms = only(await children(tag), 'platform').map((p) => p.entry.platformText);
    assert.deepEqual(platforms.sort(), ['linux/amd64', 'linux/arm64']);
    api.registries.setFilter(reg, undefined);
  });

  test('copy reference, digest and pull command from a tag node', async () => {
    const host = services()!.open.host;
    const reg = await registry(host);
    const repo = await repositoryNode(reg, SORTED);
    const tag = only(await children(repo), 'tag').find((t) => t.tag === '1.9') as TagNode;
    assert.equal(await vscode.commands.executeCommand('registryExplorer.copyReference', tag), `${host}/${SORTED}:1.9`);
    assert.equal(await vscode.env.clipboard.readText(), `${host}/${SORTED}:1.9`);
    const digest = await vscode.commands.executeCommand<string>('registryExplorer.copyDigest', tag);
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(await vscode.commands.executeCommand('registryExplorer.copyPullCommand', tag), `docker pull ${host}/${SORTED}:1.9`);
    api.registries.setFilter(reg, undefined);
  });

  test('inspect opens the manifest and config as read-only JSON', async () => {
    const reg = await registry(services()!.open.host);
    const repo = await repositoryNode(reg, SORTED);
    const tag = only(await children(repo), 'tag').find((t) => t.tag === 'latest')!;
    await vscode.commands.executeCommand('registryExplorer.inspect', tag);
    const docs = await waitFor('inspect documents', () => {
      const open = vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'registry-explorer' && d.uri.path.includes(`${SORTED}:latest`));
      return open.length >= 2 ? open : undefined;
    });
    const manifest = JSON.parse(docs.find((d) => d.uri.path.endsWith('.manifest.json'))!.getText());
    assert.equal(manifest.schemaVersion, 2);
    const config = JSON.parse(docs.find((d) => d.uri.path.endsWith('.config.json'))!.getText());
    assert.ok(config.rootfs, 'the config has rootfs');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    api.registries.setFilter(reg, undefined);
  });

  test('an unreachable registry is an error node that offers Retry', async () => {
    // Nothing listens on this port (the range is reserved for this suite's runs).
    await vscode.commands.executeCommand('registryExplorer.connectRegistry', { url: 'http://127.0.0.1:15799' });
    const reg = await registry('127.0.0.1:15799');
    const [node, fix] = await children(reg);
    assert.equal(node?.kind, 'error');
    assert.match(String(api.registries.getTreeItem(node!).label), /15799/, 'the message names the registry');
    const item = api.registries.getTreeItem(fix!);
    assert.equal(item.label, 'Retry');
    assert.equal(item.command?.command, 'registryExplorer.refresh');
    await vscode.commands.executeCommand('registryExplorer.disconnectRegistry', reg);
    assert.ok(!(await children()).some((n) => n.id === reg.id), 'disconnected');
  }, { timeout: 90_000 });

  test('401 shows Sign in…; a wrong password is refused; the right one fixes it; secrets stay secret', async () => {
    const basic = services()!.basic;
    await seedImage(basic.host, `${NS}/private`, 'latest', { auth: basic.user });
    await vscode.commands.executeCommand('registryExplorer.connectRegistry', { url: basic.host });
    const reg = await registry(basic.host);
    const [node] = await children(reg);
    assert.equal(node?.kind, 'error', 'anonymous listing fails');
    assert.equal((node as ErrorNode).fix, 'signIn');
    const fix = (await children(reg))[1]!;
    assert.equal(api.registries.getTreeItem(fix).label, 'Sign in…');
    assert.equal(api.registries.getTreeItem(fix).command?.command, 'registryExplorer.login');

    const refused = await vscode.commands.executeCommand('registryExplorer.login', node, { username: basic.user!.username, password: 'wrong-password' });
    assert.equal(refused, false, 'wrong credentials are not stored');
    assert.equal(await api.service.secrets.get(basic.host), undefined);

    const ok = await vscode.commands.executeCommand('registryExplorer.login', node, basic.user);
    assert.equal(ok, true);
    const names = (await repositories(reg)).map((r) => r.name);
    assert.ok(names.includes(`${NS}/private`) || (await children(reg)).some((n) => n.kind === 'loadMore'), `signed in: ${names.join(', ')}`);
    await waitFor('the registry marked signed in', () => /\bsignedIn\b/.test(String(api.registries.getTreeItem(reg).contextValue)));

    // The password is only in SecretStorage: not in settings, not in globalState.
    const settingsText = JSON.stringify(vscode.workspace.getConfiguration('registryExplorer'));
    assert.ok(!settingsText.includes(basic.user!.password), 'password not in settings');
    const state = (api.service as unknown as { context: vscode.ExtensionContext }).context.globalState;
    const stateText = JSON.stringify(state.keys().map((k) => [k, state.get(k)]));
    assert.ok(!stateText.includes(basic.user!.password) && !stateText.includes(basic.user!.username), `globalState holds no credential: ${stateText}`);
  }, { timeout: 60_000 });

  test('Sign Out forgets the credential and its tokens', async () => {
    const basic = services()!.basic;
    await vscode.commands.executeCommand('registryExplorer.logout', basic.host);
    assert.equal(await api.service.secrets.get(basic.host), undefined);
    const reg = await registry(basic.host);
    const [node] = await children(reg);
    assert.equal(node?.kind, 'error', 'anonymous again after sign-out');
    assert.equal((node as ErrorNode).fix, 'signIn');
  });

  test('the token registry: sign in as a read-only user and list tags', async () => {
    const token = services()!.token;
    await seedImage(token.host, `${NS}/tokened`, '2.0', { auth: token.user });
    await vscode.commands.executeCommand('registryExplorer.connectRegistry', { url: token.host, credentials: token.reader });
    const reg = await registry(token.host);
    const repo = await repositoryNode(reg, `${NS}/tokened`).catch(async () => {
      // A read-only account may not be allowed the catalog: add the repository by name instead.
      await vscode.commands.executeCommand('registryExplorer.addRepository', reg, `${NS}/tokened`);
      return repositoryNode(reg, `${NS}/tokened`);
    });
    assert.deepEqual(only(await children(repo), 'tag').map((t) => t.tag), ['2.0']);
    await vscode.commands.executeCommand('registryExplorer.logout', token.host);
  }, { timeout: 60_000 });
});
