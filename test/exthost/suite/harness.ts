// A small, serial test runner for the extension host. It exists because the extension host of
// code-server (a browser workbench) cannot hand an exit code back, so the suite reports through a
// results file; mocha would work too, but brings reporters and globals we do not need.
//
// Writing a test (test/exthost/suite/<topic>.test.ts):
//
//   import * as assert from 'node:assert/strict';
//   import * as vscode from 'vscode';
//   import { suite, test, before, services } from './harness';
//
//   suite('tree', () => {
//     before(async () => { await activateExtension(); });
//     test('refresh runs', async () => { await vscode.commands.executeCommand('registryExplorer.refresh'); });
//     test('slow one', async () => { ... }, { timeout: 60_000 });
//     test.skip('not yet', async () => {});
//     test('needs docker', () => { if (!services()?.dockerHost) skip('no test dockerd'); ... });
//   });
//
// Tests run one at a time, in file order then registration order. A test fails when it throws, rejects
// or exceeds its timeout (default 20 s, or REGX_EXTHOST_TIMEOUT ms). A failing `before` fails every test
// of its suite. REGX_EXTHOST_GREP (a substring or /regex/) runs only the matching full names.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { testServicesIfStarted } from '../../support/services';

export const EXTENSION_ID = 'registry-explorer.registry-explorer';

export type TestFn = () => unknown | Promise<unknown>;
export interface TestOptions {
  /** Milliseconds before the test counts as failed. */
  timeout?: number;
}

interface TestCase {
  name: string;
  fn: TestFn;
  timeout: number;
  skip: boolean;
}

interface Suite {
  name: string;
  /** Set on the implicit suite of a test file: printed, but not part of test names. */
  file?: string;
  parent?: Suite;
  tests: TestCase[];
  suites: Suite[];
  before: TestFn[];
  after: TestFn[];
  beforeEach: TestFn[];
  afterEach: TestFn[];
}

export interface TierResult {
  passed: number;
  failed: number;
  skipped: number;
  failures: { name: string; message: string }[];
  durationMs?: number;
  /** Per test: name, outcome and milliseconds; the drivers print these. */
  tests?: { name: string; outcome: 'passed' | 'failed' | 'skipped'; ms: number }[];
}

const DEFAULT_TIMEOUT = Number(process.env.REGX_EXTHOST_TIMEOUT) || 20_000;

function newSuite(name: string, parent?: Suite): Suite {
  return { name, parent, tests: [], suites: [], before: [], after: [], beforeEach: [], afterEach: [] };
}

const root = newSuite('');
let current = root;

/** Groups tests; suites nest. The body runs at load time and only registers. */
export function suite(name: string, body: () => void): void {
  const s = newSuite(name, current);
  current.suites.push(s);
  const saved = current;
  current = s;
  try {
    body();
  } finally {
    current = saved;
  }
}

interface TestRegistrar {
  (name: string, fn: TestFn, options?: TestOptions): void;
  /** Registered, reported as skipped, never run. */
  skip(name: string, fn?: TestFn, options?: TestOptions): void;
}

export const test: TestRegistrar = Object.assign(
  (name: string, fn: TestFn, options?: TestOptions) => {
    current.tests.push({ name, fn, timeout: options?.timeout ?? DEFAULT_TIMEOUT, skip: false });
  },
  {
    skip(name: string, fn?: TestFn, options?: TestOptions) {
      current.tests.push({ name, fn: fn ?? (() => undefined), timeout: options?.timeout ?? DEFAULT_TIMEOUT, skip: true });
    },
  },
);

/** Runs once before the tests of the enclosing suite (or of the file, at top level). */
export function before(fn: TestFn): void { current.before.push(fn); }
export function after(fn: TestFn): void { current.after.push(fn); }
export function beforeEach(fn: TestFn): void { current.beforeEach.push(fn); }
export function afterEach(fn: TestFn): void { current.afterEach.push(fn); }

// ---- helpers for tests -------------------------------------------------------------------------

class SkipSignal extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Ends the running test as skipped (e.g. a service is absent); the reason is printed. In a `before` hook, skips the suite. */
export function skip(reason: string): never {
  throw new SkipSignal(reason);
}

/** The real registries started by test/run.mjs (REGX_TEST_SERVICES), or undefined when absent. */
export const services = testServicesIfStarted;

/** The extension under test, activated. Throws with the activation error when activation fails. */
export async function activateExtension(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded in this extension host`);
  if (!ext.isActive) await ext.activate();
  return ext;
}

/** Polls `probe` until it returns a truthy value (returned) or `timeoutMs` passes (throws `what`). */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${describe(lastError)}` : ''}`);
    }
    await sleep(everyMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Sets a user setting for the rest of the run (Global target); returns a function that restores it. */
export async function withSetting(section: string, key: string, value: unknown): Promise<() => Promise<void>> {
  const config = vscode.workspace.getConfiguration(section);
  const previous = config.inspect(key)?.globalValue;
  await config.update(key, value, vscode.ConfigurationTarget.Global);
  return async () => {
    await vscode.workspace.getConfiguration(section).update(key, previous, vscode.ConfigurationTarget.Global);
  };
}

// ---- running -----------------------------------------------------------------------------------

function describe(e: unknown): string {
  if (e instanceof Error) return e.stack ?? `${e.name}: ${e.message}`;
  return String(e);
}

function fullName(s: Suite, t?: TestCase): string {
  const parts: string[] = [];
  for (let x: Suite | undefined = s; x; x = x.parent) if (x.name && !x.file) parts.unshift(x.name);
  if (t) parts.push(t.name);
  return parts.join(' › ');
}

async function withTimeout(fn: TestFn, ms: number, label: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} timed out after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([Promise.resolve().then(fn), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function makeGrep(): (name: string) => boolean {
  const g = process.env.REGX_EXTHOST_GREP;
  if (!g) return () => true;
  const m = /^\/(.*)\/([a-z]*)$/.exec(g);
  if (m) {
    const re = new RegExp(m[1]!, m[2]);
    return (n) => re.test(n);
  }
  return (n) => n.includes(g);
}

class Progress {
  private readonly file = process.env.REGX_EXTHOST_PROGRESS;
  private readonly partial = process.env.REGX_EXTHOST_RESULT ? process.env.REGX_EXTHOST_RESULT + '.partial' : undefined;
  /** Results so far plus the test now running, so a driver that gives up can still report them. */
  snapshot(result: TierResult, running?: string): void {
    if (!this.partial) return;
    try { fs.writeFileSync(this.partial, JSON.stringify({ ...result, running })); } catch { /* best effort */ }
  }
  line(text: string): void {
    // The extension host's console goes to the workbench's devtools (code-server) or the terminal
    // (test-electron); the progress file is what the code-server driver prints as it goes.
    console.log(text);
    if (this.file) {
      try { fs.appendFileSync(this.file, text + '\n'); } catch { /* progress is best effort */ }
    }
  }
}

export async function runAll(files: string[]): Promise<TierResult> {
  const progress = new Progress();
  const result: TierResult = { passed: 0, failed: 0, skipped: 0, failures: [], tests: [] };
  const started = Date.now();
  const grep = makeGrep();

  for (const file of files) {
    const fileSuite = newSuite(path.basename(file).replace(/\.js$/, '.ts'), root);
    fileSuite.file = file;
    current = fileSuite;
    try {
      require(file);
    } catch (e) {
      result.failed++;
      result.failures.push({ name: `loading ${fileSuite.name}`, message: describe(e) });
      progress.line(`  ✗ loading ${file}\n${indent(describe(e))}`);
      continue;
    } finally {
      current = root;
    }
    await runSuite(fileSuite, [], [], result, progress, grep);
  }
  result.durationMs = Date.now() - started;
  return result;
}

function indent(s: string, pad = ''): string {
  return s.split('\n').map((l) => pad + '    ' + l).join('\n');
}

function countTests(s: Suite, grep: (n: string) => boolean): number {
  return s.tests.filter((t) => grep(fullName(s, t))).length + s.suites.reduce((n, c) => n + countTests(c, grep), 0);
}

async function runSuite(
  s: Suite,
  outerBeforeEach: TestFn[],
  outerAfterEach: TestFn[],
  result: TierResult,
  progress: Progress,
  grep: (n: string) => boolean,
): Promise<void> {
  if (countTests(s, grep) === 0) return;
  progress.line(`${'  '.repeat(depth(s) - 1)}${s.name}`);
  const beforeEach = [...outerBeforeEach, ...s.beforeEach];
  const afterEach = [...s.afterEach, ...outerAfterEach];

  let setupError: unknown;
  for (const hook of s.before) {
    try {
      await withTimeout(hook, DEFAULT_TIMEOUT * 3, `"before" hook of ${fullName(s) || s.name}`);
    } catch (e) {
      setupError = e;
      break;
    }
  }

  for (const t of s.tests) {
    const name = fullName(s, t);
    if (!grep(name)) continue;
    const pad = '  '.repeat(depth(s));
    if (t.skip) {
      result.skipped++;
      result.tests!.push({ name, outcome: 'skipped', ms: 0 });
      progress.line(`${pad}- ${t.name} (skipped)`);
      continue;
    }
    progress.snapshot(result, name);
    const t0 = Date.now();
    // skip() in a "before" hook skips the whole suite; any other error fails each of its tests.
    let error: unknown =
      setupError instanceof SkipSignal ? setupError : setupError ? new Error(`"before" hook failed: ${describe(setupError)}`) : undefined;
    if (!error) {
      try {
        for (const hook of beforeEach) await withTimeout(hook, t.timeout, `"beforeEach" hook`);
        await withTimeout(t.fn, t.timeout, 'test');
      } catch (e) {
        error = e;
      }
      for (const hook of afterEach) {
        try {
          await withTimeout(hook, t.timeout, `"afterEach" hook`);
        } catch (e) {
          error ??= e;
        }
      }
    }
    const ms = Date.now() - t0;
    if (error instanceof SkipSignal) {
      result.skipped++;
      result.tests!.push({ name, outcome: 'skipped', ms });
      progress.line(`${pad}- ${t.name} (skipped: ${error.reason})`);
    } else if (error) {
      result.failed++;
      result.failures.push({ name, message: describe(error) });
      result.tests!.push({ name, outcome: 'failed', ms });
      progress.line(`${pad}✗ ${t.name} (${ms} ms)\n${indent(describe(error), pad)}`);
    } else {
      result.passed++;
      result.tests!.push({ name, outcome: 'passed', ms });
      progress.line(`${pad}✓ ${t.name} (${ms} ms)`);
    }
  }

  for (const child of s.suites) await runSuite(child, beforeEach, afterEach, result, progress, grep);

  for (const hook of s.after) {
    try {
      await withTimeout(hook, DEFAULT_TIMEOUT * 3, `"after" hook`);
    } catch (e) {
      result.failed++;
      result.failures.push({ name: `${fullName(s) || s.name} ("after" hook)`, message: describe(e) });
      progress.line(`  ✗ "after" hook of ${fullName(s)}\n${indent(describe(e))}`);
    }
  }
}

function depth(s: Suite): number {
  let d = 0;
  for (let x: Suite | undefined = s; x && x !== root; x = x.parent) d++;
  return d;
}
