// Sign In…: ask for a username and password (or token), check them against the registry the way
// `docker login` does, and only then keep them — in SecretStorage, never in settings or globalState.
// From a 401 error node, the registry node, the welcome view ("docker.io"), or the palette.
// Docker Hub, GHCR and GitLab sign in their own way, checked against their APIs by the provider:
// - Docker Hub: username + personal access token (a password is refused when 2FA or SSO is on).
// - GHCR: VS Code's GitHub account (asking for the package scopes) or a personal access token.
// - GitLab: a personal, group or project access token (the username comes from the API).
// - Harbor: a user and password, a robot account (robot$name) and its secret, or an OIDC user's CLI secret.
// - Quay: a robot account (org+name) and its token, or an OAuth access token (anonymous is not signing in).
// - Artifactory: a user and an identity token or API key.
// - Amazon ECR: an AWS profile of ~/.aws/config (its chain: keys, SSO, assumed role, web identity), saved
//   as the entry's awsProfile — never a key; every registry token comes fresh from AWS.
// - Azure Container Registry: VS Code's Microsoft account (vscode.authentication, nothing stored: VS
//   Code keeps the session), or the admin user / a repository-scoped token (SecretStorage).
// - Artifact Registry / gcr.io: Application Default Credentials (nothing stored), or a service-account key.
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import type { Credential } from '../../credentials/types';
import { login as checkLogin } from '../../distribution/session';
import { describeError } from '../../errors/describe';
import { DOCKER_HUB } from '../../reference';
import { AcrProvider, GHCR_SCOPES, entraScopesFor, listAwsProfiles, type RegistryProvider } from '../../registries';
import { MICROSOFT_AUTH_PROVIDER, microsoftScopes } from '../registryService';
import * as settings from '../settings';
import type { CommandContext } from './context';
import { withProgress } from '../progress';
import { registryHost } from './pickers';
import { reportError } from './reportError';

const LOGIN = 'registryExplorer.login';

/**
 * Optional second argument for scripted use (tests): skips the input boxes. Never logged. GHCR and
 * GitLab take the token as `password` and need no username.
 */
export interface LoginArgs {
  username?: string;
  password: string;
  /**
   * A cloud's own sign-in instead of a secret: 'microsoft' (ACR with VS Code's Microsoft account),
   * 'ambient' (Google's Application Default Credentials), 'aws-profile' (ECR, with `profile`).
   */
  method?: 'microsoft' | 'ambient' | 'aws-profile';
  profile?: string;
}

export async function login(ctx: CommandContext, arg?: unknown, provided?: LoginArgs): Promise<boolean> {
  const host = await registryHost(ctx, arg, 'Sign in to a registry', true);
  if (!host) return false;
  const provider = ctx.service.provider(host);
  if (provider.kind !== 'generic' && provider.signIn) {
    const username = await vendorSignIn(ctx, provider, provided);
    if (!username) return false;
    await afterSignIn(ctx, host, `Signed in to ${provider.displayName} as ${username}.`);
    return true;
  }
  if (provided && !provided.username?.trim()) {
    reportError(ctx, LOGIN, new Error(`Signing in to ${host} needs a username`));
    return false;
  }
  const endpoint = ctx.service.endpoint(host);
  const previous = await ctx.service.secrets.get(ctx.service.credentialKey(host));

  let username = provided?.username;
  const credential = await untilAccepted<Credential, Credential>(
    ctx,
    host,
    !!provided,
    async (problem) => {
      if (!provided) {
        username = await vscode.window.showInputBox({
          title: vscode.l10n.t('Sign in to {0}', host),
          prompt: problem ? vscode.l10n.t('{0} — try again', problem) : host === DOCKER_HUB ? vscode.l10n.t('Docker Hub username') : vscode.l10n.t('Username'),
          value: username ?? previous?.username ?? '',
          ignoreFocusOut: true,
          validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter a username')),
        });
        if (!username) return undefined;
      }
      const password = provided?.password ?? (await vscode.window.showInputBox({
        title: vscode.l10n.t('Sign in to {0} as {1}', host, username ?? ''),
        prompt: host === DOCKER_HUB ? vscode.l10n.t('Password or personal access token (accounts with two-factor sign-in need a token)') : vscode.l10n.t('Password or access token'),
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) => (v ? undefined : vscode.l10n.t('Enter a password or token')),
      }));
      return password ? { username: username!.trim(), password } : undefined;
    },
    async (asked) => {
      await withProgress(vscode.l10n.t('Checking credentials with {0}', host), () =>
        checkLogin(endpoint, asked, { transport: ctx.service.sharedTransport(), userAgent: ctx.service.userAgent() }),
      );
      return asked;
    },
  );
  if (!credential) return false;
  await ctx.service.secrets.store(ctx.service.credentialKey(host), credential);
  ctx.service.log.info(`signed in to ${host} as ${credential.username}`);
  await afterSignIn(ctx, host, `Signed in to ${host} as ${username}.`);
  return true;
}

/**
 * Ask, check, and while the registry refuses ask again with its refusal in the prompt; undefined
 * when the person cancels. Scripted use (tests, Connect with credentials) asks once and reports a
 * refusal like any failed command.
 */
async function untilAccepted<S, R>(
  ctx: CommandContext,
  where: string,
  scripted: boolean,
  ask: (problem: string | undefined) => Promise<S | undefined>,
  check: (secret: S) => Promise<R>,
): Promise<R | undefined> {
  let problem: string | undefined;
  for (;;) {
    const secret = await ask(problem);
    if (!secret) return undefined;
    try {
      return await check(secret);
    } catch (error) {
      if (scripted) {
        reportError(ctx, LOGIN, error);
        return undefined;
      }
      problem = describeError(error);
      ctx.service.log.warn(`sign-in to ${where} failed: ${problem}`);
    }
  }
}

async function afterSignIn(ctx: CommandContext, host: string, message: string): Promise<void> {
  // A registry signed in to from the palette or the welcome view becomes a root of the view.
  const roots = await ctx.service.roots();
  if (!roots.some((r) => r.host === host)) await settings.addRegistry({ url: host });
  ctx.service.forget(host);
  const node = await ctx.tree.registryNode(host);
  if (node) ctx.tree.refresh(node);
  if (node && ctx.view.visible) await ctx.view.reveal(node, { select: true, focus: false, expand: true }).then(undefined, () => undefined);
  void vscode.window.showInformationMessage(message);
}

type Secret = { username?: string; secret: string; method?: LoginArgs['method']; profile?: string };

/**
 * Ask for what this vendor signs in with, check it with the vendor (provider.signIn, which stores it
 * in SecretStorage only once accepted), and ask again with the vendor's refusal in the prompt.
 * Returns the account name the vendor confirmed, or undefined when cancelled or (scripted) refused.
 */
export async function vendorSignIn(ctx: CommandContext, provider: RegistryProvider, provided: LoginArgs | undefined): Promise<string | undefined> {
  const name = provider.displayName;
  let username = provided?.username;
  const result = await untilAccepted<Secret, { username: string }>(
    ctx,
    name,
    !!provided,
    async (problem) => {
      if (provided) {
        return {
          ...(provided.username ? { username: provided.username } : {}),
          secret: provided.password,
          ...(provided.method ? { method: provided.method } : {}),
          ...(provided.profile ? { profile: provided.profile } : {}),
        };
      }
      const secret = await askSecret(ctx, provider, problem, username);
      username = secret?.username;
      return secret;
    },
    (secret) => withProgress(vscode.l10n.t('Checking your {0} sign-in', name), () => checkSignIn(provider, secret)),
  );
  if (result) ctx.service.log.info(`signed in to ${provider.host} (${name}) as ${result.username}`);
  return result?.username;
}

/** The provider checks the sign-in (and stores what is a secret); a cloud's account choice is saved in the registry's entry. */
async function checkSignIn(provider: RegistryProvider, secret: Secret): Promise<{ username: string }> {
  if (secret.method === 'microsoft') {
    if (!(provider instanceof AcrProvider)) throw new Error(`${provider.displayName} does not sign in with a Microsoft account`);
    // VS Code asks the person to choose or add an account; the provider's token source then finds it silently.
    const tenant = settings.registries().find((r) => r.host === provider.host)?.tenant;
    await vscode.authentication.getSession(MICROSOFT_AUTH_PROVIDER, microsoftScopes(entraScopesFor(provider.host), tenant), { createIfNone: true });
    return provider.signInWithEntra();
  }
  const result = await provider.signIn!({
    ...(secret.username ? { username: secret.username.trim() } : {}),
    secret: secret.secret,
    ...(secret.method === 'aws-profile' && secret.profile ? { profile: secret.profile } : {}),
  });
  // The profile is not a secret: the entry remembers it, so the next window signs in with it too.
  if (secret.method === 'aws-profile' && !(await settings.updateRegistry(provider.host, { awsProfile: secret.profile })) && secret.profile) {
    await settings.addRegistry({ url: provider.host, kind: 'ecr', awsProfile: secret.profile });
  }
  return result;
}

async function askSecret(ctx: CommandContext, provider: RegistryProvider, problem: string | undefined, username: string | undefined): Promise<Secret | undefined> {
  const title = vscode.l10n.t('Sign in to {0}', provider.displayName);
  const retry = (prompt: string) => (problem ? `${problem} — try again` : prompt);
  switch (provider.kind) {
    case 'docker-hub': {
      const previous = await ctx.service.secrets.get(provider.host);
      const user = await vscode.window.showInputBox({
        title,
        prompt: retry('Docker Hub username (not your email address)'),
        value: username ?? previous?.username ?? '',
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter your Docker Hub username')),
      });
      if (!user) return undefined;
      const token = await vscode.window.showInputBox({
        title: vscode.l10n.t('{0} as {1}', title, user.trim()),
        prompt: vscode.l10n.t('Personal access token (Docker Hub → Account settings → Personal access tokens). A password is refused when two-factor authentication is on: use a token.'),
        placeHolder: vscode.l10n.t('dckr_pat_…'),
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) => (v ? undefined : vscode.l10n.t('Enter a personal access token')),
      });
      return token ? { username: user.trim(), secret: token } : undefined;
    }
    case 'ghcr': {
      const how = await vscode.window.showQuickPick(
        [
          { label: vscode.l10n.t('$(github) Sign in with GitHub'), description: vscode.l10n.t('your VS Code GitHub account'), detail: vscode.l10n.t('Asks GitHub for the {0} scopes', GHCR_SCOPES.join(', ')), value: 'account' as const },
          { label: vscode.l10n.t('$(key) Use a personal access token (classic)…'), detail: vscode.l10n.t('needs read:packages (write:packages to push, delete:packages to delete)'), value: 'token' as const },
        ],
        { title, placeHolder: problem ?? 'How do you want to sign in to ghcr.io?', ignoreFocusOut: true },
      );
      if (!how) return undefined;
      if (how.value === 'account') {
        const session = await vscode.authentication.getSession('github', [...GHCR_SCOPES], { createIfNone: true });
        return { secret: session.accessToken };
      }
      const token = await vscode.window.showInputBox({
        title,
        prompt: retry('GitHub personal access token (classic) with read:packages; add write:packages to push and delete:packages to delete'),
        placeHolder: vscode.l10n.t('ghp_…'),
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter a personal access token')),
      });
      return token ? { secret: token.trim() } : undefined;
    }
    case 'gitlab': {
      const token = await vscode.window.showInputBox({
        title,
        prompt: retry('Personal, group or project access token: read_api and read_registry to browse and pull, api to delete tags'),
        placeHolder: vscode.l10n.t('glpat-…'),
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter an access token')),
      });
      return token ? { secret: token.trim() } : undefined;
    }
    case 'harbor':
      return askHarbor(title, problem, username);
    case 'quay':
      return askQuay(title, problem, username);
    case 'artifactory':
      return askUserAndSecret(title, problem, username, {
        user: 'Artifactory username',
        secret: 'Identity token or API key (Artifactory → Edit Profile → Generate an Identity Token); a password works only where the administrator allows it',
      });
    case 'acr':
      return askAcr(title, problem, username);
    case 'artifact-registry':
      return askGoogle(title, problem);
    case 'ecr':
      return askAwsProfile(title, problem, settings.registries().find((r) => r.host === provider.host)?.awsProfile);
    default:
      return provider.capabilities.signIn === 'token'
        ? askToken(title, problem, 'Access token')
        : askUserAndSecret(title, problem, username, { user: 'Username', secret: 'Password or access token' });
  }
}

/** A username, then its secret; the registry's refusal (problem) heads the first prompt. */
async function askUserAndSecret(
  title: string,
  problem: string | undefined,
  username: string | undefined,
  prompts: { user: string; secret: string; value?: string; placeHolder?: string; validateUser?: (v: string) => string | undefined },
): Promise<Secret | undefined> {
  const user = await vscode.window.showInputBox({
    title,
    prompt: problem ? vscode.l10n.t('{0} — try again', problem) : prompts.user,
    value: username ?? prompts.value ?? '',
    ...(prompts.placeHolder ? { placeHolder: prompts.placeHolder } : {}),
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? prompts.validateUser?.(v.trim()) : vscode.l10n.t('Enter a name')),
  });
  if (!user) return undefined;
  const secret = await vscode.window.showInputBox({
    title: vscode.l10n.t('{0} as {1}', title, user.trim()),
    prompt: prompts.secret,
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (v ? undefined : vscode.l10n.t('Enter the secret')),
  });
  return secret ? { username: user.trim(), secret } : undefined;
}

async function askToken(title: string, problem: string | undefined, prompt: string): Promise<Secret | undefined> {
  const token = await vscode.window.showInputBox({
    title,
    prompt: problem ? vscode.l10n.t('{0} — try again', problem) : prompt,
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter a token')),
  });
  return token ? { secret: token.trim() } : undefined;
}

/** Harbor signs in three ways, all a name and a secret: they differ in where the person finds them. */
async function askHarbor(title: string, problem: string | undefined, username: string | undefined): Promise<Secret | undefined> {
  const how = await vscode.window.showQuickPick(
    [
      { label: vscode.l10n.t('$(account) User and password'), detail: vscode.l10n.t('a Harbor user (its own database, LDAP or AD)'), value: 'user' as const },
      { label: vscode.l10n.t('$(hubot) Robot account'), description: vscode.l10n.t('robot$name'), detail: vscode.l10n.t('the full name Harbor shows (robot$project+name for a project robot) and its secret'), value: 'robot' as const },
      { label: vscode.l10n.t('$(key) OIDC user'), detail: vscode.l10n.t('your Harbor user name and CLI secret (Harbor → your user profile → CLI secret)'), value: 'oidc' as const },
    ],
    { title, placeHolder: problem ?? 'How do you sign in to Harbor?', ignoreFocusOut: true },
  );
  if (!how) return undefined;
  if (how.value === 'robot') {
    return askUserAndSecret(title, problem, username?.includes('$') ? username : undefined, {
      user: 'Robot account name, as Harbor shows it',
      value: 'robot$',
      placeHolder: vscode.l10n.t('robot$ci or robot$project+ci'),
      // The "$" is part of the name: without it Harbor looks for a user of that name instead.
      validateUser: (v) => (v.includes('$') && !v.endsWith('$') ? undefined : 'A robot account name has Harbor\'s prefix, e.g. robot$ci'),
      secret: 'Robot account secret (shown once when the robot was created; Refresh Secret in Harbor makes a new one)',
    });
  }
  return askUserAndSecret(title, problem, username, {
    user: how.value === 'oidc' ? 'Your Harbor user name (as in your user profile)' : 'Harbor username',
    secret: how.value === 'oidc' ? 'CLI secret (Harbor → your user profile → CLI secret): your OIDC password does not work here' : 'Password',
  });
}

/** Quay: a robot account (org+name) with its token, or an OAuth access token alone. */
async function askQuay(title: string, problem: string | undefined, username: string | undefined): Promise<Secret | undefined> {
  const how = await vscode.window.showQuickPick(
    [
      { label: vscode.l10n.t('$(hubot) Robot account'), description: vscode.l10n.t('org+name'), detail: vscode.l10n.t('the robot\'s name and token (organization or user settings → Robot Accounts)'), value: 'robot' as const },
      { label: vscode.l10n.t('$(key) OAuth access token'), detail: vscode.l10n.t('an application\'s token (organization → Applications → Generate Token): also reads scans and manages repositories'), value: 'oauth' as const },
    ],
    { title, placeHolder: problem ?? 'How do you sign in to Quay? (Public repositories need no sign-in.)', ignoreFocusOut: true },
  );
  if (!how) return undefined;
  if (how.value === 'oauth') return askToken(title, problem, 'OAuth access token');
  return askUserAndSecret(title, problem, username?.includes('+') ? username : undefined, {
    user: 'Robot account name (namespace+robot)',
    placeHolder: vscode.l10n.t('myorg+deployer'),
    validateUser: (v) => (/^[^+]+\+[^+]+$/.test(v) ? undefined : 'A robot account name is namespace+name, e.g. myorg+deployer'),
    secret: 'Robot account token',
  });
}

/** ACR: VS Code's Microsoft account, or the admin user / a repository-scoped token (Basic). */
async function askAcr(title: string, problem: string | undefined, username: string | undefined): Promise<Secret | undefined> {
  const how = await vscode.window.showQuickPick(
    [
      { label: vscode.l10n.t('$(account) Sign in with Microsoft'), description: vscode.l10n.t('your VS Code Microsoft account'), detail: vscode.l10n.t('Microsoft Entra ID: your role on the registry (AcrPull, AcrPush, Contributor…) decides what you may do'), value: 'microsoft' as const },
      { label: vscode.l10n.t('$(key) Admin user or repository-scoped token…'), detail: vscode.l10n.t('the registry\'s admin user (Access keys) or a token (Repository permissions → Tokens) and its password'), value: 'basic' as const },
    ],
    { title, placeHolder: problem ?? 'How do you sign in to this Azure Container Registry?', ignoreFocusOut: true },
  );
  if (!how) return undefined;
  if (how.value === 'microsoft') return { secret: '', method: 'microsoft' };
  return askUserAndSecret(title, problem, username, { user: 'Admin user name or token name', secret: 'Its password' });
}

/** Google: Application Default Credentials (gcloud), or a service-account key file. */
async function askGoogle(title: string, problem: string | undefined): Promise<Secret | undefined> {
  const how = await vscode.window.showQuickPick(
    [
      { label: vscode.l10n.t('$(cloud) Application Default Credentials'), description: vscode.l10n.t('gcloud auth application-default login'), detail: vscode.l10n.t('GOOGLE_APPLICATION_CREDENTIALS, gcloud\'s credentials, or the metadata server; nothing is stored here'), value: 'ambient' as const },
      { label: vscode.l10n.t('$(file) Service-account key file…'), detail: vscode.l10n.t('a JSON key, kept in VS Code\'s secret storage'), value: 'key' as const },
    ],
    { title, placeHolder: problem ?? 'How do you sign in to Google Cloud?', ignoreFocusOut: true },
  );
  if (!how) return undefined;
  if (how.value === 'ambient') return { secret: '', method: 'ambient' };
  const files = await vscode.window.showOpenDialog({ title: vscode.l10n.t('Service-account key (JSON)'), canSelectMany: false, filters: { 'JSON key': ['json'] } });
  if (!files?.[0]) return undefined;
  return { username: '_json_key', secret: await fs.readFile(files[0].fsPath, 'utf8') };
}

/** ECR: which AWS profile (from ~/.aws/config and ~/.aws/credentials) signs in. */
async function askAwsProfile(title: string, problem: string | undefined, current: string | undefined): Promise<Secret | undefined> {
  const profile = await pickAwsProfile(title, problem, current);
  return profile === undefined ? undefined : { secret: '', method: 'aws-profile', ...(profile ? { profile } : {}) };
}

/** A profile of the AWS shared config files; '' for the default chain (AWS_PROFILE, environment, instance role). */
export async function pickAwsProfile(title: string, problem: string | undefined, current: string | undefined): Promise<string | undefined> {
  const profiles = await listAwsProfiles(process.env);
  const items = [
    ...profiles.map((name) => ({ label: vscode.l10n.t('$(account) {0}', name), description: name === current ? vscode.l10n.t('current') : undefined, value: name })),
    { label: vscode.l10n.t('$(globe) The default chain'), description: vscode.l10n.t('AWS_PROFILE, AWS_* variables, SSO or an instance role'), value: '' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: problem ?? 'Which AWS profile (~/.aws/config)?', ignoreFocusOut: true });
  return picked?.value;
}
