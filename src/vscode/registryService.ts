// Owns everything the editor needs to talk to registries: one shared transport (one connection pool
// per origin), one session + client per registry host, the credential lookup order, and the
// "Registry Explorer" log. Sessions are rebuilt when settings or credentials change, so a new
// password or a new TLS option takes effect on the next request without reloading the window.
// Each host also gets its RegistryProvider (registries/provider.ts): Docker Hub, GHCR and GitLab (known
// by their hosts), and Harbor, Quay and Artifactory (named by the registry's `kind` setting) are browsed,
// signed in to and pruned through their own APIs; every other host is a generic Distribution registry. The provider shares the host's client, and so its tokens and log.
import * as vscode from 'vscode';
import { DockerConfigStore } from '../credentials';
import type { Credential, CredentialStore } from '../credentials/types';
import { certsDirFor, DEFAULT_CERTS_ROOT } from '../distribution/certsDir';
import { RegistryClient } from '../distribution/client';
import { describeError } from '../errors/describe';
import { redactUrl } from '../errors/errors';
import { createSession } from '../distribution/session';
import { createTransport, type RequestLogEntry, type Transport } from '../distribution/transport';
import type { RegistryEndpoint, RegistrySession } from '../distribution/types';
import { isLoopbackHost, parseRegistryAddress } from '../reference';
import { isDockerHubHost, providerFor, type EntraTokenSource, type ProviderForOptions, type RegistryKind, type RegistryProvider } from '../registries';
import { CloudCredentialError } from '../errors/errors';
import { SecretCredentialStore } from './secretCredentialStore';
import * as settings from './settings';

export type RegistrySource = 'settings' | 'docker';

/** A root of the Registries view. */
export interface RegistryRoot {
  host: string;
  label: string;
  source: RegistrySource;
  endpoint: RegistryEndpoint;
}

export type CredentialOrigin = 'secret' | 'docker' | undefined;

/**
 * TEST-ONLY: treat a host as a vendor registry whose API lives elsewhere (a loopback fixture standing
 * in for hub.docker.com, api.github.com or a GitLab instance). Not a setting and never persisted: the
 * extension-host tests set it through the API activate() returns. Users configure self-managed GitLab
 * with `registryExplorer.gitlab.instances` and Harbor, Quay and Artifactory with the `kind` of their
 * `registryExplorer.registries` entry; the public vendors need no configuration.
 */
export interface VendorOverride {
  kind: RegistryKind;
  apiBaseUrl?: string;
  /** Artifact Registry: the Artifact Analysis API of the fixture (default: apiBaseUrl). */
  analysisBaseUrl?: string;
  /** Artifact Registry: the Google host the fixture stands in for (us-docker.pkg.dev). */
  googleHost?: string;
  /** ECR: the fixture's AWS API endpoint; ACR: the Entra scopes asked of the Microsoft account. */
  awsEndpoint?: string;
  entraScopes?: string[];
}

/** The cloud registries: their clients carry the cloud's own tokens, and hand them to the Docker engine. */
const CLOUD_KINDS: ReadonlySet<RegistryKind> = new Set<RegistryKind>(['ecr', 'acr', 'artifact-registry']);

/** The id of VS Code's built-in Microsoft account provider (vscode.authentication). */
export const MICROSOFT_AUTH_PROVIDER = 'microsoft';

const HIDDEN_DOCKER_LOGINS = 'registryExplorer.hiddenDockerLogins';
const ADDED_REPOSITORIES = 'registryExplorer.addedRepositories';
const USER_AGENT = 'registry-explorer-vscode';

/**
 * The credential lookup the sessions use: what the user signed in with here first (SecretStorage),
 * then — while useDockerConfig is on — their `docker login`s. Writes go to SecretStorage only: the
 * extension never changes the user's docker config.
 */
class EditorCredentials implements CredentialStore {
  constructor(private readonly secrets: SecretCredentialStore, private readonly docker: () => CredentialStore | undefined) {}
  async get(registry: string): Promise<Credential | undefined> {
    return (await this.secrets.get(registry)) ?? (await this.docker()?.get(registry));
  }
  store(registry: string, credential: Credential): Promise<void> {
    return this.secrets.store(registry, credential);
  }
  erase(registry: string): Promise<void> {
    return this.secrets.erase(registry);
  }
  async list(): Promise<string[]> {
    const docker = (await this.docker()?.list()) ?? [];
    return [...new Set([...(await this.secrets.list()), ...docker])].sort();
  }
}

export class RegistryService implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  readonly secrets: SecretCredentialStore;
  readonly credentials: CredentialStore;
  /** Rebuilt (and the old one closed) when VS Code's proxy settings change. */
  private transport: Transport;
  private readonly clients = new Map<string, { session: RegistrySession; provider: RegistryProvider }>();
  private readonly vendorOverrides = new Map<string, VendorOverride>();
  private dockerStore: DockerConfigStore | undefined;
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  /** Fires with a host when that registry's connection changed (credentials), or undefined for all. */
  readonly onDidChange = this.changed.event;
  private readonly pulled = new vscode.EventEmitter<string>();
  /** Fires with a host after an image was pulled from it (the Docker Hub rate-limit display listens). */
  readonly onDidPull = this.pulled.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('Registry Explorer', { log: true });
    this.secrets = new SecretCredentialStore(context.secrets);
    this.credentials = new EditorCredentials(this.secrets, () => this.docker());
    this.transport = this.createTransport();
    this.disposables.push(
      this.log,
      this.secrets,
      this.changed,
      this.pulled,
      this.secrets.onDidChange(() => this.reset()),
      // Another Microsoft account (or signing out of it): ACR registries must not keep the old one's tokens.
      vscode.authentication.onDidChangeSessions((e) => {
        if (e.provider.id === MICROSOFT_AUTH_PROVIDER) this.forgetKind('acr');
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (settings.affectsProxy(e)) {
          // New proxy settings: a new transport (its pools are per proxy), and sessions built on it.
          const old = this.transport;
          this.transport = this.createTransport();
          void old.close().catch(() => undefined);
          this.reset();
        } else if (settings.affectsConnections(e)) {
          this.reset();
        }
      }),
    );
  }

  /** The roots of the Registries view: settings first, then docker logins not already listed. */
  async roots(): Promise<RegistryRoot[]> {
    const result: RegistryRoot[] = settings.registries().map((entry) => ({
      host: entry.host,
      label: entry.name ?? this.provider(entry.host).displayName,
      source: 'settings' as const,
      endpoint: this.endpointFromSetting(entry),
    }));
    const docker = this.docker();
    if (docker) {
      const hidden = new Set(this.context.globalState.get<string[]>(HIDDEN_DOCKER_LOGINS, []));
      let hosts: string[] = [];
      try {
        hosts = await docker.list();
      } catch (err) {
        // A broken config.json must not empty the view: settings registries still show.
        this.log.warn(`could not read docker logins: ${describeError(err)}`);
      }
      for (const host of hosts) {
        if (hidden.has(host) || result.some((r) => r.host === host)) continue;
        result.push({ host, label: this.provider(host).displayName, source: 'docker', endpoint: this.defaultEndpoint(host) });
      }
    }
    return result;
  }

  /** The endpoint for a host: its settings entry if any, else defaults (plain http only on loopback). */
  endpoint(host: string): RegistryEndpoint {
    const entry = settings.registries().find((r) => r.host === host);
    return entry ? this.endpointFromSetting(entry) : this.defaultEndpoint(host);
  }

  /** One client per host, reused until credentials or settings change (the provider's: see provider()). */
  client(host: string): RegistryClient {
    return this.provider(host).client;
  }

  /**
   * The RegistryProvider of a host, one per host and reused like its client: Docker Hub for docker.io,
   * GHCR for ghcr.io, GitLab for registry.gitlab.com and `registryExplorer.gitlab.instances`, the
   * provider the settings entry's `kind` names (Harbor, Quay, Artifactory, the clouds), the generic Distribution
   * provider for every other host. Listing, sign-in, search and tag deletes go
   * through it; its `client` is the host's Distribution client (manifests, copy, retag).
   */
  provider(host: string): RegistryProvider {
    let client = this.clients.get(host);
    if (!client) {
      const entry = settings.registries().find((r) => r.host === host);
      const provider = this.buildProvider(entry ? this.endpointFromSetting(entry) : this.defaultEndpoint(host), entry);
      // A cloud provider builds its own client (its session carries the cloud's tokens): keep that one.
      client = { session: provider.client.session, provider };
      this.clients.set(host, client);
    }
    return client.provider;
  }

  /**
   * A provider for a registry entry that is not saved yet (Connect Registry checks a cloud sign-in
   * before anything is stored). Not kept: once the entry is saved, provider() builds the host's own.
   */
  providerForEntry(entry: settings.RegistrySetting): RegistryProvider {
    return this.buildProvider(this.endpointFromSetting(entry), entry);
  }

  private buildProvider(endpoint: RegistryEndpoint, entry: settings.RegistrySetting | undefined): RegistryProvider {
    const session = createSession(endpoint, { credentials: this.credentials, transport: this.transport, userAgent: USER_AGENT });
    // A test override wins over the setting, which wins over what the host says.
    const override = this.vendorOverrides.get(entry?.host ?? endpoint.host);
    const kind = override?.kind ?? entry?.kind;
    const apiBaseUrl = override?.apiBaseUrl ?? entry?.apiUrl;
    return providerFor(endpoint, {
      client: new RegistryClient(session),
      credentials: this.credentials,
      transport: this.transport,
      userAgent: USER_AGENT,
      gitlabInstances: settings.gitlabInstances(),
      ...(kind ? { kind } : {}),
      ...(entry?.repositoryKey ? { repositoryKey: entry.repositoryKey } : {}),
      ...(apiBaseUrl ? { apiBaseUrl } : {}),
      ...this.cloudOptions(entry, override),
    });
  }

  /**
   * The provider of a cloud registry (ECR, ACR, Artifact Registry), whose engineCredential() gives
   * the Docker engine the cloud's token for it; undefined for every other registry.
   */
  cloudProvider(host: string): RegistryProvider | undefined {
    const provider = this.provider(host);
    return CLOUD_KINDS.has(provider.kind) ? provider : undefined;
  }

  /**
   * What a cloud's provider needs beside the endpoint: where its tokens come from (ACR: VS Code's
   * Microsoft account; Google: Application Default Credentials, the provider's default; ECR: the
   * profile's credential chain) and the entry's fields. Nothing here is a secret.
   */
  private cloudOptions(entry: settings.RegistrySetting | undefined, override: VendorOverride | undefined): Partial<ProviderForOptions> {
    const options: Partial<ProviderForOptions> = {};
    if (entry?.projects) options.googleProjects = entry.projects;
    if (override?.analysisBaseUrl ?? override?.apiBaseUrl) options.analysisBaseUrl = override?.analysisBaseUrl ?? override?.apiBaseUrl;
    if (override?.googleHost) options.googleHost = override.googleHost;
    options.acr = {
      tokenSource: microsoftTokenSource(entry?.tenant),
      ...(entry?.tenant ? { tenantId: entry.tenant } : {}),
      ...(override?.entraScopes ? { entraScopes: override.entraScopes } : {}),
    };
    options.aws = {
      ...(entry?.awsProfile ? { profile: entry.awsProfile } : {}),
      ...(entry?.region ? { region: entry.region } : {}),
      ...(override?.awsEndpoint ? { endpoint: override.awsEndpoint } : {}),
    };
    return options;
  }

  /** Drop the clients of every registry of one kind (their tokens came from an account that changed). */
  private forgetKind(kind: RegistryKind): void {
    for (const [host, entry] of [...this.clients]) if (entry.provider.kind === kind) this.forget(host);
  }

  /** The kind of registry a host is (without building its client). */
  kindOf(host: string): RegistryKind {
    return this.vendorOverrides.get(host)?.kind ?? this.provider(host).kind;
  }

  /** TEST-ONLY (see VendorOverride): point a host's provider at a fixture API; undefined removes it. */
  overrideVendor(host: string, override: VendorOverride | undefined): void {
    if (override) this.vendorOverrides.set(host, override);
    else this.vendorOverrides.delete(host);
    this.forget(host);
  }

  /** Say that an image was pulled from a host outside this extension's client (through the engine). */
  notePull(host: string): void {
    if (this.kindOf(host) === 'docker-hub') this.pulled.fire(host);
  }

  /** The shared transport, for login checks that must use the same TLS settings and log. */
  sharedTransport(): Transport {
    return this.transport;
  }

  userAgent(): string {
    return USER_AGENT;
  }

  /**
   * The key a registry's credentials are stored under: its host[:port], also for an Artifactory
   * repository path (whose identity includes the path), as docker login keys them.
   */
  credentialKey(host: string): string {
    try {
      return parseRegistryAddress(host).host;
    } catch {
      return host;
    }
  }

  /** Where the credential for a host comes from, for the tree's "signed in" marker. */
  async credentialOrigin(host: string): Promise<CredentialOrigin> {
    const key = this.credentialKey(host);
    if (await this.secrets.get(key)) return 'secret';
    try {
      if (await this.docker()?.get(key)) return 'docker';
    } catch {
      // An unusable credential helper is reported when a request needs it, not here.
    }
    return undefined;
  }

  /** Drop the session and provider (and so their cached tokens) of one host, or of all. */
  forget(host?: string): void {
    if (host === undefined) {
      for (const entry of this.clients.values()) {
        entry.provider.forgetTokens?.();
        entry.session.forgetTokens();
      }
      this.clients.clear();
    } else {
      const entry = this.clients.get(host);
      entry?.provider.forgetTokens?.();
      entry?.session.forgetTokens();
      this.clients.delete(host);
    }
    this.changed.fire(host);
  }

  async hideDockerLogin(host: string): Promise<void> {
    const hidden = new Set(this.context.globalState.get<string[]>(HIDDEN_DOCKER_LOGINS, []));
    hidden.add(host);
    await this.context.globalState.update(HIDDEN_DOCKER_LOGINS, [...hidden]);
  }

  /** "Use my Docker logins" shows every docker login again, including ones disconnected before. */
  async unhideDockerLogins(): Promise<void> {
    await this.context.globalState.update(HIDDEN_DOCKER_LOGINS, undefined);
  }

  /** Repositories the user added by name, for registries that do not list a catalog. Names only. */
  addedRepositories(host: string): string[] {
    return this.context.globalState.get<Record<string, string[]>>(ADDED_REPOSITORIES, {})[host] ?? [];
  }

  async addRepository(host: string, repository: string): Promise<void> {
    const all = { ...this.context.globalState.get<Record<string, string[]>>(ADDED_REPOSITORIES, {}) };
    all[host] = [...new Set([...(all[host] ?? []), repository])].sort();
    await this.context.globalState.update(ADDED_REPOSITORIES, all);
  }

  dispose(): void {
    this.clients.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
    // Closing pooled connections is best effort at shutdown.
    void this.transport.close().catch(() => undefined);
  }

  /**
   * Every request is logged with method, URL (already redacted by the transport), status and time,
   * and the (redacted) proxy it went through. Never headers or bodies: they may carry credentials.
   */
  private createTransport(): Transport {
    const proxy = settings.proxySettings();
    if (proxy) {
      const where = proxy.httpsProxy ?? proxy.httpProxy;
      this.log.info(`requests go through a proxy (${proxy.httpsSource ?? proxy.httpSource}${where ? `: ${redactUrl(where.includes('://') ? where : `http://${where}`)}` : ''})${proxy.noProxy ? `, except NO_PROXY: ${proxy.noProxy}` : ''}`);
    }
    return createTransport({
      userAgent: USER_AGENT,
      ...(proxy ? { proxy } : {}),
      onRequest: (entry: RequestLogEntry) => {
        const outcome = entry.status ?? `failed (${entry.error ?? 'no answer'})`;
        const retry = entry.attempt > 1 ? ` (attempt ${entry.attempt})` : '';
        const via = entry.proxy ? ` via proxy ${entry.proxy}` : '';
        this.log.info(`${entry.method} ${entry.url} ${outcome} ${Math.round(entry.ms)}ms${retry}${via}`);
        // A manifest GET on Docker Hub counts against its pull rate limit (HEADs do not).
        if (entry.method === 'GET' && entry.url.includes('/manifests/')) {
          const host = this.dockerHubHostOf(entry.url);
          if (host) this.pulled.fire(host);
        }
      },
    });
  }

  private reset(): void {
    this.dockerStore = undefined;
    this.forget();
  }

  /** The configured host a request URL went to when that host is Docker Hub (or stands in for it). */
  private dockerHubHostOf(url: string): string | undefined {
    let requestHost: string;
    try {
      requestHost = new URL(url).host.toLowerCase();
    } catch {
      return undefined;
    }
    if (isDockerHubHost(requestHost)) return 'docker.io';
    return this.vendorOverrides.get(requestHost)?.kind === 'docker-hub' ? requestHost : undefined;
  }

  private docker(): DockerConfigStore | undefined {
    if (!settings.useDockerConfig()) return undefined;
    this.dockerStore ??= new DockerConfigStore({ env: process.env });
    return this.dockerStore;
  }

  private endpointFromSetting(entry: settings.RegistrySetting): RegistryEndpoint {
    const endpoint = this.defaultEndpoint(this.credentialKey(entry.host));
    if (entry.pathPrefix) endpoint.pathPrefix = entry.pathPrefix;
    if (entry.allowHttp) endpoint.allowHttp = true;
    if (entry.skipTlsVerify) endpoint.skipTlsVerify = true;
    if (entry.caFile) endpoint.caFile = entry.caFile;
    return endpoint;
  }

  private defaultEndpoint(host: string): RegistryEndpoint {
    // Docker's certs.d for the registry is read as docker reads it (CA certificates, a client certificate).
    const endpoint: RegistryEndpoint = { host, certsDir: certsDirFor(DEFAULT_CERTS_ROOT, host) };
    // Loopback registries speak plain http without being asked, as docker allows.
    if (isLoopbackHost(host.replace(/:\d+$/, ''))) endpoint.allowHttp = true;
    return endpoint;
  }
}

/**
 * Microsoft Entra tokens from VS Code's own Microsoft account, for ACR. Never prompts: a tree listing
 * that needs an account the user has not signed in with shows the sign-in node (Sign In… asks VS
 * Code to create the session). A tenant other than the account's home one is asked with VS Code's
 * VSCODE_TENANT scope.
 */
export function microsoftTokenSource(tenant?: string): EntraTokenSource {
  return async ({ scopes }) => {
    const session = await vscode.authentication.getSession(MICROSOFT_AUTH_PROVIDER, microsoftScopes(scopes, tenant), { silent: true });
    if (!session) throw new CloudCredentialError('azure', 'not-signed-in', 'your VS Code Microsoft account');
    return { token: session.accessToken };
  };
}

export function microsoftScopes(scopes: readonly string[], tenant?: string): string[] {
  return tenant ? [...scopes, `VSCODE_TENANT:${tenant}`] : [...scopes];
}
