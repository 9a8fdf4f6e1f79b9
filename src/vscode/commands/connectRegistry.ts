// Connect Registry…: URL (validated by the reference parser), optional display name, connection
// options (plain HTTP, skip TLS verification, CA file), then optionally sign in. The registry is
// saved in the user's registryExplorer.registries setting, where it can also be edited by hand.
// Docker Hub, GitHub Container Registry and GitLab (gitlab.com, or a self-managed instance saved in
// registryExplorer.gitlab.instances) are offered by name: they need no URL or connection options.
// Harbor, Quay (quay.io or a Red Hat Quay of your own) and JFrog Artifactory are offered by name too:
// they need only their URL, and are saved with the `kind` that makes them browsed through their API.
// The clouds sign in before anything is saved: Amazon ECR (an AWS profile, a region and the account:
// <account>.dkr.ecr.<region>.amazonaws.com), Amazon ECR Public, Azure Container Registry (the login
// server; VS Code's Microsoft account, the admin user or a scoped token) and Google Artifact Registry /
// gcr.io (a location and projects; Application Default Credentials or a service-account key). The
// entry keeps the profile, region, tenant and projects, never a token.
import * as vscode from 'vscode';
import { ARTIFACTORY_DOCKER_PATH, parseRegistryAddress, isLoopbackHost, registryName } from '../../reference';
import { ECR_PUBLIC_HOST, GHCR_HOST, GITLAB_COM, ecrRegistryHost } from '../../registries';
import { isNode } from '../tree/nodes';
import * as settings from '../settings';
import type { CommandContext } from './context';
import { login, pickAwsProfile, vendorSignIn, type LoginArgs } from './login';
import { validate } from './pickers';

/**
 * For scripted use (tests, the demo): everything the prompts would ask. The entry's own fields are the
 * setting's (settings.RegistrySetting), so their meaning is written down once.
 */
export interface ConnectArgs
  extends Pick<settings.RegistrySetting, 'name' | 'allowHttp' | 'skipTlsVerify' | 'caFile' | 'kind' | 'repositoryKey' | 'apiUrl' | 'awsProfile' | 'region' | 'tenant' | 'projects'> {
  url: string;
  /** Sign in right away with these (checked against the registry first). */
  credentials?: LoginArgs;
  /** A self-managed GitLab: its instance URL (saved in registryExplorer.gitlab.instances with `url` as its registry). */
  gitlabUrl?: string;
}

/** quay.io is Quay whatever the setting says; self-hosted Red Hat Quay is named by its URL. */
const QUAY_IO = 'quay.io';

type Option = vscode.QuickPickItem & { key: 'allowHttp' | 'skipTlsVerify' | 'caFile' };

export async function connectRegistry(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  const given = isConnectArgs(arg) ? arg : undefined;
  const entry = given ?? (await ask(typeof arg === 'string' ? arg : undefined));
  if (!entry) return undefined;
  const host = registryName(parseRegistryAddress(entry.url.trim()));
  if (settings.isCloudKind(entry.kind)) return connectCloud(ctx, entry, !given);

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
        { label: vscode.l10n.t('$(sign-in) Sign in now…'), value: true },
        { label: vscode.l10n.t('$(globe) Continue anonymously'), description: entry.kind ? vscode.l10n.t('public repositories only; sign in later from the registry\'s menu') : vscode.l10n.t('sign in later from the registry\'s menu'), value: false },
      ],
      { title: vscode.l10n.t('Connected {0}', host), placeHolder: vscode.l10n.t('Does this registry need credentials?') },
    );
    if (choice?.value) await login(ctx, host);
  }

  const node = await ctx.tree.registryNode(host);
  if (node && ctx.view.visible) await ctx.view.reveal(node, { select: true, focus: true, expand: true }).then(undefined, () => undefined);
  return host;
}

/**
 * A cloud registry: the sign-in is checked with a provider for the entry-to-be, and only an accepted
 * one (or ECR Public's anonymous pulls) saves the entry. A refusal is reported in the cloud's words
 * and leaves the settings as they were.
 */
async function connectCloud(ctx: CommandContext, entry: ConnectArgs, interactive: boolean): Promise<string | undefined> {
  const fields = {
    url: entry.url.trim(),
    name: entry.name?.trim() || undefined,
    kind: entry.kind,
    awsProfile: entry.awsProfile,
    region: entry.region,
    tenant: entry.tenant,
    projects: entry.projects,
  };
  const setting = settings.validateRegistryEntry(fields);
  if (typeof setting === 'string') throw new Error(`Cannot connect ${entry.url}: ${setting}`);
  const anonymous = setting.host === ECR_PUBLIC_HOST && !entry.credentials && !entry.awsProfile;
  if (!anonymous) {
    const provider = ctx.service.providerForEntry(setting);
    const credentials = entry.credentials ?? defaultCloudSignIn(entry, interactive);
    const username = await vendorSignIn(ctx, provider, credentials);
    if (!username) return undefined;
    void vscode.window.showInformationMessage(vscode.l10n.t('Signed in to {0} as {1}.', provider.displayName, username));
  }
  await settings.addRegistry(fields);
  ctx.service.forget(setting.host);
  ctx.tree.refresh();
  const node = await ctx.tree.registryNode(setting.host);
  if (node && ctx.view.visible && interactive) await ctx.view.reveal(node, { select: true, focus: true, expand: true }).then(undefined, () => undefined);
  return setting.host;
}

/**
 * ECR signs in with the profile just chosen; scripted, ACR with the Microsoft account and Google with
 * Application Default Credentials. Interactive ACR and Google ask how (undefined).
 */
function defaultCloudSignIn(entry: ConnectArgs, interactive: boolean): LoginArgs | undefined {
  if (entry.kind === 'ecr') return { password: '', method: 'aws-profile', ...(entry.awsProfile ? { profile: entry.awsProfile } : {}) };
  if (interactive) return undefined;
  return { password: '', method: entry.kind === 'acr' ? 'microsoft' : 'ambient' };
}

/** Common AWS regions first; any other is typed. */
const AWS_REGIONS = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-central-1', 'eu-north-1', 'ap-northeast-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-south-1', 'ca-central-1', 'sa-east-1'];

async function pickRegion(title: string): Promise<string | undefined> {
  const fromEnv = process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'];
  const regions = [...new Set([...(fromEnv ? [fromEnv] : []), ...AWS_REGIONS])];
  const picked = await vscode.window.showQuickPick(
    [...regions.map((r) => ({ label: r, description: r === fromEnv ? vscode.l10n.t('AWS_REGION') : undefined, value: r })), { label: vscode.l10n.t('$(edit) Another region…'), value: '' }],
    { title, placeHolder: vscode.l10n.t('Which AWS region is the registry in?'), ignoreFocusOut: true },
  );
  if (!picked) return undefined;
  if (picked.value) return picked.value;
  const typed = await vscode.window.showInputBox({ title, prompt: vscode.l10n.t('AWS region'), placeHolder: vscode.l10n.t('eu-south-2'), ignoreFocusOut: true, validateInput: (v) => (/^[a-z]{2}(-[a-z]+)+-\d+$/.test(v.trim()) ? undefined : vscode.l10n.t('An AWS region looks like eu-west-1')) });
  return typed?.trim() || undefined;
}

/** Amazon ECR: profile, region, then the account whose registry it is (the profile's own by default). */
async function askEcr(title: string): Promise<ConnectArgs | undefined> {
  const profile = await pickAwsProfile(title, undefined, undefined);
  if (profile === undefined) return undefined;
  const region = await pickRegion(title);
  if (!region) return undefined;
  const account = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('AWS account ID of the registry (12 digits; the account in `aws sts get-caller-identity`)'),
    placeHolder: '123456789012',
    ignoreFocusOut: true,
    validateInput: (v) => (/^\d{12}$/.test(v.trim()) ? undefined : vscode.l10n.t('An AWS account ID is 12 digits')),
  });
  if (!account) return undefined;
  return { url: ecrRegistryHost(account.trim(), region), kind: 'ecr', ...(profile ? { awsProfile: profile } : {}) };
}

/** Amazon ECR Public: anonymous pulls, or a profile to see and push to your own repositories. */
async function askEcrPublic(title: string): Promise<ConnectArgs | undefined> {
  const how = await vscode.window.showQuickPick(
    [
      { label: vscode.l10n.t('$(account) With an AWS profile'), detail: vscode.l10n.t('your public repositories (registry aliases), pushes and deletes'), value: 'profile' as const },
      { label: vscode.l10n.t('$(globe) Anonymously'), detail: vscode.l10n.t('pull public images only'), value: 'anonymous' as const },
    ],
    { title, placeHolder: vscode.l10n.t('Amazon ECR Public (public.ecr.aws)'), ignoreFocusOut: true },
  );
  if (!how) return undefined;
  if (how.value === 'anonymous') return { url: ECR_PUBLIC_HOST, kind: 'ecr' };
  const profile = await pickAwsProfile(title, undefined, undefined);
  if (profile === undefined) return undefined;
  return { url: ECR_PUBLIC_HOST, kind: 'ecr', credentials: { password: '', method: 'aws-profile', ...(profile ? { profile } : {}) }, ...(profile ? { awsProfile: profile } : {}) };
}

/** Azure Container Registry: the login server (a bare registry name gets .azurecr.io). */
async function askAcr(title: string): Promise<ConnectArgs | undefined> {
  const typed = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('Login server of the registry (Azure portal → the registry → Overview), or its name'),
    placeHolder: vscode.l10n.t('myregistry.azurecr.io'),
    ignoreFocusOut: true,
    validateInput: (v) => validate(() => parseRegistryAddress(acrLoginServer(v))),
  });
  if (!typed) return undefined;
  return { url: acrLoginServer(typed), kind: 'acr' };
}

function acrLoginServer(typed: string): string {
  const v = typed.trim().toLowerCase();
  return /^[a-z0-9]{5,50}$/.test(v) ? `${v}.azurecr.io` : v;
}

/** Artifact Registry locations people use most, then gcr.io's hosts (served by Artifact Registry). */
const GOOGLE_LOCATIONS = ['us', 'europe', 'asia', 'us-central1', 'us-east1', 'us-west1', 'europe-west1', 'europe-west2', 'europe-west3', 'asia-east1', 'asia-northeast1', 'australia-southeast1'];
const GCR_HOSTS = ['gcr.io', 'us.gcr.io', 'eu.gcr.io', 'asia.gcr.io'];

/** Google Artifact Registry / gcr.io: the location's host, then the projects to browse. */
async function askGoogle(title: string): Promise<ConnectArgs | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      ...GOOGLE_LOCATIONS.map((l) => ({ label: vscode.l10n.t('{0}-docker.pkg.dev', l), description: vscode.l10n.t('Artifact Registry, {0}', l), value: `${l}-docker.pkg.dev` })),
      ...GCR_HOSTS.map((h) => ({ label: h, description: vscode.l10n.t('Container Registry host, served by Artifact Registry'), value: h })),
      { label: vscode.l10n.t('$(edit) Another location…'), value: '' },
    ],
    { title, placeHolder: vscode.l10n.t('Which location (the registry host)?'), ignoreFocusOut: true },
  );
  if (!picked) return undefined;
  let host = picked.value;
  if (!host) {
    const location = await vscode.window.showInputBox({ title, prompt: vscode.l10n.t('Artifact Registry location'), placeHolder: vscode.l10n.t('me-central2'), ignoreFocusOut: true, validateInput: (v) => (/^[a-z]+(-[a-z]+\d*)?$/.test(v.trim()) ? undefined : vscode.l10n.t('A location looks like us, europe or europe-west4')) });
    if (!location) return undefined;
    host = `${location.trim()}-docker.pkg.dev`;
  }
  const project = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('Google Cloud project ID(s) to browse, separated by commas (empty: gcloud\'s current project)'),
    value: process.env['GOOGLE_CLOUD_PROJECT'] ?? process.env['CLOUDSDK_CORE_PROJECT'] ?? '',
    ignoreFocusOut: true,
    validateInput: (v) => (projectList(v).every((p) => /^[a-z][a-z0-9.:-]{4,62}$/.test(p)) ? undefined : vscode.l10n.t('A project ID is lower-case letters, digits and hyphens, e.g. my-project-123')),
  });
  if (project === undefined) return undefined;
  const projects = projectList(project);
  return { url: host, kind: 'artifact-registry', ...(projects.length ? { projects } : {}) };
}

function projectList(value: string): string[] {
  return value.split(',').map((p) => p.trim()).filter(Boolean);
}

/** A self-managed GitLab: the instance's URL, then its registry host (usually registry.<instance host>). */
async function askGitLab(title: string): Promise<ConnectArgs | undefined> {
  const instance = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('URL of your GitLab instance'),
    placeHolder: vscode.l10n.t('https://gitlab.example.com'),
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
    prompt: vscode.l10n.t('Container registry host of {0} (Admin → Settings → CI/CD → Container Registry, or the host in "docker login")', instanceHost),
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
    prompt: vscode.l10n.t('URL of your {0} (http:// only for one without TLS)', product),
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
      { label: vscode.l10n.t('$(globe) quay.io'), description: vscode.l10n.t('Red Hat\'s public Quay'), value: 'quay.io' as const },
      { label: vscode.l10n.t('$(server) Red Hat Quay of your own…'), description: vscode.l10n.t('its URL'), value: 'self' as const },
    ],
    { title, placeHolder: vscode.l10n.t('Which Quay?'), ignoreFocusOut: true },
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
    prompt: vscode.l10n.t('URL of your JFrog Artifactory, as you open it in a browser'),
    placeHolder: vscode.l10n.t('https://art.example.com, https://example.jfrog.io'),
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
      { label: vscode.l10n.t('$(repo) Repository path'), description: vscode.l10n.t('{0}/REPOSITORY-KEY/image', address.host), detail: vscode.l10n.t('Artifactory\'s default: every Docker repository, or one by its key'), value: 'path' as const },
      { label: vscode.l10n.t('$(globe) Subdomain'), description: vscode.l10n.t('REPOSITORY-KEY.{0}/image', address.host), detail: vscode.l10n.t('each repository has a host name of its own (a reverse proxy in front)'), value: 'subdomain' as const },
      { label: vscode.l10n.t('$(plug) Port'), description: vscode.l10n.t('{0}:PORT/image', address.host), detail: vscode.l10n.t('each repository has a port of its own (a reverse proxy in front)'), value: 'port' as const },
    ],
    { title, placeHolder: vscode.l10n.t('How does docker reach this Artifactory\'s repositories?'), ignoreFocusOut: true },
  );
  if (!method) return undefined;
  const apiUrl = `${origin}/artifactory`;
  const askKey = (prompt: string, optional: boolean) =>
    vscode.window.showInputBox({
      title,
      prompt,
      placeHolder: vscode.l10n.t('docker-local'),
      ignoreFocusOut: true,
      // The reference parser knows what a repository key may be.
      validateInput: (v) => (!v.trim() ? (optional ? undefined : vscode.l10n.t('Enter the repository key')) : validate(() => parseRegistryAddress(`${origin}${ARTIFACTORY_DOCKER_PATH}${v.trim()}`))),
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
    prompt: vscode.l10n.t('Port that serves {0}', key.trim()),
    placeHolder: '5001',
    ignoreFocusOut: true,
    validateInput: (v) => (/^\d{1,5}$/.test(v.trim()) && Number(v) > 0 && Number(v) < 65536 ? undefined : vscode.l10n.t('A port is a number from 1 to 65535')),
  });
  if (!port) return undefined;
  const hostname = address.host.replace(/:\d+$/, '');
  return { url: `${address.scheme ?? 'https'}://${hostname}:${port.trim()}`, kind: 'artifactory', repositoryKey: key.trim(), apiUrl };
}

/** A ConnectArgs object, not a tree node (which has a `kind` of its own) or a host string. */
function isConnectArgs(value: unknown): value is ConnectArgs {
  return !!value && typeof value === 'object' && !isNode(value) && typeof (value as ConnectArgs).url === 'string';
}

type Choice = vscode.QuickPickItem & { value: 'docker-hub' | 'ghcr' | 'gitlab' | 'gitlab-self' | 'harbor' | 'quay' | 'artifactory' | 'ecr' | 'ecr-public' | 'acr' | 'artifact-registry' | 'url' };

async function ask(initialUrl?: string): Promise<ConnectArgs | undefined> {
  const title = vscode.l10n.t('Connect Registry');
  if (initialUrl === undefined) {
    const choices: Choice[] = [
      { label: vscode.l10n.t('$(globe) Docker Hub'), description: vscode.l10n.t('docker.io'), detail: vscode.l10n.t('Official images without signing in; your repositories with a personal access token'), value: 'docker-hub' },
      { label: vscode.l10n.t('$(github) GitHub Container Registry'), description: GHCR_HOST, detail: vscode.l10n.t('Your and your organisations\' container packages, with your GitHub account or a token'), value: 'ghcr' },
      { label: vscode.l10n.t('$(source-control) GitLab'), description: GITLAB_COM.registry, detail: vscode.l10n.t('Your groups\' and projects\' container registries on gitlab.com, with an access token'), value: 'gitlab' },
      { label: vscode.l10n.t('$(source-control) Self-managed GitLab…'), description: vscode.l10n.t('your instance\'s URL'), value: 'gitlab-self' },
      { label: vscode.l10n.t('$(shield) Harbor…'), description: vscode.l10n.t('its URL'), detail: vscode.l10n.t('Projects → repositories → artifacts and tags, vulnerability scans and Scan Now; a user, robot account or OIDC CLI secret'), value: 'harbor' },
      { label: vscode.l10n.t('$(package) Quay…'), description: vscode.l10n.t('quay.io or Red Hat Quay'), detail: vscode.l10n.t('Organizations and users → repositories → tags with security scans; a robot account or OAuth token, or anonymous'), value: 'quay' },
      { label: vscode.l10n.t('$(database) JFrog Artifactory…'), description: vscode.l10n.t('its URL'), detail: vscode.l10n.t('Docker repositories (local, remote, virtual) → images → tags; a user with an identity token or API key'), value: 'artifactory' },
      { label: vscode.l10n.t('$(cloud) Amazon ECR…'), description: vscode.l10n.t('an AWS profile and region'), detail: vscode.l10n.t('The account\'s repositories → images with sizes, push times and scan findings; signed in with your AWS profile (SSO included)'), value: 'ecr' },
      { label: vscode.l10n.t('$(cloud) Amazon ECR Public…'), description: ECR_PUBLIC_HOST, detail: vscode.l10n.t('Public images anonymously, or your public repositories with an AWS profile'), value: 'ecr-public' },
      { label: vscode.l10n.t('$(azure) Azure Container Registry…'), description: vscode.l10n.t('its login server'), detail: vscode.l10n.t('Repositories → tags with locks; your VS Code Microsoft account, the admin user or a scoped token'), value: 'acr' },
      { label: vscode.l10n.t('$(cloud) Google Artifact Registry / GCR…'), description: vscode.l10n.t('a location and project'), detail: vscode.l10n.t('Projects\' Docker repositories → images → tags with Artifact Analysis findings; Application Default Credentials or a service-account key'), value: 'artifact-registry' },
      { label: vscode.l10n.t('$(server) Another registry…'), description: vscode.l10n.t('host[:port] or URL'), detail: vscode.l10n.t('Any registry speaking the Distribution (OCI) API: Nexus, a local registry…'), value: 'url' },
    ];
    const picked = await vscode.window.showQuickPick(choices, { title, placeHolder: vscode.l10n.t('Which registry?'), ignoreFocusOut: true });
    if (!picked) return undefined;
    if (picked.value === 'docker-hub') return { url: 'docker.io' };
    if (picked.value === 'ghcr') return { url: GHCR_HOST };
    if (picked.value === 'gitlab') return { url: GITLAB_COM.registry };
    if (picked.value === 'gitlab-self') return askGitLab(title);
    if (picked.value === 'harbor') return askVendorUrl(title, 'harbor', 'Harbor', 'https://harbor.example.com');
    if (picked.value === 'quay') return askQuay(title);
    if (picked.value === 'artifactory') return askArtifactory(title);
    if (picked.value === 'ecr') return askEcr(title);
    if (picked.value === 'ecr-public') return askEcrPublic(title);
    if (picked.value === 'acr') return askAcr(title);
    if (picked.value === 'artifact-registry') return askGoogle(title);
  }
  const url = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('Registry host[:port] or URL (http:// for a registry without TLS)'),
    placeHolder: vscode.l10n.t('registry.example.com, localhost:5000, https://ghcr.io'),
    value: initialUrl,
    ignoreFocusOut: true,
    validateInput: (v) => validate(() => parseRegistryAddress(v.trim())),
  });
  if (!url) return undefined;
  const address = parseRegistryAddress(url.trim());

  const name = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('Display name (optional)'),
    placeHolder: address.host,
    ignoreFocusOut: true,
  });
  if (name === undefined) return undefined;

  // Plain HTTP is pre-selected when the user typed http://; loopback registries get it anyway.
  const options: Option[] = [
    { key: 'allowHttp', label: vscode.l10n.t('Allow plain HTTP'), description: isLoopbackHost(address.host) ? vscode.l10n.t('loopback registries are allowed HTTP anyway') : vscode.l10n.t('only for registries without TLS'), picked: address.scheme === 'http' },
    { key: 'skipTlsVerify', label: vscode.l10n.t('Skip TLS certificate verification'), description: vscode.l10n.t('self-signed test registries only') },
    { key: 'caFile', label: vscode.l10n.t('Trust a CA certificate file…'), description: vscode.l10n.t('PEM file that signed the registry\'s certificate') },
  ];
  const picked = await vscode.window.showQuickPick(options, {
    title,
    canPickMany: true,
    placeHolder: vscode.l10n.t('Connection options (none needed for most registries) — press Enter to continue'),
    ignoreFocusOut: true,
  });
  if (picked === undefined) return undefined;
  const chosen = new Set(picked.map((p) => p.key));

  let caFile: string | undefined;
  if (chosen.has('caFile')) {
    const files = await vscode.window.showOpenDialog({ title: vscode.l10n.t('CA certificate (PEM)'), canSelectMany: false, filters: { 'PEM certificates': ['pem', 'crt', 'cer'], 'All files': ['*'] } });
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
