// `regx copy` from one real registry to another (the bench's row 4b path): every blob crosses in
// one streamed PUT on its own upload session, the digest lands unchanged, and a copy of what is
// already there moves no bytes. Requests are counted from the target registry's access log, for
// this file's own repositories only (other suites share the registries).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runRegx } from '../support/runRegx';
import { getManifest, seedImage } from '../support/seeding';
import { testServices, type TestServices } from '../support/services';

const regx = (argv: string[], env: NodeJS.ProcessEnv) => runRegx(argv, env);

const run = `${process.pid}-${Date.now().toString(36)}`;

describe('regx copy to a second registry', () => {
  let services: TestServices;
  let env: NodeJS.ProcessEnv;
  before(() => {
    services = testServices();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-copy-cross-'));
    env = { PATH: process.env.PATH ?? '', HOME: home, DOCKER_CONFIG: path.join(home, 'empty-docker') };
  });

  /** Access-log lines of the target registry naming `repo`, written while `work` ran. */
  async function targetRequests(repo: string, work: () => Promise<void>): Promise<string[]> {
    const logFile = path.join(services.root, 'openNoDelete', 'registry.log');
    const offset = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
    await work();
    await new Promise((r) => setTimeout(r, 150)); // the access line is written just after the response
    const lines = fs.readFileSync(logFile, 'utf8').slice(offset).split('\n');
    return lines
      .map((l) => /"(GET|HEAD|POST|PUT|PATCH|DELETE) (\S+) HTTP\/[\d.]+" (\d{3}) /.exec(l))
      .filter((m): m is RegExpExecArray => !!m && m[2]!.startsWith(`/v2/${repo}/`))
      .map((m) => `${m[1]} ${m[3]} ${m[2]!.replace(/\/blobs\/uploads\/[^?]*/, '/blobs/uploads/…').replace(/\?.*$/, '')}`);
  }

  it('streams each blob in one PUT, keeps the digest, and then finds everything already there', async () => {
    const source = services.open.host;
    const target = services.openNoDelete.host;
    const srcRepo = `cross/src-${run}`;
    const dstRepo = `cross/dst-${run}`;
    // Layers larger than any socket buffer, so the bytes really stream (and backpressure) end to end.
    const image = await seedImage(source, srcRepo, 'v1', { layers: [3_000_000, 1_500_000, 700_000] });

    let result!: { code: number; stdout: string; stderr: string };
    const requests = await targetRequests(dstRepo, async () => {
      result = await regx(['copy', `${source}/${srcRepo}:v1`, `${target}/${dstRepo}:v1`, '--json'], env);
    });
    assert.equal(result.code, 0, result.stderr);
    const copied = JSON.parse(result.stdout) as { digest: string; blobsUploaded: number; blobsSkipped: number; bytesUploaded: number };
    assert.equal(copied.digest, image.digest);
    assert.equal(copied.blobsUploaded, 4, 'config and three layers');
    assert.equal(copied.blobsSkipped, 0);
    assert.ok(copied.bytesUploaded > 5_000_000, String(copied.bytesUploaded));

    const count = (what: string) => requests.filter((r) => r.startsWith(what)).length;
    assert.equal(count('HEAD 404 /v2/' + dstRepo + '/blobs/'), 4, requests.join('\n'));
    assert.equal(count('POST 202'), 4, requests.join('\n'));
    assert.equal(count('PUT 201 /v2/' + dstRepo + '/blobs/uploads/'), 4, requests.join('\n'));
    assert.equal(count('PATCH'), 0, 'no chunked upload');
    assert.equal(count('PUT 201 /v2/' + dstRepo + '/manifests/v1'), 1);

    const landed = await getManifest(target, dstRepo, 'v1');
    assert.equal(landed.status === 200 && landed.digest, image.digest);

    // Again: the manifest is there, so no blob is uploaded; only the tag is written.
    const again = await targetRequests(dstRepo, async () => {
      result = await regx(['copy', `${source}/${srcRepo}:v1`, `${target}/${dstRepo}:v1`, '--json'], env);
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { blobsUploaded: number }).blobsUploaded, 0);
    assert.deepEqual(again.filter((r) => r.startsWith('POST') || r.includes('/blobs/uploads/')), [], again.join('\n'));
  });
});
