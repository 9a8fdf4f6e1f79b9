import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { COMMON_FLAGS, expectPositionals, findCommand, flagPositiveInt, flagString, parseArgs, UsageError } from '../../src/cli/args';
import type { CliFlagSpec } from '../../src/cli/types';

const loginFlags: CliFlagSpec[] = [
  { name: 'username', short: 'u', takesValue: true, description: '' },
  { name: 'password-stdin', description: '' },
];
const specs = [...COMMON_FLAGS, ...loginFlags, { name: 'page-size', takesValue: true, description: '' }];

describe('findCommand', () => {
  it('finds the first positional as the command', () => {
    assert.deepEqual(findCommand(['tags', 'host/repo', '--json'], specs), { name: 'tags', rest: ['host/repo', '--json'] });
  });
  it('skips flags, and the values of flags that take one, before the command', () => {
    assert.deepEqual(findCommand(['--json', '-u', 'bob', 'login', 'h'], specs), { name: 'login', rest: ['--json', '-u', 'bob', 'h'] });
    assert.deepEqual(findCommand(['--page-size', '5', 'catalog', 'h'], specs).name, 'catalog');
    assert.deepEqual(findCommand(['--page-size=5', 'catalog'], specs).name, 'catalog');
    assert.deepEqual(findCommand(['-ubob', 'login'], specs).name, 'login');
  });
  it('stops at -- and reports no command when there is none', () => {
    assert.equal(findCommand(['--help'], specs).name, undefined);
    assert.equal(findCommand(['--', 'tags'], specs).name, undefined);
  });
});

describe('parseArgs', () => {
  it('takes flags anywhere, in both value forms', () => {
    const args = parseArgs(['--json', 'h', '-u', 'bob', '--password-stdin'], specs);
    assert.deepEqual(args, { positionals: ['h'], flags: { json: true, username: 'bob', 'password-stdin': true } });
    assert.equal(parseArgs(['--username=al=ice'], specs).flags.username, 'al=ice');
    assert.equal(parseArgs(['-ubob'], specs).flags.username, 'bob');
    assert.equal(parseArgs(['-u=bob'], specs).flags.username, 'bob');
  });
  it('treats everything after -- as positional, and a lone - as positional', () => {
    assert.deepEqual(parseArgs(['a', '--', '--json', '-u'], specs), { positionals: ['a', '--json', '-u'], flags: {} });
    assert.deepEqual(parseArgs(['-'], specs).positionals, ['-']);
  });
  it('maps short aliases to the long name (-h is --help)', () => {
    assert.equal(parseArgs(['-h'], specs).flags.help, true);
  });
  it('collects a repeated value flag and flagString returns the last one', () => {
    const args = parseArgs(['--page-size', '5', '--page-size=10'], specs);
    assert.deepEqual(args.flags['page-size'], ['5', '10']);
    assert.equal(flagString(args, 'page-size'), '10');
  });
  it('rejects an unknown flag, naming it', () => {
    assert.throws(() => parseArgs(['--jsn'], specs, 'tags'), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.equal(err.message, 'unknown flag: --jsn');
      assert.equal(err.command, 'tags');
      return true;
    });
    assert.throws(() => parseArgs(['-x'], specs), /unknown flag: -x/);
    assert.throws(() => parseArgs(['--json-output=1'], specs), /unknown flag: --json-output/);
  });
  it('rejects a value flag without its value, and a value on a switch', () => {
    assert.throws(() => parseArgs(['-u'], specs), /flag --username needs a value/);
    assert.throws(() => parseArgs(['--json=yes'], specs), /flag --json takes no value/);
    assert.equal(parseArgs(['--json=true'], specs).flags.json, true);
    assert.equal(parseArgs(['--json', '--json=false'], specs).flags.json, undefined);
  });
});

describe('flag and positional helpers', () => {
  it('flagPositiveInt accepts whole numbers and names the flag otherwise', () => {
    assert.equal(flagPositiveInt(parseArgs(['--page-size', '50'], specs), 'page-size'), 50);
    assert.equal(flagPositiveInt(parseArgs([], specs), 'page-size'), undefined);
    for (const bad of ['0', '-1', '2.5', 'ten']) {
      assert.throws(() => flagPositiveInt(parseArgs([`--page-size=${bad}`], specs), 'page-size'), /--page-size needs a positive whole number/);
    }
  });
  it('expectPositionals names what is missing or extra', () => {
    assert.deepEqual(expectPositionals({ positionals: ['a', 'b'], flags: {} }, ['SRC', 'DST'], 'copy'), ['a', 'b']);
    assert.throws(() => expectPositionals({ positionals: [], flags: {} }, ['SRC', 'DST'], 'copy'), /missing SRC and DST/);
    assert.throws(() => expectPositionals({ positionals: ['a'], flags: {} }, ['SRC', 'DST'], 'copy'), /missing DST/);
    assert.throws(() => expectPositionals({ positionals: ['a', 'b', 'c'], flags: {} }, ['SRC', 'DST'], 'copy'), /unexpected argument "c"/);
  });
});
