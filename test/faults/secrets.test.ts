// Secrets: every regx flow run with a distinctive password (a Basic registry of our own) and with the
// token registry's tokens (learnt from the issuer's answers as they pass the fault proxy), then
// everything a user can see or that lands on disk — stdout and stderr of every run, the error
// messages, every file under HOME (config.json, the V8 code cache regx writes to ~/.cache/regx) and
// under the runs' own TMPDIR — is scanned for them. And on the wire: a token goes only to the
// registry whose challenge led to it, credentials only to their registry or the realm it named,
// and Basic never over plain http to a registry that is not loopback unless --plain-http says so.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { seedImage } from '../support/seeding';
import { startFaultProxy, type FaultProxy } from './harness';
import { ownPort, ownRegistry, startWorld, uniqueRepo, type FaultWorld, type OwnRegistry } from './support';

const PASSWORD = `Pw-${randomBytes(9).toString('base64url')}`;
const WRONG_PASSWORD = `Wrong-${randomBytes(9).toString('base64url')}`;
const USER = 'carol';


/** Every file under dir (following no links), with its text. */
function filesUnder(dir: string): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push({ file: full, text: fs.readFileSync(full).toString('latin1') });
  }
  return out;
}

describe('secrets', () => {
  let w: FaultWorld;
  let registry: OwnRegistry;
  let basic: FaultProxy;
  let dir: string;
  let tmp: string;
  const port = ownPort(12);
  const tokens = new Set<string>();
  const seen: Array<{ argv: string[]; stdout: string; stderr: string; code: number | null }> = [];
  let env: NodeJS.ProcessEnv;

  async function regx(argv: string[], input?: string, extra: NodeJS.ProcessEnv = {}) {
    const child = spawn(process.execPath, [path.join(__dirname, '..', '..', '..', 'dist', 'cli.js'), ...argv], { env: { ...env, ...extra }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(input ?? '');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    seen.push({ argv, stdout, stderr, code });
    return { code, stdout, stderr };
  }

  before(async () => {
    w = await startWorld('secrets');
    dir = fs.mkdtempSync(path.join(w.home, 'basic-'));
    tmp = fs.mkdtempSync(path.join(w.home, 'tmp-'));
    fs.writeFileSync(path.join(dir, 'htpasswd'), execFileSync('htpasswd', ['-Bbn', USER, PASSWORD]));
    registry = ownRegistry(dir, port, { htpasswd: { realm: 'regx-secrets', path: path.join(dir, 'htpasswd') } });
    await registry.start();
    basic = await startFaultProxy({ upstream: registry.host });
    // The issuer's answers pass the fault proxy: every token it gives out is one to look for.
    w.issuer.rule({ path: '/token', behaviour: { kind: 'observe', see: (_s, _h, body) => {
      try {
        const answer = JSON.parse(body.toString('utf8')) as { token?: string; access_token?: string };
        for (const t of [answer.token, answer.access_token]) if (t) tokens.add(t);
      } catch {
        // not a token answer
      }
    } } });
    // A HOME of its own (config.json, ~/.cache/regx), and a TMPDIR of its own, so all of it can be scanned.
    env = { ...w.env, HOME: w.home, TMPDIR: tmp };
  });
  after(async () => {
    // Whatever before() got to: a failed start must not leave a process that keeps this file running.
    await basic?.close();
    registry?.kill();
    await w?.close();
  });

  it('every flow, with a distinctive password and the issuer\'s tokens', { timeout: 120_000 }, async () => {
    const b = basic.host;
    assert.equal((await regx(['login', b, '-u', USER, '--password-stdin'], WRONG_PASSWORD)).code, 1, 'a wrong password is refused');
    const login = await regx(['login', b, '-u', USER, '--password-stdin'], `${PASSWORD}\n`);
    assert.equal(login.code, 0, login.stderr);
    const repo = uniqueRepo('secret');
    const image = await seedImage(`127.0.0.1:${port}`, repo, '1.0', { auth: { username: USER, password: PASSWORD }, layers: [2048] });
    for (const argv of [
      ['catalog', b], ['tags', `${b}/${repo}`], ['inspect', `${b}/${repo}:1.0`], ['digest', `${b}/${repo}:1.0`, '--json'],
      ['tag', `${b}/${repo}:1.0`, '2.0'], ['copy', `${b}/${repo}:1.0`, `${b}/${repo}-copy:1.0`], ['search', b, 'secret'],
      ['copy', `${b}/${repo}:1.0`, `${w.token.host}/${repo}:1.0`], ['tags', `${w.token.host}/${repo}`, '--json'],
      ['tag', `${w.token.host}/${repo}:1.0`, 'again'], ['copy', `${w.open.host}/${repo}-none:1.0`, `${w.token.host}/${repo}:x`],
      ['delete', `${w.token.host}/${repo}:again`, '--yes'], ['delete', `${b}/${repo}:2.0`, '--yes'],
      ['inspect', `${b}/${repo}:missing`], ['tags', `${w.token.host}/${repo}-missing`],
    ]) {
      const result = await regx(argv);
      assert.ok(result.code === 0 || result.code === 1, `${argv.join(' ')}: ${result.code} ${result.stderr}`);
    }
    assert.ok(tokens.size >= 1, 'the flows used the token registry');
    assert.equal((await regx(['inspect', `${b}/${repo}@${image.digest}`])).code, 1, 'the digest went with the delete');
    const logout = await regx(['logout', b]);
    assert.equal(logout.code, 0, logout.stderr);
    // After logout the registry refuses us: the message must not bring the password back either.
    assert.equal((await regx(['tags', `${b}/${repo}`])).code, 1);
  });

  it('nothing a user sees, and nothing on disk, holds the password or a token', () => {
    const secrets = [PASSWORD, WRONG_PASSWORD, ...tokens, ...[...tokens].map((t) => t.split('.')[2]!).filter(Boolean)];
    const leaks: string[] = [];
    for (const run of seen) {
      for (const secret of secrets) {
        if (run.stdout.includes(secret) || run.stderr.includes(secret)) leaks.push(`regx ${run.argv.join(' ')} printed ${secret.slice(0, 6)}…`);
      }
    }
    const files = [...filesUnder(w.home).filter((f) => !f.file.startsWith(dir)), ...filesUnder(tmp)];
    assert.ok(files.some((f) => f.file.includes(path.join('.cache', 'regx'))), 'the V8 code cache was written (and so scanned)');
    for (const { file, text } of files) {
      for (const secret of secrets) if (text.includes(secret)) leaks.push(`${file} holds ${secret.slice(0, 6)}…`);
      // config.json keeps docker's base64 user:password (as docker does) only while logged in: after logout, nothing.
      if (text.includes(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'))) leaks.push(`${file} still holds the login after logout`);
    }
    assert.deepEqual(leaks, []);
  });

  it('a token went only to the registry that challenged for it; credentials only to their registry or its realm', () => {
    const bearer = (p: FaultProxy) => p.requests.filter((r) => r.authorization?.startsWith('Bearer ')).map((r) => r.authorization!.slice(7));
    assert.ok(bearer(w.token).length > 0);
    for (const t of bearer(w.token)) assert.ok(tokens.has(t), 'every token the registry got came from its issuer');
    assert.deepEqual(bearer(w.open), [], 'the open registry (a copy source) never got a token');
    assert.deepEqual(bearer(basic), [], 'the Basic registry never got a token');
    assert.deepEqual(bearer(w.issuer), [], 'the issuer never got its own tokens back');
    const basicTo = (p: FaultProxy) => p.requests.filter((r) => r.authorization?.startsWith('Basic ')).map((r) => Buffer.from(r.authorization!.slice(6), 'base64').toString());
    assert.ok(basicTo(basic).every((c) => c === `${USER}:${PASSWORD}` || c === `${USER}:${WRONG_PASSWORD}`));
    assert.ok(!basicTo(w.token).length && !basicTo(w.open).length, 'no Basic to the token registry or the open one');
    assert.ok(basicTo(w.issuer).every((c) => c.startsWith(`${w.services.token.user!.username}:`)), 'the issuer got only the token registry\'s login');
  });

  it('Basic never over plain http to a registry that is not loopback, unless --plain-http', { timeout: 60_000 }, async () => {
    // 0.0.0.0 reaches this machine on Linux, but is not a loopback address (docker and regx both want
    // https for it): a stand-in for a remote registry, since this sandbox drops traffic to its own
    // external address.
    const remote = await startFaultProxy({ upstream: `127.0.0.1:${port}`, listen: '0.0.0.0' });
    try {
      const config = path.join(w.home, 'remote-docker');
      fs.mkdirSync(config, { recursive: true });
      fs.writeFileSync(path.join(config, 'config.json'), JSON.stringify({ auths: { [remote.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } }));
      const withConfig = { DOCKER_CONFIG: config };
      const refused = await regx(['tags', `${remote.host}/anything`], undefined, withConfig);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /answers plain HTTP, not HTTPS/, refused.stderr);
      assert.ok(remote.requests.every((r) => r.authorization === undefined), 'no credentials over plain http');
      const allowed = await regx(['catalog', remote.host, '--plain-http'], undefined, withConfig);
      assert.equal(allowed.code, 0, allowed.stderr);
      assert.ok(remote.requests.some((r) => r.authorization?.startsWith('Basic ')), 'with --plain-http the login is used');
    } finally {
      await remote.close();
    }
  });
});
