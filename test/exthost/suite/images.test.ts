// The Local Images view inside a real VS Code: an engine that is not there is a node naming the
// socket tried and the registryExplorer.docker.host setting; with the test engine, images are grouped
// by repository, and a refresh redraws only the repository that changed.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RegistryExplorerApi } from '../../../src/extension';
import type { ImageNode } from '../../../src/vscode/images/nodes';
import { seedImage } from '../../support/seeding';
import { activateExtension, after, before, services, skip, suite, test, waitFor, withSetting } from './harness';

let api: RegistryExplorerApi;
const restore: (() => Promise<void>)[] = [];

suite('local images view', () => {
  before(async () => {
    services() ?? skip('REGX_TEST_SERVICES is not set');
    api = (await activateExtension()).exports as RegistryExplorerApi;
  });

  after(async () => {
    for (const r of restore.reverse()) await r();
  });

  test('no engine: one node names the socket tried and the setting, with the fixes under it', async () => {
    const socket = path.join(services()!.root, 'no-engine-here.sock');
    const undo = await withSetting('registryExplorer', 'docker.host', `unix://${socket}`);
    try {
      const kids = await waitFor('the engine error node', async () => {
        await api.images.refresh();
        const k = await api.images.getChildren();
        return k[0]?.kind === 'engineError' ? k : undefined;
      });
      const label = String(api.images.getTreeItem(kids[0]!).label);
      assert.ok(label.includes(socket), `names the socket: ${label}`);
      assert.ok(label.includes('registryExplorer.docker.host'), `names the setting: ${label}`);
      const fixes = kids.slice(1).map((k) => api.images.getTreeItem(k));
      assert.deepEqual(
        fixes.map((f) => f.command?.command),
        ['workbench.action.openSettings', 'registryExplorer.refreshImages'],
      );
      assert.deepEqual(fixes[0]!.command?.arguments, ['registryExplorer.docker.host']);
    } finally {
      await undo();
    }
  });

  test('an unusable setting is explained, naming the setting', async () => {
    const undo = await withSetting('registryExplorer', 'docker.host', 'ssh://user@build-box');
    try {
      const node = await waitFor('the engine error node', async () => {
        await api.images.refresh();
        const k = await api.images.getChildren();
        return k[0]?.kind === 'engineError' ? k[0] : undefined;
      });
      assert.match(String(api.images.getTreeItem(node).label), /registryExplorer\.docker\.host.*ssh/);
    } finally {
      await undo();
    }
  });

  test('images grouped by repository; a refresh redraws only the repository that changed', async () => {
    const svc = services()!;
    if (!svc.dockerHost) skip('no test dockerd');
    restore.push(await withSetting('registryExplorer', 'docker.host', svc.dockerHost));
    await seedImage(svc.open.host, 'extimages/one', 'v1', { seed: 'extimages-one' });
    const name = `${svc.open.host}/extimages/one`;
    assert.ok(await vscode.commands.executeCommand('registryExplorer.pull', `${name}:v1`), 'pulled');
    const repo = await waitFor('the repository row', async () =>
      (await api.images.getChildren()).find((n): n is Extract<ImageNode, { kind: 'imageRepository' }> => n.kind === 'imageRepository' && n.name === name),
    );
    assert.deepEqual((await api.images.getChildren(repo)).map((n) => (n.kind === 'localImage' ? n.tag : n.kind)), ['v1']);

    const fired: (ImageNode | undefined)[] = [];
    const sub = api.images.onDidChangeTreeData((n) => fired.push(n));
    try {
      // Changed outside the editor (as `docker tag` would), then refreshed: only that repository redraws.
      await api.engines.engine().tagImage(`${name}:v1`, `${name}:v2`);
      await api.images.refresh();
      assert.deepEqual(fired, [repo]);
      assert.deepEqual((await api.images.getChildren(repo)).map((n) => (n.kind === 'localImage' ? n.tag : n.kind)), ['v1', 'v2']);
      assert.match(String(api.images.getTreeItem(repo).description), /^2 tags$/);
      // Nothing changed: nothing redraws.
      fired.length = 0;
      await api.images.refresh();
      assert.deepEqual(fired, []);
    } finally {
      sub.dispose();
      await api.engines.engine().removeImage(`${name}:v2`).catch(() => undefined);
      await api.engines.engine().removeImage(`${name}:v1`).catch(() => undefined);
    }
  }, { timeout: 60_000 });
});
