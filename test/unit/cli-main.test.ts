// runCli without a registry: help, version, and the usage errors that must fail before any request.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { allCommands, commandHelp, runCli } from '../../src/cli/main';
import { runRegx } from '../support/runRegx';

// A DOCKER_CONFIG that does not exist: nothing here may read or write real credentials.
const cli = (argv: string[]) => runRegx(argv, { DOCKER_CONFIG: '/nonexistent/regx-unit' });

describe('runCli', () => {
  it('--help lists every command and exits 0; -h and help COMMAND work', async () => {
    const help = await cli(['--help']);
    assert.equal(help.code, 0);
    for (const c of allCommands()) assert.match(help.stdout, new RegExp(`^  ${c.name} +\\S`, 'm'));
    assert.equal((await cli(['-h'])).stdout, help.stdout);
    const tags = allCommands().find((c) => c.name === 'tags')!;
    assert.equal((await cli(['help', 'tags'])).stdout, `${commandHelp(tags)}\n`);
    assert.equal((await cli(['tags', '-h'])).stdout, `${commandHelp(tags)}\n`);
    assert.equal((await cli(['--json', 'tags', '--help'])).code, 0);
  });

  it('every command has a synopsis starting with regx NAME', () => {
    for (const c of allCommands()) assert.ok(c.synopsis.startsWith(`regx ${c.name}`), c.synopsis);
  });

  it('--version prints one line', async () => {
    const result = await cli(['--version']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^regx \S+\n$/);
  });

  it('usage errors exit 2 with one error line and the synopsis', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /^regx: no command given$/m],
      [['nope'], /^regx: unknown command "nope"$/m],
      [['tags'], /^regx: missing REPO$/m],
      [['tags', 'a/b', 'c/d'], /^regx: unexpected argument "c\/d"$/m],
      [['tags', 'a/b', '--yes'], /^regx: unknown flag: --yes$/m],
      [['catalog', 'r.example', '--page-size', 'x'], /--page-size needs a positive whole number/],
      [['login', 'r.example', '-u', 'me', '-p', 'hunter2'], /refusing a password on the command line/],
      [['login', 'r.example'], /missing -u USER/],
      [['copy', 'a/b:1'], /missing DST_REF/],
    ];
    for (const [argv, pattern] of cases) {
      const result = await cli(argv);
      assert.equal(result.code, 2, argv.join(' '));
      assert.match(result.stderr, pattern);
      assert.equal(result.stdout, '');
      assert.ok(!result.stderr.includes('hunter2'), 'a password is never echoed');
    }
    assert.match((await cli(['tags', '--jsno'])).stderr, /^Usage: regx tags REPO/m);
  });

  it('a malformed reference is exit 2 naming the part, before any request', async () => {
    const tag = await cli(['digest', 'registry.example/app:bad!tag']);
    assert.equal(tag.code, 2);
    assert.match(tag.stderr, /^regx: .*tag "bad!tag"/m);
    const repo = await cli(['tags', 'registry.example/app:1.0']);
    assert.equal(repo.code, 2);
    assert.match(repo.stderr, /without a tag/);
    const registry = await cli(['catalog', 'ftp://registry.example']);
    assert.equal(registry.code, 2);
    assert.match(registry.stderr, /scheme "ftp"/);
  });

  it('an aborted run exits 130 and prints nothing', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (d) => (err += d));
    const controller = new AbortController();
    controller.abort();
    const code = await runCli(['tags', '127.0.0.1:9/x'], { env: { DOCKER_CONFIG: '/nonexistent/regx-unit' }, stdout, stderr, stdin: new PassThrough(), signal: controller.signal });
    assert.equal(code, 130);
    assert.equal(err, '');
  });
});
