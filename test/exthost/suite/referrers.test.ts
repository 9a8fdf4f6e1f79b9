// Referrers in the Registries view, against the open test registry (Distribution 2.8: no referrers
// API, so the client's `sha256-<hex>` tag fallback is what answers): a tag with an SBOM gets a
// "Referrers" group, one without gets none, an index tag lists its platforms and its referrers,
// and Inspect / Copy Digest / Copy Reference work on a referrer.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RegistryExplorerApi } from '../../../src/extension';
import type { ReferrerNode, ReferrersNode, RegistryNode, RepositoryNode, TagNode, TreeNode } from '../../../src/vscode/tree/nodes';
import { seedArtifact, seedImage, seedIndex, type SeededArtifact } from '../../support/seeding';
import { activateExtension, after, before, services, skip, suite, test, waitFor, withSetting } from './harness';

// Names unique to this file, so other suites seeding the same registry do not disturb it.
const REPO = 'extref/app';

let api: RegistryExplorerApi;
let host: string;
let sbom: SeededArtifact;
let attestation: SeededArtifact;
let imageDigest: string;
const restore: (() => Promise<void>)[] = [];

async function children(node?: TreeNode): Promise<TreeNode[]> {
  return api.registries.getChildren(node);
}

function only<K extends TreeNode['kind']>(nodes: TreeNode[], kind: K): Extract<TreeNode, { kind: K }>[] {
  return nodes.filter((n): n is Extract<TreeNode, { kind: K }> => n.kind === kind);
}

async function repository(): Promise<RepositoryNode> {
  const reg = await waitFor(`registry ${host}`, async () => (await children()).find((n): n is RegistryNode => n.kind === 'registry' && n.root.host === host));
  api.registries.setFilter(reg, REPO);
  for (const child of await children(reg)) {
    if (child.kind === 'repository' && child.name === REPO) return child;
    if (child.kind === 'namespace') {
      const repo = only(await children(child), 'repository').find((r) => r.name === REPO);
      if (repo) return repo;
    }
  }
  throw new Error(`repository ${REPO} not under ${host}`);
}

async function tagNode(tag: string): Promise<TagNode> {
  const found = only(await children(await repository()), 'tag').find((t) => t.tag === tag);
  assert.ok(found, `tag ${tag} listed`);
  return found;
}

/** The tag's Referrers group and its rows, once the background lookup made the tag expandable. */
async function referrersOf(tag: TagNode): Promise<{ group: ReferrersNode; rows: ReferrerNode[] }> {
  await waitFor(`${tag.tag} expandable (its referrers found after its details)`, () =>
    api.registries.getTreeItem(tag).collapsibleState === vscode.TreeItemCollapsibleState.Collapsed,
  );
  const group = only(await children(tag), 'referrers')[0];
  assert.ok(group, `a Referrers group under ${tag.tag}`);
  return { group, rows: only(await children(group), 'referrer') };
}

suite('referrers', () => {
  before(async () => {
    const svc = services() ?? skip('REGX_TEST_SERVICES is not set');
    host = svc.open.host;
    api = (await activateExtension()).exports as RegistryExplorerApi;
    restore.push(await withSetting('registryExplorer', 'registries', [{ url: `http://${host}`, name: 'Referrers registry' }]));
    restore.push(await withSetting('registryExplorer', 'useDockerConfig', false));
    restore.push(await withSetting('registryExplorer', 'tags.sort', 'name'));
    const image = await seedImage(host, REPO, '1.0', { seed: 'extref-1.0' });
    imageDigest = image.digest;
    sbom = await seedArtifact(host, REPO, image, { artifactType: 'application/spdx+json', annotations: { 'org.opencontainers.image.created': '2024-03-01T12:00:00Z' } });
    await seedImage(host, REPO, 'plain', { seed: 'extref-plain' });
    const index = await seedIndex(host, REPO, 'multi', { platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }], attestation: false });
    attestation = await seedArtifact(host, REPO, index, { artifactType: 'application/vnd.in-toto+json' });
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const r of restore.reverse()) await r();
  });

  test('a tag with an SBOM shows a Referrers group naming its kind', async () => {
    const tag = await tagNode('1.0');
    const { group, rows } = await referrersOf(tag);
    assert.equal(group.id, `referrers:${tag.id}`);
    assert.equal(group.subject, imageDigest);
    const groupItem = api.registries.getTreeItem(group);
    assert.equal(groupItem.label, 'Referrers');
    assert.equal(groupItem.contextValue, 'referrers');
    assert.match(String(groupItem.description), /^1 · SPDX SBOM$/);

    assert.equal(rows.length, 1);
    const row = rows[0]!;
    assert.equal(row.id, `referrer:${tag.id}@${sbom.digest}`);
    const item = api.registries.getTreeItem(row);
    assert.equal(item.label, 'SPDX SBOM');
    assert.equal(item.contextValue, 'referrer;sbom');
    // short digest · size · created (from the org.opencontainers.image.created annotation)
    assert.match(String(item.description), new RegExp(`^${sbom.digest.slice(7, 19)} · \\d+ B · .+ ago$`), `description: ${item.description}`);
    const tooltip = item.tooltip as vscode.MarkdownString;
    assert.ok(tooltip.value.includes(sbom.digest) && tooltip.value.includes('application/spdx+json'), 'the tooltip holds the full descriptor');

    // The tag says so too, and its fallback tag is not listed beside it.
    assert.match(String(api.registries.getTreeItem(tag).description), /1 referrer$/);
    const tags = only(await children(await repository()), 'tag').map((t) => t.tag);
    assert.deepEqual(tags, ['1.0', 'multi', 'plain']);
  });

  test('a tag without referrers gets no group and stays a leaf', async () => {
    const tag = await tagNode('plain');
    await waitFor('plain details', () => api.registries.detailsOf(tag)?.summary);
    // Asking directly (as an expansion would) finds nothing, and leaves no group behind.
    assert.deepEqual(only(await children(tag), 'referrers'), []);
    assert.equal(api.registries.getTreeItem(tag).collapsibleState, vscode.TreeItemCollapsibleState.None);
  });

  test('an index tag lists its platforms and the referrers of the index', async () => {
    const tag = await tagNode('multi');
    const { rows } = await referrersOf(tag);
    const kids = await children(tag);
    assert.deepEqual(only(kids, 'platform').map((p) => p.entry.platformText).sort(), ['linux/amd64', 'linux/arm64']);
    assert.equal(kids[kids.length - 1]!.kind, 'referrers', 'the group follows the platforms');
    assert.deepEqual(rows.map((r) => api.registries.getTreeItem(r).label), ['in-toto attestation']);
    assert.equal(rows[0]!.descriptor.digest, attestation.digest);
  });

  test('Inspect on a referrer opens its manifest; Copy Digest and Copy Reference use its digest', async () => {
    const { rows } = await referrersOf(await tagNode('1.0'));
    const row = rows[0]!;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('registryExplorer.inspect', row);
    const doc = await waitFor('the referrer manifest document', () =>
      vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'registry-explorer' && d.uri.path.includes(`${REPO}@${sbom.digest.slice(7, 19)}.manifest.json`)),
    );
    const manifest = JSON.parse(doc.getText());
    assert.equal(manifest.artifactType, 'application/spdx+json');
    assert.equal(manifest.subject.digest, imageDigest);
    // An artifact's empty config is not an image config: no second document.
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.scheme === 'registry-explorer' && d.uri.path.includes(`${REPO}@${sbom.digest.slice(7, 19)}.config.json`)));

    assert.equal(await vscode.commands.executeCommand('registryExplorer.copyDigest', row), sbom.digest);
    assert.equal(await vscode.commands.executeCommand('registryExplorer.copyReference', row), `${host}/${REPO}@${sbom.digest}`);
    assert.equal(await vscode.env.clipboard.readText(), `${host}/${REPO}@${sbom.digest}`);
  });

  test('refreshing the group looks again and keeps the ids', async () => {
    const tag = await tagNode('1.0');
    const before = await referrersOf(tag);
    await vscode.commands.executeCommand('registryExplorer.refresh', before.group);
    const again = await referrersOf(tag);
    assert.equal(again.group, before.group, 'the same node object, so VS Code keeps its expansion');
    assert.deepEqual(again.rows.map((r) => r.id), before.rows.map((r) => r.id));
  });
});
