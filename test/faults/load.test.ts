// Load: 20 operations at once on one registry through one transport and one session per registry,
// as the tree runs them (expanding, details, retag, copy, digest), against the real token registry
// behind a fault proxy that answers slowly so requests queue. The proxy counts requests in flight:
// never more than the per-host limit. The issuer's proxy counts token requests: never two for the
// same scopes. And 20 `regx` runs at once each finish with the right answer.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DockerConfigStore } from '../../src/credentials';
import { copyImage } from '../../src/distribution/copy';
import { retag } from '../../src/distribution/tagging';
import { createTransport } from '../../src/distribution/transport';
import { registryClientFor } from '../../src/registries';
import { runRegx } from '../support/runRegx';
import { seedImage, type SeededImage } from '../support/seeding';
import { startWorld, succeeded, uniqueRepo, type FaultWorld } from './support';

const PER_HOST = 6;

describe('load', () => {
  let w: FaultWorld;
  const repos: string[] = [];
  const images: SeededImage[] = [];

  before(async () => {
    w = await startWorld('load');
    for (let i = 0; i < 4; i++) {
      const repo = uniqueRepo(`load${i}`);
      repos.push(repo);
      images.push(await seedImage(w.services.token.host, repo, '1.0', { auth: w.services.token.user!, layers: [4096, 2048] }));
    }
  });
  after(async () => {
    await w?.close();
  });

  it('20 operations at once through one transport: at most the per-host limit in flight, one token request per scope set', { timeout: 120_000 }, async () => {
    w.token.reset();
    w.issuer.reset();
    // Slow answers make the operations pile up behind the limit instead of finishing one by one.
    w.token.rule({ path: /^\/v2\/.+/, behaviour: { kind: 'delay', ms: 150 } });
    const transport = createTransport({ perHostConcurrency: PER_HOST });
    const client = registryClientFor({ host: w.token.host, allowHttp: true }, { transport, credentials: new DockerConfigStore({ env: w.env }) });
    const operations = Array.from({ length: 20 }, (_, i) => {
      const repo = repos[i % repos.length]!;
      const image = images[i % images.length]!;
      switch (i % 5) {
        case 0:
          return client.listAllTags(repo).then((tags) => assert.ok(tags.includes('1.0')));
        case 1:
          return client.summarize(repo, '1.0').then((s) => assert.equal(s.digest, image.digest));
        case 2:
          return client.headManifest(repo, '1.0').then((h) => assert.equal(h?.digest, image.digest));
        case 3:
          return retag(client, repo, '1.0', `load-${i}`).then((d) => assert.equal(d, image.digest));
        default:
          return copyImage({ source: { client, repository: repo, reference: '1.0' }, target: { client, repository: `${repo}-copy${i}`, tag: '1.0' } }).then((r) => assert.equal(r.digest, image.digest));
      }
    });
    const results = await Promise.allSettled(operations);
    const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [`#${i}: ${String(r.reason)}`] : []));
    assert.deepEqual(failures, []);
    await transport.close();

    const peak = w.token.peakInFlight();
    assert.ok(peak <= PER_HOST, `${peak} requests in flight at once, limit ${PER_HOST}`);
    assert.ok(peak >= PER_HOST - 1, `the operations did run in parallel (peak ${peak})`);
    const scopeSets = w.issuer.requests.filter((r) => r.path.startsWith('/token')).map((r) => new URL(r.path, 'http://x').searchParams.getAll('scope').sort().join(' '));
    const repeated = scopeSets.filter((s, i) => scopeSets.indexOf(s) !== i);
    assert.deepEqual(repeated, [], `token requests: ${JSON.stringify(scopeSets)}`);
    console.log(`load: 20 operations, ${w.token.requests.length} registry requests, peak ${peak} in flight (limit ${PER_HOST}), ${scopeSets.length} token requests for ${new Set(scopeSets).size} scope sets`);
  });

  it('20 regx runs at once on one registry: every one right', { timeout: 120_000 }, async () => {
    w.token.reset();
    const runs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const repo = repos[i % repos.length]!;
        return i % 2 ? runRegx(['digest', `${w.token.host}/${repo}:1.0`], w.env) : runRegx(['tags', `${w.token.host}/${repo}`], w.env);
      }),
    );
    runs.forEach((result, i) => {
      const out = succeeded(result);
      if (i % 2) assert.equal(out, `${images[i % images.length]!.digest}\n`);
      else assert.match(out, /^1\.0$/m);
    });
  });
});
