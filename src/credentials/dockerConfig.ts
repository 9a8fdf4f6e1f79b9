// Docker's config.json as docker itself reads and writes it (docker/cli cli/config/configfile):
// `auths` entries keyed by server address, `credsStore` (one helper for everything) and
// `credHelpers` (a helper per registry). For a registry, the first that applies decides, as in
// docker: credHelpers[host] → credsStore → auths. When a helper applies it is authoritative: a
// plain-text `auths` entry for the same host is not consulted (docker's nativeStore does the same).

import { promises as fs, readFile } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CredentialError, InvalidInputError } from '../errors/errors';
import { credentialKey, parseRegistry } from '../reference';
import { CredentialHelper, DEFAULT_HELPER_TIMEOUT_MS, isRecord } from './credentialHelper';
import type { Credential, CredentialStore } from './types';

/**
 * Every `regx` run reads config.json once. The callback API does it without loading
 * node:fs/promises (and the readline and watcher modules it pulls in) at start-up; writes, which
 * only login and logout make, use fs.promises.
 */
const readText = (file: string): Promise<string> => promisify(readFile)(file, 'utf8');

export interface DockerConfigStoreOptions {
  /** Directory holding config.json. Default: $DOCKER_CONFIG, else ~/.docker. */
  configDir?: string;
  /** Environment for DOCKER_CONFIG/HOME and for the helpers' PATH. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Per helper call. Default 10 s. */
  helperTimeoutMs?: number;
}

/** One `auths` entry, as docker writes it. */
interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

interface LoadedConfig {
  /** The whole file, so a write keeps every key we do not own. */
  raw: Record<string, unknown>;
  auths: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers: Record<string, string>;
  /** False when config.json does not exist yet. */
  exists: boolean;
}

/** Where docker looks for config.json: $DOCKER_CONFIG, else ~/.docker. */
export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['DOCKER_CONFIG']) return env['DOCKER_CONFIG'];
  const home = env['HOME'] || env['USERPROFILE'] || os.homedir();
  return path.join(home, '.docker');
}

/**
 * The registry host a config.json key means: keys may be URLs (`https://index.docker.io/v1/`,
 * `http://host:5000`) or hosts; every Docker Hub spelling becomes docker.io. undefined for keys
 * that name no valid registry.
 */
export function normaliseConfigKey(key: string): string | undefined {
  const hostPart = key.trim().replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '').split('/', 1)[0] ?? '';
  try {
    return parseRegistry(hostPart);
  } catch {
    return undefined;
  }
}

/** Credentials from Docker's config.json and the credential helpers it names. */
export class DockerConfigStore implements CredentialStore {
  readonly configDir: string;
  readonly configPath: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly helperTimeoutMs: number;
  /** Writes run one at a time so two stores in this process cannot lose each other's change. */
  private writeChain: Promise<unknown> = Promise.resolve();

  constructor(options: DockerConfigStoreOptions = {}) {
    this.env = options.env ?? process.env;
    this.configDir = options.configDir ?? dockerConfigDir(this.env);
    this.configPath = path.join(this.configDir, 'config.json');
    this.helperTimeoutMs = options.helperTimeoutMs ?? DEFAULT_HELPER_TIMEOUT_MS;
  }

  async get(registry: string): Promise<Credential | undefined> {
    const host = parseRegistry(registry);
    const config = await this.load();
    const helper = this.helperFor(config, host);
    if (helper) return helper.get(credentialKey(host));
    const entry = findAuthEntry(config, host);
    return entry ? toCredential(entry[1]) : undefined;
  }

  /** Write as `docker login` does: into the helper that applies (leaving an empty marker in auths), else auths[key]. */
  async store(registry: string, credential: Credential): Promise<void> {
    const host = parseRegistry(registry);
    if (!credential.password && !credential.identityToken && !credential.registryToken) {
      throw new InvalidInputError('credential', host, 'has no password or token to store');
    }
    if (credential.username.includes(':') && credential.password !== undefined) {
      // base64(user:pass) is split on the first ":", so such a name would not read back.
      throw new InvalidInputError('credential', host, 'the username must not contain ":"');
    }
    await this.serial(async () => {
      const config = await this.load();
      const key = credentialKey(host);
      const helper = this.helperFor(config, host);
      const auths = mutableAuths(config);
      if (helper) {
        await helper.store(key, credential);
        // docker keeps an empty entry so that `auths` still lists the login; the secret is in the helper.
        auths[key] = {};
      } else {
        const entry: AuthEntry = {};
        // docker leaves `auth` out when there is neither username nor password (token-only logins).
        if (credential.username || credential.password) {
          entry.auth = Buffer.from(`${credential.username}:${credential.password ?? ''}`, 'utf8').toString('base64');
        }
        if (credential.identityToken) entry.identitytoken = credential.identityToken;
        if (credential.registryToken) entry.registrytoken = credential.registryToken;
        auths[key] = entry;
      }
      await this.write(config.raw);
    });
  }

  /** Remove the login: from the helper that applies, and every auths entry naming this host. */
  async erase(registry: string): Promise<void> {
    const host = parseRegistry(registry);
    await this.serial(async () => {
      const config = await this.load();
      const helper = this.helperFor(config, host);
      if (helper) await helper.erase(credentialKey(host));
      if (!config.exists) return;
      const auths = mutableAuths(config);
      let changed = false;
      for (const key of Object.keys(auths)) {
        if (normaliseConfigKey(key) === host) {
          delete auths[key];
          changed = true;
        }
      }
      if (changed) await this.write(config.raw);
    });
  }

  /** Registries with a login: auths entries, the credsStore's list, and hosts with their own helper. */
  async list(): Promise<string[]> {
    const config = await this.load();
    const hosts = new Set<string>();
    for (const [key, entry] of Object.entries(config.auths)) {
      const host = normaliseConfigKey(key);
      // An empty marker counts only when a helper holds the secret.
      if (host && (toCredential(entry) || this.helperFor(config, host))) hosts.add(host);
    }
    for (const key of Object.keys(config.credHelpers)) {
      const host = normaliseConfigKey(key);
      if (host) hosts.add(host);
    }
    if (config.credsStore) {
      for (const url of Object.keys(await this.helper(config.credsStore).list())) {
        const host = normaliseConfigKey(url);
        if (host) hosts.add(host);
      }
    }
    return [...hosts].sort();
  }

  // -------------------------------------------------------------------------------------------

  private helper(name: string): CredentialHelper {
    return new CredentialHelper(name, { env: this.env, timeoutMs: this.helperTimeoutMs });
  }

  /** credHelpers[host] (keys normalised), else credsStore, else none. */
  private helperFor(config: LoadedConfig, host: string): CredentialHelper | undefined {
    for (const [key, name] of Object.entries(config.credHelpers)) {
      if (name && normaliseConfigKey(key) === host) return this.helper(name);
    }
    return config.credsStore ? this.helper(config.credsStore) : undefined;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.writeChain.then(fn, fn);
    this.writeChain = next.catch(() => undefined);
    return next;
  }

  /** Read and check config.json. Errors name the file and the problem, never its contents. */
  private async load(): Promise<LoadedConfig> {
    let text: string;
    try {
      text = await readText(this.configPath);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { raw: {}, auths: {}, credHelpers: {}, exists: false };
      throw new CredentialError(this.configPath, `could not be read (${code ?? 'unknown error'})`);
    }
    // docker accepts an empty file as an empty configuration.
    if (text.trim() === '') return { raw: {}, auths: {}, credHelpers: {}, exists: true };
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new CredentialError(this.configPath, `is not valid JSON${jsonErrorPlace(text, err)}`);
    }
    if (!isRecord(raw)) throw new CredentialError(this.configPath, 'must contain a JSON object');
    return checkConfig(this.configPath, raw);
  }

  /** Atomic write (temp file + rename) with mode 0600, following a symlinked config.json as docker does. */
  private async write(raw: Record<string, unknown>): Promise<void> {
    let target = this.configPath;
    try {
      target = await fs.realpath(this.configPath);
    } catch {
      // Not there yet: write it where it belongs.
    }
    const dir = path.dirname(target);
    // Unique enough: the file is created exclusively ('wx'), so a clash fails rather than overwrites.
    const temp = path.join(dir, `.config.json.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
    try {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      await fs.writeFile(temp, JSON.stringify(raw, null, '\t') + '\n', { mode: 0o600, flag: 'wx' });
      // The mode given to writeFile is filtered by the umask; make sure it is exactly 0600.
      await fs.chmod(temp, 0o600);
      await fs.rename(temp, target);
    } catch (err) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      const code = (err as NodeJS.ErrnoException).code;
      throw new CredentialError(target, `could not be written (${code ?? 'unknown error'})`);
    }
  }
}

// ---------------------------------------------------------------------------------------------

/** Check the parts of config.json we use; other keys are kept untouched. */
function checkConfig(file: string, raw: Record<string, unknown>): LoadedConfig {
  const config: LoadedConfig = { raw, auths: {}, credHelpers: {}, exists: true };
  const auths = raw['auths'];
  if (auths !== undefined && auths !== null) {
    if (!isRecord(auths)) throw new CredentialError(file, '"auths" must be an object');
    for (const [key, entry] of Object.entries(auths)) {
      if (!isRecord(entry)) throw new CredentialError(file, `auths["${key}"] must be an object`);
      for (const field of ['auth', 'username', 'password', 'identitytoken', 'registrytoken'] as const) {
        const value = entry[field];
        if (value !== undefined && value !== null && typeof value !== 'string') {
          throw new CredentialError(file, `auths["${key}"].${field} must be a string`);
        }
      }
      const auth = entry['auth'];
      if (typeof auth === 'string' && auth !== '' && decodeAuth(auth) === undefined) {
        throw new CredentialError(file, `auths["${key}"].auth is not base64 of "username:password"`);
      }
      config.auths[key] = entry as AuthEntry;
    }
  }
  const credsStore = raw['credsStore'];
  if (credsStore !== undefined && credsStore !== null) {
    if (typeof credsStore !== 'string') throw new CredentialError(file, '"credsStore" must be a string');
    if (credsStore !== '') config.credsStore = credsStore;
  }
  const credHelpers = raw['credHelpers'];
  if (credHelpers !== undefined && credHelpers !== null) {
    if (!isRecord(credHelpers)) throw new CredentialError(file, '"credHelpers" must be an object');
    for (const [key, name] of Object.entries(credHelpers)) {
      if (typeof name !== 'string') throw new CredentialError(file, `credHelpers["${key}"] must be a string`);
      config.credHelpers[key] = name;
    }
  }
  return config;
}

/** base64(user:pass) → [user, pass]: split on the first ":", trailing NULs trimmed (some tools pad). */
function decodeAuth(auth: string): [string, string] | undefined {
  const compact = auth.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) return undefined;
  const text = Buffer.from(compact, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return [text.slice(0, colon), text.slice(colon + 1).replace(/\0+$/, '')];
}

/** The credential an entry holds; undefined for `{}` markers. */
function toCredential(entry: AuthEntry): Credential | undefined {
  let username = entry.username ?? '';
  let password = entry.password ?? '';
  if (entry.auth) {
    // As in docker, `auth` wins over separate username/password fields.
    [username, password] = decodeAuth(entry.auth) ?? ['', ''];
  }
  const credential: Credential = { username };
  if (password) credential.password = password;
  if (entry.identitytoken) credential.identityToken = entry.identitytoken;
  if (entry.registrytoken) credential.registryToken = entry.registrytoken;
  if (!credential.password && !credential.identityToken && !credential.registryToken) return undefined;
  return credential;
}

/** The auths entry for host: docker's exact key first, then any key naming the same host. */
function findAuthEntry(config: LoadedConfig, host: string): [string, AuthEntry] | undefined {
  const key = credentialKey(host);
  const exact = config.auths[key];
  if (exact) return [key, exact];
  return Object.entries(config.auths).find(([k]) => normaliseConfigKey(k) === host);
}

/** config.raw.auths, created when missing; config.auths points at the same object afterwards. */
function mutableAuths(config: LoadedConfig): Record<string, AuthEntry> {
  if (!isRecord(config.raw['auths'])) config.raw['auths'] = {};
  const auths = config.raw['auths'] as Record<string, AuthEntry>;
  config.auths = auths;
  return auths;
}

/** " (line L, column C)" from a JSON.parse error, or "" — never the parser's text, which may quote the file. */
function jsonErrorPlace(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : '';
  if (/Unexpected end of JSON input/.test(message)) return ' (it ends too early)';
  const position = /at position (\d+)/.exec(message);
  if (!position) return '';
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return ` (line ${line}, column ${column})`;
}
