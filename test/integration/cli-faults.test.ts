// `regx` (runCli, in process) against faults: bad input on every command (exit 2, the bad part named,
// nothing sent and nothing written), registries that misbehave (hostile server: paging links in a
// circle or to another host, no catalog, oversized bodies, silence), and the token budget of a whole
// copy on the real token registry (one token request per scope).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startHostileServer, type HostileServer } from '../support/hostileServer';
import { runRegx, type CliResult } from '../support/runRegx';
import { getManifest, seedImage } from '../support/seeding';
import { testServices, type TestServices } from '../support/services';

const regx = runRegx;

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(bytes.length), ...headers });
  res.end(bytes);
}

/** A failure is exactly one `regx: …` line on stderr (plus, for usage errors, the synopsis line). */
function firstErrorLine(result: CliResult): string {
  const lines = result.stderr.trimEnd().split('\n');
  assert.match(lines[0] ?? '', /^regx: \S/, result.stderr);
  return lines[0]!;
}

describe('regx against faults', () => {
  let hostile: HostileServer;
  let elsewhere: HostileServer;
  let home: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    hostile = await startHostileServer();
    elsewhere = await startHostileServer();
    hostile.route('/v2/', (_req, res) => json(res, 200, {}));
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-cli-faults-'));
    // Nothing here may read or write the developer's credentials or reach their Docker engine.
    env = { DOCKER_CONFIG: path.join(home, 'docker'), HOME: home, DOCKER_HOST: `unix://${path.join(home, 'no-engine.sock')}`, PATH: process.env.PATH };
  });
  after(async () => {
    await Promise.all([hostile.close(), elsewhere.close()]);
    fs.rmSync(home, { recursive: true, force: true });
  });

  describe('bad input: exit 2, the bad part named, no request, nothing written', () => {
    it('every command', async () => {
      const h = () => hostile.host;
      const digestA = `sha256:${'a'.repeat(64)}`;
      const digestB = `sha256:${'b'.repeat(64)}`;
      // [argv, what the first error line must name]
      const cases: Array<[string[], RegExp]> = [
        [['catalog'], /missing REGISTRY/],
        [['catalog', `ftp://${h()}`], /ftp/],
        [['catalog', h(), '--page-size', '0'], /--page-size.*"0"/],
        [['catalog', h(), 'extra'], /unexpected argument "extra"/],
        [['catalog', h(), '--al'], /unknown flag: --al/],
        [['catalog', 'bad host!'], /bad host!/],
        [['catalog', `http://bob:hunter2@${h()}`], /credentials do not belong in a URL/],
        [['login', `http://bob:hunter2@${h()}`, '-u', 'bob', '--password-stdin'], /credentials do not belong in a URL/],
        [['inspect', `https://${h()}/app:1`], /leave out the scheme/],
        [['tags'], /missing REPO/],
        [['tags', `${h()}/app:1.0`], /app:1\.0|tag/],
        [['tags', `${h()}/Bad_Name`], /Bad_Name/],
        [['inspect', `${h()}/app:bad!tag`], /bad!tag/],
        [['inspect', `${h()}/app@sha256:1234`], /sha256:1234/],
        [['digest', `${h()}/app@md5:${'a'.repeat(32)}`], /md5/],
        [['digest', `${h()}/UPPER/case:1`], /UPPER/],
        [['tag', `${h()}/app:1.0`], /missing NEWTAG/],
        [['tag', `${h()}/app:1.0`, 'bad!tag'], /bad!tag/],
        [['tag', `${h()}/app:1.0`, '.dot'], /\.dot/],
        [['tag', `${h()}/app:1.0`, 'x'.repeat(129)], /x{129}/],
        [['tag', `${h()}/app:1.0`, 'v2', '--force'], /unknown flag: --force/],
        [['copy', `${h()}/app:1.0`], /missing DST_REF/],
        [['copy', `${h()}/app:1.0`, `${h()}/Other:1.0`], /Other/],
        [['copy', `${h()}/app@${digestA}`, `${h()}/other@${digestB}`], /sha256:b{64}/],
        [['delete'], /missing REF/],
        [['delete', `${h()}/app:bad!tag`, '--yes'], /bad!tag/],
        [['delete', `${h()}/app:1.0`, '--force'], /unknown flag: --force/],
        [['search', h()], /missing TERM/],
        [['search', `ftp://${h()}`, 'term'], /ftp/],
        [['search', h(), 'term', '--limit', 'many'], /--limit.*"many"/],
        [['login', h()], /missing -u USER/],
        [['login', `ftp://${h()}`, '-u', 'bob', '--password-stdin'], /ftp/],
        [['login', h(), '-u', 'bob', '-p', 'hunter2'], /refusing a password on the command line/],
        [['login', h(), '-u', 'bob', '--password-stdin'], /password is empty/],
        [['logout'], /missing REGISTRY/],
        [['logout', `ftp://${h()}`], /ftp/],
        [['pull', `${h()}/app:bad!tag`], /bad!tag/],
        [['push', `${h()}/UPPER:1`], /UPPER|lowercase/],
        [['push'], /missing REF/],
        [['rmi'], /missing REF/],
        [['images', 'a', 'b'], /unexpected argument "b"/],
      ];
      const failures: string[] = [];
      for (const [argv, names] of cases) {
        const before = hostile.requests.length;
        const result = await regx(argv, env);
        const label = `regx ${argv.join(' ')}`;
        if (result.code !== 2) failures.push(`${label}: exit ${result.code} (${result.stderr.trim()})`);
        else if (!names.test(firstErrorLine(result))) failures.push(`${label}: "${firstErrorLine(result)}" does not name ${names}`);
        if (result.stdout !== '') failures.push(`${label}: wrote to stdout: ${result.stdout}`);
        if (hostile.requests.length !== before) failures.push(`${label}: sent a request before refusing`);
        if (result.stderr.includes('hunter2')) failures.push(`${label}: echoed the password`);
      }
      assert.deepEqual(failures, []);
      // Nothing written: no config.json (login/logout), no config folder at all.
      assert.ok(!fs.existsSync(path.join(home, 'docker')), 'DOCKER_CONFIG was created');
    });
  });

  describe('the engine commands when the engine is missing or misnamed', () => {
    it('a malformed DOCKER_HOST is exit 2 naming it; a missing socket is exit 1 naming the socket and what to do', async () => {
      for (const [value, names] of [['bogus://x', /DOCKER_HOST: unsupported scheme "bogus:\/\/"/], ['tcp://', /DOCKER_HOST: expected tcp:\/\/host:port/], ['unix://relative.sock', /absolute/]] as const) {
        const result = await regx(['images'], { ...env, DOCKER_HOST: value });
        assert.equal(result.code, 2, `${value}: ${result.stderr}`);
        assert.match(firstErrorLine(result), names);
        assert.equal(result.stdout, '');
      }
      const socket = path.join(home, 'no-engine.sock');
      for (const argv of [['images'], ['pull', '127.0.0.1:5000/app:1'], ['rmi', 'app:1'], ['search', '--engine', 'app']]) {
        const result = await regx(argv, env);
        assert.equal(result.code, 1, `${argv.join(' ')}: ${result.stderr}`);
        const line = firstErrorLine(result);
        assert.ok(line.includes(socket), line);
        assert.match(line, /Start Docker|DOCKER_HOST/);
        assert.equal(result.stderr.trimEnd().split('\n').length, 1);
      }
    });
  });

  describe('registries that misbehave', () => {
    it('a paging Link loop ends catalog --all and search with exit 1 and one line, instead of looping forever', async () => {
      hostile.route('/v2/_catalog', (req, res) => {
        const last = new URL(req.url ?? '/', 'http://x').searchParams.get('last');
        if (!last) json(res, 200, { repositories: ['a', 'b'] }, { link: '</v2/_catalog?last=b&n=1000>; rel="next"' });
        else json(res, 200, { repositories: ['c', 'd'] }, { link: '</v2/_catalog?n=1000>; rel="next"' });
      });
      for (const argv of [['catalog', hostile.host, '--all', '--page-size', '1000'], ['search', hostile.host, 'a']]) {
        const before = hostile.hits('/v2/_catalog');
        const result = await regx(argv, env);
        assert.equal(result.code, 1, `${argv.join(' ')}: ${result.stderr}`);
        assert.match(firstErrorLine(result), /paging links went in a circle/);
        assert.equal(result.stderr.trimEnd().split('\n').length, 1);
        assert.ok(hostile.hits('/v2/_catalog') - before <= 3, 'stopped at the first repeated page');
      }
    });

    it('a catalog Link to another host: exit 1, worded, and the other host is never asked', async () => {
      hostile.route('/v2/_catalog', (_req, res) => json(res, 200, { repositories: ['a'] }, { link: `<${elsewhere.url}/v2/_catalog?last=a>; rel="next"` }));
      const result = await regx(['catalog', hostile.host, '--all'], env);
      assert.equal(result.code, 1);
      assert.match(firstErrorLine(result), /paging link to another host/);
      assert.equal(elsewhere.requests.length, 0);
    });

    it('no catalog (404 and 405): exit 1, in describeError\'s words', async () => {
      for (const status of [404, 405]) {
        hostile.route('/v2/_catalog', (_req, res) => json(res, status, { errors: [{ code: 'UNSUPPORTED', message: 'no catalog here' }] }));
        const result = await regx(['catalog', hostile.host], env);
        assert.equal(result.code, 1);
        assert.equal(result.stderr.trimEnd().split('\n').length, 1);
        assert.match(firstErrorLine(result), new RegExp(`does not offer a catalog of its repositories \\(/v2/_catalog answered ${status}\\)`));
      }
    });

    it('an oversized manifest or tag list: exit 1 naming the limit', async () => {
      hostile.route('/v2/big/manifests/declared', (_req, res) => {
        res.on('error', () => undefined);
        res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'content-length': String(9 * 1024 * 1024) });
        res.write(Buffer.alloc(1024, 0x20));
      });
      hostile.route('/v2/big/tags/list', (_req, res) => {
        res.on('error', () => undefined);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"name":"big","tags":["');
        const chunk = Buffer.alloc(256 * 1024, 0x61);
        let sent = 0;
        const pump = () => {
          while (sent < 6 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end('"]}');
        };
        pump();
      });
      const inspect = await regx(['inspect', `${hostile.host}/big:declared`], env);
      assert.equal(inspect.code, 1);
      assert.match(firstErrorLine(inspect), /larger than 8 MiB/);
      const tags = await regx(['tags', `${hostile.host}/big`], env);
      assert.equal(tags.code, 1);
      assert.match(firstErrorLine(tags), /larger than 4 MiB/);
    });

    it('a registry that stops answering is reported (exit 1) within the minute the design allows', { timeout: 120_000 }, async () => {
      hostile.route('/v2/quiet/manifests/1', () => {
        /* never answers */
      });
      const started = Date.now();
      const result = await regx(['inspect', `${hostile.host}/quiet:1`], env);
      const seconds = (Date.now() - started) / 1000;
      assert.equal(result.code, 1);
      assert.match(firstErrorLine(result), /did not answer within \d+ s/);
      // "Reported within a minute": generous room for undici's coarse timers.
      assert.ok(seconds < 75, `reported after ${seconds} s`);
    });
  });

  describe('token budget on the real token registry', () => {
    let services: TestServices;
    before(() => {
      services = testServices();
    });

    it('copy between two repositories of the token registry costs one token request per scope', async () => {
      const { host, issuer, user } = services.token;
      const run = `${process.pid}-${Date.now().toString(36)}`;
      const source = `h12/budget-src-${run}`;
      const target = `h12/budget-dst-${run}`;
      const image = await seedImage(host, source, 'v1', { auth: user!, layers: [2048, 4096, 1024] });
      const configDir = path.join(home, `token-${run}`);
      fs.mkdirSync(configDir, { recursive: true });
      fs.writeFileSync(
        path.join(configDir, 'config.json'),
        JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${user!.username}:${user!.password}`).toString('base64') } } }),
        { mode: 0o600 },
      );
      // Other suites share the issuer: compare counts for this test's own repositories only.
      const stats = async () => ((await (await fetch(`${issuer}/_control/stats`)).json()) as { byScope: Record<string, number> }).byScope;
      const mine = (byScope: Record<string, number>) =>
        Object.fromEntries(Object.entries(byScope).filter(([key]) => key.includes(source) || key.includes(target)));
      // Seeding asked for tokens too: count what the copy adds.
      const before = mine(await stats());

      const result = await regx(['copy', `${host}/${source}:v1`, `${host}/${target}:v1`, '--json'], { ...env, DOCKER_CONFIG: configDir });
      assert.equal(result.code, 0, result.stderr);
      const copied = JSON.parse(result.stdout) as { digest: string; blobsMounted: number };
      assert.equal(copied.digest, image.digest);
      assert.equal(copied.blobsMounted, 4, 'config and three layers mounted, not uploaded');
      const added = Object.fromEntries(
        Object.entries(mine(await stats()))
          .map(([key, n]) => [key, n - (before[key] ?? 0)] as const)
          .filter(([, n]) => n > 0),
      );
      const repeated = Object.entries(added).filter(([, n]) => n !== 1);
      assert.deepEqual(repeated, [], `a scope was asked for more than once: ${JSON.stringify(added)}`);
      // The copy asks once for everything it needs (source pull + target pull,push; issue 7):
      // reading the source, reading/writing the target and mounting all use that one token.
      assert.ok(Object.keys(added).length >= 1, JSON.stringify(added));
      const copiedManifest = await getManifest(host, target, 'v1', { auth: user! });
      assert.equal(copiedManifest.status, 200);
      assert.equal(copiedManifest.status === 200 && copiedManifest.digest, image.digest);
    });
  });
});
