// Image operations inside a real VS Code, against the real registries and the real engine of
// REGX_TEST_SERVICES: pull into Local Images, tag and push to the token-auth registry (and see it in
// the Registries view), retag on the registry (same digest), copy to a second registry and within
// one (mounted), delete one of two tags sharing a digest (the other survives), deletes disabled
// (nothing moves), cancel a pull (the engine stops), search across registries, remove local images.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RegistryExplorerApi } from '../../../src/extension';
import type { LocalImageNode } from '../../../src/vscode/images/nodes';
import type { RegistryNode, RepositoryNode, TagNode, TreeNode } from '../../../src/vscode/tree/nodes';
import type { CopyResult } from '../../../src/distribution/copy';
import type { DeleteOutcome } from '../../../src/vscode/commands/delete';
import type { PushOutcome } from '../../../src/vscode/commands/push';
import type { RetagOutcome } from '../../../src/vscode/commands/retag';
import type { SearchOutcome } from '../../../src/vscode/commands/search';
import { getManifest, seedArtifact, seedImage, seedIndex } from '../../support/seeding';
import { activateExtension, after, before, services, skip, sleep, suite, test, waitFor, withSetting } from './harness';

// A fresh namespace per run, so a second run against the same registries starts clean too.
const NS = `extops${Date.now().toString(36)}`;
let api: RegistryExplorerApi;
const restore: (() => Promise<void>)[] = [];

async function registry(host: string): Promise<RegistryNode> {
  return waitFor(`registry ${host} in the tree`, async () =>
    (await api.registries.getChildren()).find((n): n is RegistryNode => n.kind === 'registry' && n.root.host === host),
  );
}

async function repositoryNode(host: string, name: string): Promise<RepositoryNode> {
  const reg = await registry(host);
  // Seeded after the catalog was first read: read it again, filtered to the one we want.
  api.registries.refresh(reg);
  api.registries.setFilter(reg, name);
  for (const child of await api.registries.getChildren(reg)) {
    if (child.kind === 'repository' && child.name === name) return child;
    if (child.kind === 'namespace') {
      const inner = (await api.registries.getChildren(child)).find((n): n is RepositoryNode => n.kind === 'repository' && n.name === name);
      if (inner) return inner;
    }
  }
  throw new Error(`repository ${name} not in the tree of ${host}`);
}

async function tagNodes(host: string, name: string): Promise<TagNode[]> {
  const repo = await repositoryNode(host, name);
  api.registries.refresh(repo);
  return (await api.registries.getChildren(repo)).filter((n: TreeNode): n is TagNode => n.kind === 'tag');
}

async function tagNode(host: string, name: string, tag: string): Promise<TagNode> {
  const found = (await tagNodes(host, name)).find((t) => t.tag === tag);
  assert.ok(found, `${host}/${name}:${tag} in the Registries view`);
  return found;
}

async function digestOf(host: string, name: string, tag: string): Promise<string | undefined> {
  return (await api.service.client(host).headManifest(name, tag))?.digest;
}

function engineReady(): void {
  if (!services()?.dockerHost) skip('no test dockerd (REGX_TEST_DOCKER=0 or not root)');
}

suite('image operations', () => {
  before(async () => {
    const svc = services() ?? skip('REGX_TEST_SERVICES is not set');
    api = (await activateExtension()).exports as RegistryExplorerApi;
    restore.push(await withSetting('registryExplorer', 'useDockerConfig', false));
    restore.push(await withSetting('registryExplorer', 'pageSize', 50));
    restore.push(
      await withSetting('registryExplorer', 'registries', [
        { url: `http://${svc.open.host}`, name: 'open' },
        { url: `http://${svc.openNoDelete.host}`, name: 'open, deletes off' },
        { url: `http://${svc.basic.host}`, name: 'basic' },
        { url: `http://${svc.token.host}`, name: 'token' },
      ]),
    );
    if (svc.dockerHost) restore.push(await withSetting('registryExplorer', 'docker.host', svc.dockerHost));
    assert.equal(await vscode.commands.executeCommand('registryExplorer.login', svc.basic.host, svc.basic.user), true);
    assert.equal(await vscode.commands.executeCommand('registryExplorer.login', svc.token.host, svc.token.user), true);
    await seedImage(svc.open.host, `${NS}/app`, '1.0', { seed: `${NS}-app`, layers: [2048, 4096] });
  });

  after(async () => {
    // Leave no sign-in behind for the suites that follow (they test anonymous access).
    const svc = services()!;
    await vscode.commands.executeCommand('registryExplorer.logout', svc.basic.host);
    await vscode.commands.executeCommand('registryExplorer.logout', svc.token.host);
    for (const r of restore.reverse()) await r();
  });

  test('pull a tag from the Registries view and see it in Local Images', async () => {
    engineReady();
    const open = services()!.open.host;
    const node = await tagNode(open, `${NS}/app`, '1.0');
    const result = (await vscode.commands.executeCommand('registryExplorer.pull', node)) as { status: string; digest?: string } | undefined;
    assert.ok(result, 'pull returned a result (no error message)');
    assert.match(result.status, /Downloaded newer image|Image is up to date/);
    const local = await waitFor('the pulled image in Local Images', () => api.images.find(`${open}/${NS}/app:1.0`));
    assert.equal(local.tag, '1.0');
    const repoRow = (await api.images.getChildren()).find((n) => n.kind === 'imageRepository' && n.name === `${open}/${NS}/app`);
    assert.ok(repoRow, 'grouped under its repository');
    const item = api.images.getTreeItem(local);
    assert.match(String(item.description), /^[0-9a-f]{12} · \d/, `description: ${item.description}`);
    assert.match(String(item.contextValue), /^localImage;tagged$/);
  }, { timeout: 90_000 });

  test('tag it locally, push it to the token-auth registry, and find it in the Registries view', async () => {
    engineReady();
    const { open, token } = services()!;
    const local = (await api.images.find(`${open.host}/${NS}/app:1.0`)) ?? skip('pull test did not run');
    const newName = `${token.host}/${NS}/pushed:2.0`;
    assert.equal(await vscode.commands.executeCommand('registryExplorer.tag', local, undefined, newName), newName);
    const tagged = await waitFor('the new tag in Local Images', () => api.images.find(newName));
    assert.equal(tagged.image.id, local.image.id);

    const pushed = (await vscode.commands.executeCommand('registryExplorer.push', tagged, undefined, {
      registry: token.host,
      repository: `${NS}/pushed`,
      tag: '2.0',
    })) as PushOutcome | undefined;
    assert.ok(pushed, 'push returned a result');
    assert.equal(pushed.taggedAs, undefined, 'already had the target name: no extra local tag');
    assert.equal(await digestOf(token.host, `${NS}/pushed`, '2.0'), pushed.digest);
    await tagNode(token.host, `${NS}/pushed`, '2.0');

    // A local name that does not match the target: the image is tagged with it first.
    const renamed = (await vscode.commands.executeCommand('registryExplorer.push', local, undefined, {
      registry: token.host,
      repository: `${NS}/renamed`,
      tag: '3.0',
    })) as PushOutcome | undefined;
    assert.equal(renamed?.taggedAs, `${token.host}/${NS}/renamed:3.0`);
    assert.ok(await api.images.find(`${token.host}/${NS}/renamed:3.0`), 'the added local tag shows');
    await tagNode(token.host, `${NS}/renamed`, '3.0');
  }, { timeout: 120_000 });

  test('retag on the registry keeps the digest', async () => {
    const open = services()!.open.host;
    const node = await tagNode(open, `${NS}/app`, '1.0');
    const outcome = (await vscode.commands.executeCommand('registryExplorer.retag', node, undefined, '1.0-stable')) as RetagOutcome | undefined;
    assert.ok(outcome);
    const before = await digestOf(open, `${NS}/app`, '1.0');
    assert.equal(await digestOf(open, `${NS}/app`, '1.0-stable'), before);
    assert.equal(outcome.digest, before);
    await tagNode(open, `${NS}/app`, '1.0-stable');
  });

  test('copy a multi-platform tag to a second registry, and within one by mounting', async () => {
    const { open, basic } = services()!;
    await seedIndex(open.host, `${NS}/multi`, '1', { platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] });
    const node = await tagNode(open.host, `${NS}/multi`, '1');
    const across = (await vscode.commands.executeCommand('registryExplorer.copyImage', node, undefined, {
      registry: basic.host,
      repository: `${NS}/multi`,
      tag: '1',
    })) as CopyResult | undefined;
    assert.ok(across, 'copy returned a result');
    assert.equal(await digestOf(basic.host, `${NS}/multi`, '1'), await digestOf(open.host, `${NS}/multi`, '1'));
    assert.ok(across.manifestsPushed >= 3, `index and both platforms pushed: ${across.manifestsPushed}`);

    const within = (await vscode.commands.executeCommand('registryExplorer.copyImage', node, undefined, {
      registry: open.host,
      repository: `${NS}/multi-copy`,
      tag: '1',
    })) as CopyResult | undefined;
    assert.ok(within && within.blobsMounted > 0, `blobs mounted on the same registry: ${JSON.stringify(within)}`);
    assert.equal(within.blobsUploaded, 0);
  }, { timeout: 60_000 });

  test('copy an image with its SBOM: the referrer lands in the target by digest, with its fallback index', async () => {
    const { open } = services()!;
    const image = await seedImage(open.host, `${NS}/signed`, '1', { seed: `${NS}-signed` });
    const sbom = await seedArtifact(open.host, `${NS}/signed`, image, { artifactType: 'application/spdx+json' });
    const node = await tagNode(open.host, `${NS}/signed`, '1');
    const copied = (await vscode.commands.executeCommand('registryExplorer.copyImage', node, undefined, {
      registry: open.host,
      repository: `${NS}/signed-copy`,
      tag: '1',
      referrers: true,
    })) as CopyResult | undefined;
    assert.equal(copied?.referrersCopied, 1);
    const landed = await getManifest(open.host, `${NS}/signed-copy`, sbom.digest);
    assert.equal(landed.status === 200 && landed.digest, sbom.digest);
    assert.equal((await getManifest(open.host, `${NS}/signed-copy`, `sha256-${image.digest.slice('sha256:'.length)}`)).status, 200);
  }, { timeout: 60_000 });

  test('delete one of two tags that share a digest: the other survives', async () => {
    const open = services()!.open.host;
    const image = await seedImage(open, `${NS}/shared`, 'a', { seed: `${NS}-shared` });
    await seedImage(open, `${NS}/shared`, 'b', { seed: `${NS}-shared` });
    assert.equal(await digestOf(open, `${NS}/shared`, 'b'), image.digest);
    const a = await tagNode(open, `${NS}/shared`, 'a');
    const outcome = (await vscode.commands.executeCommand('registryExplorer.delete', a, [a], { choice: 'onlySelected' })) as DeleteOutcome | undefined;
    assert.deepEqual(outcome?.removed, [`${NS}/shared:a`]);
    assert.equal(await digestOf(open, `${NS}/shared`, 'a'), undefined, 'a is gone');
    assert.equal(await digestOf(open, `${NS}/shared`, 'b'), image.digest, 'b still names the image');
    assert.deepEqual((await tagNodes(open, `${NS}/shared`)).map((t) => t.tag), ['b']);
  }, { timeout: 60_000 });

  test('delete several selected tags, image and all its tags', async () => {
    const open = services()!.open.host;
    const one = await seedImage(open, `${NS}/many`, 'x', { seed: `${NS}-many-1` });
    await seedImage(open, `${NS}/many`, 'y', { seed: `${NS}-many-1` });
    await seedImage(open, `${NS}/many`, 'z', { seed: `${NS}-many-2` });
    await seedImage(open, `${NS}/many`, 'keep', { seed: `${NS}-many-3` });
    const tags = await tagNodes(open, `${NS}/many`);
    const x = tags.find((t) => t.tag === 'x')!;
    const z = tags.find((t) => t.tag === 'z')!;
    const outcome = (await vscode.commands.executeCommand('registryExplorer.delete', x, [x, z], { choice: 'everything' })) as DeleteOutcome | undefined;
    assert.deepEqual([...(outcome?.removed ?? [])].sort(), [`${NS}/many:x`, `${NS}/many:y`, `${NS}/many:z`]);
    assert.equal(await digestOf(open, `${NS}/many`, 'y'), undefined, 'y shared x’s image and went with it');
    assert.ok(await digestOf(open, `${NS}/many`, 'keep'));
    assert.notEqual(one.digest, undefined);
  }, { timeout: 60_000 });

  test('a registry with deletes disabled: nothing is removed or moved', async () => {
    const host = services()!.openNoDelete.host;
    const image = await seedImage(host, `${NS}/nodelete`, 'a', { seed: `${NS}-nodelete` });
    await seedImage(host, `${NS}/nodelete`, 'b', { seed: `${NS}-nodelete` });
    const a = await tagNode(host, `${NS}/nodelete`, 'a');
    // The command reports the 405 in words (an error message) and returns nothing.
    assert.equal(await vscode.commands.executeCommand('registryExplorer.delete', a, [a], { choice: 'onlySelected' }), undefined);
    assert.equal(await digestOf(host, `${NS}/nodelete`, 'a'), image.digest, 'a still names the image (not moved to a placeholder)');
    assert.equal(await digestOf(host, `${NS}/nodelete`, 'b'), image.digest);
    assert.equal(await vscode.commands.executeCommand('registryExplorer.delete', a, [a], { choice: 'everything' }), undefined);
    assert.equal(await digestOf(host, `${NS}/nodelete`, 'a'), image.digest);
  }, { timeout: 60_000 });

  test('cancel a pull: the engine stops and no image appears', async () => {
    engineReady();
    const open = services()!.open.host;
    // Big incompressible layers, so the pull is still running when Cancel comes.
    await seedImage(open, `${NS}/big`, '1', { seed: `${NS}-big`, layers: [48_000_000, 48_000_000, 48_000_000] });
    const reference = `${open}/${NS}/big:1`;
    const running = vscode.commands.executeCommand('registryExplorer.pull', reference);
    await waitFor('the pull to start', () => api.runningOperations() > 0, 10_000, 20);
    await sleep(300);
    assert.ok(api.cancelOperations() > 0, 'a running operation was cancelled');
    assert.equal(await running, undefined, 'cancelled pulls return nothing and show no error');
    await api.images.refresh();
    assert.equal(await api.images.find(reference), undefined);
    // Had the engine kept going, the image would appear within seconds.
    await sleep(4000);
    await api.images.refresh();
    assert.equal(await api.images.find(reference), undefined, 'the engine did not finish the pull after Cancel');
  }, { timeout: 120_000 });

  test('search finds a repository in two registries', async () => {
    const { open, basic } = services()!;
    await seedImage(open.host, `${NS}/findme-one`, 'latest', { seed: `${NS}-find` });
    await seedImage(basic.host, `${NS}/findme-one`, 'latest', { seed: `${NS}-find`, auth: basic.user });
    const outcome = (await vscode.commands.executeCommand('registryExplorer.search', 'findme', undefined, { show: 'none' })) as SearchOutcome | undefined;
    assert.ok(outcome);
    const hosts = outcome.hits.filter((h) => h.repository === `${NS}/findme-one`).map((h) => h.host).sort();
    assert.deepEqual(hosts, [open.host, basic.host].sort());
    assert.deepEqual(outcome.failures, []);
  }, { timeout: 60_000 });

  test('remove a local image: a second name keeps it, the last name removes it', async () => {
    engineReady();
    const { open, token } = services()!;
    const renamed = (await api.images.find(`${token.host}/${NS}/renamed:3.0`)) ?? skip('push test did not run');
    const first = (await vscode.commands.executeCommand('registryExplorer.delete', renamed, [renamed], { choice: 'everything' })) as DeleteOutcome | undefined;
    // The engine also drops the name's digest reference (renamed@sha256:…) with its last tag.
    assert.ok(first?.removed.includes(`${token.host}/${NS}/renamed:3.0`), JSON.stringify(first));
    assert.ok(first!.removed.every((r) => !r.startsWith('sha256:')), 'only names went, not the image');
    const still = await api.images.find(`${open.host}/${NS}/app:1.0`);
    assert.ok(still, 'the image stays under its other names');
    const names = api.images.namesOf(still.image.id);
    const nodes: LocalImageNode[] = [];
    for (const n of names) nodes.push((await api.images.find(n))!);
    const last = (await vscode.commands.executeCommand('registryExplorer.delete', nodes[0], nodes, { choice: 'everything' })) as DeleteOutcome | undefined;
    assert.ok(last?.removed.some((r) => r.startsWith('sha256:')), `the image itself was deleted: ${JSON.stringify(last)}`);
    assert.equal(await api.images.find(`${open.host}/${NS}/app:1.0`), undefined);
  }, { timeout: 60_000 });
});
