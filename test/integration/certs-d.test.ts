// Docker's certs.d, against a real Distribution registry that serves TLS with a private CA and asks
// every client for a certificate (mutual TLS). regx (the built CLI) reads the registry's directory
// as docker does: *.crt trusted, NAME.cert + NAME.key shown to the registry.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seedImage } from '../support/seeding';
import { testServices, type TestServices } from '../support/services';
import { freePort, waitForPort } from '../support/tinyproxy';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

describe('docker certs.d: a private CA and a client certificate (mutual TLS)', () => {
  let services: TestServices;
  let tmp: string;
  let registry: ChildProcess | undefined;
  let host = '';
  let pki: string;

  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: pki, stdio: 'ignore' });

  /** regx with REGX_CERTS_D at a directory holding `files` (from the PKI) for this registry. */
  function regx(args: string[], files: Record<string, string>): { code: number | null; stdout: string; stderr: string } {
    const root = fs.mkdtempSync(path.join(tmp, 'certs.d-'));
    const dir = path.join(root, host);
    fs.mkdirSync(dir);
    for (const [name, from] of Object.entries(files)) fs.copyFileSync(path.join(pki, from), path.join(dir, name));
    const env = { ...process.env, REGX_CERTS_D: root, DOCKER_CONFIG: path.join(tmp, 'docker'), HOME: tmp, REGX_CACHE_DIR: 'off' };
    const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  before(async () => {
    services = testServices();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-certsd-'));
    pki = path.join(tmp, 'pki');
    fs.mkdirSync(pki);
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=regx test CA', '-keyout', 'ca.key', '-out', 'ca.pem');
    for (const [name, ext] of [
      ['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth'],
      ['client', 'extendedKeyUsage=clientAuth'],
    ]) {
      fs.writeFileSync(path.join(pki, `${name}.ext`), `${ext}\n`);
      openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=regx test ${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
      openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
    }
    const port = await freePort();
    host = `127.0.0.1:${port}`;
    fs.mkdirSync(path.join(tmp, 'data'));
    const config = {
      version: 0.1,
      log: { level: 'warn' },
      storage: { filesystem: { rootdirectory: path.join(tmp, 'data') } },
      http: { addr: host, tls: { certificate: path.join(pki, 'server.pem'), key: path.join(pki, 'server.key'), clientcas: [path.join(pki, 'ca.pem')] } },
    };
    fs.writeFileSync(path.join(tmp, 'config.yml'), JSON.stringify(config));
    const log = fs.openSync(path.join(tmp, 'registry.log'), 'a');
    registry = spawn('docker-registry', ['serve', path.join(tmp, 'config.yml')], { stdio: ['ignore', log, log] });
    await waitForPort(port, 'mutual-TLS registry');
    await seedImage(services.open.host, 'certsd/src', 'v1');
  });

  after(async () => {
    if (registry && registry.exitCode === null) {
      await new Promise<void>((resolve) => {
        registry!.once('exit', () => resolve());
        registry!.kill('SIGTERM');
      });
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const full = { 'ca.crt': 'ca.pem', 'client.cert': 'client.pem', 'client.key': 'client.key' };

  it('with the CA and a client certificate in certs.d: copy in, then list, as with docker', () => {
    const copied = regx(['copy', `${services.open.host}/certsd/src:v1`, `${host}/certsd/dst:v1`], full);
    assert.equal(copied.code, 0, copied.stderr);
    const tags = regx(['tags', `${host}/certsd/dst`], full);
    assert.equal(tags.code, 0, tags.stderr);
    assert.equal(tags.stdout.trim(), 'v1');
  });

  it('without the client certificate: one line that says where docker keeps it', () => {
    const r = regx(['tags', `${host}/certsd/dst`], { 'ca.crt': 'ca.pem' });
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^regx: /);
    assert.match(r.stderr, /client certificate/);
    assert.match(r.stderr, new RegExp(`/etc/docker/certs\\.d/${host.replace(/\./g, '\\.')}/`));
  });

  it('without the CA: the certificate is not trusted, and the message names certs.d', () => {
    const r = regx(['tags', `${host}/certsd/dst`], { 'client.cert': 'client.pem', 'client.key': 'client.key' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^regx: The secure \(TLS\) connection to 127\.0\.0\.1:\d+ failed/);
    assert.match(r.stderr, /certs\.d/);
  });

  it('a client certificate without its key is refused before any request, naming the file', () => {
    const r = regx(['tags', `${host}/certsd/dst`], { 'ca.crt': 'ca.pem', 'client.cert': 'client.pem' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /client\.cert.*has no client\.key beside it/);
  });
});
