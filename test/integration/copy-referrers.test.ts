// `regx copy --referrers`: an image's SBOM, and a signature on that SBOM, come along to the target —
// here real Distribution 2.8 registries, which have no referrers API, so the target gets the OCI 1.1
// tag-schema fallback (`sha256-<hex>` index) that docker, oras and cosign read. Checked over plain
// HTTP, not through our own client.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runRegx } from '../support/runRegx';
import { getManifest, seedArtifact, seedImage, type SeededArtifact, type SeededImage } from '../support/seeding';
import { testServices, type TestServices } from '../support/services';

const run = `${process.pid}-${Date.now().toString(36)}`;
const fallbackTag = (digest: string) => `sha256-${digest.slice('sha256:'.length)}`;

/** The manifests listed by a fallback index on the target (fails the test when it is not there). */
async function indexEntries(host: string, repo: string, subject: string): Promise<{ digest: string; artifactType?: string }[]> {
  const got = await getManifest(host, repo, fallbackTag(subject));
  assert.equal(got.status, 200, `the fallback index of ${subject} is on ${host}/${repo}`);
  return got.status === 200 ? (got.manifest.manifests as { digest: string; artifactType?: string }[]) : [];
}

describe('regx copy --referrers', () => {
  let services: TestServices;
  let env: NodeJS.ProcessEnv;
  let image: SeededImage;
  let sbom: SeededArtifact;
  let signature: SeededArtifact;
  const source = `refs/src-${run}`;

  before(async () => {
    services = testServices();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-copy-refs-'));
    env = { PATH: process.env.PATH ?? '', HOME: home, DOCKER_CONFIG: path.join(home, 'docker') };
    const open = services.open.host;
    image = await seedImage(open, source, 'v1');
    sbom = await seedArtifact(open, source, image, { artifactType: 'application/spdx+json' });
    signature = await seedArtifact(open, source, sbom, { artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json', payload: 'signed' });
  });

  it('copies the SBOM and the signature on it to another registry, by digest, with fallback indexes there', async () => {
    const target = services.openNoDelete.host;
    const result = await runRegx(['copy', '--referrers', '--json', `${services.open.host}/${source}:v1`, `${target}/refs/dst-${run}:v1`], env);
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as { digest: string; referrersCopied: number };
    assert.deepEqual([json.digest, json.referrersCopied], [image.digest, 2]);

    const repo = `refs/dst-${run}`;
    for (const artifact of [sbom, signature]) {
      const copied = await getManifest(target, repo, artifact.digest);
      assert.equal(copied.status, 200, `${artifact.artifactType} is in the target by digest`);
      assert.equal(copied.digest, artifact.digest);
    }
    assert.deepEqual((await indexEntries(target, repo, image.digest)).map((m) => m.digest), [sbom.digest]);
    assert.deepEqual((await indexEntries(target, repo, sbom.digest)).map((m) => [m.digest, m.artifactType]), [[signature.digest, signature.artifactType]]);

    // Copying again adds nothing twice.
    const again = await runRegx(['copy', '--referrers', '--json', `${services.open.host}/${source}:v1`, `${target}/${repo}:v1`], env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((await indexEntries(target, repo, image.digest)).length, 1);
  });

  it('within one registry too (blobs mounted); without --referrers they stay behind and the JSON says so', async () => {
    const host = services.open.host;
    const withRefs = await runRegx(['copy', '--referrers', '--json', `${host}/${source}:v1`, `${host}/refs/same-${run}:v1`], env);
    assert.equal(withRefs.code, 0, withRefs.stderr);
    assert.equal((JSON.parse(withRefs.stdout) as { referrersCopied: number }).referrersCopied, 2);
    assert.equal((await getManifest(host, `refs/same-${run}`, signature.digest)).status, 200);

    const without = await runRegx(['copy', '--json', `${host}/${source}:v1`, `${host}/refs/bare-${run}:v1`], env);
    assert.equal(without.code, 0, without.stderr);
    assert.equal((JSON.parse(without.stdout) as { referrersCopied: unknown }).referrersCopied, false);
    assert.equal((await getManifest(host, `refs/bare-${run}`, fallbackTag(image.digest))).status, 404);
  });
});
