// Dependents of a local image against the real dockerd (test/services/start.mjs --docker): a
// container is CREATED (never started: vfs, no networking needed) from an imported image;
// DockerEngine.listContainers finds it by ancestor, the built `regx rmi` names it in its one error
// line and exits 1, and `regx rmi -f` removes the image. Containers made here are removed after.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DockerEngine } from '../../src/docker/engine';
import { engineRequest as engineAt, oneFileTar } from '../support/engineImages';
import { runBuiltRegx, type BuiltCliResult } from '../support/runRegx';
import { testServices } from '../support/services';

const services = testServices();
const skip = services.dockerHost ? false : 'REGX_TEST_SERVICES has no dockerHost: start the services with --docker (test/run.mjs does) to run the engine tests';
const SUFFIX = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const IMAGE = `regx-dependents/${SUFFIX}/app:1`;
const CONTAINER = `regx-dep-${SUFFIX}`;

const rawEngineRequest = (method: string, requestPath: string, body?: unknown) => engineAt(services.dockerHost!, method, requestPath, body);

let engine: DockerEngine;
let imageId: string;
let containerId: string;
let home: string;
const containers: string[] = [];



function regx(args: string[]): Promise<BuiltCliResult> {
  return runBuiltRegx(args, { ...process.env, DOCKER_HOST: services.dockerHost, DOCKER_CONFIG: home, HOME: home });
}

before(async () => {
  if (skip) return;
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-dependents-'));
  engine = DockerEngine.fromEnvironment({ env: { DOCKER_HOST: services.dockerHost } });
  imageId = await engine.importImage(oneFileTar(SUFFIX), IMAGE);
  const created = await rawEngineRequest('POST', `/containers/create?name=${CONTAINER}`, { Image: IMAGE, Cmd: ['/bin/true'] });
  assert.equal(created.status, 201, `container create: ${JSON.stringify(created.json)}`);
  containerId = (created.json as { Id: string }).Id;
  containers.push(containerId);
});

after(async () => {
  if (skip) return;
  for (const id of containers) await rawEngineRequest('DELETE', `/containers/${id}?force=1`).catch(() => undefined);
  await engine.removeImage(IMAGE, { force: true }).catch(() => undefined);
  await engine.close();
  fs.rmSync(home, { recursive: true, force: true });
});

test('listContainers({ all, ancestor }) finds the created container, by image id and by name', { skip }, async () => {
  for (const ancestor of [imageId, IMAGE]) {
    const list = await engine.listContainers({ all: true, ancestor });
    assert.equal(list.length, 1, `${ancestor}: ${JSON.stringify(list)}`);
    const c = list[0]!;
    assert.equal(c.id, containerId);
    assert.deepEqual(c.names, [CONTAINER]);
    assert.equal(c.image, IMAGE);
    assert.equal(c.imageId, imageId);
    assert.equal(c.state, 'created');
    assert.match(c.status, /created/i);
  }
  // Without `all` a created (not running) container is not listed.
  assert.equal((await engine.listContainers({ ancestor: imageId })).length, 0);
  // An unfiltered `all` listing includes it too.
  assert.ok((await engine.listContainers({ all: true })).some((c) => c.id === containerId));
});

test('regx rmi names the container in one line and exits 1; the image stays; regx rmi -f removes it', { skip }, async () => {
  const refused = await regx(['rmi', IMAGE]);
  assert.equal(refused.code, 1, refused.stderr);
  const lines = refused.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one stderr line:\n${refused.stderr}`);
  assert.match(lines[0]!, /^regx: /);
  assert.ok(lines[0]!.includes(`used by container ${CONTAINER} (created)`), lines[0]);
  assert.match(lines[0]!, /-f/);
  assert.ok((await engine.inspectImage(IMAGE)).id === imageId, 'the image is still there');

  const forced = await regx(['rmi', '-f', IMAGE]);
  assert.equal(forced.code, 0, forced.stderr);
  assert.ok(forced.stdout.includes(`Untagged: ${IMAGE}`), forced.stdout);
  assert.ok(forced.stdout.includes(`Deleted: ${imageId}`), forced.stdout);
  await assert.rejects(engine.inspectImage(IMAGE));
  // The stopped container is kept; it now names the image by id.
  const remaining = await engine.listContainers({ all: true });
  assert.ok(remaining.some((c) => c.id === containerId), 'the container is kept');
});
