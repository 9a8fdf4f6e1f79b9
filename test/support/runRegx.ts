// `regx` run in this process (runCli) with its own stdin/stdout/stderr: what a test sees is what a user
// would see on the terminal, without the cost of a child process per call.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/main';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runRegx(argv: string[], env: NodeJS.ProcessEnv, input = ''): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const stdin = new PassThrough();
  stdin.end(input);
  const code = await runCli(argv, { env, stdout, stderr, stdin, signal: new AbortController().signal });
  return { code, stdout: out, stderr: err };
}

/** The built executable, as `npm install -g` and the README run it. */
export const BUILT_CLI = path.resolve(__dirname, '../../../dist/cli.js');

export interface BuiltCliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `node dist/cli.js ARGV` as a child process, for what only the real process shows: Node's own
 * warnings on stderr, exit codes, the launcher and its code cache. stdin is /dev/null unless `input`
 * is given, then a pipe that carries it and ends.
 */
export function runBuiltRegx(argv: string[], env: NodeJS.ProcessEnv, input?: string): Promise<BuiltCliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUILT_CLI, ...argv], { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) child.stdin!.end(input);
  });
}
