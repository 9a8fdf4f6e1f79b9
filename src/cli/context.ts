// Builds the CliContext for one `regx` run, and hands commands their registry clients: one shared
// transport (one undici pool per origin, so a copy between two repositories of the same registry
// reuses connections and tokens) and one session per registry host.
import { DockerConfigStore } from '../credentials';
import { certsDirFor, DEFAULT_CERTS_ROOT } from '../distribution/certsDir';
import type { RegistryClient } from '../distribution/client';
import { proxySettingsFromEnv } from '../distribution/proxy';
import { createTransport, type Transport } from '../distribution/transport';
import type { RegistryEndpoint } from '../distribution/types';
import { azureSdkTokenSource, providerFor, providerOwnsClient, registryClientFor, registryKindFor, type EntraTokenSource, type RegistryProvider } from '../registries';
import { detectRegistryKind } from '../registries/detect';
import { isLoopbackHost, parseRegistryAddress, registryName } from '../reference';
import type { CliContext } from './types';

export interface ContextOptions {
  json: boolean;
  insecure: boolean;
  plainHttp: boolean;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** A function is called only when stdin is read: touching process.stdin costs a few ms per run. */
  stdin: NodeJS.ReadableStream | (() => NodeJS.ReadableStream);
  signal: AbortSignal;
}

interface RegistryState {
  transport?: Transport;
  clients: Map<string, RegistryClient>;
  providers: Map<string, Promise<RegistryProvider>>;
  /** Registries the user wrote as http://host: that is their say-so for plain HTTP. */
  httpHosts: Set<string>;
  azure?: { tokenSource: EntraTokenSource };
}

// Per-context state kept off the public CliContext shape, so commands only see what they need.
const states = new WeakMap<CliContext, RegistryState>();

function stateOf(ctx: CliContext): RegistryState {
  let state = states.get(ctx);
  if (!state) {
    state = { clients: new Map(), providers: new Map(), httpHosts: new Set() };
    states.set(ctx, state);
  }
  return state;
}

export function createCliContext(options: ContextOptions): CliContext {
  return {
    json: options.json,
    insecure: options.insecure,
    plainHttp: options.plainHttp,
    env: options.env,
    out: (text) => options.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => options.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    readStdin: () => readAll(typeof options.stdin === 'function' ? options.stdin() : options.stdin),
    isTerminal: options.stderr.isTTY === true,
    signal: options.signal,
    // $DOCKER_CONFIG is read from the env we were given, as docker reads it.
    credentials: new DockerConfigStore({ env: options.env }),
  };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * How to reach a registry named on the command line. Loopback registries speak plain http without
 * being asked (as docker allows); --plain-http and --insecure are the user's say-so for the
 * registries this command names, and every registry a command reaches is named on its command line.
 */
export function endpointFor(ctx: CliContext, registry: string): RegistryEndpoint {
  // A registry may carry a path (Artifactory's repository path): TLS files and plain-HTTP consent belong to its host.
  const { host, pathPrefix } = parseRegistryAddress(registry);
  // Docker's certs.d for this registry, as docker reads it (REGX_CERTS_D moves the root).
  const endpoint: RegistryEndpoint = { host, certsDir: certsDirFor(ctx.env['REGX_CERTS_D'] || DEFAULT_CERTS_ROOT, host), ...(pathPrefix ? { pathPrefix } : {}) };
  if (ctx.plainHttp || isLoopbackHost(host) || stateOf(ctx).httpHosts.has(host)) endpoint.allowHttp = true;
  if (ctx.insecure) endpoint.skipTlsVerify = true;
  return endpoint;
}

/**
 * A REGISTRY argument: host[:port] or a URL, with an Artifactory repository path if any. `http://host:5000`
 * asks for plain HTTP for that registry, as --plain-http would.
 */
export function registryArgument(ctx: CliContext, input: string): string {
  const address = parseRegistryAddress(input);
  if (address.scheme === 'http') stateOf(ctx).httpHosts.add(address.host);
  return registryName(address);
}

/**
 * The shared transport of this run, created on first use. HTTPS_PROXY / HTTP_PROXY / NO_PROXY (and
 * their lower-case forms) are read from the env we were given, as docker and crane read them.
 */
export function transportFor(ctx: CliContext): Transport {
  const state = stateOf(ctx);
  if (!state.transport) {
    const proxy = proxySettingsFromEnv(ctx.env);
    state.transport = createTransport({ ...(proxy ? { proxy } : {}), ...silenceBudget(ctx.env['REGX_TIMEOUT']) });
  }
  return state.transport;
}

/**
 * REGX_TIMEOUT=SECONDS: how long a registry may stay silent before regx reports it (default 60, as the
 * design promises). A third of it for one attempt's headers or a stalled body, so one retry after a
 * silence still fits; retries start only while they fit. An unusable value is ignored rather than
 * turned into "wait forever".
 */
export function silenceBudget(value: string | undefined): { headersTimeoutMs?: number; bodyTimeoutMs?: number; retryBudgetMs?: number } {
  const seconds = Number(value);
  if (!value || !Number.isFinite(seconds) || seconds < 1 || seconds > 3600) return {};
  const third = Math.round((seconds * 1000) / 3);
  return { headersTimeoutMs: third, bodyTimeoutMs: third, retryBudgetMs: seconds * 1000 };
}

/** One client per registry host for this run: the same registry gets the same session (tokens, mounts). */
export function clientFor(ctx: CliContext, registry: string): RegistryClient {
  const state = stateOf(ctx);
  let client = state.clients.get(registry);
  if (!client) {
    const options = { credentials: ctx.credentials, transport: transportFor(ctx), userAgent: 'regx', env: ctx.env };
    const endpoint = endpointFor(ctx, registry);
    const kind = registryKindFor(registry).kind;
    if (providerOwnsClient(kind)) {
      // ECR answers only the cloud's own token: its provider's client fetches it, from the AWS
      // settings of this run's environment (AWS_PROFILE, AWS_CONFIG_FILE, …), docker's own login first.
      const provider = providerFor(endpoint, { ...options, kind, aws: { env: ctx.env } });
      state.providers.set(registry, Promise.resolve(provider));
      client = provider.client;
    } else {
      // A cloud registry's client gets the cloud's own credentials when config.json has none for it (ACR:
      // the ambient Azure credentials, asked only when the registry challenges; Google: ADC).
      client = registryClientFor(endpoint, { ...options, acr: azureFor(ctx) });
    }
    state.clients.set(registry, client);
  }
  return client;
}

/** regx's Microsoft Entra tokens: @azure/identity's DefaultAzureCredential (AZURE_TOKEN_CREDENTIALS narrows it), one per run. */
function azureFor(ctx: CliContext): { tokenSource: EntraTokenSource } {
  const state = stateOf(ctx);
  state.azure ??= { tokenSource: azureSdkTokenSource() };
  return state.azure;
}

/**
 * The provider for a registry (Docker Hub, GHCR, GitLab, Harbor, Quay, Artifactory, or generic), over
 * this run's client for it. A host the table does not know is asked once what it is (an
 * unauthenticated GET /v2/), so only commands that need a vendor's API call this.
 */
export function providerForCli(ctx: CliContext, registry: string): Promise<RegistryProvider> {
  const state = stateOf(ctx);
  clientFor(ctx, registry);
  let provider = state.providers.get(registry);
  if (!provider) {
    provider = (async () => {
      const client = clientFor(ctx, registry);
      let kind = registryKindFor(registry).kind;
      if (kind === 'generic') kind = await detectRegistryKind(transportFor(ctx), await client.session.baseUrl(ctx.signal), ctx.signal);
      return providerFor(client.session.endpoint, { client, kind, credentials: ctx.credentials, transport: transportFor(ctx), userAgent: 'regx', env: ctx.env, acr: azureFor(ctx) });
    })();
    state.providers.set(registry, provider);
  }
  return provider;
}

/** Releases pooled connections so the process can exit promptly. */
export async function closeContext(ctx: CliContext): Promise<void> {
  const transport = states.get(ctx)?.transport;
  states.delete(ctx);
  // After Ctrl-C a request may still hang on the wire, and a graceful close waits for it: the
  // process is exiting anyway, so don't.
  if (transport && !ctx.signal.aborted) {
    try {
      await transport.close();
    } catch {
      // Closing is best effort: the process is about to exit anyway.
    }
  }
}
