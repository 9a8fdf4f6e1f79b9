// Bad input, generated (fast-check): references, tags, digests, registry addresses, CLI option values,
// docker config.json files and credential-helper output. Each input is either parsed to what the
// Distribution grammar says — its regular expressions are written out below from distribution/
// reference's regexp.go and docker's normalisation (normalize.go), and act as the oracle — or refused
// with an InvalidInputError and a message before any request is made. Never a crash, never a secret
// echoed. REGX_PROPERTY_SEED=N repeats a run; every property prints its seed and run count.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { parseReference, parseRegistryAddress, validateDigest, validateTag } from '../../src/reference';
import { describeError } from '../../src/errors/describe';
import { InvalidInputError, RegxError } from '../../src/errors/errors';
import { DockerConfigStore } from '../../src/credentials';
import { startHostileServer, type HostileServer } from '../support/hostileServer';
import { runRegx } from '../support/runRegx';

// ---------------------------------------------------------------------------------------------
// The oracle: distribution/reference regexp.go, as written there (RE2 syntax carried over to JS).

const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const tagPattern = '[\\w][\\w.-]{0,127}';
const digestPattern = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePattern = `(?:${domainAndPort}/)?${remoteName}`;
const ReferenceRegexp = new RegExp(`^(${namePattern})(?::(${tagPattern}))?(?:@(${digestPattern}))?$`);
const anchoredTag = new RegExp(`^${tagPattern}$`);
const anchoredDigest = new RegExp(`^${digestPattern}$`);
const NAME_TOTAL_LENGTH_MAX = 255;

interface Expected {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** What the grammar plus docker's normalisation make of a string, or undefined when it is not a reference. */
function oracle(input: string): Expected | undefined {
  const m = ReferenceRegexp.exec(input);
  if (!m) return undefined;
  const [, name, tag, digest] = m;
  if (name!.length > NAME_TOTAL_LENGTH_MAX) return undefined;
  // normalize.go splitDockerDomain: the first component is a domain only if it has "." or ":", or is localhost, or has upper case.
  const slash = name!.indexOf('/');
  let domain = 'docker.io';
  let remainder = name!;
  if (slash >= 0) {
    const first = name!.slice(0, slash);
    if (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first) {
      domain = first;
      remainder = name!.slice(slash + 1);
    }
  }
  // docker then parses domain + "/" + remainder again: a remainder that is no remote name is refused.
  if (!new RegExp(`^${remoteName}$`).test(remainder)) return undefined;
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && !remainder.includes('/')) remainder = `library/${remainder}`;
  return { registry: domain, repository: remainder, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/**
 * Where regx is deliberately stricter than the grammar, each with its reason; anything else the
 * grammar accepts and regx refuses is a bug.
 */
function knownStricter(e: Expected): string | undefined {
  const hostPart = e.registry;
  if (e.digest && !/^(sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/.test(e.digest)) return 'only sha256/384/512 digests of their exact length (registries refuse others)';
  const port = /:([0-9]+)$/.exec(hostPart)?.[1];
  if (port !== undefined && !(port.length <= 5 && Number(port) >= 1 && Number(port) <= 65535)) return 'ports 1-65535';
  if (hostPart.startsWith('[')) return 'IPv6 hosts are checked as addresses (net.isIPv6)';
  // docker reads a first component with "." or ":" as a host even when the grammar matched it as a path.
  if (!new RegExp(`^${domainAndPort}$`).test(hostPart)) return 'a first component with "." or ":" is a host, and must be a valid one';
  if (hostPart.toLowerCase() !== hostPart && !/[.:]/.test(hostPart) && hostPart !== 'localhost') return 'an upper-case first component is read as a (lower-case) repository, not a host';
  if (`${hostPart.toLowerCase()}/${e.repository}`.length > NAME_TOTAL_LENGTH_MAX) return 'the 255-character limit counts library/ too';
  return undefined;
}

const SEED = Number(process.env.REGX_PROPERTY_SEED) || Math.floor(Math.random() * 2 ** 31);
const counts: Record<string, number> = {};
function check<T>(name: string, arbitrary: fc.Arbitrary<T>, runs: number, predicate: (value: T) => void | Promise<void>): Promise<void> {
  counts[name] = runs;
  const property = fc.asyncProperty(arbitrary, async (value) => {
    await predicate(value);
  });
  return fc.assert(property, { numRuns: runs, seed: SEED });
}

/** A refusal is our typed error, worded by describeError without throwing, naming no secret. */
function refusedWithMessage(err: unknown, secrets: string[] = []): string {
  assert.ok(err instanceof RegxError, `not a typed error: ${String(err)} ${(err as Error)?.stack ?? ''}`);
  const text = describeError(err);
  assert.equal(typeof text, 'string');
  assert.ok(text.length > 10, text);
  for (const secret of secrets) if (secret.length >= 6) assert.ok(!text.includes(secret), `the message repeats a secret: ${text}`);
  return text;
}

// ---------------------------------------------------------------------------------------------
// Generators

const referenceChars = fc.constantFrom(...'abcdefXYZ0129-_.:/@+[]%~ \t\u00e9\u0000'.split(''), 'sha256:', 'localhost', '..', '__', '--', ':5000', '@sha256:');
const validReference = fc.stringMatching(ReferenceRegexp).filter((s) => s.length <= 300);
const mutated = fc.tuple(validReference, fc.array(fc.tuple(fc.nat(), referenceChars, fc.boolean()), { minLength: 1, maxLength: 4 })).map(([s, edits]) => {
  let out = s;
  for (const [at, ch, insert] of edits) {
    const i = out.length ? at % out.length : 0;
    out = insert ? out.slice(0, i) + ch + out.slice(i) : out.slice(0, i) + out.slice(i + 1);
  }
  return out;
});
const soup = fc.array(referenceChars, { maxLength: 20 }).map((parts) => parts.join(''));
/** Valid references as people write them: a usual host or none, a few path components, a tag and/or a sha256 digest. */
const hex64 = fc.array(fc.constantFrom(...'0123456789abcdef'.split('')), { minLength: 64, maxLength: 64 }).map((a) => a.join(''));
const everydayReference = fc
  .tuple(
    fc.option(fc.constantFrom('localhost', 'localhost:5000', '127.0.0.1:5000', 'registry.example.com', 'Registry.Example.com:443', 'docker.io', 'index.docker.io', 'ghcr.io', 'my-registry.local:8080', '[::1]:5000')),
    fc.array(fc.stringMatching(new RegExp(`^${pathComponent}$`)).filter((c) => c.length <= 30), { minLength: 1, maxLength: 3 }),
    fc.option(fc.stringMatching(anchoredTag).filter((t) => t.length <= 20)),
    fc.option(hex64.map((h) => `sha256:${h}`)),
  )
  .map(([domain, components, tag, digest]) => `${domain ? `${domain}/` : ''}${components.join('/')}${tag !== null ? `:${tag}` : ''}${digest !== null ? `@${digest}` : ''}`);
const anyReference = fc.oneof(
  { arbitrary: everydayReference, weight: 3 },
  { arbitrary: validReference, weight: 1 },
  { arbitrary: mutated, weight: 2 },
  { arbitrary: soup, weight: 1 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 1 },
);

describe('generated input', () => {
  let hostile: HostileServer;
  let home: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    hostile = await startHostileServer();
    hostile.route('/v2/', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-properties-'));
    env = { DOCKER_CONFIG: path.join(home, 'docker'), HOME: home, DOCKER_HOST: `unix://${path.join(home, 'none.sock')}`, PATH: process.env.PATH };
  });
  after(async () => {
    await hostile.close();
    fs.rmSync(home, { recursive: true, force: true });
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(`generated inputs: ${total} (seed ${SEED}; REGX_PROPERTY_SEED=${SEED} repeats them): ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  });

  it('references: parsed as the grammar parses them, or refused with a message', async () => {
    const stricter: Record<string, number> = {};
    const outcome = { accepted: 0, refusedByBoth: 0 };
    await check('references', anyReference, 600, (input) => {
      const expected = oracle(input);
      let got: ReturnType<typeof parseReference> | undefined;
      let error: unknown;
      try {
        got = parseReference(input);
      } catch (err) {
        error = err;
      }
      if (got) {
        assert.ok(expected, `regx accepted what the grammar refuses: ${JSON.stringify(input)} → ${JSON.stringify(got)}`);
        outcome.accepted++;
        assert.deepEqual(
          { ...got, registry: got.registry.toLowerCase() },
          { ...expected, registry: expected.registry.toLowerCase() === 'registry-1.docker.io' ? 'docker.io' : expected.registry.toLowerCase() },
          JSON.stringify(input),
        );
        return;
      }
      assert.ok(error instanceof InvalidInputError, `not refused with InvalidInputError: ${JSON.stringify(input)}: ${String(error)}`);
      refusedWithMessage(error);
      if (expected) {
        const why = knownStricter(expected);
        assert.ok(why, `the grammar accepts ${JSON.stringify(input)} (${JSON.stringify(expected)}) but regx refused it: ${describeError(error)}`);
        stricter[why] = (stricter[why] ?? 0) + 1;
      } else outcome.refusedByBoth++;
    });
    console.log(`references: ${outcome.accepted} parsed as the grammar does, ${outcome.refusedByBoth} refused by both, stricter on purpose: ${JSON.stringify(stricter)}`);
    // The generators must reach both sides, or the property proves little.
    assert.ok(outcome.accepted >= 100 && outcome.refusedByBoth >= 100, JSON.stringify(outcome));
  });

  it('tags and digests: the grammar\'s anchored regexps, or a message', async () => {
    const tag = fc.oneof(fc.stringMatching(anchoredTag), fc.string({ maxLength: 140 }), fc.constantFrom('', '.x', '-x', 'a'.repeat(128), 'a'.repeat(129), 'v1.0', 'ünï', 'a b'));
    await check('tags', tag, 300, (input) => {
      const ok = anchoredTag.test(input);
      try {
        assert.equal(validateTag(input), input);
        assert.ok(ok, `accepted a tag the grammar refuses: ${JSON.stringify(input)}`);
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        assert.ok(!ok, `refused a valid tag ${JSON.stringify(input)}: ${String(err)}`);
        refusedWithMessage(err);
      }
    });
    const hex = (n: number) => fc.array(fc.constantFrom(...'0123456789abcdef'.split('')), { minLength: n, maxLength: n }).map((a) => a.join(''));
    const digest = fc.oneof(
      hex(64).map((h) => `sha256:${h}`),
      hex(128).map((h) => `sha512:${h}`),
      fc.stringMatching(anchoredDigest).filter((s) => s.length < 200),
      fc.tuple(fc.constantFrom('sha256', 'sha512', 'md5', 'SHA256', 'blake3', ''), fc.string({ maxLength: 70 })).map(([a, h]) => `${a}:${h}`),
    );
    await check('digests', digest, 300, (input) => {
      const grammar = anchoredDigest.test(input);
      try {
        assert.equal(validateDigest(input), input);
        assert.ok(grammar, `accepted a digest the grammar refuses: ${input}`);
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        refusedWithMessage(err);
        if (grammar) assert.ok(knownStricter({ registry: 'x.y', repository: 'r', digest: input }), `refused a digest the grammar and registries accept: ${input}`);
      }
    });
  });

  it('registry addresses and URLs: a host, or a message naming the bad part; credentials never echoed', async () => {
    const password = fc.stringMatching(/^[A-Za-z0-9]{8,16}$/).map((p) => `pw${p}`);
    const address = fc.oneof(
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.tuple(fc.constantFrom('http://', 'https://', 'ftp://', '', 'HTTP://', 'git+ssh://'), fc.domain(), fc.option(fc.integer({ min: -5, max: 70_000 })), fc.constantFrom('', '/', '/v2/', '/artifactory/api/docker/key', '/x/y')).map(([s, d, p, rest]) => `${s}${d}${p === null ? '' : `:${p}`}${rest}`),
      fc.tuple(fc.domain(), fc.string({ maxLength: 12 })).map(([d, junk]) => `${d}${junk}`),
      fc.ipV6().map((ip) => `[${ip}]:5000`),
      fc.ipV4(),
    );
    await check('registry addresses', fc.tuple(address, fc.option(password)), 300, ([raw, pw]) => {
      const input = pw ? raw.replace(/^([a-z+]+:\/\/)?/i, (scheme) => `${scheme}bob:${pw}@`) : raw;
      try {
        const got = parseRegistryAddress(input);
        assert.ok(!pw, `accepted credentials in ${input}`);
        assert.match(got.host, /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/, input);
        assert.equal(got.host, got.host.toLowerCase());
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        refusedWithMessage(err, pw ? [pw] : []);
      }
    });
  });

  it('regx on generated references and option values: exit 2 and one message before any request, or a request to the registry named', async () => {
    const argv = fc.oneof(
      fc.tuple(fc.constantFrom('inspect', 'digest', 'delete'), anyReference).map(([c, ref]) => [c, `${hostile.host}/${ref}`]),
      fc.tuple(fc.constantFrom('tags'), anyReference).map(([c, ref]) => [c, `${hostile.host}/${ref}`]),
      fc.tuple(fc.constantFrom('--page-size', '--limit'), fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -10, max: 5000 }).map(String))).map(([flag, value]) => (flag === '--limit' ? ['search', hostile.host, 'x', flag, value] : ['catalog', hostile.host, flag, value])),
      fc.tuple(anyReference).map(([tag]) => ['tag', `${hostile.host}/app:1`, tag]),
    );
    await check('regx argv', argv, 250, async (args) => {
      const before = hostile.requests.length;
      const result = await runRegx(args, env);
      assert.ok([0, 1, 2].includes(result.code), `${args.join(' ')} exited ${result.code}`);
      assert.doesNotMatch(result.stderr, /\n\s+at |TypeError|RangeError|\[object Object\]/, result.stderr);
      if (result.code === 2) {
        assert.match(result.stderr.split('\n')[0]!, /^regx: \S/);
        assert.equal(hostile.requests.length, before, `${args.join(' ')} sent a request before refusing`);
        assert.equal(result.stdout, '');
      }
      if (result.code === 1) assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
    });
  });

  describe('docker config.json and credential helpers', () => {
    const helperDir = () => path.join(home, 'bin');
    const host = '127.0.0.1:5999';

    it('generated config.json files: a credential, none, or a CredentialError message; the password never echoed', async () => {
      const secret = fc.stringMatching(/^[A-Za-z0-9]{10,16}$/).map((p) => `Sekr3t${p}`);
      const entry = fc.record(
        {
          auth: fc.oneof(fc.string({ maxLength: 30 }), secret.map((p) => Buffer.from(`bob:${p}`).toString('base64')), fc.constant('!!notbase64')),
          username: fc.oneof(fc.string({ maxLength: 10 }), fc.integer() as fc.Arbitrary<unknown>),
          password: fc.oneof(secret, fc.constant(null) as fc.Arbitrary<unknown>, fc.array(fc.nat()) as fc.Arbitrary<unknown>),
          identitytoken: fc.oneof(secret, fc.integer() as fc.Arbitrary<unknown>),
        },
        { requiredKeys: [] },
      );
      const keys = fc.constantFrom(host, `http://${host}`, `https://${host}/v1/`, 'docker.io', 'https://index.docker.io/v1/', '', 'bad host!', `${host}/path`);
      const config = fc.oneof(
        fc.record({ auths: fc.dictionary(keys, entry, { maxKeys: 3 }) }, { requiredKeys: [] }).map((c) => JSON.stringify(c)),
        fc.record({ auths: fc.oneof(fc.array(fc.nat()), fc.string(), fc.constant(null)) as fc.Arbitrary<unknown>, credsStore: fc.oneof(fc.constantFrom('../../bin/sh', 'a b', '', 'missing-helper'), fc.integer() as fc.Arbitrary<unknown>), credHelpers: fc.oneof(fc.dictionary(keys, fc.string({ maxLength: 12 })), fc.constant(7)) as fc.Arbitrary<unknown> }, { requiredKeys: [] }).map((c) => JSON.stringify(c)),
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.constantFrom('', '{', '{"auths":', '\u0000\u0001\u0002', '{"auths":{}}garbage', '\ufeff{"auths":{}}'),
      );
      const dir = path.join(home, 'generated');
      fs.mkdirSync(dir, { recursive: true });
      await check('config.json files', config, 250, async (text) => {
        fs.writeFileSync(path.join(dir, 'config.json'), text);
        const store = new DockerConfigStore({ configDir: dir, env: { PATH: helperDir(), HOME: home }, helperTimeoutMs: 2_000 });
        const secrets = [...text.matchAll(/Sekr3t[A-Za-z0-9]+/g)].map((m) => m[0]);
        try {
          const got = await store.get(host);
          if (got) assert.equal(typeof got.username, 'string');
        } catch (err) {
          refusedWithMessage(err, secrets);
        }
      });
    });

    it('a huge config.json (40 MB) and hostile credential-helper output: refused with a message, no crash, no hang', { timeout: 60_000 }, async () => {
      const dir = path.join(home, 'hostile');
      fs.mkdirSync(helperDir(), { recursive: true });
      fs.mkdirSync(dir, { recursive: true });
      const huge = `{"auths":{"${host}":{"auth":"${Buffer.from('bob:Sekr3tHuge').toString('base64')}"}},"x":"${'a'.repeat(40 * 1024 * 1024)}"}`;
      fs.writeFileSync(path.join(dir, 'config.json'), huge);
      const hugeStore = new DockerConfigStore({ configDir: dir, env: { PATH: helperDir(), HOME: home } });
      // A big but well-formed file is read (docker reads it too); what matters is no crash.
      const got = await hugeStore.get(host).catch((err: unknown) => refusedWithMessage(err, ['Sekr3tHuge']));
      assert.ok(got === undefined || typeof got === 'string' || got.password === 'Sekr3tHuge');

      // Helpers: binary output, a megabyte and more, wrong JSON shapes, a hang, a crash.
      const outputs: Record<string, string> = {
        binary: "head -c 4096 /dev/urandom",
        huge: "head -c 3000000 /dev/zero | tr '\\0' 'a'",
        'not-json': "echo 'Username: bob Password: Sekr3tHelper'",
        'wrong-shape': "echo '{\"Username\":7,\"Secret\":[\"Sekr3tHelper\"]}'",
        array: "echo '[1,2,3]'",
        empty: ':',
        hang: 'sleep 30',
      };
      for (const [name, script] of Object.entries(outputs)) {
        const file = path.join(helperDir(), `docker-credential-${name}`);
        fs.writeFileSync(file, `#!/bin/sh\ncat > /dev/null\n${script}\n`, { mode: 0o755 });
        fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ credsStore: name }));
        const store = new DockerConfigStore({ configDir: dir, env: { PATH: `${helperDir()}:/usr/bin:/bin`, HOME: home }, helperTimeoutMs: 2_000 });
        try {
          const credential = await store.get(host);
          assert.ok(credential === undefined || (typeof credential.username === 'string' && !/Sekr3t/.test(credential.username)), `${name}: ${JSON.stringify(credential)}`);
        } catch (err) {
          const text = refusedWithMessage(err, ['Sekr3tHelper']);
          assert.match(text, new RegExp(`docker-credential-${name}|credential`), `${name}: ${text}`);
        }
      }
      // A helper that fails a store by echoing what it was given: the secret is cut out of our message.
      fs.writeFileSync(path.join(helperDir(), 'docker-credential-echo'), '#!/bin/sh\necho "panic: cannot store $(cat)" >&2\nexit 2\n', { mode: 0o755 });
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ credsStore: 'echo' }));
      const echoing = new DockerConfigStore({ configDir: dir, env: { PATH: `${helperDir()}:/usr/bin:/bin`, HOME: home }, helperTimeoutMs: 2_000 });
      const refusal = await echoing.store(host, { username: 'bob', password: 'Sekr3tStored' }).then(() => assert.fail('the store should fail'), (err: unknown) => err);
      assert.match(refusedWithMessage(refusal, ['Sekr3tStored']), /cannot store .*\[secret\]/);

      // And through regx: one line, exit 1, no request to the registry it could not get credentials for.
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ credsStore: 'binary' }));
      const before = hostile.requests.length;
      const result = await runRegx(['tags', `${hostile.host}/app`], { ...env, DOCKER_CONFIG: dir, PATH: `${helperDir()}:/usr/bin:/bin` });
      assert.equal(result.code, 1, result.stderr);
      assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
      assert.equal(hostile.requests.length, before, 'no request without the credentials sorted out');
    });
  });
});

// The oracle itself must accept what the grammar's own examples accept, or it proves nothing.
describe('the oracle', () => {
  it('reads the grammar\'s examples as docker does', () => {
    assert.deepEqual(oracle('alpine'), { registry: 'docker.io', repository: 'library/alpine' });
    assert.deepEqual(oracle('localhost:5000/a/b:1.0'), { registry: 'localhost:5000', repository: 'a/b', tag: '1.0' });
    assert.deepEqual(oracle('Foo/bar'), { registry: 'Foo', repository: 'bar' });
    assert.equal(oracle('a//b'), undefined);
    assert.equal(oracle('a:b:c'), undefined);
    assert.equal(oracle(`a@sha256:${'0'.repeat(31)}`), undefined);
  });
});
