// RegistryClient against the REAL registries (test/services/start.mjs): a token the registry treats
// as expired, config blobs cached by digest, and every response body consumed (one connection slot
// per host: a leaked body would make the next request wait forever).

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Credential, CredentialStore } from '../../src/credentials/types';
import { RegistryClient } from '../../src/distribution/client';
import { createSession } from '../../src/distribution/session';
import { createTransport, type RequestLogEntry } from '../../src/distribution/transport';
import { describeError } from '../../src/errors/describe';
import { CancelledError, DistributionError } from '../../src/errors/errors';
import { seedImage } from '../support/seeding';
import { testServices, type TestServices } from '../support/services';
import { rejection } from '../support/rejection';

function store(credential: Credential | undefined): CredentialStore {
  return { get: async () => credential, store: async () => undefined, erase: async () => undefined, list: async () => [] };
}

interface IssuerStats {
  byScope: Record<string, number>;
}

describe('RegistryClient on the real registries: expiry, caching, bodies', () => {
  let services: TestServices;
  const run = `${process.pid}-${Date.now().toString(36)}`;

  before(() => {
    services = testServices();
  });

  it('an expired token (issuer exp in the past): one clean 401 without a refetch loop, then renewed once the issuer is right', async () => {
    const { host, issuer, user } = services.token;
    const repo = `h12/expired-${run}`;
    await seedImage(host, repo, 'v1', { auth: user! });
    const scope = `repository:${repo}:pull`;
    const stats = async () => ((await (await fetch(`${issuer}/_control/stats`)).json()) as IssuerStats).byScope[scope] ?? 0;
    const transport = createTransport({ backoffBaseMs: 20, backoffMaxMs: 100 });
    const client = new RegistryClient(createSession({ host }, { transport, credentials: store(user) }));
    const start = await stats();

    // The issuer is shared: change it only for this window, and put back exactly what it was.
    const previous = (await (await fetch(`${issuer}/_control/lifetime`)).json()) as { seconds: number; expSkew: number };
    let failure: unknown;
    try {
      // expires_in still says 300 s, so our cache believes the token; the registry allows 60 s of
      // leeway on exp, so -400 s is expired by its clock.
      await fetch(`${issuer}/_control/lifetime?seconds=${previous.seconds}&expSkew=-400`);
      failure = await rejection(client.listAllTags(repo));
    } finally {
      await fetch(`${issuer}/_control/lifetime?seconds=${previous.seconds}&expSkew=${previous.expSkew}`);
    }
    assert.ok(failure instanceof DistributionError, String(failure));
    assert.equal(failure.status, 401);
    assert.equal(failure.extra.authError, 'invalid_token');
    assert.match(describeError(failure), /rejected the access token as expired or invalid/);
    assert.equal(await stats(), start + 1, 'a freshly fetched token that fails is not fetched again');

    // The dead token is still cached: the registry refuses it, the session drops it and fetches one more.
    assert.deepEqual(await client.listAllTags(repo), ['v1']);
    assert.equal(await stats(), start + 2);
    assert.deepEqual(await client.listAllTags(repo), ['v1']);
    assert.equal(await stats(), start + 2, 'the renewed token is reused');
    await transport.close();
  });

  it('config blobs are read once per digest, whichever client or session asks', async () => {
    const { host } = services.open;
    const repo = `h12/config-${run}`;
    const image = await seedImage(host, repo, 'v1', { seed: `config-cache-${run}`, labels: { run } });
    const log: RequestLogEntry[] = [];
    const configGets = () => log.filter((e) => e.method === 'GET' && e.url.includes(`/blobs/${image.configDigest}`)).length;
    const make = () => new RegistryClient(createSession({ host }, { transport: createTransport({ onRequest: (e) => log.push(e) }) }));

    const first = make();
    const summary = await first.summarize(repo, 'v1');
    assert.deepEqual(summary.labels, { run });
    assert.equal(configGets(), 1);
    await first.summarize(repo, 'v1');
    const second = make();
    const manifest = await second.getManifest(repo, 'v1');
    const config = await second.getImageConfig(repo, (manifest.parsed as { config: { mediaType: string; digest: string; size: number } }).config);
    assert.deepEqual(config.labels, { run });
    assert.equal(configGets(), 1, 'the second summary and the second client were served from the cache');
  });

  it('every response body is consumed: 40 rounds of 404/401/405 answers through one connection slot per host', async () => {
    const repo = `h12/bodies-${run}`;
    const image = await seedImage(services.open.host, repo, 'v1');
    await seedImage(services.openNoDelete.host, repo, 'v1');
    const transport = createTransport({ perHostConcurrency: 1, backoffBaseMs: 20, backoffMaxMs: 100 });
    const open = new RegistryClient(createSession({ host: services.open.host }, { transport }));
    const noDelete = new RegistryClient(createSession({ host: services.openNoDelete.host }, { transport }));
    const basic = new RegistryClient(createSession({ host: services.basic.host }, { transport }));
    // If a body were left unread, its slot would never come back and the next call would wait: the
    // signal turns that hang into a failure.
    const signal = AbortSignal.timeout(90_000);
    const missingBlob = { mediaType: 'application/octet-stream', digest: `sha256:${'0'.repeat(64)}`, size: 1 };
    const expectStatus = async (p: Promise<unknown>, status: number) => {
      const err = await rejection(p);
      assert.ok(!(err instanceof CancelledError), 'a request waited for a connection slot that never came back');
      assert.ok(err instanceof DistributionError && err.status === status, String(err));
    };
    try {
      for (let i = 0; i < 40; i++) {
        const opts = { signal };
        await expectStatus(open.getManifest(repo, `missing-${i}`, opts), 404);
        assert.equal(await open.headManifest(repo, `missing-${i}`, opts), undefined);
        await expectStatus(open.tagsPage(`h12/nothing-${run}`, { pageSize: 10, signal }), 404);
        assert.equal(await open.headBlob(repo, missingBlob.digest, opts), undefined);
        await expectStatus((async () => { for await (const c of open.getBlob(repo, missingBlob, opts)) void c; })(), 404);
        assert.deepEqual(await open.referrers(repo, image.digest, opts), []);
        await expectStatus(noDelete.deleteManifest(repo, image.digest, opts), 405);
        await expectStatus(basic.listAllTags(repo, opts), 401);
      }
      // And the slots still work for a success.
      assert.deepEqual(await open.listAllTags(repo, { signal }), ['v1']);
    } finally {
      await transport.close();
    }
  });
});
