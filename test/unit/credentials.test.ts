import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CredentialError, InvalidInputError } from '../../src/errors/errors';
import {
  CredentialHelper,
  DockerConfigStore,
  MemoryCredentialStore,
  dockerConfigDir,
  normaliseConfigKey,
} from '../../src/credentials';

// A real docker-credential-helpers protocol peer, file-backed: one JSON file per helper name in
// $REGXTEST_DIR. It behaves like docker-credential-helpers' credentials.Serve: errors are printed
// on stdout with exit code 1. Two extra server URLs exercise failure paths:
//   hang.invalid    never answers (timeout)
//   broken.invalid  prints a secret-looking line on stdout, a message on stderr, exits 3
const HELPER_SOURCE = `
const fs = require('fs');
const path = require('path');
const name = path.basename(process.argv[1]).replace(/^docker-credential-/, '');
const file = path.join(process.env.REGXTEST_DIR, name + '.json');
const action = process.argv[2];
const load = () => { try { return JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return {}; } };
const save = (data) => fs.writeFileSync(file, JSON.stringify(data, null, 2));
const fail = (message, code = 1) => { process.stdout.write(message + '\\n'); process.exit(code); };
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const data = load();
  if (action === 'get' || action === 'erase') {
    const url = input.trim();
    if (!url) fail('no credentials server URL');
    if (url === 'hang.invalid') { setInterval(() => {}, 1000); return; }
    if (url === 'broken.invalid') { process.stderr.write('keychain is locked\\n'); fail('SECRET-FROM-STDOUT', 3); }
    if (!data[url]) fail('credentials not found in native keychain');
    if (action === 'get') {
      process.stdout.write(JSON.stringify({ ServerURL: url, Username: data[url].Username, Secret: data[url].Secret }));
    } else {
      delete data[url];
      save(data);
    }
  } else if (action === 'store') {
    const creds = JSON.parse(input);
    if (!creds.ServerURL) fail('no credentials server URL');
    if (!creds.Username) fail('no credentials username');
    data[creds.ServerURL] = { Username: creds.Username, Secret: creds.Secret };
    save(data);
  } else if (action === 'list') {
    const out = {};
    for (const [url, entry] of Object.entries(data)) out[url] = entry.Username;
    process.stdout.write(JSON.stringify(out));
  } else if (action === 'version') {
    process.stdout.write('regxtest 1.0\\n');
  } else {
    fail('Usage: docker-credential-' + name + ' <store|get|erase|list|version>');
  }
});
`;

let root: string;
let binDir: string;
let helperDataDir: string;
let env: NodeJS.ProcessEnv;
let counter = 0;

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'regx-credentials-'));
  binDir = path.join(root, 'bin');
  helperDataDir = path.join(root, 'helper-data');
  await fs.mkdir(binDir);
  await fs.mkdir(helperDataDir);
  for (const name of ['regxtest', 'regxother']) {
    const file = path.join(binDir, `docker-credential-${name}`);
    await fs.writeFile(file, `#!${process.execPath}\n${HELPER_SOURCE}`, { mode: 0o755 });
  }
  env = { ...process.env, PATH: `${binDir}${path.delimiter}${process.env['PATH'] ?? ''}`, REGXTEST_DIR: helperDataDir };
});

after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** A fresh config dir, optionally with a config.json, and empty helper stores. */
async function setup(config?: unknown): Promise<{ dir: string; file: string; store: DockerConfigStore }> {
  const dir = path.join(root, `config-${++counter}`);
  await fs.mkdir(dir);
  for (const f of await fs.readdir(helperDataDir)) await fs.rm(path.join(helperDataDir, f));
  const file = path.join(dir, 'config.json');
  if (config !== undefined) await fs.writeFile(file, typeof config === 'string' ? config : JSON.stringify(config));
  return { dir, file, store: new DockerConfigStore({ configDir: dir, env, helperTimeoutMs: 5000 }) };
}

async function helperData(name: string): Promise<Record<string, { Username: string; Secret: string }>> {
  try {
    return JSON.parse(await fs.readFile(path.join(helperDataDir, `${name}.json`), 'utf8'));
  } catch {
    return {};
  }
}

async function seedHelper(name: string, data: Record<string, { Username: string; Secret: string }>): Promise<void> {
  await fs.writeFile(path.join(helperDataDir, `${name}.json`), JSON.stringify(data));
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

async function readJson(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await fs.readFile(file, 'utf8'));
}

async function rejectsWith<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T, check: (err: T) => void): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof type, `expected ${type.name}, got ${String(caught)}`);
  check(caught as T);
}

describe('config location and keys', () => {
  it('uses $DOCKER_CONFIG, else ~/.docker', () => {
    assert.equal(dockerConfigDir({ DOCKER_CONFIG: '/x/y', HOME: '/home/u' }), '/x/y');
    assert.equal(dockerConfigDir({ HOME: '/home/u' }), path.join('/home/u', '.docker'));
    const store = new DockerConfigStore({ env: { DOCKER_CONFIG: '/cfg' } });
    assert.equal(store.configPath, path.join('/cfg', 'config.json'));
  });

  it('normalises URL and Docker Hub keys', () => {
    const cases: Array<[string, string | undefined]> = [
      ['https://index.docker.io/v1/', 'docker.io'],
      ['index.docker.io', 'docker.io'],
      ['registry-1.docker.io', 'docker.io'],
      ['docker.io', 'docker.io'],
      ['http://127.0.0.1:5000', '127.0.0.1:5000'],
      ['https://ghcr.io/v2/', 'ghcr.io'],
      ['GHCR.IO', 'ghcr.io'],
      ['registry.example.com/team/repo', 'registry.example.com'],
      ['not a host', undefined],
    ];
    for (const [key, host] of cases) assert.equal(normaliseConfigKey(key), host, key);
  });
});

describe('DockerConfigStore.get from auths', () => {
  it('returns undefined when config.json does not exist', async () => {
    const { store } = await setup();
    assert.equal(await store.get('ghcr.io'), undefined);
    assert.deepEqual(await store.list(), []);
  });

  it('decodes auth, splitting on the first ":" and trimming trailing NULs', async () => {
    const { store } = await setup({
      auths: {
        'ghcr.io': { auth: b64('alice:pa:ss:word') },
        'quay.io': { auth: b64('bob:secret\0\0\0') },
      },
    });
    assert.deepEqual(await store.get('ghcr.io'), { username: 'alice', password: 'pa:ss:word' });
    assert.deepEqual(await store.get('quay.io'), { username: 'bob', password: 'secret' });
  });

  it('reads username/password fields, identitytoken and registrytoken', async () => {
    const { store } = await setup({
      auths: {
        'a.example': { username: 'u', password: 'p' },
        'b.example': { auth: b64('00000000-0000-0000-0000-000000000000:'), identitytoken: 'refresh-tok' },
        'c.example': { registrytoken: 'bearer-tok' },
      },
    });
    assert.deepEqual(await store.get('a.example'), { username: 'u', password: 'p' });
    assert.deepEqual(await store.get('b.example'), { username: '00000000-0000-0000-0000-000000000000', identityToken: 'refresh-tok' });
    assert.deepEqual(await store.get('c.example'), { username: '', registryToken: 'bearer-tok' });
  });

  it('matches URL keys and every Docker Hub spelling', async () => {
    for (const hubKey of ['https://index.docker.io/v1/', 'index.docker.io', 'registry-1.docker.io', 'docker.io', 'http://index.docker.io']) {
      const { store } = await setup({ auths: { [hubKey]: { auth: b64('hub:pw') }, 'http://127.0.0.1:5000/': { auth: b64('local:pw') } } });
      for (const asked of ['docker.io', 'index.docker.io', 'https://index.docker.io/v1/']) {
        assert.deepEqual(await store.get(asked), { username: 'hub', password: 'pw' }, `${hubKey} asked as ${asked}`);
      }
      assert.deepEqual(await store.get('127.0.0.1:5000'), { username: 'local', password: 'pw' });
    }
  });

  it('prefers docker\'s exact key over another spelling of the same host', async () => {
    const { store } = await setup({
      auths: { 'index.docker.io': { auth: b64('old:pw') }, 'https://index.docker.io/v1/': { auth: b64('new:pw') } },
    });
    assert.equal((await store.get('docker.io'))?.username, 'new');
  });

  it('treats empty {} entries as markers, not errors', async () => {
    const { store } = await setup({ auths: { 'ghcr.io': {} } });
    assert.equal(await store.get('ghcr.io'), undefined);
    assert.deepEqual(await store.list(), []);
  });

  it('accepts an empty file', async () => {
    const { store } = await setup('');
    assert.equal(await store.get('ghcr.io'), undefined);
  });
});

describe('DockerConfigStore precedence: credHelpers[host] → credsStore → auths', () => {
  const config = {
    credHelpers: { 'https://ghcr.io': 'regxtest' },
    credsStore: 'regxother',
    auths: {
      'ghcr.io': { auth: b64('plain-ghcr:pw') },
      'quay.io': { auth: b64('plain-quay:pw') },
    },
  };

  it('credHelpers[host] wins over credsStore and auths (URL key normalised)', async () => {
    const { store } = await setup(config);
    await seedHelper('regxtest', { 'ghcr.io': { Username: 'helper-ghcr', Secret: 'h1' } });
    await seedHelper('regxother', { 'ghcr.io': { Username: 'store-ghcr', Secret: 's1' } });
    assert.deepEqual(await store.get('ghcr.io'), { username: 'helper-ghcr', password: 'h1' });
  });

  it('credsStore wins over auths', async () => {
    const { store } = await setup(config);
    await seedHelper('regxother', { 'quay.io': { Username: 'store-quay', Secret: 's2' } });
    assert.deepEqual(await store.get('quay.io'), { username: 'store-quay', password: 's2' });
  });

  it('a helper that applies is authoritative, as in docker: no fall back to auths', async () => {
    const { store } = await setup(config);
    assert.equal(await store.get('quay.io'), undefined);
  });

  it('auths is used when no helper applies', async () => {
    const { store } = await setup({ auths: config.auths });
    assert.deepEqual(await store.get('quay.io'), { username: 'plain-quay', password: 'pw' });
  });

  it('Docker Hub is asked of the helper under https://index.docker.io/v1/', async () => {
    const { store } = await setup({ credsStore: 'regxtest' });
    await seedHelper('regxtest', { 'https://index.docker.io/v1/': { Username: 'hubber', Secret: 'x' } });
    assert.deepEqual(await store.get('docker.io'), { username: 'hubber', password: 'x' });
  });

  it('a "<token>" username from a helper is an identity token', async () => {
    const { store } = await setup({ credsStore: 'regxtest' });
    await seedHelper('regxtest', { 'myacr.azurecr.io': { Username: '<token>', Secret: 'refresh' } });
    assert.deepEqual(await store.get('myacr.azurecr.io'), { username: '', identityToken: 'refresh' });
  });
});

describe('DockerConfigStore.store', () => {
  it('writes auths[key].auth like docker login, keeps every other key, mode 0600, no temp files', async () => {
    const original = {
      auths: { 'quay.io': { auth: b64('q:w') } },
      psFormat: 'table {{.ID}}',
      proxies: { default: { httpProxy: 'http://proxy:3128' } },
      currentContext: 'default',
    };
    const { dir, file, store } = await setup(original);
    await fs.chmod(file, 0o644);
    await store.store('127.0.0.1:5000', { username: 'alice', password: 'pw:with:colons' });
    await store.store('index.docker.io', { username: 'hub', password: 'hubpw' });
    const written = await readJson(file);
    assert.deepEqual(written, {
      ...original,
      auths: {
        'quay.io': { auth: b64('q:w') },
        '127.0.0.1:5000': { auth: b64('alice:pw:with:colons') },
        'https://index.docker.io/v1/': { auth: b64('hub:hubpw') },
      },
    });
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await fs.readdir(dir), ['config.json']);
    // And it reads back.
    assert.deepEqual(await store.get('127.0.0.1:5000'), { username: 'alice', password: 'pw:with:colons' });
    assert.deepEqual(await store.get('docker.io'), { username: 'hub', password: 'hubpw' });
  });

  it('creates the directory and the file when missing', async () => {
    const { dir } = await setup();
    const nested = path.join(dir, 'not', 'yet');
    const store = new DockerConfigStore({ configDir: nested, env });
    await store.store('ghcr.io', { username: 'u', password: 'p' });
    const file = path.join(nested, 'config.json');
    assert.deepEqual(await readJson(file), { auths: { 'ghcr.io': { auth: b64('u:p') } } });
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
  });

  it('writes identity tokens as identitytoken and registry tokens as registrytoken', async () => {
    const { file, store } = await setup({});
    await store.store('myacr.azurecr.io', { username: '00000000-0000-0000-0000-000000000000', identityToken: 'refresh' });
    await store.store('tok.example', { username: '', registryToken: 'bearer' });
    const auths = (await readJson(file))['auths'] as Record<string, unknown>;
    assert.deepEqual(auths['myacr.azurecr.io'], { auth: b64('00000000-0000-0000-0000-000000000000:'), identitytoken: 'refresh' });
    assert.deepEqual(auths['tok.example'], { registrytoken: 'bearer' });
    assert.deepEqual(await store.get('myacr.azurecr.io'), { username: '00000000-0000-0000-0000-000000000000', identityToken: 'refresh' });
    assert.deepEqual(await store.get('tok.example'), { username: '', registryToken: 'bearer' });
  });

  it('stores into the credsStore helper and leaves only an empty marker in config.json', async () => {
    const { file, store } = await setup({ credsStore: 'regxtest', auths: { 'ghcr.io': { auth: b64('stale:plain') } } });
    await store.store('ghcr.io', { username: 'alice', password: 'in-helper' });
    await store.store('docker.io', { username: 'hub', password: 'hub-secret' });
    assert.deepEqual(await helperData('regxtest'), {
      'ghcr.io': { Username: 'alice', Secret: 'in-helper' },
      'https://index.docker.io/v1/': { Username: 'hub', Secret: 'hub-secret' },
    });
    const text = await fs.readFile(file, 'utf8');
    assert.deepEqual(JSON.parse(text), { credsStore: 'regxtest', auths: { 'ghcr.io': {}, 'https://index.docker.io/v1/': {} } });
    assert.ok(!text.includes('in-helper') && !text.includes(b64('stale:plain')));
    assert.deepEqual(await store.get('ghcr.io'), { username: 'alice', password: 'in-helper' });
  });

  it('stores into credHelpers[host] rather than credsStore, and identity tokens as "<token>"', async () => {
    const { store } = await setup({ credsStore: 'regxother', credHelpers: { 'myacr.azurecr.io': 'regxtest' } });
    await store.store('myacr.azurecr.io', { username: 'ignored', identityToken: 'refresh' });
    assert.deepEqual(await helperData('regxtest'), { 'myacr.azurecr.io': { Username: '<token>', Secret: 'refresh' } });
    assert.deepEqual(await helperData('regxother'), {});
    assert.deepEqual(await store.get('myacr.azurecr.io'), { username: '', identityToken: 'refresh' });
  });

  it('follows a symlinked config.json and writes its target', async () => {
    const { dir, file, store } = await setup();
    const target = path.join(dir, 'real-config.json');
    await fs.writeFile(target, JSON.stringify({ keep: true }));
    await fs.symlink(target, file);
    await store.store('ghcr.io', { username: 'u', password: 'p' });
    assert.ok((await fs.lstat(file)).isSymbolicLink());
    assert.deepEqual(await readJson(target), { keep: true, auths: { 'ghcr.io': { auth: b64('u:p') } } });
  });

  it('refuses a credential with nothing to store', async () => {
    const { store } = await setup();
    await rejectsWith(store.store('ghcr.io', { username: 'u' }), InvalidInputError, () => undefined);
  });

  it('serialises concurrent writes so none is lost', async () => {
    const { file, store } = await setup({});
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((h) => store.store(`${h}.example`, { username: h, password: 'p' })));
    assert.deepEqual(Object.keys((await readJson(file))['auths'] as object).sort(), ['a.example', 'b.example', 'c.example', 'd.example', 'e.example']);
  });
});

describe('DockerConfigStore.erase and list', () => {
  it('erase removes every auths entry for the host and keeps the rest of the file', async () => {
    const { file, store } = await setup({
      auths: {
        'https://index.docker.io/v1/': { auth: b64('a:b') },
        'index.docker.io': { auth: b64('c:d') },
        'ghcr.io': { auth: b64('e:f') },
      },
      detachKeys: 'ctrl-e,e',
    });
    await store.erase('docker.io');
    assert.deepEqual(await readJson(file), { auths: { 'ghcr.io': { auth: b64('e:f') } }, detachKeys: 'ctrl-e,e' });
    assert.equal(await store.get('docker.io'), undefined);
    await store.erase('ghcr.io');
    assert.deepEqual(await readJson(file), { auths: {}, detachKeys: 'ctrl-e,e' });
  });

  it('erase of something not stored is not an error and does not create a file', async () => {
    const { file, store } = await setup();
    await store.erase('ghcr.io');
    await assert.rejects(fs.stat(file), { code: 'ENOENT' });
  });

  it('erase goes to the helper and removes the marker', async () => {
    const { file, store } = await setup({ credsStore: 'regxtest' });
    await store.store('ghcr.io', { username: 'u', password: 'p' });
    await store.erase('ghcr.io');
    assert.deepEqual(await helperData('regxtest'), {});
    assert.deepEqual(await readJson(file), { credsStore: 'regxtest', auths: {} });
    // The helper says "not found" now: still fine.
    await store.erase('ghcr.io');
  });

  it('list gives hosts from auths, the credsStore helper and credHelpers', async () => {
    const { store } = await setup({
      credsStore: 'regxtest',
      credHelpers: { 'gcr.io': 'regxother' },
      auths: { 'https://index.docker.io/v1/': {}, 'http://127.0.0.1:5000': { auth: b64('u:p') }, 'garbage key!': { auth: b64('x:y') } },
    });
    await seedHelper('regxtest', { 'https://index.docker.io/v1/': { Username: 'hub', Secret: 's' }, 'https://quay.io': { Username: 'q', Secret: 's' } });
    assert.deepEqual(await store.list(), ['127.0.0.1:5000', 'docker.io', 'gcr.io', 'quay.io']);
  });
});

describe('malformed config.json', () => {
  const cases: Array<[string, RegExp]> = [
    ['{"auths": {"ghcr.io": {"auth": "c2VjcmV0OnB3"}}, }', /is not valid JSON \(line 1, column \d+\)/],
    ['{"auths": {"ghcr.io": {"auth": "c2VjcmV0OnB3"', /is not valid JSON \((it ends too early|line 1, column \d+)\)/],
    ['{"auths": {"ghcr.io": {"auth": hunter2}}}', /is not valid JSON/],
    ['[1,2]', /must contain a JSON object/],
    ['{"auths": []}', /"auths" must be an object/],
    ['{"auths": {"ghcr.io": "hunter2"}}', /auths\["ghcr\.io"\] must be an object/],
    ['{"auths": {"ghcr.io": {"auth": "!!hunter2!!"}}}', /auths\["ghcr\.io"\]\.auth is not base64 of "username:password"/],
    [`{"auths": {"ghcr.io": {"auth": "${b64('hunter2')}"}}}`, /auths\["ghcr\.io"\]\.auth is not base64/],
    ['{"auths": {"ghcr.io": {"password": 5}}}', /auths\["ghcr\.io"\]\.password must be a string/],
    ['{"credsStore": 1}', /"credsStore" must be a string/],
    ['{"credHelpers": {"gcr.io": 2}}', /credHelpers\["gcr\.io"\] must be a string/],
  ];
  for (const [text, reason] of cases) {
    it(`${reason.source}`, async () => {
      const { file, store } = await setup(text);
      for (const op of [() => store.get('ghcr.io'), () => store.list(), () => store.store('ghcr.io', { username: 'u', password: 'p' })]) {
        await rejectsWith(op(), CredentialError, (err) => {
          assert.equal(err.source, file);
          assert.match(err.message, reason);
          assert.ok(!/hunter2|c2VjcmV0/.test(err.message), `message repeats the file: ${err.message}`);
        });
      }
      // A failed store must leave the file as it was.
      assert.equal(await fs.readFile(file, 'utf8'), text);
    });
  }
});

describe('CredentialHelper against a real protocol peer', () => {
  const helper = (name = 'regxtest', timeoutMs = 5000) => new CredentialHelper(name, { env, timeoutMs });

  it('store, get, list, erase round trip', async () => {
    await setup();
    const h = helper();
    assert.equal(await h.get('ghcr.io'), undefined);
    await h.store('ghcr.io', { username: 'alice', password: 's3' });
    await h.store('https://index.docker.io/v1/', { username: 'x', identityToken: 'refresh' });
    assert.deepEqual(await h.get('ghcr.io'), { username: 'alice', password: 's3' });
    assert.deepEqual(await h.get('https://index.docker.io/v1/'), { username: '', identityToken: 'refresh' });
    assert.deepEqual(await h.list(), { 'ghcr.io': 'alice', 'https://index.docker.io/v1/': '<token>' });
    await h.erase('ghcr.io');
    assert.equal(await h.get('ghcr.io'), undefined);
    await h.erase('ghcr.io');
  });

  it('the helper\'s own protocol errors come back named', async () => {
    await setup();
    await rejectsWith(helper().store('ghcr.io', { username: '', password: 'p' }), CredentialError, (err) => {
      assert.match(err.message, /docker-credential-regxtest: "store" failed with exit code 1: no credentials username/);
    });
  });

  it('a helper that is not on PATH: says which binary was looked for', async () => {
    await rejectsWith(helper('nosuchhelper').get('ghcr.io'), CredentialError, (err) => {
      assert.match(err.message, /docker-credential-nosuchhelper.*not found on PATH/);
    });
  });

  it('a helper failure reports exit code and stderr but never stdout', async () => {
    await rejectsWith(helper().get('broken.invalid'), CredentialError, (err) => {
      assert.match(err.message, /"get" failed with exit code 3/);
      assert.match(err.message, /keychain is locked/);
      assert.ok(!err.message.includes('SECRET-FROM-STDOUT'));
    });
  });

  it('a helper that hangs times out with a CredentialError', async () => {
    const started = Date.now();
    await rejectsWith(helper('regxtest', 300).get('hang.invalid'), CredentialError, (err) => {
      assert.match(err.message, /did not answer "get" within 0\.3 s/);
    });
    assert.ok(Date.now() - started < 4000, 'the timeout must not wait for the helper');
  });

  it('DockerConfigStore passes its helper timeout on', async () => {
    const { dir } = await setup({ credsStore: 'regxtest' });
    const store = new DockerConfigStore({ configDir: dir, env, helperTimeoutMs: 300 });
    await rejectsWith(store.get('hang.invalid'), CredentialError, () => undefined);
  });

  it('DockerConfigStore names a missing credsStore helper', async () => {
    const { store } = await setup({ credsStore: 'desktop-not-here' });
    await rejectsWith(store.get('ghcr.io'), CredentialError, (err) => {
      assert.match(err.message, /docker-credential-desktop-not-here/);
    });
  });

  it('refuses helper names that could point elsewhere', () => {
    for (const name of ['../evil', 'a/b', '', '-x']) {
      assert.throws(() => new CredentialHelper(name), CredentialError, name);
    }
  });
});

describe('MemoryCredentialStore', () => {
  it('stores, normalises registry names, copies, erases and lists', async () => {
    const store = new MemoryCredentialStore({ 'index.docker.io': { username: 'hub', password: 'p' } });
    assert.deepEqual(await store.get('docker.io'), { username: 'hub', password: 'p' });
    await store.store('https://GHCR.io/', { username: 'u', identityToken: 't' });
    const got = await store.get('ghcr.io');
    assert.deepEqual(got, { username: 'u', identityToken: 't' });
    got!.username = 'changed';
    assert.equal((await store.get('ghcr.io'))?.username, 'u');
    assert.deepEqual(await store.list(), ['docker.io', 'ghcr.io']);
    await store.erase('registry-1.docker.io');
    assert.equal(await store.get('docker.io'), undefined);
    await store.erase('never.example');
    assert.deepEqual(await store.list(), ['ghcr.io']);
  });
});

// The real docker CLI reading what we wrote. `docker login HOST` with no -u first loads the stored
// credential and prints "[Username: …]" before it asks the (absent) daemon to check it, so it
// shows offline which credential docker found; `docker logout HOST` erases through the same path.
describe('interoperability with the docker CLI', () => {
  const dockerAvailable = (): Promise<boolean> =>
    new Promise((resolve) => execFile('docker', ['--version'], { timeout: 10_000 }, (err) => resolve(!err)));

  function docker(configDir: string, args: string[]): Promise<{ code: number; output: string }> {
    return new Promise((resolve) => {
      const child = execFile(
        'docker',
        args,
        // A socket that does not exist: nothing here may reach a real engine or the network.
        { env: { ...env, DOCKER_CONFIG: configDir, DOCKER_HOST: `unix://${path.join(root, 'no-engine.sock')}` }, timeout: 30_000 },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
      );
      child.stdin?.end();
    });
  }

  it('docker reads and erases a login we wrote to auths', async (t) => {
    if (!(await dockerAvailable())) return t.skip('the docker CLI is not installed');
    const { dir, file, store } = await setup({ regxKeep: { nested: [1, 2] } });
    await store.store('127.0.0.1:1', { username: 'regx-docker-user', password: 'not-shown' });
    const login = await docker(dir, ['login', '127.0.0.1:1']);
    assert.match(login.output, /\[Username: regx-docker-user\]/);
    assert.ok(!login.output.includes('not-shown'));
    const logout = await docker(dir, ['logout', '127.0.0.1:1']);
    assert.equal(logout.code, 0, logout.output);
    assert.match(logout.output, /Removing login credentials for 127\.0\.0\.1:1/);
    assert.equal(await store.get('127.0.0.1:1'), undefined);
    // docker rewrote the file (it drops keys it does not know, which we keep); we still read it.
    assert.deepEqual((await readJson(file))['auths'], {});
  });

  it('docker finds our Docker Hub login under its own key', async (t) => {
    if (!(await dockerAvailable())) return t.skip('the docker CLI is not installed');
    const { dir, store } = await setup();
    await store.store('docker.io', { username: 'regx-hub-user', password: 'not-shown' });
    await store.store('ghcr.io', { username: 'keep-me', password: 'x' });
    // `docker logout` with no argument logs out of Docker Hub: it must remove exactly our entry.
    const logout = await docker(dir, ['logout']);
    assert.equal(logout.code, 0, logout.output);
    assert.equal(await store.get('docker.io'), undefined);
    assert.deepEqual(await store.get('ghcr.io'), { username: 'keep-me', password: 'x' });
  });

  it('docker reads and erases a login we stored through a credential helper', async (t) => {
    if (!(await dockerAvailable())) return t.skip('the docker CLI is not installed');
    const { dir, store } = await setup({ credsStore: 'regxtest' });
    await store.store('127.0.0.1:2', { username: 'regx-helper-user', password: 'not-shown' });
    const login = await docker(dir, ['login', '127.0.0.1:2']);
    assert.match(login.output, /\[Username: regx-helper-user\]/);
    const logout = await docker(dir, ['logout', '127.0.0.1:2']);
    assert.equal(logout.code, 0, logout.output);
    assert.deepEqual(await helperData('regxtest'), {});
    assert.equal(await store.get('127.0.0.1:2'), undefined);
  });
});
