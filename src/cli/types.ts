// The shape of one `regx` command. Each command lives in src/cli/commands/<name>.ts and exports
// `command: CliCommand`; src/cli/main.ts parses argv, builds the context, runs it, and turns
// any thrown error into one line on stderr via describeError() (exit 1; InvalidInputError → 2).
import type { CredentialStore } from '../credentials/types';

export interface ParsedArgs {
  /** Arguments after the command name, flags removed. */
  positionals: string[];
  /** --name value / --name=value / --flag (true). Repeated flags collect into arrays. */
  flags: Record<string, string | boolean | string[]>;
}

export interface CliContext {
  /** --json: print machine-readable JSON on stdout, nothing else. */
  json: boolean;
  /** --insecure: skip TLS verification for registries named on this command line. */
  insecure: boolean;
  /** --plain-http: use http:// for registries named on this command line. */
  plainHttp: boolean;
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
  /** Whole of stdin (for --password-stdin). */
  readStdin(): Promise<string>;
  /** stderr is a terminal: progress lines allowed. */
  isTerminal: boolean;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Docker's config.json and credential helpers ($DOCKER_CONFIG honoured). */
  credentials: CredentialStore;
}

export interface CliFlagSpec {
  name: string;
  /** Takes a value (`--platform linux/arm64`) rather than being a switch. */
  takesValue?: boolean;
  short?: string;
  description: string;
}

export interface CliCommand {
  name: string;
  /** e.g. "regx tags REPO" */
  synopsis: string;
  summary: string;
  flags?: CliFlagSpec[];
  run(args: ParsedArgs, ctx: CliContext): Promise<void>;
}
