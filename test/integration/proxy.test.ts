// `regx` through a REAL HTTP proxy: Debian's tinyproxy, started here on loopback with its own config
// (Allow 127.0.0.1, ConnectPort for the registry ports, BasicAuth for the 407 cases, log and pid file
// in a temp dir). Between regx and tinyproxy sits a small TCP relay that records every byte regx sends
// to the proxy, so the tests can say exactly what the proxy saw: the absolute-form request lines of
// plain-http requests, the CONNECT lines of https ones, Proxy-Authorization, and never the registry's
// Authorization inside a tunnel.
//
// The registries run on 127.0.0.1, and loopback names always bypass the proxy (Go's rule, docker's and
// crane's behaviour), so the proxied requests name them by another host name that resolves to 127.0.0.1
// (the machine's hostname in /etc/hosts). regx never resolves a proxied host itself: tinyproxy does.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testServices, type TestServices } from '../support/services';
import { runBuiltRegx, type BuiltCliResult } from '../support/runRegx';
import { seedImage } from '../support/seeding';
import { freePort, loopbackAlias, NO_ALIAS_REASON, RecordingRelay, Tinyproxy, tinyproxyMissing, waitForPort } from '../support/tinyproxy';

type RunResult = BuiltCliResult;

const PROXY_VARS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

function regx(args: string[], env: Record<string, string>, dockerConfig: string): Promise<RunResult> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const v of PROXY_VARS) delete base[v];
  return runBuiltRegx(args, { ...base, DOCKER_CONFIG: dockerConfig, HOME: dockerConfig, ...env });
}

const PROXY_USER = { user: 'proxyuser', pass: 'proxy-secret-9q' };

describe('regx through an HTTP proxy (tinyproxy)', () => {
  let services: TestServices;
  let tmp: string;
  let alias: string | undefined;
  let open: Tinyproxy;
  let authProxy: Tinyproxy;
  let relay: RecordingRelay;
  let authRelay: RecordingRelay;
  let tlsRegistry: ChildProcess | undefined;
  let tlsPort = 0;
  let deadPort = 0;
  let dockerConfig: string;
  let skipReason: string | false = false;

  before(async () => {
    services = testServices();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-proxy-'));
    alias = await loopbackAlias();
    const missing = tinyproxyMissing();
    if (missing) {
      skipReason = missing;
      return;
    }
    if (!alias) {
      skipReason = NO_ALIAS_REASON;
      return;
    }
    const openPort = Number(services.open.host.split(':')[1]);
    const tokenPort = Number(services.token.host.split(':')[1]);
    tlsPort = await freePort();
    deadPort = await freePort();

    // A TLS registry (the same docker-registry, htpasswd auth with the basic registry's users), so
    // https requests tunnel through CONNECT with a real Authorization inside.
    const tlsDir = path.join(tmp, 'tls-registry');
    fs.mkdirSync(path.join(tlsDir, 'data'), { recursive: true });
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${alias}`,
      '-addext', `subjectAltName=DNS:${alias}`,
      '-keyout', path.join(tlsDir, 'key.pem'), '-out', path.join(tlsDir, 'cert.pem'),
    ], { stdio: 'ignore' });
    const config = {
      version: 0.1,
      log: { level: 'warn' },
      storage: { filesystem: { rootdirectory: path.join(tlsDir, 'data') }, delete: { enabled: true } },
      http: { addr: `127.0.0.1:${tlsPort}`, tls: { certificate: path.join(tlsDir, 'cert.pem'), key: path.join(tlsDir, 'key.pem') } },
      auth: { htpasswd: { realm: 'regx-proxy-test', path: path.join(services.root, 'basic', 'htpasswd') } },
    };
    fs.writeFileSync(path.join(tlsDir, 'config.yml'), JSON.stringify(config));
    const registryLog = fs.openSync(path.join(tlsDir, 'registry.log'), 'a');
    tlsRegistry = spawn('docker-registry', ['serve', path.join(tlsDir, 'config.yml')], { stdio: ['ignore', registryLog, registryLog] });
    await waitForPort(tlsPort, 'TLS registry');

    const connectPorts = [openPort, tokenPort, tlsPort];
    open = new Tinyproxy(path.join(tmp, 'proxy'), await freePort(), connectPorts);
    authProxy = new Tinyproxy(path.join(tmp, 'proxy-auth'), await freePort(), connectPorts, PROXY_USER);
    await Promise.all([open.start(), authProxy.start()]);
    relay = new RecordingRelay(open.port);
    authRelay = new RecordingRelay(authProxy.port);
    await Promise.all([relay.start(), authRelay.start()]);

    // Credentials for the registries as their aliases (docker config.json "auths").
    dockerConfig = path.join(tmp, 'docker');
    fs.mkdirSync(dockerConfig, { recursive: true });
    const b64 = (u: string, p: string) => Buffer.from(`${u}:${p}`).toString('base64');
    fs.writeFileSync(
      path.join(dockerConfig, 'config.json'),
      JSON.stringify({
        auths: {
          [`${alias}:${tokenPort}`]: { auth: b64(services.token.user!.username, services.token.user!.password) },
          [`${alias}:${tlsPort}`]: { auth: b64(services.basic.user!.username, services.basic.user!.password) },
        },
      }),
    );
    await seedImage(services.open.host, 'proxy/src', 'v1');
  });

  after(async () => {
    await Promise.all([open?.stop(), authProxy?.stop(), relay?.stop(), authRelay?.stop()]);
    if (tlsRegistry && tlsRegistry.exitCode === null) {
      await new Promise<void>((resolve) => {
        tlsRegistry!.once('exit', () => resolve());
        tlsRegistry!.kill('SIGTERM');
      });
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const openAlias = () => `${alias}:${services.open.host.split(':')[1]}`;
  const tokenAlias = () => `${alias}:${services.token.host.split(':')[1]}`;
  const tlsAlias = () => `${alias}:${tlsPort}`;

  it('lists tags of a plain-http registry through the proxy (absolute-form, seen in tinyproxy\'s log)', async (t) => {
    if (skipReason) return t.skip(skipReason);
    relay.take();
    const r = await regx(['tags', `${openAlias()}/proxy/src`, '--plain-http'], { HTTP_PROXY: `http://127.0.0.1:${relay.port}` }, dockerConfig);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['v1']);
    assert.match(open.log(), new RegExp(`GET http://${openAlias()}/v2/proxy/src/tags/list`));
    assert.match(relay.take(), new RegExp(`^GET http://${openAlias()}/v2/proxy/src/tags/list\\S* HTTP/1.1`, 'm'));
  });

  it('fails with words naming the proxy when the proxy is down, so the request really used it', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const r = await regx(['tags', `${openAlias()}/proxy/src`, '--plain-http'], { http_proxy: `http://127.0.0.1:${deadPort}` }, dockerConfig);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`Could not connect to the proxy http://127\\.0\\.0\\.1:${deadPort} \\(from http_proxy\\): the connection was refused`));
  });

  it('goes direct for hosts in NO_PROXY, and for loopback names without being told', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const dead = { HTTP_PROXY: `http://127.0.0.1:${deadPort}`, HTTPS_PROXY: `http://127.0.0.1:${deadPort}` };
    const listed = await regx(['tags', `${openAlias()}/proxy/src`, '--plain-http'], { ...dead, NO_PROXY: `example.com, ${alias}` }, dockerConfig);
    assert.equal(listed.code, 0, listed.stderr);
    const withPort = await regx(['tags', `${openAlias()}/proxy/src`, '--plain-http'], { ...dead, no_proxy: openAlias() }, dockerConfig);
    assert.equal(withPort.code, 0, withPort.stderr);
    const otherPort = await regx(['tags', `${openAlias()}/proxy/src`, '--plain-http'], { ...dead, NO_PROXY: `${alias}:1` }, dockerConfig);
    assert.equal(otherPort.code, 1, 'NO_PROXY host:port matches that port only');
    const loopback = await regx(['tags', `${services.open.host}/proxy/src`], dead, dockerConfig);
    assert.equal(loopback.code, 0, loopback.stderr);
    const star = await regx(['tags', `${openAlias()}/proxy/src`, '--plain-http'], { ...dead, NO_PROXY: '*' }, dockerConfig);
    assert.equal(star.code, 0, star.stderr);
  });

  it('407 without proxy credentials names the proxy and the variable; wrong ones are never printed', async (t) => {
    if (skipReason) return t.skip(skipReason);
    for (const [variable, args] of [
      ['HTTP_PROXY', ['tags', `${openAlias()}/proxy/src`, '--plain-http']],
      ['HTTPS_PROXY', ['tags', `${tlsAlias()}/proxy/src`, '--insecure']],
    ] as const) {
      const none = await regx([...args], { [variable]: `http://127.0.0.1:${authProxy.port}` }, dockerConfig);
      assert.equal(none.code, 1, `${variable}: ${none.stderr}`);
      assert.match(none.stderr, new RegExp(`The proxy http://127\\.0\\.0\\.1:${authProxy.port} \\(from ${variable}\\) requires authentication \\(407 Proxy Authentication Required\\)`));
      assert.match(none.stderr, new RegExp(`in ${variable}\\.`));

      const wrong = await regx([...args], { [variable]: `http://${PROXY_USER.user}:not-the-pass-7x@127.0.0.1:${authProxy.port}` }, dockerConfig);
      assert.equal(wrong.code, 1, `${variable}: ${wrong.stderr}`);
      // tinyproxy answers wrong credentials with 401 (not 407). On a CONNECT only the proxy can have
      // answered, so that is reported as the proxy's; in absolute form a 401 cannot be told apart
      // from the registry's own, so it reads as the registry's refusal.
      if (variable === 'HTTPS_PROXY') assert.match(wrong.stderr, /rejected its user name and password \(40[17]\)/);
      assert.doesNotMatch(wrong.stderr + wrong.stdout, /not-the-pass-7x/);
      assert.doesNotMatch(wrong.stderr, new RegExp(PROXY_USER.user));
    }
  });

  it('proxy credentials from the URL are accepted and sent to the proxy as Proxy-Authorization', async (t) => {
    if (skipReason) return t.skip(skipReason);
    authRelay.take();
    const proxy = `http://${PROXY_USER.user}:${encodeURIComponent(PROXY_USER.pass)}@127.0.0.1:${authRelay.port}`;
    const r = await regx(['tags', `${openAlias()}/proxy/src`, '--plain-http'], { HTTP_PROXY: proxy }, dockerConfig);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['v1']);
    const sent = authRelay.take();
    const proxyAuth = `Basic ${Buffer.from(`${PROXY_USER.user}:${PROXY_USER.pass}`).toString('base64')}`;
    assert.match(sent, new RegExp(`proxy-authorization: ${proxyAuth}`, 'i'));
    assert.match(authProxy.log(), new RegExp(`GET http://${openAlias()}/v2/proxy/src/tags/list`));
  });

  it('copies into a token registry through the proxy; over plain http the proxy necessarily sees the Bearer token', async (t) => {
    if (skipReason) return t.skip(skipReason);
    relay.take();
    const r = await regx(['copy', `${services.open.host}/proxy/src:v1`, `${tokenAlias()}/proxy/dst:v1`, '--plain-http'], { HTTP_PROXY: `http://127.0.0.1:${relay.port}` }, dockerConfig);
    assert.equal(r.code, 0, r.stderr);
    const sent = relay.take();
    // The source (127.0.0.1) went direct; the target through the proxy in absolute form.
    assert.doesNotMatch(sent, new RegExp(`http://${services.open.host.replace(/\./g, '\\.')}/`));
    assert.match(sent, new RegExp(`^PUT http://${tokenAlias()}/v2/proxy/dst/manifests/v1 HTTP/1.1`, 'm'));
    assert.match(sent, /^authorization: Bearer /im, 'plain http through a proxy carries the registry token (documented)');
    // The token issuer is on 127.0.0.1: loopback, so direct, and the password never went to the proxy.
    assert.doesNotMatch(sent, new RegExp(Buffer.from(`${services.token.user!.username}:${services.token.user!.password}`).toString('base64')));
  });

  it('copies into an https registry through a CONNECT tunnel: the proxy gets Proxy-Authorization, never the registry\'s Authorization', async (t) => {
    if (skipReason) return t.skip(skipReason);
    authRelay.take();
    const proxy = `http://${PROXY_USER.user}:${PROXY_USER.pass}@127.0.0.1:${authRelay.port}`;
    const copied = await regx(['copy', `${services.open.host}/proxy/src:v1`, `${tlsAlias()}/proxy/tunnelled:v1`, '--insecure'], { HTTPS_PROXY: proxy }, dockerConfig);
    assert.equal(copied.code, 0, copied.stderr);
    const listed = await regx(['tags', `${tlsAlias()}/proxy/tunnelled`, '--insecure'], { HTTPS_PROXY: proxy }, dockerConfig);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(listed.stdout.trim().split('\n'), ['v1']);

    const sent = authRelay.take();
    assert.match(sent, new RegExp(`^CONNECT ${tlsAlias()} HTTP/1.1`, 'm'));
    assert.match(sent, /^proxy-authorization: Basic /im);
    const registryBasic = Buffer.from(`${services.basic.user!.username}:${services.basic.user!.password}`).toString('base64');
    assert.doesNotMatch(sent, new RegExp(registryBasic), 'the registry credential stays inside the TLS tunnel');
    assert.doesNotMatch(sent, /^authorization:/im);
    assert.match(authProxy.log(), new RegExp(`CONNECT ${tlsAlias()}`));
  });

  it('a proxy that will not CONNECT to a port (tinyproxy ConnectPort) is reported as the proxy\'s refusal', async (t) => {
    if (skipReason) return t.skip(skipReason);
    const notAllowed = await freePort();
    const r = await regx(['tags', `${alias}:${notAllowed}/proxy/src`], { HTTPS_PROXY: `http://127.0.0.1:${open.port}` }, dockerConfig);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`The proxy http://127\\.0\\.0\\.1:${open.port} \\(from HTTPS_PROXY\\) refused to connect to ${alias}:${notAllowed} \\(403\\)`));
  });
});
