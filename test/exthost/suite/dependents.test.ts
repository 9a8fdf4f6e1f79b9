// Removing a local image that containers use, inside a real VS Code against the test dockerd: the
// confirmation names the containers (looked up before the modal) and offers Force Remove beside
// Remove; a plain Remove is refused by the engine and the image is kept; Force Remove deletes it and
// the container stays. The modal is answered through the command's extra options argument
// ({ choice }) and its text comes back in the outcome's `confirmation`.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { RegistryExplorerApi } from '../../../src/extension';
import type { DeleteOutcome } from '../../../src/vscode/commands/delete';
import { engineRequest as engineAt, oneFileTar } from '../../support/engineImages';
import { activateExtension, after, before, services, skip, suite, test, waitFor, withSetting } from './harness';

const SUFFIX = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const USED = `regx-exthost-dependents/${SUFFIX}/used:1`;
const FREE = `regx-exthost-dependents/${SUFFIX}/free:1`;
const CONTAINER = `regx-exthost-dep-${SUFFIX}`;

const rawEngineRequest = (method: string, path: string, body?: unknown) => engineAt(services()!.dockerHost!, method, path, body);

let api: RegistryExplorerApi;
const restore: (() => Promise<void>)[] = [];
const containers: string[] = [];



async function localNode(reference: string) {
  return waitFor(`${reference} in Local Images`, async () => {
    await api.images.refresh();
    return api.images.find(reference);
  });
}

suite('local image dependents', () => {
  before(async () => {
    const svc = services() ?? skip('REGX_TEST_SERVICES is not set');
    if (!svc.dockerHost) skip('no test dockerd');
    api = (await activateExtension()).exports as RegistryExplorerApi;
    restore.push(await withSetting('registryExplorer', 'docker.host', svc.dockerHost));
    const engine = api.engines.engine();
    await engine.importImage(oneFileTar(`used ${SUFFIX}`), USED);
    await engine.importImage(oneFileTar(`free ${SUFFIX}`), FREE);
    const created = await rawEngineRequest('POST', `/containers/create?name=${CONTAINER}`, { Image: USED, Cmd: ['/bin/true'] });
    assert.equal(created.status, 201, `container create: ${JSON.stringify(created.json)}`);
    containers.push((created.json as { Id: string }).Id);
  });

  after(async () => {
    for (const id of containers) await rawEngineRequest('DELETE', `/containers/${id}?force=1`).catch(() => undefined);
    if (services()?.dockerHost && api) {
      for (const ref of [USED, FREE]) await api.engines.engine().removeImage(ref, { force: true }).catch(() => undefined);
    }
    for (const r of restore.reverse()) await r();
  });

  test('the confirmation names the container using the image and offers Force Remove; Remove is refused and keeps it', async () => {
    const node = await localNode(USED);
    const outcome = (await vscode.commands.executeCommand('registryExplorer.delete', node, [node], { choice: 'everything' })) as DeleteOutcome | undefined;
    assert.ok(outcome?.confirmation, 'the outcome carries the confirmation text');
    const { message, detail, buttons } = outcome.confirmation;
    assert.equal(message, `Remove ${USED} from the Docker engine?`);
    assert.ok(detail.includes(`used by container ${CONTAINER} (created)`), detail);
    assert.match(detail, /Force Remove removes it anyway/);
    assert.deepEqual(buttons, ['Remove', 'Force Remove']);
    assert.deepEqual(outcome.removed, []);
    assert.deepEqual(outcome.kept, [USED]);
    assert.ok(await api.images.find(USED), 'still in Local Images');
  }, { timeout: 60_000 });

  test('an image no container uses: no names, only Remove (unchanged)', async () => {
    const node = await localNode(FREE);
    const outcome = (await vscode.commands.executeCommand('registryExplorer.delete', node, [node], { choice: 'everything' })) as DeleteOutcome | undefined;
    assert.ok(outcome?.confirmation);
    assert.doesNotMatch(outcome.confirmation.detail, /used by|Force Remove/);
    assert.deepEqual(outcome.confirmation.buttons, ['Remove']);
    assert.ok(outcome.removed.includes(FREE), JSON.stringify(outcome.removed));
  }, { timeout: 60_000 });

  test('Force Remove deletes the image; the container is kept', async () => {
    const node = await localNode(USED);
    const id = node.image.id;
    const outcome = (await vscode.commands.executeCommand('registryExplorer.delete', node, [node], { choice: 'force' })) as DeleteOutcome | undefined;
    assert.ok(outcome, 'removed');
    assert.ok(outcome.removed.includes(USED), JSON.stringify(outcome.removed));
    assert.ok(outcome.removed.includes(id), JSON.stringify(outcome.removed));
    assert.equal(await api.images.find(USED), undefined);
    const left = await api.engines.engine().listContainers({ all: true });
    assert.ok(left.some((c) => c.id === containers[0]), 'the container is kept');
  }, { timeout: 60_000 });
});
