// Connect Registry…: URL (validated by the reference parser), optional display name, connection
// options (plain HTTP, skip TLS verification, CA file), then optionally sign in. The registry is
// saved in the user's registryExplorer.registries setting, where it can also be edited by hand.
// Docker Hub, GitHub Container Registry and GitLab (gitlab.com, or a self-managed instance saved in
// registryExplorer.gitlab.instances) are offered by name: they need no URL or connection options.
// Harbor, Quay (quay.io or a Red Hat Quay of your own) and JFrog Artifactory are offered by name too:
// they need only their URL, and are saved with the `kind` that makes them browsed through their API.
import * as vscode from 'vscode';
import { ARTIFACTORY_DOCKER_PATH, parseRegistryAddress, isLoopbackHost, registryName } from '../../reference';
import { GHCR_HOST, GITLAB_COM } from '../../registries';
import { isNode } from '../tree/nodes';
import * as settings from '../settings';
import type { CommandContext } from './context';
import { login, type LoginArgs } from './login';
import { validate } from './pickers';

/** For scripted use (tests, the demo): everything the prompts would ask. */
export interface ConnectArgs {
  url: string;
  name?: string;
  allowHttp?: boolean;
  skipTlsVerify?: boolean;
  caFile?: string;
  /** Sign in right away with these (checked against the registry first). */
  credentials?: LoginArgs;
  /** A self-managed GitLab: its instance URL (saved in registryExplorer.gitlab.instances with `url` as its registry). */
  gitlabUrl?: string;
  /** Harbor, Quay or Artifactory: saved as the entry's `kind`. */
  kind?: settings.VendorKind;
  /** Artifactory's port method: the Docker repository the port serves. */
  repositoryKey?: string;
  /** Artifactory's subdomain and port methods: its REST API (https://art.example.com/artifactory). */
  apiUrl?: string;
}

/** quay.io is Quay whatever the setting says; self-hosted Red Hat Quay is named by its URL. */
const QUAY_IO = 'quay.io';

type Option = vscode.QuickPickItem & { key: 'allowHttp' | 'skipTlsVerify' | 'caFile' };

export async function connectRegistry(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  const given = isConnectArgs(arg) ? arg : undefined;
  const entry = given ?? (await ask(typeof arg === 'string' ? arg : undefined));
  if (!entry) return undefined;
  const host = registryName(parseRegistryAddress(entry.url.trim()));

  if (entry.gitlabUrl) await settings.addGitLabInstance({ url: entry.gitlabUrl.trim().replace(/\/+$/, ''), registry: host });
  await settings.addRegistry({
    url: entry.url.trim(),
    name: entry.name?.trim() || undefined,
    allowHttp: entry.allowHttp,
    skipTlsVerify: entry.skipTlsVerify,
    caFile: entry.caFile,
    kind: entry.kind,
    repositoryKey: entry.repositoryKey,
    apiUrl: entry.apiUrl,
  });
  ctx.service.forget(host);
  ctx.tree.refresh();

  if (entry.credentials) {
    await login(ctx, host, entry.credentials);
  } else if (!given) {
    const choice = await vscode.window.showQuickPick(
      [
        { label: '$(sign-in) Sign in now…', value: true },
        { label: '$(globe) Continue anonymously', description: entry.kind ? 'public repositories only; sign in later from the registry\'s menu' : 'sign in later from the registry\'s menu', value: false },
      ],
      { title: `Connected ${host}`, placeHolder: 'Does this registry need credentials?' },
    );
    if (choice?.value) await login(ctx, host);
  }

  const node = await ctx.tree.registryNode(host);
  if (node && ctx.view.visible) await ctx.view.reveal(node, { select: true, focus: true, expand: true }).then(undefined, () => undefined);
  return host;
}

/** A self-managed GitLab: the instance's URL, then its registry host (usually registry.<instance host>). */
async function askGitLab(title: string): Promise<ConnectArgs | undefined> {
  const instance = await vscode.window.showInputBox({
    title,
    prompt: 'URL of your GitLab instance',
    placeHolder: 'https://gitlab.example.com',
    ignoreFocusOut: true,
    validateInput: (v) => {
      const entry = settings.validateGitLabInstance({ url: v.trim(), registry: 'registry.example.com' });
      return typeof entry === 'string' ? entry : undefined;
    },
  });
  if (!instance) return undefined;
  const instanceHost = new URL(instance.trim()).host;
  const registry = await vscode.window.showInputBox({
    title,
    prompt: `Container registry host of ${instanceHost} (Admin → Settings → CI/CD → Container Registry, or the host in "docker login")`,
    value: `registry.${instanceHost}`,
    ignoreFocusOut: true,
    validateInput: (v) => validate(() => parseRegistryAddress(v.trim())),
  });
  if (!registry) return undefined;
  return { url: registry.trim(), gitlabUrl: instance.trim(), name: `GitLab (${instanceHost})` };
}

/** Harbor, self-hosted Quay, Artifactory: the URL people open in a browser, which is also the registry's. */
async function askVendorUrl(title: string, kind: settings.VendorKind, product: string, placeHolder: string): Promise<ConnectArgs | undefined> {
  const url = await vscode.window.showInputBox({
    title,
    prompt: `URL of your ${product} (http:// only for one without TLS)`,
    placeHolder,
    ignoreFocusOut: true,
    validateInput: (v) => validate(() => parseRegistryAddress(v.trim())),
  });
  if (!url) return undefined;
  return { url: url.trim(), kind };
}

async function askQuay(title: string): Promise<ConnectArgs | undefined> {
  const where = await vscode.window.showQuickPick(
    [
      { label: '$(globe) quay.io', description: 'Red Hat\'s public Quay', value: 'quay.io' as const },
      { label: '$(server) Red Hat Quay of your own…', description: 'its URL', value: 'self' as const },
    ],
    { title, placeHolder: 'Which Quay?', ignoreFocusOut: true },
  );
  if (!where) return undefined;
  if (where.value === 'quay.io') return { url: QUAY_IO, kind: 'quay' };
  return askVendorUrl(title, 'quay', 'Red Hat Quay', 'https://quay.example.com');
}

/**
 * Artifactory: its URL, then which of its three Docker access methods the registry is reached by
 * (the repository path, a subdomain or a port per repository) and what that method needs.
 */
async function askArtifactory(title: string): Promise<ConnectArgs | undefined> {
  const typed = await vscode.window.showInputBox({
    title,
    prompt: 'URL of your JFrog Artifactory, as you open it in a browser',
    placeHolder: 'https://art.example.com, https://example.jfrog.io',
    ignoreFocusOut: true,
    validateInput: (v) => validate(() => parseRegistryAddress(v.trim())),
  });
  if (!typed) return undefined;
  const address = parseRegistryAddress(typed.trim());
  // Already a repository path (…/artifactory/api/docker/KEY): nothing more to ask.
  if (address.pathPrefix) return { url: typed.trim(), kind: 'artifactory' };
  const origin = `${address.scheme ?? 'https'}://${address.host}`;
  const method = await vscode.window.showQuickPick(
    [
      { label: '$(repo) Repository path', description: `${address.host}/REPOSITORY-KEY/image`, detail: 'Artifactory\'s default: every Docker repository, or one by its key', value: 'path' as const },
      { label: '$(globe) Subdomain', description: `REPOSITORY-KEY.${address.host}/image`, detail: 'each repository has a host name of its own (a reverse proxy in front)', value: 'subdomain' as const },
      { label: '$(plug) Port', description: `${address.host}:PORT/image`, detail: 'each repository has a port of its own (a reverse proxy in front)', value: 'port' as const },
    ],
    { title, placeHolder: 'How does docker reach this Artifactory\'s repositories?', ignoreFocusOut: true },
  );
  if (!method) return undefined;
  const apiUrl = `${origin}/artifactory`;
  const askKey = (prompt: string, optional: boolean) =>
    vscode.window.showInputBox({
      title,
      prompt,
      placeHolder: 'docker-local',
      ignoreFocusOut: true,
      // The reference parser knows what a repository key may be.
      validateInput: (v) => (!v.trim() ? (optional ? undefined : 'Enter the repository key') : validate(() => parseRegistryAddress(`${origin}${ARTIFACTORY_DOCKER_PATH}${v.trim()}`))),
    });
  if (method.value === 'path') {
    const key = await askKey('Repository key, for one Docker repository only (empty: every Docker repository of it)', true);
    if (key === undefined) return undefined;
    return { url: key.trim() ? `${origin}${ARTIFACTORY_DOCKER_PATH}${key.trim()}` : origin, kind: 'artifactory' };
  }
  const key = await askKey('Repository key of the Docker repository', false);
  if (!key) return undefined;
  if (method.value === 'subdomain') return { url: `${address.scheme ?? 'https'}://${key.trim()}.${address.host}`, kind: 'artifactory', apiUrl };
  const port = await vscode.window.showInputBox({
    title,
    prompt: `Port that serves ${key.trim()}`,
    placeHolder: '5001',
    ignoreFocusOut: true,
    validateInput: (v) => (/^\d{1,5}$/.test(v.trim()) && Number(v) > 0 && Number(v) < 65536 ? undefined : 'A port is a number from 1 to 65535'),
  });
  if (!port) return undefined;
  const hostname = address.host.replace(/:\d+$/, '');
  return { url: `${address.scheme ?? 'https'}://${hostname}:${port.trim()}`, kind: 'artifactory', repositoryKey: key.trim(), apiUrl };
}

/** A ConnectArgs object, not a tree node (which has a `kind` of its own) or a host string. */
function isConnectArgs(value: unknown): value is ConnectArgs {
  return !!value && typeof value === 'object' && !isNode(value) && typeof (value as ConnectArgs).url === 'string';
}

type Choice = vscode.QuickPickItem & { value: 'docker-hub' | 'ghcr' | 'gitlab' | 'gitlab-self' | 'harbor' | 'quay' | 'artifactory' | 'url' };

async function ask(initialUrl?: string): Promise<ConnectArgs | undefined> {
  const title = 'Connect Registry';
  if (initialUrl === undefined) {
    const choices: Choice[] = [
      { label: '$(globe) Docker Hub', description: 'docker.io', detail: 'Official images without signing in; your repositories with a personal access token', value: 'docker-hub' },
      { label: '$(github) GitHub Container Registry', description: GHCR_HOST, detail: 'Your and your organisations\' container packages, with your GitHub account or a token', value: 'ghcr' },
      { label: '$(source-control) GitLab', description: GITLAB_COM.registry, detail: 'Your groups\' and projects\' container registries on gitlab.com, with an access token', value: 'gitlab' },
      { label: '$(source-control) Self-managed GitLab…', description: 'your instance\'s URL', value: 'gitlab-self' },
      { label: '$(shield) Harbor…', description: 'its URL', detail: 'Projects → repositories → artifacts and tags, vulnerability scans and Scan Now; a user, robot account or OIDC CLI secret', value: 'harbor' },
      { label: '$(package) Quay…', description: 'quay.io or Red Hat Quay', detail: 'Organizations and users → repositories → tags with security scans; a robot account or OAuth token, or anonymous', value: 'quay' },
      { label: '$(database) JFrog Artifactory…', description: 'its URL', detail: 'Docker repositories (local, remote, virtual) → images → tags; a user with an identity token or API key', value: 'artifactory' },
      { label: '$(server) Another registry…', description: 'host[:port] or URL', detail: 'Any registry speaking the Distribution (OCI) API: Nexus, a cloud registry, a local registry…', value: 'url' },
    ];
    const picked = await vscode.window.showQuickPick(choices, { title, placeHolder: 'Which registry?', ignoreFocusOut: true });
    if (!picked) return undefined;
    if (picked.value === 'docker-hub') return { url: 'docker.io' };
    if (picked.value === 'ghcr') return { url: GHCR_HOST };
    if (picked.value === 'gitlab') return { url: GITLAB_COM.registry };
    if (picked.value === 'gitlab-self') return askGitLab(title);
    if (picked.value === 'harbor') return askVendorUrl(title, 'harbor', 'Harbor', 'https://harbor.example.com');
    if (picked.value === 'quay') return askQuay(title);
    if (picked.value === 'artifactory') return askArtifactory(title);
  }
  const url = await vscode.window.showInputBox({
    title,
    prompt: 'Registry host[:port] or URL (http:// for a registry without TLS)',
    placeHolder: 'registry.example.com, localhost:5000, https://ghcr.io',
    value: initialUrl,
    ignoreFocusOut: true,
    validateInput: (v) => validate(() => parseRegistryAddress(v.trim())),
  });
  if (!url) return undefined;
  const address = parseRegistryAddress(url.trim());

  const name = await vscode.window.showInputBox({
    title,
    prompt: 'Display name (optional)',
    placeHolder: address.host,
    ignoreFocusOut: true,
  });
  if (name === undefined) return undefined;

  // Plain HTTP is pre-selected when the user typed http://; loopback registries get it anyway.
  const options: Option[] = [
    { key: 'allowHttp', label: 'Allow plain HTTP', description: isLoopbackHost(address.host) ? 'loopback registries are allowed HTTP anyway' : 'only for registries without TLS', picked: address.scheme === 'http' },
    { key: 'skipTlsVerify', label: 'Skip TLS certificate verification', description: 'self-signed test registries only' },
    { key: 'caFile', label: 'Trust a CA certificate file…', description: 'PEM file that signed the registry\'s certificate' },
  ];
  const picked = await vscode.window.showQuickPick(options, {
    title,
    canPickMany: true,
    placeHolder: 'Connection options (none needed for most registries) — press Enter to continue',
    ignoreFocusOut: true,
  });
  if (picked === undefined) return undefined;
  const chosen = new Set(picked.map((p) => p.key));

  let caFile: string | undefined;
  if (chosen.has('caFile')) {
    const files = await vscode.window.showOpenDialog({ title: 'CA certificate (PEM)', canSelectMany: false, filters: { 'PEM certificates': ['pem', 'crt', 'cer'], 'All files': ['*'] } });
    if (!files?.[0]) return undefined;
    caFile = files[0].fsPath;
  }
  return {
    url: url.trim(),
    name: name.trim() || undefined,
    allowHttp: chosen.has('allowHttp') || undefined,
    skipTlsVerify: chosen.has('skipTlsVerify') || undefined,
    caFile,
  };
}
