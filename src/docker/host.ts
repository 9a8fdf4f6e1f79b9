// Where the Docker engine is, decided the way the docker CLI decides it:
//   1. the registryExplorer.docker.host setting (ours, so it wins over the environment),
//   2. DOCKER_HOST,
//   3. the Docker context named by DOCKER_CONTEXT or config.json's `currentContext`,
//   4. the platform default (/var/run/docker.sock, or the docker_engine named pipe on Windows).
// Only file reads here, no connections: DockerEngine (./engine.ts) connects.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from '../distribution/digest';
import { EngineError, InvalidInputError } from '../errors/errors';

export type EngineHostSource = 'setting' | 'DOCKER_HOST' | 'context' | 'default';

export interface EngineTls {
  /** Verify the engine's certificate against caFile (DOCKER_TLS_VERIFY); false = encrypt only. */
  verify: boolean;
  /** PEM files; each is present only if the file exists. */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

export interface EngineHost {
  kind: 'unix' | 'npipe' | 'tcp';
  /** Unix socket path, or the Windows pipe path (\\.\pipe\docker_engine). */
  socketPath?: string;
  /** tcp only: http://host:port or https://host:port (no path). */
  url?: string;
  tls?: EngineTls;
  source: EngineHostSource;
  /** Docker context name when source is 'context'. */
  context?: string;
  /** The host as written (unix:///var/run/docker.sock, tcp://…): shown in messages. */
  hostText: string;
}

export interface ResolveEngineHostOptions {
  /** registryExplorer.docker.host; empty or whitespace means unset. */
  setting?: string;
  env: NodeJS.ProcessEnv;
  /** Docker's config dir; default $DOCKER_CONFIG, else ~/.docker. */
  dockerConfigDir?: string;
  /** For tests; default process.platform. */
  platform?: NodeJS.Platform;
  /** For tests; default os.homedir(). */
  homeDir?: string;
}

const DEFAULT_UNIX_HOST = 'unix:///var/run/docker.sock';
const DEFAULT_NPIPE_HOST = 'npipe:////./pipe/docker_engine';

export function resolveEngineHost(options: ResolveEngineHostOptions): EngineHost {
  const env = options.env;
  const platform = options.platform ?? process.platform;
  const homeDir = options.homeDir ?? os.homedir();
  const configDir = options.dockerConfigDir ?? (nonEmpty(env.DOCKER_CONFIG) || path.join(homeDir, '.docker'));

  const setting = nonEmpty(options.setting);
  if (setting) return parseDockerHost(setting, 'setting', { env, configDir, platform });

  const envHost = nonEmpty(env.DOCKER_HOST);
  if (envHost) return parseDockerHost(envHost, 'DOCKER_HOST', { env, configDir, platform });

  const fromContext = hostFromContext(configDir, env, platform);
  if (fromContext) return fromContext;

  return parseDockerHost(platform === 'win32' ? DEFAULT_NPIPE_HOST : DEFAULT_UNIX_HOST, 'default', { env, configDir, platform });
}

interface ParseContext {
  env: NodeJS.ProcessEnv;
  configDir: string;
  platform: NodeJS.Platform;
  /** TLS material that comes with a Docker context instead of DOCKER_CERT_PATH. */
  contextTls?: EngineTls;
  context?: string;
}

/**
 * Parse one DOCKER_HOST-style value. Accepts unix://, npipe://, tcp:// (and http://, https://, which
 * the docker client also takes). Anything else, including ssh:// which would need an ssh client,
 * is an InvalidInputError naming the value and where it came from.
 */
export function parseDockerHost(value: string, source: EngineHostSource, ctx: ParseContext): EngineHost {
  const text = value.trim();
  const what = describeSource(source, ctx.context);
  const bad = (reason: string): InvalidInputError => new InvalidInputError('setting', text, `${what}: ${reason}`);

  const m = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(text);
  if (!m) {
    if (text.startsWith('/')) throw bad(`a Docker host needs a scheme; did you mean unix://${text}?`);
    throw bad('expected unix:///path/to/docker.sock, npipe:////./pipe/docker_engine or tcp://host:port');
  }
  const scheme = m[1].toLowerCase();
  const rest = m[2];
  const base = { source, hostText: text, ...(ctx.context ? { context: ctx.context } : {}) };

  if (scheme === 'unix') {
    if (!rest.startsWith('/')) throw bad('a unix socket path must be absolute, e.g. unix:///var/run/docker.sock');
    return { kind: 'unix', socketPath: rest, ...base };
  }
  if (scheme === 'npipe') {
    // npipe:////./pipe/docker_engine → \\.\pipe\docker_engine (forward slashes are allowed by Docker).
    const pipe = rest.replace(/\//g, '\\');
    if (!/^\\\\[^\\]+\\pipe\\[^\\]+$/i.test(pipe)) throw bad('a named pipe looks like npipe:////./pipe/docker_engine');
    return { kind: 'npipe', socketPath: pipe, ...base };
  }
  if (scheme === 'tcp' || scheme === 'http' || scheme === 'https') {
    // host[:port][/] — bracketed IPv6 allowed. Parsed by hand because URL drops ":80" as a default port.
    const hp = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::(\d{1,5}))?\/?$/i.exec(rest);
    if (!hp) {
      if (rest.includes('@')) throw bad('credentials in the engine address are not supported');
      if (/^[^/]*:$/.test(rest)) throw bad('the port is empty');
      if (/^[^/]+\/./.test(rest)) throw bad('the tcp address must not have a path');
      throw bad('expected tcp://host:port');
    }
    if (hp[2] !== undefined && (Number(hp[2]) < 1 || Number(hp[2]) > 65535)) throw bad(`port ${hp[2]} is out of range`);
    const tls = ctx.contextTls ?? tlsFromEnv(ctx.env, ctx.configDir);
    const secure = scheme === 'https' || (scheme === 'tcp' && tls !== undefined);
    // Docker's convention: 2376 for TLS, 2375 for plain.
    const port = hp[2] ?? (secure ? '2376' : '2375');
    return {
      kind: 'tcp',
      url: `${secure ? 'https' : 'http'}://${hp[1]}:${port}`,
      ...(secure ? { tls: tls ?? { verify: true } } : {}),
      ...base,
    };
  }
  if (scheme === 'ssh') throw bad('ssh:// engine addresses are not supported; forward the socket (ssh -L) and use unix:// or tcp://');
  throw bad(`unsupported scheme "${scheme}://"; use unix://, npipe:// or tcp://`);
}

/**
 * TLS for tcp:// as the docker client reads it from the environment: DOCKER_TLS_VERIFY (any
 * non-empty value) turns TLS on with verification; DOCKER_TLS or DOCKER_CERT_PATH alone turn it on
 * without. Certificates come from DOCKER_CERT_PATH, else the Docker config dir.
 */
function tlsFromEnv(env: NodeJS.ProcessEnv, configDir: string): EngineTls | undefined {
  const verify = !!nonEmpty(env.DOCKER_TLS_VERIFY);
  const certPath = nonEmpty(env.DOCKER_CERT_PATH);
  if (!verify && !certPath && !nonEmpty(env.DOCKER_TLS)) return undefined;
  return { verify, ...pemFiles(certPath || configDir) };
}

function pemFiles(dir: string): Omit<EngineTls, 'verify'> {
  const out: Omit<EngineTls, 'verify'> = {};
  const ca = path.join(dir, 'ca.pem');
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  if (fs.existsSync(ca)) out.caFile = ca;
  if (fs.existsSync(cert)) out.certFile = cert;
  if (fs.existsSync(key)) out.keyFile = key;
  return out;
}

/** The directory docker uses for a context: contexts/meta/<sha256 hex of the name>/meta.json. */
export function contextDirName(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

function hostFromContext(configDir: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): EngineHost | undefined {
  let name = nonEmpty(env.DOCKER_CONTEXT);
  let from = 'DOCKER_CONTEXT';
  if (!name) {
    const configFile = path.join(configDir, 'config.json');
    const config = readJson(configFile);
    if (config.kind === 'missing') return undefined;
    if (config.kind === 'bad') {
      throw new EngineError('config', configFile, `cannot read ${configFile} to find the current Docker context: ${config.message}`);
    }
    const current = (config.value as { currentContext?: unknown } | null)?.currentContext;
    if (typeof current !== 'string' || !current.trim()) return undefined;
    name = current.trim();
    from = `currentContext in ${configFile}`;
  }
  // "default" is docker's built-in context: the environment/platform default, no meta.json.
  if (name === 'default') return undefined;

  const dir = contextDirName(name);
  const metaFile = path.join(configDir, 'contexts', 'meta', dir, 'meta.json');
  const meta = readJson(metaFile);
  if (meta.kind !== 'ok') {
    const why = meta.kind === 'missing' ? 'does not exist' : `cannot be read (${meta.message})`;
    throw new EngineError(
      'config',
      metaFile,
      `Docker context "${name}" (from ${from}) ${why}: ${metaFile} — run \`docker context ls\`, or set registryExplorer.docker.host / DOCKER_HOST`,
    );
  }
  const endpoint = (meta.value as { Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } } | null)?.Endpoints?.docker;
  const host = typeof endpoint?.Host === 'string' ? endpoint.Host.trim() : '';
  if (!host) {
    throw new EngineError('config', metaFile, `Docker context "${name}" has no docker endpoint Host in ${metaFile}`);
  }
  // A context keeps its TLS material under contexts/tls/<same hash>/docker/.
  const tlsDir = path.join(configDir, 'contexts', 'tls', dir, 'docker');
  const files = fs.existsSync(tlsDir) ? pemFiles(tlsDir) : {};
  const contextTls: EngineTls | undefined = Object.keys(files).length
    ? { verify: endpoint?.SkipTLSVerify !== true, ...files }
    : undefined;
  return parseDockerHost(host, 'context', { env, configDir, platform, context: name, contextTls });
}

type JsonRead = { kind: 'ok'; value: unknown } | { kind: 'missing' } | { kind: 'bad'; message: string };

function readJson(file: string): JsonRead {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'bad', message: (err as Error).message };
  }
  try {
    return { kind: 'ok', value: JSON.parse(text) };
  } catch (err) {
    return { kind: 'bad', message: `not valid JSON: ${(err as Error).message}` };
  }
}

function describeSource(source: EngineHostSource, context?: string): string {
  switch (source) {
    case 'setting':
      return 'registryExplorer.docker.host';
    case 'DOCKER_HOST':
      return 'DOCKER_HOST';
    case 'context':
      return `Docker context "${context ?? '?'}"`;
    default:
      return 'default Docker host';
  }
}

function nonEmpty(v: string | undefined): string {
  return v && v.trim() ? v.trim() : '';
}

/** What to name in messages: the socket path, or the tcp URL. */
export function engineEndpointText(host: EngineHost): string {
  return host.socketPath ?? host.url ?? host.hostText;
}
