// The docker-credential-helpers protocol (docker/docker-credential-helpers client/client.go):
// run `docker-credential-<name> <action>` with the payload on stdin and read JSON from stdout.
//   get    stdin: server URL          stdout: {"ServerURL","Username","Secret"}
//   store  stdin: {"ServerURL","Username","Secret"}
//   erase  stdin: server URL
//   list   stdin: nothing            stdout: {"<server URL>": "<username>"}
// A helper reports failure by exiting non-zero with the message on stdout; "not found" is the
// message "credentials not found in native keychain". Username "<token>" marks the secret as an
// identity (OAuth2 refresh) token. stdout carries secrets, so it never goes into an error.

import { CredentialError } from '../errors/errors';
import type { Credential } from './types';

/** The username docker uses to store an identity token in a helper. */
export const IDENTITY_TOKEN_USERNAME = '<token>';
export const DEFAULT_HELPER_TIMEOUT_MS = 10_000;

/** Messages from docker-credential-helpers' credentials/error.go: safe to repeat (no secrets). */
const NOT_FOUND_MESSAGE = 'credentials not found in native keychain';
const KNOWN_HELPER_MESSAGES = [NOT_FOUND_MESSAGE, 'no credentials server URL', 'no credentials username'];

/** Helpers can answer with more than a few bytes (list), but never megabytes. */
const MAX_OUTPUT_BYTES = 1024 * 1024;

export interface CredentialHelperOptions {
  /** Environment for the helper, including the PATH it is looked up on (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Helpers may prompt or hang (a locked keychain): give up after this long. Default 10 s. */
  timeoutMs?: number;
}

type Action = 'get' | 'store' | 'erase' | 'list';

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** One docker-credential-<name> binary. */
export class CredentialHelper {
  readonly binary: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly timeoutMs: number;

  constructor(readonly name: string, options: CredentialHelperOptions = {}) {
    // The name comes from config.json; it must not be able to point at another path.
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
      throw new CredentialError(`credential helper "${name}"`, 'is not a valid helper name (letters, digits, ".", "_" and "-")');
    }
    this.binary = `docker-credential-${name}`;
    this.env = options.env ?? process.env;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_HELPER_TIMEOUT_MS;
  }

  /** The credential stored for serverUrl, or undefined when the helper has none. */
  async get(serverUrl: string): Promise<Credential | undefined> {
    const result = await this.run('get', serverUrl);
    if (result.code !== 0) {
      if (result.stdout.includes(NOT_FOUND_MESSAGE)) return undefined;
      throw this.failure('get', result);
    }
    const answer = this.parseJson('get', result.stdout);
    if (!isRecord(answer) || !isOptionalString(answer['Username']) || !isOptionalString(answer['Secret'])) {
      throw new CredentialError(this.binary, 'answered "get" with JSON that lacks string Username and Secret');
    }
    const username = (answer['Username'] as string | undefined) ?? '';
    const secret = (answer['Secret'] as string | undefined) ?? '';
    // Some helpers answer an empty record instead of the not-found message.
    if (username === '' && secret === '') return undefined;
    if (username === IDENTITY_TOKEN_USERNAME) return { username: '', identityToken: secret };
    return { username, password: secret };
  }

  /** Store a username + password, or an identity token (as docker does, under "<token>"). */
  async store(serverUrl: string, credential: Credential): Promise<void> {
    if (credential.registryToken !== undefined) {
      throw new CredentialError(this.binary, 'a registry token cannot be kept in a credential helper');
    }
    const payload = credential.identityToken !== undefined
      ? { ServerURL: serverUrl, Username: IDENTITY_TOKEN_USERNAME, Secret: credential.identityToken }
      : { ServerURL: serverUrl, Username: credential.username, Secret: credential.password ?? '' };
    const result = await this.run('store', JSON.stringify(payload));
    // A helper that echoes its input in an error would show the secret in our message: cut it out.
    if (result.code !== 0) throw this.failure('store', { ...result, stderr: result.stderr.split(payload.Secret).join('[secret]') });
  }

  /** Remove the credential for serverUrl; removing one that is not there is not an error. */
  async erase(serverUrl: string): Promise<void> {
    const result = await this.run('erase', serverUrl);
    if (result.code !== 0 && !result.stdout.includes(NOT_FOUND_MESSAGE)) throw this.failure('erase', result);
  }

  /** Server URL → username for every credential the helper holds. */
  async list(): Promise<Record<string, string>> {
    const result = await this.run('list', '');
    if (result.code !== 0) throw this.failure('list', result);
    const answer = this.parseJson('list', result.stdout);
    if (!isRecord(answer)) throw new CredentialError(this.binary, 'answered "list" with JSON that is not an object');
    const out: Record<string, string> = {};
    for (const [url, username] of Object.entries(answer)) {
      if (typeof username === 'string') out[url] = username;
    }
    return out;
  }

  private parseJson(action: Action, stdout: string): unknown {
    try {
      return JSON.parse(stdout);
    } catch {
      // Not the parser's message: it would quote stdout, which may hold a secret.
      throw new CredentialError(this.binary, `answered "${action}" with something that is not JSON`);
    }
  }

  /** An error for a non-zero exit: exit code, a known helper message, stderr; never stdout. */
  private failure(action: Action, result: RunResult): CredentialError {
    let text = `"${action}" failed with exit code ${result.code}`;
    const known = KNOWN_HELPER_MESSAGES.find((m) => result.stdout.includes(m));
    if (known) text += `: ${known}`;
    // Printable text only: a helper's binary noise or terminal escapes are no help in a message.
    const stderr = result.stderr.replace(/[^\x20-\x7e\u00a0-\uffff\n\t]+/g, '?').trim();
    if (stderr) text += ` (stderr: ${stderr.length > 300 ? stderr.slice(0, 300) + '…' : stderr})`;
    return new CredentialError(this.binary, text);
  }

  /** Run the helper once, no shell, with a hard timeout that does not wait for stdio to close. */
  private run(action: Action, input: string): Promise<RunResult> {
    // Loaded here, not at the top: node:child_process (with dgram) costs every `regx` start time,
    // and most runs never start a helper.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { execFile } = require('node:child_process') as typeof import('node:child_process');
    return new Promise<RunResult>((resolve, reject) => {
      let settled = false;
      const child = execFile(
        this.binary,
        [action],
        { env: this.env, maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8', windowsHide: true },
        (error, stdout, stderr) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
            reject(new CredentialError(this.binary, `was not found on PATH (looked for "${this.binary}" because config.json names the helper "${this.name}")`));
            return;
          }
          if (error && (error as NodeJS.ErrnoException).code === 'EACCES') {
            reject(new CredentialError(this.binary, 'was found on PATH but is not executable'));
            return;
          }
          if (error && /maxBuffer/i.test(error.message)) {
            reject(new CredentialError(this.binary, `answered "${action}" with more than ${MAX_OUTPUT_BYTES} bytes`));
            return;
          }
          if (error && typeof error.code !== 'number') {
            const how = error.signal ? `was stopped by ${error.signal}` : `could not be run (${String(error.code ?? 'unknown error')})`;
            reject(new CredentialError(this.binary, `"${action}" ${how}`));
            return;
          }
          resolve({ code: error ? (error.code as unknown as number) : 0, stdout, stderr });
        },
      );
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        child.kill('SIGKILL');
        reject(new CredentialError(this.binary, `did not answer "${action}" within ${this.timeoutMs / 1000} s (it may be waiting for a keychain prompt)`));
      }, this.timeoutMs);
      // A helper that exits without reading stdin makes the write fail with EPIPE; its exit code tells the story.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(input);
    });
  }
}

/** A JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'string';
}
