// dist/cli.js (src/cli/launch.ts) runs the CLI bundle through V8's code cache. What a user must be
// able to rely on: the cache never changes what regx prints or returns, a broken or unwritable cache
// is ignored, REGX_CACHE_DIR=off writes nothing, and a good cache is reused rather than rewritten.
// `regx catalog` of the real open registry is the command: a cache is written only after a success.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testServices } from '../support/services';

const root = path.resolve(__dirname, '../../..');
const CLI = path.join(root, 'dist', 'cli.js');

function regx(args: string[], cacheDir: string): { code: number | null; stdout: string; stderr: string } {
  const env = { ...process.env, REGX_CACHE_DIR: cacheDir };
  const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const cacheFiles = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.cache')) : []);

describe('regx code cache (dist/cli.js)', () => {
  let scratch: string;
  let catalog: string[];
  let expected: string;

  before(() => {
    assert.ok(fs.existsSync(CLI), 'build first: node scripts/build.mjs');
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-launch-'));
    catalog = ['catalog', testServices().openNoDelete.host];
    const plain = regx(catalog, 'off');
    assert.equal(plain.code, 0, plain.stderr);
    expected = plain.stdout;
  });

  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('writes one cache per command after its first successful run, and reuses it after', () => {
    const dir = path.join(scratch, 'fresh');
    regx(['catalog', '--help'], dir);
    regx(['tags', `${catalog[1]}/no/such/repository`], dir);
    assert.deepEqual(cacheFiles(dir), [], 'help and failed runs write no cache');
    const first = regx(catalog, dir);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, expected);
    const [file] = cacheFiles(dir);
    assert.ok(file, 'a cache file was written');
    assert.equal(fs.statSync(path.join(dir, file)).mode & 0o777, 0o600);
    const written = fs.statSync(path.join(dir, file)).mtimeMs;

    const second = regx(catalog, dir);
    assert.equal(second.stdout, expected);
    assert.equal(fs.statSync(path.join(dir, file)).mtimeMs, written, 'an accepted cache is not rewritten');

    assert.equal(regx(['search', catalog[1], 'zzz-nothing'], dir).code, 0);
    assert.equal(cacheFiles(dir).length, 2, 'another command keeps its own cache');
  });

  it('a corrupt cache is rejected, the run is unchanged, and a good cache replaces it', () => {
    const dir = path.join(scratch, 'corrupt');
    regx(catalog, dir);
    const [file] = cacheFiles(dir);
    const garbage = Buffer.alloc(fs.statSync(path.join(dir, file)).size, 0x5a);
    fs.writeFileSync(path.join(dir, file), garbage);
    const run = regx(catalog, dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, expected);
    assert.notDeepEqual(fs.readFileSync(path.join(dir, file)), garbage, 'the rejected cache was rewritten');
  });

  it('a cache others may write is not used: the run is unchanged and its own cache replaces it', () => {
    const dir = path.join(scratch, 'shared');
    regx(catalog, dir);
    const [file] = cacheFiles(dir);
    fs.chmodSync(path.join(dir, file), 0o666);
    const written = fs.statSync(path.join(dir, file)).mtimeMs;
    const run = regx(catalog, dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, expected);
    const now = fs.statSync(path.join(dir, file));
    assert.equal(now.mode & 0o777, 0o600, 'replaced by a file only its owner may write');
    assert.notEqual(now.mtimeMs, written);
  });

  it('a cache from another build is removed when the new one is written', () => {
    const dir = path.join(scratch, 'stale');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'v8-v0.0.0-x64-1-1-tags.cache'), 'old');
    regx(catalog, dir);
    assert.equal(cacheFiles(dir).length, 1);
    assert.ok(!fs.existsSync(path.join(dir, 'v8-v0.0.0-x64-1-1-tags.cache')));
  });

  it('REGX_CACHE_DIR=off writes nothing; an unusable cache directory changes nothing', () => {
    const blocked = path.join(scratch, 'not-a-dir');
    fs.writeFileSync(blocked, 'a file where the directory would go');
    const run = regx(catalog, blocked);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, expected);
    assert.equal(run.stderr, '');

    const home = path.join(scratch, 'home');
    fs.mkdirSync(home);
    const env = { ...process.env, REGX_CACHE_DIR: 'off', HOME: home, XDG_CACHE_HOME: path.join(home, 'xdg') };
    const off = spawnSync(process.execPath, [CLI, ...catalog], { env, encoding: 'utf8' });
    assert.equal(off.status, 0);
    assert.deepEqual(fs.readdirSync(home), []);
  });

  it('a broken install (the bundle missing or not regx) is one clear line and exit 1', () => {
    const dir = path.join(scratch, 'broken');
    fs.mkdirSync(dir);
    fs.copyFileSync(CLI, path.join(dir, 'cli.js'));
    const missing = spawnSync(process.execPath, [path.join(dir, 'cli.js'), ...catalog], { encoding: 'utf8' });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^regx: cannot read \S*cli-core\.js \(ENOENT\); reinstall or rebuild regx\n$/);
    fs.writeFileSync(path.join(dir, 'cli-core.js'), 'module.exports = {};');
    const wrong = spawnSync(process.execPath, [path.join(dir, 'cli.js'), ...catalog], { encoding: 'utf8' });
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /^regx: \S*cli-core\.js is not the regx CLI bundle; reinstall or rebuild regx\n$/);
  });

  it('usage errors keep their exit code and message through the launcher', () => {
    const run = regx(['tags'], path.join(scratch, 'usage'));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^regx: /);
  });
});
