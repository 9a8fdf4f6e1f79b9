// `regx`: the command-line face of the same core the extension uses. This file parses argv, builds
// the context, dispatches to src/cli/commands/*, and is the one place a failure becomes an exit code:
// 0 ok, 1 failure (one `regx: <sentence>` line from describeError), 2 usage (bad flags, bad
// reference), 130 interrupted (quietly, as shells expect after Ctrl-C).
import fs from 'node:fs';
import path from 'node:path';
import { describeError } from '../errors/describe';
import { CancelledError, InvalidInputError } from '../errors/errors';
import { COMMON_FLAGS, findCommand, flagBool, parseArgs, UsageError } from './args';
import { command as build } from './commands/build';
import { command as catalog } from './commands/catalog';
import { command as copy } from './commands/copy';
import { command as deleteCommand } from './commands/delete';
import { command as digest } from './commands/digest';
import { command as images } from './commands/images';
import { command as inspect } from './commands/inspect';
import { command as login } from './commands/login';
import { command as logout } from './commands/logout';
import { command as pull } from './commands/pull';
import { command as push } from './commands/push';
import { command as rmi } from './commands/rmi';
import { command as scan } from './commands/scan';
import { command as search } from './commands/search';
import { command as tag } from './commands/tag';
import { command as tags } from './commands/tags';
import { closeContext, createCliContext } from './context';
import type { CliCommand, CliFlagSpec } from './types';

/** Only meaningful without a command: `regx --version`. */
const VERSION_FLAG: CliFlagSpec = { name: 'version', description: 'print the version' };

// Order here is the order of `regx --help`.
export const COMMANDS: CliCommand[] = [
  catalog,
  tags,
  inspect,
  digest,
  tag,
  copy,
  deleteCommand,
  search,
  scan,
  login,
  logout,
  // Through the local Docker engine (DOCKER_HOST honoured).
  images,
  build,
  pull,
  push,
  rmi,
];

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
}

function flagLines(flags: CliFlagSpec[]): string[] {
  const names = flags.map((f) => `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.takesValue ? ' VALUE' : ''}`);
  const width = Math.max(...names.map((n) => n.length));
  return flags.map((f, i) => `  ${names[i].padEnd(width)}  ${f.description}`);
}

function globalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: regx COMMAND [ARGS] [FLAGS]',
    '',
    'Browse and manage container registries. REF is host[:port]/name[:tag|@digest]; Docker Hub short names work.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
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
  const command = COMMANDS.find((c) => c.name === commandName);
  return command ? `Usage: ${command.synopsis}  (regx ${command.name} --help)` : "Run 'regx --help' for usage.";
}

/** Runs one command line; resolves to the exit code. Never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const writeErr = (text: string) => io.stderr.write(`${text}\n`);
  const allSpecs = [...COMMON_FLAGS, ...COMMANDS.flatMap((c) => c.flags ?? [])];
  let commandName: string | undefined;
  try {
    const found = findCommand(argv, allSpecs);
    commandName = found.name;
    if (commandName === 'help') {
      // `regx help tags` reads like `regx tags --help`.
      const about = COMMANDS.find((c) => c.name === found.rest.find((t) => !t.startsWith('-')));
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
    const command = COMMANDS.find((c) => c.name === commandName);
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
      await closeContext(ctx);
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
  });
  // Let stdout drain before exiting (pipes can be asynchronous), then exit so no pooled
  // keep-alive socket or stdin listener holds the process open.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(code);
}

if (require.main === module) void main();
