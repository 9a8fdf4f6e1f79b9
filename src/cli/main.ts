// `regx`: the command-line face of the same core the extension uses. This file parses argv, builds
// the context, dispatches to src/cli/commands/*, and is the one place a failure becomes an exit code:
// 0 ok, 1 failure (one `regx: <sentence>` line from describeError), 2 usage (bad flags, bad
// reference), 130 interrupted (quietly, as shells expect after Ctrl-C).
import fs from 'node:fs';
import path from 'node:path';
import { describeError } from '../errors/describe';
import { CancelledError, InvalidInputError } from '../errors/errors';
import { COMMON_FLAGS, findCommand, flagBool, parseArgs, UsageError } from './args';
import { closeContext, createCliContext } from './context';
import type { CliCommand, CliFlagSpec } from './types';

/** Only meaningful without a command: `regx --version`. */
const VERSION_FLAG: CliFlagSpec = { name: 'version', description: 'print the version' };

/**
 * Each command's module, required when that command runs: a `regx tags` run loads and evaluates the
 * code of `tags` and what it uses, not the engine client, the build context or the scanners. Help,
 * and a command line with flags before its command, load them all. Order here is that of `regx --help`.
 */
const COMMAND_MODULES: ReadonlyArray<readonly [string, () => CliCommand]> = [
  ['catalog', () => (require('./commands/catalog') as typeof import('./commands/catalog')).command],
  ['tags', () => (require('./commands/tags') as typeof import('./commands/tags')).command],
  ['inspect', () => (require('./commands/inspect') as typeof import('./commands/inspect')).command],
  ['digest', () => (require('./commands/digest') as typeof import('./commands/digest')).command],
  ['tag', () => (require('./commands/tag') as typeof import('./commands/tag')).command],
  ['copy', () => (require('./commands/copy') as typeof import('./commands/copy')).command],
  ['delete', () => (require('./commands/delete') as typeof import('./commands/delete')).command],
  ['search', () => (require('./commands/search') as typeof import('./commands/search')).command],
  ['scan', () => (require('./commands/scan') as typeof import('./commands/scan')).command],
  ['login', () => (require('./commands/login') as typeof import('./commands/login')).command],
  ['logout', () => (require('./commands/logout') as typeof import('./commands/logout')).command],
  // Through the local Docker engine (DOCKER_HOST honoured).
  ['images', () => (require('./commands/images') as typeof import('./commands/images')).command],
  ['build', () => (require('./commands/build') as typeof import('./commands/build')).command],
  ['pull', () => (require('./commands/pull') as typeof import('./commands/pull')).command],
  ['push', () => (require('./commands/push') as typeof import('./commands/push')).command],
  ['rmi', () => (require('./commands/rmi') as typeof import('./commands/rmi')).command],
];
const commandLoaders = new Map(COMMAND_MODULES);

/** Every command, in `regx --help` order (loads every command's module). */
export function allCommands(): CliCommand[] {
  return COMMAND_MODULES.map(([, load]) => load());
}

function loadCommand(name: string | undefined): CliCommand | undefined {
  return name === undefined ? undefined : commandLoaders.get(name)?.();
}

/**
 * From the package.json next to dist/ at run time. Not imported: a JSON import would make tsc emit
 * a package.json into out/, which changes how Node reads every module there.
 */
function readVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
  /** Aborted on SIGINT/SIGTERM by the entry point; tests pass their own. */
  signal: AbortSignal;
  /**
   * The process exits as soon as runCli returns (the `regx` executable): its pooled connections go
   * with it, so they are not closed one by one first. That close costs a short run ~2 ms: undici
   * destroys each socket with an error whose stack trace Node formats, across the whole bundle.
   */
  exitsAfterRun?: boolean;
}

function flagLines(flags: CliFlagSpec[]): string[] {
  const names = flags.map((f) => `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.takesValue ? ' VALUE' : ''}`);
  const width = Math.max(...names.map((n) => n.length));
  return flags.map((f, i) => `  ${names[i].padEnd(width)}  ${f.description}`);
}

function globalHelp(): string {
  const commands = allCommands();
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: regx COMMAND [ARGS] [FLAGS]',
    '',
    'Browse and manage container registries. REF is host[:port]/name[:tag|@digest]; Docker Hub short names work.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Common flags:',
    ...flagLines([...COMMON_FLAGS, VERSION_FLAG]),
    '',
    'Credentials come from $DOCKER_CONFIG/config.json (default ~/.docker) and its credential helpers.',
    "Exit status: 0 ok, 1 failure, 2 usage error. Run 'regx COMMAND --help' for a command's flags.",
  ].join('\n');
}

export function commandHelp(command: CliCommand): string {
  return [
    `Usage: ${command.synopsis}`,
    '',
    command.summary,
    ...(command.flags?.length ? ['', 'Flags:', ...flagLines(command.flags)] : []),
    '',
    'Common flags:',
    ...flagLines(COMMON_FLAGS),
  ].join('\n');
}

function usageHint(commandName?: string): string {
  const command = loadCommand(commandName);
  return command ? `Usage: ${command.synopsis}  (regx ${command.name} --help)` : "Run 'regx --help' for usage.";
}

/**
 * The command name and the rest of argv. In the usual shape, `regx COMMAND …`, only that command is
 * loaded; otherwise every command's flags are needed to tell a flag's value from the command name
 * (`regx -u bob login host` is `login`).
 */
function locateCommand(argv: string[]): { name?: string; rest: string[] } {
  const first = argv[0];
  if (first !== undefined && commandLoaders.has(first)) return { name: first, rest: argv.slice(1) };
  return findCommand(argv, [...COMMON_FLAGS, ...allCommands().flatMap((c) => c.flags ?? [])]);
}

/** Runs one command line; resolves to the exit code. Never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const writeErr = (text: string) => io.stderr.write(`${text}\n`);
  let commandName: string | undefined;
  try {
    const found = locateCommand(argv);
    commandName = found.name;
    if (commandName === 'help') {
      // `regx help tags` reads like `regx tags --help`.
      const about = loadCommand(found.rest.find((t) => !t.startsWith('-')));
      io.stdout.write(`${about ? commandHelp(about) : globalHelp()}\n`);
      return 0;
    }
    if (commandName === undefined) {
      const global = parseArgs(argv, [...COMMON_FLAGS, VERSION_FLAG]);
      if (flagBool(global, 'version')) {
        io.stdout.write(`regx ${readVersion()}\n`);
        return 0;
      }
      if (flagBool(global, 'help')) {
        io.stdout.write(`${globalHelp()}\n`);
        return 0;
      }
      throw new UsageError('no command given');
    }
    const command = loadCommand(commandName);
    if (!command) {
      const name = commandName;
      commandName = undefined;
      throw new UsageError(`unknown command "${name}"`);
    }

    const args = parseArgs(found.rest, [...COMMON_FLAGS, ...(command.flags ?? [])], command.name);
    if (flagBool(args, 'help')) {
      io.stdout.write(`${commandHelp(command)}\n`);
      return 0;
    }
    const ctx = createCliContext({
      json: flagBool(args, 'json'),
      insecure: flagBool(args, 'insecure'),
      plainHttp: flagBool(args, 'plain-http'),
      env: io.env,
      stdout: io.stdout,
      stderr: io.stderr,
      // Read io.stdin only if the command reads it (process.stdin is a lazy getter that builds a stream).
      stdin: () => io.stdin,
      signal: io.signal,
    });
    try {
      await command.run(args, ctx);
    } finally {
      if (!io.exitsAfterRun) await closeContext(ctx);
    }
    return 0;
  } catch (err) {
    if (err instanceof CancelledError || io.signal.aborted) return 130;
    if (err instanceof UsageError) {
      writeErr(`regx: ${err.message}`);
      writeErr(usageHint(err.command ?? commandName));
      return 2;
    }
    if (err instanceof InvalidInputError) {
      writeErr(`regx: ${oneLine(describeError(err))}`);
      writeErr(usageHint(commandName));
      return 2;
    }
    writeErr(`regx: ${oneLine(describeError(err))}`);
    return 1;
  }
}

/** The contract is one line per failure, whatever the describer produced. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** The process around runCli: signals, exit code, stdout drained. dist/cli.js (launch.ts) calls it. */
export async function main(): Promise<void> {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new CancelledError('interrupted'));
    // A request that ignores the abort must not keep the user waiting.
    setTimeout(() => process.exit(130), 1000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // `regx tags REPO | head` closes the pipe early: that is the reader being done, not a failure, so
  // end quietly as Go tools and coreutils do instead of dying with a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    process.stderr.write(`regx: cannot write the output: ${err.message}\n`);
    process.exit(1);
  });

  const code = await runCli(process.argv.slice(2), {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    get stdin() {
      return process.stdin;
    },
    signal: controller.signal,
    exitsAfterRun: true,
  });
  // Let stdout drain before exiting (pipes can be asynchronous), then exit so no pooled
  // keep-alive socket or stdin listener holds the process open.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(code);
}

if (require.main === module) void main();
