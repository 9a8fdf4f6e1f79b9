// Where the engine is: setting → DOCKER_HOST → Docker context → platform default, and every way a
// DOCKER_HOST value can be wrong. Contexts are laid out as docker lays them out on disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { contextDirName, parseDockerHost, resolveEngineHost } from '../../src/docker/host';
import { EngineError, InvalidInputError } from '../../src/errors/errors';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'regx-host-'));
}

/** Write a context the way `docker context create` does: meta/<sha256(name)>/meta.json. */
function writeContext(configDir: string, name: string, host: string, opts: { skipTlsVerify?: boolean; tls?: boolean } = {}): void {
  const hash = createHash('sha256').update(name).digest('hex');
  const metaDir = path.join(configDir, 'contexts', 'meta', hash);
  fs.mkdirSync(metaDir, { recursive: true });
  fs.writeFileSync(
    path.join(metaDir, 'meta.json'),
    JSON.stringify({ Name: name, Metadata: { Description: 'test' }, Endpoints: { docker: { Host: host, SkipTLSVerify: !!opts.skipTlsVerify } } }),
  );
  if (opts.tls) {
    const tlsDir = path.join(configDir, 'contexts', 'tls', hash, 'docker');
    fs.mkdirSync(tlsDir, { recursive: true });
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) fs.writeFileSync(path.join(tlsDir, f), 'pem');
  }
}

const linux = { platform: 'linux' as NodeJS.Platform };

test('platform defaults: /var/run/docker.sock on Linux and macOS, the docker_engine pipe on Windows', () => {
  const dir = tempDir();
  const h = resolveEngineHost({ env: {}, dockerConfigDir: dir, ...linux });
  assert.equal(h.kind, 'unix');
  assert.equal(h.socketPath, '/var/run/docker.sock');
  assert.equal(h.source, 'default');
  const w = resolveEngineHost({ env: {}, dockerConfigDir: dir, platform: 'win32' });
  assert.equal(w.kind, 'npipe');
  assert.equal(w.socketPath, '\\\\.\\pipe\\docker_engine');
});

test('the setting wins over DOCKER_HOST, DOCKER_HOST over the current context', () => {
  const dir = tempDir();
  writeContext(dir, 'remote', 'unix:///ctx/docker.sock');
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ currentContext: 'remote' }));
  const env = { DOCKER_HOST: 'unix:///env/docker.sock' };
  const s = resolveEngineHost({ setting: 'unix:///setting/docker.sock', env, dockerConfigDir: dir, ...linux });
  assert.deepEqual([s.source, s.socketPath], ['setting', '/setting/docker.sock']);
  const e = resolveEngineHost({ setting: '  ', env, dockerConfigDir: dir, ...linux });
  assert.deepEqual([e.source, e.socketPath], ['DOCKER_HOST', '/env/docker.sock']);
  const c = resolveEngineHost({ env: {}, dockerConfigDir: dir, ...linux });
  assert.deepEqual([c.source, c.socketPath, c.context], ['context', '/ctx/docker.sock', 'remote']);
});

test('current context: meta.json under contexts/meta/<sha256 of the name>/, DOCKER_CONTEXT overrides config.json', () => {
  const dir = tempDir();
  assert.equal(contextDirName('colima'), createHash('sha256').update('colima').digest('hex'));
  writeContext(dir, 'colima', 'unix:///Users/me/.colima/default/docker.sock');
  writeContext(dir, 'other', 'tcp://10.0.0.5:2375');
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: {}, currentContext: 'colima' }));
  const h = resolveEngineHost({ env: {}, dockerConfigDir: dir, ...linux });
  assert.equal(h.socketPath, '/Users/me/.colima/default/docker.sock');
  const o = resolveEngineHost({ env: { DOCKER_CONTEXT: 'other' }, dockerConfigDir: dir, ...linux });
  assert.deepEqual([o.kind, o.url, o.context], ['tcp', 'http://10.0.0.5:2375', 'other']);
});

test('DOCKER_CONFIG locates config.json when no dir is given; "default" context means the default host', () => {
  const dir = tempDir();
  writeContext(dir, 'x', 'unix:///x.sock');
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ currentContext: 'x' }));
  assert.equal(resolveEngineHost({ env: { DOCKER_CONFIG: dir }, ...linux }).socketPath, '/x.sock');
  const d = resolveEngineHost({ env: { DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'default' }, ...linux });
  assert.deepEqual([d.source, d.socketPath], ['default', '/var/run/docker.sock']);
  // No config.json at all: default.
  assert.equal(resolveEngineHost({ env: {}, dockerConfigDir: tempDir(), ...linux }).source, 'default');
});

test('a current context without meta.json is a config error naming the context and the file', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ currentContext: 'gone' }));
  assert.throws(
    () => resolveEngineHost({ env: {}, dockerConfigDir: dir, ...linux }),
    (err: unknown) => err instanceof EngineError && err.reason === 'config' && /"gone"/.test(err.detailText) && err.detailText.includes(contextDirName('gone')),
  );
  fs.writeFileSync(path.join(dir, 'config.json'), '{ not json');
  assert.throws(() => resolveEngineHost({ env: {}, dockerConfigDir: dir, ...linux }), (err: unknown) => err instanceof EngineError && err.reason === 'config');
});

test('a context with TLS material under contexts/tls/<hash>/docker/ connects with it', () => {
  const dir = tempDir();
  writeContext(dir, 'secure', 'tcp://engine.example:2376', { tls: true });
  const h = resolveEngineHost({ env: { DOCKER_CONTEXT: 'secure' }, dockerConfigDir: dir, ...linux });
  assert.equal(h.url, 'https://engine.example:2376');
  assert.equal(h.tls?.verify, true);
  assert.equal(h.tls?.caFile, path.join(dir, 'contexts', 'tls', contextDirName('secure'), 'docker', 'ca.pem'));
  writeContext(dir, 'skip', 'tcp://engine.example:2376', { tls: true, skipTlsVerify: true });
  assert.equal(resolveEngineHost({ env: { DOCKER_CONTEXT: 'skip' }, dockerConfigDir: dir, ...linux }).tls?.verify, false);
});

test('tcp: default ports, TLS from DOCKER_TLS_VERIFY and DOCKER_CERT_PATH', () => {
  const certs = tempDir();
  for (const f of ['ca.pem', 'cert.pem', 'key.pem']) fs.writeFileSync(path.join(certs, f), 'pem');
  const plain = resolveEngineHost({ env: { DOCKER_HOST: 'tcp://127.0.0.1' }, dockerConfigDir: tempDir(), ...linux });
  assert.deepEqual([plain.kind, plain.url, plain.tls], ['tcp', 'http://127.0.0.1:2375', undefined]);
  const port80 = resolveEngineHost({ env: { DOCKER_HOST: 'tcp://engine:80' }, dockerConfigDir: tempDir(), ...linux });
  assert.equal(port80.url, 'http://engine:80');
  const tls = resolveEngineHost({ env: { DOCKER_HOST: 'tcp://engine.example', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs }, ...linux });
  assert.equal(tls.url, 'https://engine.example:2376');
  assert.deepEqual(tls.tls, { verify: true, caFile: path.join(certs, 'ca.pem'), certFile: path.join(certs, 'cert.pem'), keyFile: path.join(certs, 'key.pem') });
  // DOCKER_CERT_PATH alone: TLS without verification, as the docker client does.
  const noVerify = resolveEngineHost({ env: { DOCKER_HOST: 'tcp://[::1]:2376', DOCKER_CERT_PATH: certs }, ...linux });
  assert.deepEqual([noVerify.url, noVerify.tls?.verify], ['https://[::1]:2376', false]);
  // DOCKER_TLS_VERIFY without DOCKER_CERT_PATH: certificates from the Docker config dir.
  const cfg = tempDir();
  fs.writeFileSync(path.join(cfg, 'ca.pem'), 'pem');
  const fromCfg = resolveEngineHost({ env: { DOCKER_HOST: 'tcp://e:2376', DOCKER_TLS_VERIFY: '1' }, dockerConfigDir: cfg, ...linux });
  assert.equal(fromCfg.tls?.caFile, path.join(cfg, 'ca.pem'));
});

test('npipe paths with forward slashes become Windows pipe paths', () => {
  const ctx = { env: {}, configDir: tempDir(), platform: 'win32' as NodeJS.Platform };
  assert.equal(parseDockerHost('npipe:////./pipe/dockerDesktopLinuxEngine', 'DOCKER_HOST', ctx).socketPath, '\\\\.\\pipe\\dockerDesktopLinuxEngine');
});

test('malformed DOCKER_HOST values are InvalidInputError naming the value and its source', () => {
  const cases: Array<[string, RegExp]> = [
    ['/var/run/docker.sock', /did you mean unix:\/\/\/var\/run\/docker\.sock/],
    ['unix://relative/docker.sock', /absolute/],
    ['tcp://', /expected tcp/],
    ['tcp://host:', /port is empty/],
    ['tcp://host:99999', /out of range/],
    ['tcp://host:2375/some/path', /path/],
    ['tcp://user:pw@host:2375', /credentials/],
    ['ssh://me@build-box', /ssh/],
    ['fd://', /unsupported scheme/],
    ['npipe://docker_engine', /named pipe/],
    ['localhost:2375', /scheme|expected/],
  ];
  for (const [value, why] of cases) {
    assert.throws(
      () => resolveEngineHost({ env: { DOCKER_HOST: value }, dockerConfigDir: tempDir(), ...linux }),
      (err: unknown) => {
        assert.ok(err instanceof InvalidInputError, `${value}: ${String(err)}`);
        assert.equal(err.what, 'setting');
        assert.equal(err.input, value);
        assert.match(err.reason, /^DOCKER_HOST: /, value);
        assert.match(err.reason, why, value);
        return true;
      },
    );
  }
  assert.throws(
    () => resolveEngineHost({ setting: 'tcp:/oops', env: {}, dockerConfigDir: tempDir(), ...linux }),
    (err: unknown) => err instanceof InvalidInputError && /^registryExplorer\.docker\.host: /.test(err.reason),
  );
});
