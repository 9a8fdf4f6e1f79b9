// `regx` run in this process (runCli) with its own stdin/stdout/stderr: what a test sees is what a user
// would see on the terminal, without the cost of a child process per call.
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
