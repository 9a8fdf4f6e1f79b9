// dist/cli.js, the `regx` executable: runs the CLI bundle (dist/cli-core.js, built from main.ts) with
// V8's code cache. Kept apart from the bundle and free of project imports, so it stays a few lines.
//
// A `regx` run is short, and compiling its own code is a real part of it (regx copy within one
// registry: 81 → 67 ms on the bench's machine). V8 caches the functions a run compiled, so each
// command keeps its own cache, written after its first successful run (not after --help, which
// compiles next to nothing). V8 checks a cache against its version, its flags and the source and
// rejects one that does not match; the run then compiles as usual and writes a fresh one. A cache
// that cannot be read or written is simply not used.
//
// Where: $REGX_CACHE_DIR, else $XDG_CACHE_HOME/regx, ~/.cache/regx, or %LOCALAPPDATA%\regx.
// REGX_CACHE_DIR=off turns it off.
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';

const CORE = path.join(__dirname, 'cli-core.js');

/** Node's modules that undici and the client load at start-up beyond what Node itself has loaded. */
const EARLY_BUILTINS = ['node:http', 'node:stream/promises', 'node:os'];

/**
 * Commands that check a manifest's digest, so load node:crypto (16 internal modules) as well. Only a
 * hint: a command missing here loads it later, compiled from source (~14M instructions more).
 */
const DIGEST_COMMANDS = new Set(['copy', 'inspect', 'tag']);

/**
 * undici parses HTTP with llhttp compiled to WebAssembly when its first connection opens. By default
 * V8 compiles that module with both of its compilers, which costs a short `regx` run ~40-50 ms of CPU.
 * The baseline compiler alone (Liftoff) is ready at once and fast enough for the parser: copying
 * 50 MB was not measurably slower. Set before anything is compiled, since V8's code cache is keyed to
 * the flags; the extension host is long-lived and keeps V8's defaults.
 */
function preferFastStartup(command: string | undefined): void {
  // Node's own modules come with V8 code caches of their own, which V8 rejects once any flag has
  // changed: loaded after the flag, each is parsed and compiled from source. So the ones a registry
  // or engine command loads come first (regx tags: 315M -> 295M instructions).
  for (const name of EARLY_BUILTINS) require(name);
  // Not for every command: loading it costs ~13M even from its cache (regx copy: 247M -> 234M).
  if (command !== undefined && DIGEST_COMMANDS.has(command)) require('node:crypto');
  try {
    v8.setFlagsFromString('--liftoff-only');
  } catch {
    // An engine without the flag simply compiles as it always did.
  }
}

function cacheDirectory(env: NodeJS.ProcessEnv): string | undefined {
  if (env['REGX_CACHE_DIR'] === 'off') return undefined;
  if (env['REGX_CACHE_DIR']) return env['REGX_CACHE_DIR'];
  if (process.platform === 'win32') return env['LOCALAPPDATA'] ? path.join(env['LOCALAPPDATA'], 'regx') : undefined;
  if (env['XDG_CACHE_HOME']) return path.join(env['XDG_CACHE_HOME'], 'regx');
  return env['HOME'] ? path.join(env['HOME'], '.cache', 'regx') : undefined;
}

/** A command's cache file, or undefined for runs not worth caching (help, version, no command). */
function cacheFiles(dir: string, core: fs.Stats, argv: string[]): { file: string; prefix: string } | undefined {
  const command = argv[0] ?? '';
  if (!/^[a-z]{1,20}$/.test(command) || command === 'help' || argv.some((a) => a === '--help' || a === '-h')) return undefined;
  // Caches of other bundles or other Node versions are deleted when a new one is written.
  const prefix = `v8-${process.version}-${process.arch}-${core.size}-${Math.trunc(core.mtimeMs)}-`;
  return { file: path.join(dir, `${prefix}${command}.cache`), prefix };
}

/**
 * The cache is code: it is used only when it is this user's own file and nobody else may write it
 * (REGX_CACHE_DIR may point somewhere shared). Checked on the open descriptor, then read from it.
 */
function readCache(file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const stat = fs.fstatSync(fd);
    if (process.platform !== 'win32' && (stat.uid !== process.getuid?.() || (stat.mode & 0o022) !== 0)) return undefined;
    return fs.readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function writeCache(dir: string, file: string, prefix: string, data: Buffer): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const name of fs.readdirSync(dir)) {
      if (/^v8-.*\.cache$/.test(name) && !name.startsWith(prefix)) fs.rmSync(path.join(dir, name), { force: true });
    }
    // Whole or not at all: another regx may be reading it.
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, data, { mode: 0o600 });
    fs.renameSync(temp, file);
  } catch {
    // A read-only or full disk costs the next run its compile time, nothing more.
  }
}

function launch(): void {
  preferFastStartup(process.argv[2]);
  let source: string;
  try {
    source = fs.readFileSync(CORE, 'utf8');
  } catch (err) {
    // A broken install: say which file, not a stack trace.
    process.stderr.write(`regx: cannot read ${CORE} (${(err as NodeJS.ErrnoException).code ?? 'error'}); reinstall or rebuild regx\n`);
    process.exit(1);
  }
  const dir = cacheDirectory(process.env);
  const where = dir ? cacheFiles(dir, fs.statSync(CORE), process.argv.slice(2)) : undefined;
  const cachedData = where ? readCache(where.file) : undefined;
  // The same wrapper Node puts around a CommonJS module.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: CORE,
    ...(cachedData ? { cachedData } : {}),
  });
  if (dir && where && (!cachedData || script.cachedDataRejected)) {
    // At exit, so the cache holds every function this command compiled, not just the top level; and
    // only after a success, since a failed run stopped early.
    process.once('exit', (code) => {
      if (code === 0) writeCache(dir, where.file, where.prefix, script.createCachedData());
    });
  }
  const core = { exports: {} as { main?: () => Promise<void> } };
  (script.runInThisContext() as (...args: unknown[]) => void)(core.exports, require, core, CORE, __dirname);
  if (typeof core.exports.main !== 'function') {
    process.stderr.write(`regx: ${CORE} is not the regx CLI bundle; reinstall or rebuild regx\n`);
    process.exit(1);
  }
  void core.exports.main();
}

launch();
