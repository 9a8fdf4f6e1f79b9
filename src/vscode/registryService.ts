// Owns everything the editor needs to talk to registries: one shared transport (one connection pool
// per origin), one session + client per registry host, the credential lookup order, and the
// "Registry Explorer" log. Sessions are rebuilt when settings or credentials change, so a new
// password or a new TLS option takes effect on the next request without reloading the window.
import * as vscode from 'vscode';
import { DockerConfigStore } from '../credentials';
import type { Credential, CredentialStore } from '../credentials/types';
import { RegistryClient } from '../distribution/client';
import { createSession } from '../distribution/session';
import { createTransport, type RequestLogEntry, type Transport } from '../distribution/transport';
import type { RegistryEndpoint, RegistrySession } from '../distribution/types';
import { isLoopbackHost } from '../reference';
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
  private readonly transport: Transport;
  private readonly clients = new Map<string, { session: RegistrySession; client: RegistryClient }>();
  private dockerStore: DockerConfigStore | undefined;
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  /** Fires with a host when that registry's connection changed (credentials), or undefined for all. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('Registry Explorer', { log: true });
    this.secrets = new SecretCredentialStore(context.secrets);
    this.credentials = new EditorCredentials(this.secrets, () => this.docker());
    // Every request is logged with method, URL (already redacted by the transport), status and time.
    // Never headers or bodies: they may carry credentials.
    this.transport = createTransport({
      userAgent: USER_AGENT,
      onRequest: (entry: RequestLogEntry) => {
        const outcome = entry.status ?? `failed (${entry.error ?? 'no answer'})`;
        const retry = entry.attempt > 1 ? ` (attempt ${entry.attempt})` : '';
        this.log.info(`${entry.method} ${entry.url} ${outcome} ${Math.round(entry.ms)}ms${retry}`);
      },
    });
    this.disposables.push(
      this.log,
      this.secrets,
      this.changed,
      this.secrets.onDidChange(() => this.reset()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('registryExplorer.registries') || e.affectsConfiguration('registryExplorer.useDockerConfig')) this.reset();
      }),
    );
  }

  /** The roots of the Registries view: settings first, then docker logins not already listed. */
  async roots(): Promise<RegistryRoot[]> {
    const result: RegistryRoot[] = settings.registries().map((entry) => ({
      host: entry.host,
      label: entry.name ?? entry.host,
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
        this.log.warn(`could not read docker logins: ${err instanceof Error ? err.message : String(err)}`);
      }
      for (const host of hosts) {
        if (hidden.has(host) || result.some((r) => r.host === host)) continue;
        result.push({ host, label: host, source: 'docker', endpoint: this.defaultEndpoint(host) });
      }
    }
    return result;
  }

  /** The endpoint for a host: its settings entry if any, else defaults (plain http only on loopback). */
  endpoint(host: string): RegistryEndpoint {
    const entry = settings.registries().find((r) => r.host === host);
    return entry ? this.endpointFromSetting(entry) : this.defaultEndpoint(host);
  }

  /** One client per host, reused until credentials or settings change. */
  client(host: string): RegistryClient {
    let entry = this.clients.get(host);
    if (!entry) {
      const session = createSession(this.endpoint(host), { credentials: this.credentials, transport: this.transport, userAgent: USER_AGENT });
      entry = { session, client: new RegistryClient(session) };
      this.clients.set(host, entry);
    }
    return entry.client;
  }

  /** The shared transport, for login checks that must use the same TLS settings and log. */
  sharedTransport(): Transport {
    return this.transport;
  }

  userAgent(): string {
    return USER_AGENT;
  }

  /** Where the credential for a host comes from, for the tree's "signed in" marker. */
  async credentialOrigin(host: string): Promise<CredentialOrigin> {
    if (await this.secrets.get(host)) return 'secret';
    try {
      if (await this.docker()?.get(host)) return 'docker';
    } catch {
      // An unusable credential helper is reported when a request needs it, not here.
    }
    return undefined;
  }

  /** Drop the session (and so its cached tokens) of one host, or of all. */
  forget(host?: string): void {
    if (host === undefined) {
      for (const entry of this.clients.values()) entry.session.forgetTokens();
      this.clients.clear();
    } else {
      this.clients.get(host)?.session.forgetTokens();
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

  private reset(): void {
    this.dockerStore = undefined;
    this.forget();
  }

  private docker(): DockerConfigStore | undefined {
    if (!settings.useDockerConfig()) return undefined;
    this.dockerStore ??= new DockerConfigStore({ env: process.env });
    return this.dockerStore;
  }

  private endpointFromSetting(entry: settings.RegistrySetting): RegistryEndpoint {
    const endpoint = this.defaultEndpoint(entry.host);
    if (entry.allowHttp) endpoint.allowHttp = true;
    if (entry.skipTlsVerify) endpoint.skipTlsVerify = true;
    if (entry.caFile) endpoint.caFile = entry.caFile;
    return endpoint;
  }

  private defaultEndpoint(host: string): RegistryEndpoint {
    // Loopback registries speak plain http without being asked, as docker allows.
    return isLoopbackHost(host.replace(/:\d+$/, '')) ? { host, allowHttp: true } : { host };
  }
}
