// The one place that reads `registryExplorer.*` settings. Everything else asks this module, so the
// setting names and their validation live together. A bad entry is reported once and skipped: a typo
// in one registry must not hide the others or break activation.
import * as vscode from 'vscode';
import { parseRegistryAddress, registryName } from '../reference';
import { describeError } from '../errors/describe';
import { proxySettingsFromEnv, type ProxySettings } from '../distribution/proxy';
import type { GitLabInstance } from '../registries';

const SECTION = 'registryExplorer';

export type TagSort = 'name' | 'semver' | 'newest';

/**
 * What `registryExplorer.registries[].kind` may say: the registries whose host does not tell, and the
 * clouds (whose hosts do, but whose entries carry the cloud's own fields: profile, tenant, projects).
 */
export const VENDOR_KINDS = ['harbor', 'quay', 'artifactory', 'ecr', 'acr', 'artifact-registry'] as const;
export type VendorKind = (typeof VENDOR_KINDS)[number];
export const CLOUD_KINDS = ['ecr', 'acr', 'artifact-registry'] as const;
export type CloudKind = (typeof CLOUD_KINDS)[number];

export function isCloudKind(kind: string | undefined): kind is CloudKind {
  return CLOUD_KINDS.some((k) => k === kind);
}

/** One entry of `registryExplorer.registries`, validated and normalised. */
export interface RegistrySetting {
  /**
   * The registry's identity everywhere: its normalised host[:port], plus the path prefix of an
   * Artifactory repository path ("art.example.com/artifactory/api/docker/docker-local"), as references name it.
   */
  host: string;
  /** Artifactory's repository path ("/artifactory/api/docker/docker-local"): where the registry API answers on its host. */
  pathPrefix?: string;
  /** The url as the user wrote it, so edits can find the entry again. */
  url: string;
  name?: string;
  allowHttp?: boolean;
  skipTlsVerify?: boolean;
  caFile?: string;
  /** Harbor, Quay or Artifactory: browsed through that product's API. Absent: known by its host, else generic. */
  kind?: VendorKind;
  /** Artifactory's port method: the Docker repository the port serves. */
  repositoryKey?: string;
  /** Artifactory's subdomain and port methods: where its REST API answers (https://art.example.com/artifactory). */
  apiUrl?: string;
  /** ECR: the AWS profile of ~/.aws/config whose credentials are used (absent: AWS_PROFILE, else the default chain). */
  awsProfile?: string;
  /** ECR: the region (absent: the one in the host; ECR Public: us-east-1). */
  region?: string;
  /** ACR: the Microsoft Entra tenant to sign in to (absent: the account's home tenant). */
  tenant?: string;
  /** Artifact Registry: the Google Cloud projects browsed (absent: gcloud's / the client libraries' project). */
  projects?: string[];
}

/** Fields of an entry that only one kind of registry takes. Never a token or secret: those stay with the cloud or in SecretStorage. */
const KIND_FIELDS: Record<string, VendorKind> = {
  repositoryKey: 'artifactory',
  apiUrl: 'artifactory',
  awsProfile: 'ecr',
  region: 'ecr',
  tenant: 'acr',
  projects: 'artifact-registry',
};

const reported = new Set<string>();

/** Warn about a bad setting value once per window, not on every tree refresh. */
function reportOnce(key: string, message: string): void {
  if (reported.has(key)) return;
  reported.add(key);
  void vscode.window.showWarningMessage(message, 'Open Settings').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.registries`);
  });
}

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

/** Validate one raw entry: the entry, or why it cannot be used. */
export function validateRegistryEntry(raw: unknown): RegistrySetting | string {
  if (typeof raw === 'string') raw = { url: raw };
  if (!raw || typeof raw !== 'object') return 'an entry is not an object with a "url"';
  const entry = raw as Record<string, unknown>;
  if (typeof entry.url !== 'string' || !entry.url.trim()) return 'an entry has no "url"';
  let address: ReturnType<typeof parseRegistryAddress>;
  try {
    address = parseRegistryAddress(entry.url.trim());
  } catch (err) {
    return describeError(err);
  }
  const host = registryName(address);
  const optionalString = (k: string): string | undefined => (typeof entry[k] === 'string' && (entry[k] as string).trim() ? (entry[k] as string).trim() : undefined);
  const optionalBool = (k: string): boolean | undefined => (typeof entry[k] === 'boolean' ? (entry[k] as boolean) : undefined);
  // "http://" in the url is the user saying plain HTTP is intended.
  const allowHttp = optionalBool('allowHttp') ?? (address.scheme === 'http' ? true : undefined);
  let kind: VendorKind | undefined;
  if (entry.kind !== undefined) {
    kind = VENDOR_KINDS.find((k) => k === entry.kind);
    if (!kind) return `the entry for ${host} has "kind": ${JSON.stringify(entry.kind)}; it must be one of ${VENDOR_KINDS.map((k) => `"${k}"`).join(', ')}, or left out`;
  }
  const repositoryKey = optionalString('repositoryKey');
  const apiUrl = optionalString('apiUrl');
  for (const [field, owner] of Object.entries(KIND_FIELDS)) {
    if (entry[field] !== undefined && kind !== owner) return `the entry for ${host} has "${field}", which only a registry with "kind": "${owner}" takes`;
  }
  const projects = entry.projects === undefined ? undefined : Array.isArray(entry.projects) ? entry.projects.filter((p): p is string => typeof p === 'string' && !!p.trim()).map((p) => p.trim()) : null;
  if (projects === null || (projects && projects.some((p) => !/^[a-z][a-z0-9.:-]{4,62}$/.test(p)))) return `the entry for ${host} has "projects" that are not a list of Google Cloud project IDs (my-project-123)`;
  const region = optionalString('region');
  if (region && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) return `the entry for ${host} has "region": "${region}" is not an AWS region (us-east-1)`;
  if (apiUrl) {
    const problem = httpUrlProblem(apiUrl);
    if (problem) return `the entry for ${host} has "apiUrl": ${problem}`;
  }
  return {
    host,
    url: entry.url,
    name: optionalString('name'),
    allowHttp,
    skipTlsVerify: optionalBool('skipTlsVerify'),
    caFile: optionalString('caFile'),
    kind,
    ...(address.pathPrefix ? { pathPrefix: address.pathPrefix } : {}),
    ...(repositoryKey ? { repositoryKey } : {}),
    ...(apiUrl ? { apiUrl: apiUrl.replace(/\/+$/, '') } : {}),
    ...(optionalString('awsProfile') ? { awsProfile: optionalString('awsProfile') } : {}),
    ...(region ? { region } : {}),
    ...(optionalString('tenant') ? { tenant: optionalString('tenant') } : {}),
    ...(projects?.length ? { projects } : {}),
  };
}

/** Why a URL setting is unusable (not http(s), credentials in it), or undefined. */
function httpUrlProblem(value: string, example = 'https://art.example.com/artifactory'): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not a URL (${example})`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `"${value}" is not an http(s) URL`;
  if (url.username || url.password) return 'credentials do not belong in the URL: use Sign In…';
  return undefined;
}

/** The registries from settings, deduplicated by host (the first entry wins). */
export function registries(): RegistrySetting[] {
  const raw = config().get<unknown>('registries', []);
  if (!Array.isArray(raw)) {
    reportOnce('registries:not-array', 'Registry Explorer: the "registryExplorer.registries" setting must be a list of { "url": … } entries.');
    return [];
  }
  const seen = new Set<string>();
  const result: RegistrySetting[] = [];
  for (const item of raw) {
    const entry = validateRegistryEntry(item);
    if (typeof entry === 'string') {
      reportOnce(`registries:${JSON.stringify(item)}`, `Registry Explorer: skipped an entry of "registryExplorer.registries": ${entry}`);
      continue;
    }
    if (seen.has(entry.host)) continue;
    seen.add(entry.host);
    result.push(entry);
  }
  return result;
}

/** The largest registryExplorer.pageSize (package.json's maximum), and so the most one list request asks for. */
export const MAX_PAGE_SIZE = 1000;

export function pageSize(): number {
  const value = config().get<number>('pageSize', 100);
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    reportOnce('pageSize', `Registry Explorer: "registryExplorer.pageSize" must be a whole number from 1 to ${MAX_PAGE_SIZE}; using 100.`);
    return 100;
  }
  return value;
}

export function tagSort(): TagSort {
  const value = config().get<string>('tags.sort', 'semver');
  if (value === 'name' || value === 'semver' || value === 'newest') return value;
  reportOnce('tags.sort', 'Registry Explorer: "registryExplorer.tags.sort" must be "name", "semver" or "newest"; using "semver".');
  return 'semver';
}

export function dockerHost(): string | undefined {
  const value = config().get<string>('docker.host', '');
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/**
 * Self-managed GitLab instances (`registryExplorer.gitlab.instances`): where each one's API answers
 * and which registry host belongs to it, so that host is browsed through the GitLab API.
 */
export function gitlabInstances(): GitLabInstance[] {
  const raw = config().get<unknown>('gitlab.instances', []);
  if (!Array.isArray(raw)) {
    reportOnce('gitlab.instances:not-array', 'Registry Explorer: "registryExplorer.gitlab.instances" must be a list of { "url": …, "registry": … } entries.');
    return [];
  }
  const result: GitLabInstance[] = [];
  for (const item of raw) {
    const entry = validateGitLabInstance(item);
    if (typeof entry === 'string') {
      reportOnce(`gitlab.instances:${JSON.stringify(item)}`, `Registry Explorer: skipped an entry of "registryExplorer.gitlab.instances": ${entry}`);
      continue;
    }
    result.push(entry);
  }
  return result;
}

/** One `{ url, registry }` entry: url is the instance (https, or http on loopback), registry its registry host. */
export function validateGitLabInstance(raw: unknown): GitLabInstance | string {
  if (!raw || typeof raw !== 'object') return 'an entry is not an object with "url" and "registry"';
  const entry = raw as Record<string, unknown>;
  if (typeof entry.url !== 'string' || !entry.url.trim()) return 'an entry has no "url"';
  const problem = httpUrlProblem(entry.url.trim(), 'https://gitlab.example.com');
  if (problem) return problem;
  const url = new URL(entry.url.trim());
  if (typeof entry.registry !== 'string' || !entry.registry.trim()) return `the entry for ${url.host} has no "registry" (its registry host, e.g. registry.${url.host})`;
  let registry: string;
  try {
    registry = parseRegistryAddress(entry.registry.trim()).host;
  } catch (err) {
    return describeError(err);
  }
  return { url: `${url.origin}${url.pathname.replace(/\/+$/, '')}`, registry };
}

/** Add or replace (by registry host) a self-managed GitLab instance in the user settings. */
export async function addGitLabInstance(instance: GitLabInstance): Promise<void> {
  const current = config().inspect<unknown[]>('gitlab.instances')?.globalValue;
  const kept = (Array.isArray(current) ? current : []).filter((item) => {
    const entry = validateGitLabInstance(item);
    return typeof entry === 'string' || entry.registry !== instance.registry;
  });
  await config().update('gitlab.instances', [...kept, { url: instance.url, registry: instance.registry }], vscode.ConfigurationTarget.Global);
}

export function useDockerConfig(): boolean {
  return config().get<boolean>('useDockerConfig', true) !== false;
}

/** Add a registry (Connect Registry) to the user settings; replaces an entry for the same host. */
export async function addRegistry(entry: Omit<RegistrySetting, 'host' | 'pathPrefix'>): Promise<void> {
  const current = userRegistriesRaw();
  const host = registryName(parseRegistryAddress(entry.url));
  const kept = current.filter((item) => hostOf(item) !== host);
  const clean: Record<string, unknown> = { url: entry.url };
  if (entry.name) clean.name = entry.name;
  if (entry.allowHttp) clean.allowHttp = true;
  if (entry.skipTlsVerify) clean.skipTlsVerify = true;
  if (entry.caFile) clean.caFile = entry.caFile;
  if (entry.kind) clean.kind = entry.kind;
  if (entry.repositoryKey) clean.repositoryKey = entry.repositoryKey;
  if (entry.apiUrl) clean.apiUrl = entry.apiUrl;
  if (entry.awsProfile) clean.awsProfile = entry.awsProfile;
  if (entry.region) clean.region = entry.region;
  if (entry.tenant) clean.tenant = entry.tenant;
  if (entry.projects?.length) clean.projects = entry.projects;
  await config().update('registries', [...kept, clean], vscode.ConfigurationTarget.Global);
}

/**
 * Change fields of a registry's user-settings entry in place (undefined removes one); the other
 * fields stay as the user wrote them. An entry from workspace settings is left alone.
 */
export async function updateRegistry(host: string, fields: Partial<Pick<RegistrySetting, 'awsProfile' | 'region' | 'tenant' | 'projects'>>): Promise<boolean> {
  const current = userRegistriesRaw();
  const index = current.findIndex((item) => hostOf(item) === host);
  if (index < 0) return false;
  const item = current[index];
  const entry: Record<string, unknown> = typeof item === 'string' ? { url: item } : { ...(item as Record<string, unknown>) };
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || (Array.isArray(value) && !value.length)) delete entry[key];
    else entry[key] = value;
  }
  const next = [...current];
  next[index] = entry;
  await config().update('registries', next, vscode.ConfigurationTarget.Global);
  return true;
}

/** Remove a registry from every settings scope that lists it. Returns false if none did. */
export async function removeRegistry(host: string): Promise<boolean> {
  const inspected = config().inspect<unknown[]>('registries');
  let removed = false;
  const scopes: [unknown[] | undefined, vscode.ConfigurationTarget][] = [
    [inspected?.globalValue, vscode.ConfigurationTarget.Global],
    [inspected?.workspaceValue, vscode.ConfigurationTarget.Workspace],
    [inspected?.workspaceFolderValue, vscode.ConfigurationTarget.WorkspaceFolder],
  ];
  for (const [value, target] of scopes) {
    if (!Array.isArray(value)) continue;
    const kept = value.filter((item) => hostOf(item) !== host);
    if (kept.length !== value.length) {
      await config().update('registries', kept, target);
      removed = true;
    }
  }
  return removed;
}

export async function setUseDockerConfig(on: boolean): Promise<void> {
  await config().update('useDockerConfig', on, vscode.ConfigurationTarget.Global);
}

function userRegistriesRaw(): unknown[] {
  const value = config().inspect<unknown[]>('registries')?.globalValue;
  return Array.isArray(value) ? value : [];
}

function hostOf(item: unknown): string | undefined {
  const entry = validateRegistryEntry(item);
  return typeof entry === 'string' ? undefined : entry.host;
}

/** True when a change affects how registries are reached: which ones, their credentials, their vendor API. */
export function affectsConnections(e: vscode.ConfigurationChangeEvent): boolean {
  return ['registries', 'useDockerConfig', 'gitlab.instances'].some((k) => e.affectsConfiguration(`${SECTION}.${k}`));
}

/** True when the Docker engine address changed. */
export function affectsDockerHost(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(`${SECTION}.docker.host`);
}

/** True when a configuration change touches anything the Registries view shows. */
export function affectsRegistries(e: vscode.ConfigurationChangeEvent): boolean {
  return ['registries', 'pageSize', 'tags.sort', 'useDockerConfig', 'gitlab.instances'].some((k) => e.affectsConfiguration(`${SECTION}.${k}`));
}

/**
 * The proxy for registry requests, from VS Code's own settings (the extension host does not proxy
 * bundled undici requests for us): `http.proxy` for http and https alike, `http.noProxy` (NO_PROXY
 * syntax, one entry per item), `http.proxyStrictSSL`. With `http.proxy` empty, the environment's
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY apply (as VS Code itself falls back to them), with `http.noProxy`
 * added to NO_PROXY. `http.proxySupport: "off"` turns proxying off. undefined = direct.
 */
export function proxySettings(env: NodeJS.ProcessEnv = process.env): ProxySettings | undefined {
  const http = vscode.workspace.getConfiguration('http');
  if (http.get<string>('proxySupport') === 'off') return undefined;
  const proxy = http.get<string>('proxy', '');
  const rawNoProxy = http.get<unknown>('noProxy', []);
  const noProxyList = (Array.isArray(rawNoProxy) ? rawNoProxy : []).filter((x): x is string => typeof x === 'string' && !!x.trim()).map((x) => x.trim());
  const strictSsl = http.get<boolean>('proxyStrictSSL', true) !== false;
  if (typeof proxy === 'string' && proxy.trim()) {
    return {
      httpsProxy: proxy.trim(),
      httpProxy: proxy.trim(),
      httpsSource: 'the http.proxy setting',
      httpSource: 'the http.proxy setting',
      ...(noProxyList.length ? { noProxy: noProxyList.join(','), noProxySource: 'the http.noProxy setting' } : {}),
      strictSsl,
    };
  }
  const fromEnv = proxySettingsFromEnv(env);
  if (!fromEnv) return undefined;
  const noProxy = [fromEnv.noProxy, ...noProxyList].filter(Boolean).join(',');
  return { ...fromEnv, ...(noProxy ? { noProxy } : {}), strictSsl };
}

/** True when VS Code's proxy settings changed: the registry transport must be rebuilt. */
export function affectsProxy(e: vscode.ConfigurationChangeEvent): boolean {
  return ['http.proxy', 'http.noProxy', 'http.proxyStrictSSL', 'http.proxySupport'].some((k) => e.affectsConfiguration(k));
}
