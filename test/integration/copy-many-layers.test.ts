// `regx copy` of an image with many layers (the bench's 1 GB, 20-layer rows in small), run as a user
// runs it: the built dist/cli.js as a child process, so whatever Node itself prints on stderr shows.
// Twenty layers put more than ten of the copy's requests on one cancellation signal at once; the copy
// must still print its digest and nothing else, and land every blob and the manifest unchanged.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getManifest, registryRequest, seedImage } from '../support/seeding';
import { BUILT_CLI as CLI, runBuiltRegx as regx } from '../support/runRegx';
import { testServices, type TestServices } from '../support/services';

const run = `${process.pid}-${Date.now().toString(36)}`;

describe('regx copy of a 20-layer image to a second registry', () => {
  let services: TestServices;
  let env: NodeJS.ProcessEnv;
  before(() => {
    assert.ok(fs.existsSync(CLI), `${CLI} is missing: run node scripts/build.mjs first`);
    services = testServices();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-many-layers-'));
    env = { PATH: process.env.PATH ?? '', HOME: home, DOCKER_CONFIG: path.join(home, 'empty-docker'), REGX_CACHE_DIR: path.join(home, 'cache') };
  });

  it('prints the digest and nothing on stderr, and lands all 21 blobs and the manifest', async () => {
    const source = `many/src-${run}`;
    const target = `many/dst-${run}`;
    const sizes = Array.from({ length: 20 }, (_, i) => 8192 + i * 1024);
    const image = await seedImage(services.open.host, source, 'v1', { layers: sizes });

    const result = await regx(['copy', `${services.open.host}/${source}:v1`, `${services.openNoDelete.host}/${target}:v1`, '--json'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '', 'a successful copy writes nothing to stderr');
    const report = JSON.parse(result.stdout) as { digest: string; blobsUploaded: number; bytesUploaded: number };
    assert.equal(report.digest, image.digest);
    assert.equal(report.blobsUploaded, 21, 'config and 20 layers uploaded');

    const landed = await getManifest(services.openNoDelete.host, target, 'v1');
    assert.ok(landed.status === 200, `the target has ${target}:v1`);
    assert.equal(landed.digest, image.digest);
    const manifest = landed.manifest as { config: { size: number }; layers: Array<{ digest: string; size: number }> };
    const layers = manifest.layers;
    assert.equal(layers.length, 20);
    for (const layer of layers) {
      const head = await registryRequest(services.openNoDelete.host, target, 'HEAD', `/v2/${target}/blobs/${layer.digest}`);
      assert.equal(Number(head.headers.get('content-length')), layer.size, `${layer.digest} in the target with its size`);
    }
    assert.equal(report.bytesUploaded, layers.reduce((n, l) => n + l.size, 0) + manifest.config.size);
  });
});
