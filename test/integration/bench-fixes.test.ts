// What issue 7's profiling changed in the client, checked against the real services:
//  - a same-registry copy on the token registry asks the issuer once (one token for source pull +
//    target pull,push), and mounts every blob without a HEAD first;
//  - `regx inspect REF...` inspects several references in one process;
//  - without credentials, a session's first plain read stands in for the /v2/ ping.
// Other suites share the registries and the issuer, so counts are taken for this file's own
// repositories only (the issuer's byScope keys and the registry's access log lines name them).
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

describe('issue 7 fixes against the real services', () => {
  let services: TestServices;
  let home: string;
  let env: NodeJS.ProcessEnv;
  before(() => {
    services = testServices();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-bench-fixes-'));
    env = { PATH: process.env.PATH ?? '', HOME: home, DOCKER_CONFIG: path.join(home, 'empty-docker') };
  });

  it('a same-registry copy on the token registry costs one token request, and mounts without HEADs', async () => {
    const { host, issuer, user } = services.token;
    const source = `h14/tok-src-${run}`;
    const target = `h14/tok-dst-${run}`;
    const image = await seedImage(host, source, 'v1', { auth: user!, layers: [2048, 4096, 1024] });
    const configDir = path.join(home, 'token-config');
    fs.mkdirSync(configDir, { recursive: true });
    fs.writeFileSync(
      path.join(configDir, 'config.json'),
      JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${user!.username}:${user!.password}`).toString('base64') } } }),
      { mode: 0o600 },
    );
    const stats = async () => ((await (await fetch(`${issuer}/_control/stats`)).json()) as { byScope: Record<string, number> }).byScope;
    const mine = (byScope: Record<string, number>) => Object.entries(byScope).filter(([key]) => key.includes(source) || key.includes(target));
    const countMine = (byScope: Record<string, number>) => mine(byScope).reduce((n, [, c]) => n + c, 0);
    const logFile = path.join(services.root, 'token', 'registry.log');
    const logOffset = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
    const before = await stats();

    const result = await regx(['copy', `${host}/${source}:v1`, `${host}/${target}:v1`, '--json'], { ...env, DOCKER_CONFIG: configDir });
    assert.equal(result.code, 0, result.stderr);
    const copied = JSON.parse(result.stdout) as { digest: string; blobsMounted: number; blobsUploaded: number };
    assert.equal(copied.digest, image.digest);
    assert.equal(copied.blobsMounted, 4, 'config and three layers mounted');
    assert.equal(copied.blobsUploaded, 0);

    const after = await stats();
    assert.equal(countMine(after) - countMine(before), 1, `token requests for this copy: ${JSON.stringify(mine(after))} (before ${JSON.stringify(mine(before))})`);
    // The issuer keys its counts by the sorted scope parameters of one request.
    const union = [`repository:${source}:pull`, `repository:${target}:pull,push`].sort().join(' ');
    assert.equal((after[union] ?? 0) - (before[union] ?? 0), 1, `one token for the union of scopes: ${JSON.stringify(mine(after))}`);

    // No blob HEAD on the target inside one registry: the mount answers that question.
    await new Promise((r) => setTimeout(r, 100)); // the access line is written just after the response
    const lines = fs.readFileSync(logFile, 'utf8').slice(logOffset).split('\n');
    const blobHeads = lines.filter((l) => l.includes(`"HEAD /v2/${target}/blobs/`));
    assert.deepEqual(blobHeads, []);
    const mounts = lines.filter((l) => l.includes(`"POST /v2/${target}/blobs/uploads/?mount=`) && / 201 /.test(l));
    assert.equal(mounts.length, 4, mounts.join('\n'));
    // Nor a HEAD of the target manifest first: the mounts answer whether the content is there.
    assert.deepEqual(lines.filter((l) => l.includes(`"HEAD /v2/${target}/manifests/`)), []);

    const landed = await getManifest(host, target, 'v1', { auth: user! });
    assert.equal(landed.status === 200 && landed.digest, image.digest);

    // Copying again is harmless: the same digest, nothing uploaded.
    const again = await regx(['copy', `${host}/${source}:v1`, `${host}/${target}:v1`, '--json'], { ...env, DOCKER_CONFIG: configDir });
    assert.equal(again.code, 0, again.stderr);
    const second = JSON.parse(again.stdout) as { digest: string; blobsUploaded: number };
    assert.deepEqual([second.digest, second.blobsUploaded], [image.digest, 0]);
  });

  it('without credentials the first read stands in for the /v2/ ping: tags is one request, a same-registry copy the fewest six', async () => {
    const { host } = services.open;
    const source = `h14/probe-src-${run}`;
    const target = `h14/probe-dst-${run}`;
    const image = await seedImage(host, source, 'v1', { layers: [2048, 4096, 1024] });
    const logFile = path.join(services.root, 'open', 'registry.log');
    const requestsDuring = async (work: () => Promise<void>): Promise<string[]> => {
      const offset = fs.statSync(logFile).size;
      await work();
      await new Promise((r) => setTimeout(r, 100)); // the access line is written just after the response
      return fs
        .readFileSync(logFile, 'utf8')
        .slice(offset)
        .split('\n')
        .map((line) => /"(\w+) (\S+) HTTP/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => `${m[1]} ${m[2]}`);
    };

    const tagsRequests = await requestsDuring(async () => {
      const result = await regx(['tags', `${host}/${source}`], env);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.trim(), 'v1');
    });
    assert.deepEqual(tagsRequests, [`GET /v2/${source}/tags/list?n=1000`]);

    const copyRequests = await requestsDuring(async () => {
      const result = await regx(['copy', `${host}/${source}:v1`, `${host}/${target}:v1`, '--json'], env);
      assert.equal(result.code, 0, result.stderr);
      assert.equal((JSON.parse(result.stdout) as { digest: string }).digest, image.digest);
    });
    assert.equal(copyRequests.length, 6, copyRequests.join('\n'));
    assert.deepEqual(copyRequests.filter((r) => r === 'GET /v2/'), []);

    // Several first reads at once: one asks, the others wait for what it learns (no ping, no repeats).
    const inspectRequests = await requestsDuring(async () => {
      const result = await regx(['inspect', '--json', `${host}/${source}:v1`, `${host}/${target}:v1`], env);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual((JSON.parse(result.stdout) as { digest: string }[]).map((i) => i.digest), [image.digest, image.digest]);
    });
    assert.equal(inspectRequests.filter((r) => r === 'GET /v2/').length, 0, inspectRequests.join('\n'));
    assert.equal(inspectRequests.filter((r) => r.includes('/manifests/v1')).length, 2, inspectRequests.join('\n'));
  });

  it('regx inspect REF REF… prints every reference in one process, in the order given', async () => {
    const { host } = services.open;
    const repo = `h14/inspect-${run}`;
    const a = await seedImage(host, repo, 'a', { labels: { which: 'a' } });
    const b = await seedImage(host, repo, 'b', { labels: { which: 'b' } });
    const refs = [`${host}/${repo}:b`, `${host}/${repo}:a`, `${host}/${repo}:b`];

    const text = await regx(['inspect', ...refs], env);
    assert.equal(text.code, 0, text.stderr);
    const blocks = text.stdout.trimEnd().split('\n\n');
    assert.equal(blocks.length, 3, text.stdout);
    assert.match(blocks[0]!, new RegExp(`Reference +${host}/${repo}:b\\n`));
    assert.ok(blocks[0]!.includes(b.digest) && blocks[1]!.includes(a.digest) && blocks[2]!.includes(b.digest));

    const json = await regx(['inspect', '--json', ...refs], env);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as Array<{ reference: string; digest: string; labels: Record<string, string> }>;
    assert.ok(Array.isArray(parsed));
    assert.deepEqual(parsed.map((p) => p.digest), [b.digest, a.digest, b.digest]);
    assert.deepEqual(parsed.map((p) => p.labels['which']), ['b', 'a', 'b']);

    // One reference: an object, exactly as before.
    const single = await regx(['inspect', '--json', refs[1]!], env);
    assert.equal(single.code, 0, single.stderr);
    const one = JSON.parse(single.stdout) as { digest: string; reference: string };
    assert.ok(!Array.isArray(one));
    assert.equal(one.digest, a.digest);
    assert.equal(one.reference, `${host}/${repo}:a`);

    // The help says it takes several (bench/run.mjs looks for this).
    const help = await regx(['inspect', '--help'], env);
    assert.match(help.stdout, /regx inspect REF\.\.\./);
  });

  it('regx inspect with several references reports the missing ones and still prints the rest (exit 1)', async () => {
    const { host } = services.open;
    const repo = `h14/inspect-miss-${run}`;
    const a = await seedImage(host, repo, 'a');
    const result = await regx(['inspect', '--json', `${host}/${repo}:a`, `${host}/${repo}:missing`], env);
    assert.equal(result.code, 1);
    const parsed = JSON.parse(result.stdout) as Array<{ digest: string }>;
    assert.deepEqual(parsed.map((p) => p.digest), [a.digest]);
    const errors = result.stderr.trimEnd().split('\n');
    assert.equal(errors.length, 2, result.stderr);
    assert.match(errors[0]!, new RegExp(`^regx: ${host}/${repo}:missing: .*not found`));
    assert.match(errors[1]!, /^regx: 1 of 2 references could not be inspected/);

    // A malformed reference anywhere is a usage error before any request.
    const bad = await regx(['inspect', `${host}/${repo}:a`, 'UPPER/Case'], env);
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, '');
  });
});
