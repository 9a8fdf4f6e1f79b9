// The one place errors become words: what failed, and what the person can do about it.
// Everything here works from the facts the typed errors carry (status, codes, method, redacted
// URL, reason); it never sees a credential, so it cannot print one. Callers import describeError from
// ./describe.ts, which loads this module on the first error.

import * as l10n from '@vscode/l10n';
import {
  BuildError,
  CancelledError,
  CloudCredentialError,
  CredentialError,
  DigestMismatchError,
  DistributionError,
  EngineError,
  InvalidInputError,
  PolicyError,
  ProtocolError,
  ProxyError,
  RefusedError,
  ResponseTooLargeError,
  TransportError,
  UnsupportedError,
  type Vendor,
  vendorName,
} from './errors';

export function describeError(err: unknown): string {
  if (err instanceof CancelledError) return 'Cancelled.';
  if (err instanceof DistributionError) return describeDistribution(err);
  if (err instanceof TransportError) return describeTransport(err);
  if (err instanceof ProxyError) return describeProxy(err);
  if (err instanceof PolicyError) return describePolicy(err);
  if (err instanceof ResponseTooLargeError) {
    return l10n.t('The answer from {0} was larger than {1}, so it was not read ({2}).', hostOf(err.url), formatBytes(err.limitBytes), err.url);
  }
  if (err instanceof DigestMismatchError) {
    return l10n.t('Content from {0} did not match its digest (expected {1}, got {2}): it was corrupted or altered in transit, and nothing was written. Try again; if it repeats, the registry\'s copy is damaged.', hostOf(err.url), err.expected, err.actual);
  }
  if (err instanceof ProtocolError) {
    return l10n.t('{0} sent an answer Registry Explorer could not understand: {1}.', hostOf(err.url), err.detailText);
  }
  if (err instanceof CloudCredentialError) return describeCloudCredential(err);
  if (err instanceof CredentialError) {
    return l10n.t('Could not use the credentials from {0}: {1}. Sign in again, or check the Docker credential helper named in your Docker config.json.', err.source, err.detailText);
  }
  if (err instanceof EngineError) return describeEngine(err);
  if (err instanceof BuildError) return describeBuild(err);
  if (err instanceof InvalidInputError) return sentence(err.message);
  if (err instanceof RefusedError) return sentence(err.detailText);
  if (err instanceof UnsupportedError) return l10n.t('{0} does not offer {1}.{2}', err.registry, err.feature, err.hint ? ` ${sentence(err.hint)}` : '');
  if (err instanceof Error) return sentence(err.message || err.name);
  return sentence(String(err));
}

// ---------------------------------------------------------------------------------------------

interface RequestTarget {
  host: string;
  repository?: string;
  kind?: 'manifests' | 'blobs' | 'tags' | 'referrers' | 'uploads' | 'catalog';
  reference?: string;
}

/** Read host, repository and reference back out of a /v2/ URL. */
function targetOf(url: string): RequestTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { host: url };
  }
  const host = displayHost(parsed.host);
  // Artifactory's repository path puts the registry API below /artifactory/api/docker/<key>.
  const path = decodeURIComponent(parsed.pathname).replace(/^\/artifactory\/api\/docker\/[^/]+(?=\/v2\/)/, '');
  if (/^\/v2\/_catalog\/?$/.test(path)) return { host, kind: 'catalog' };
  const m = /^\/v2\/(.+?)\/(manifests|blobs|tags|referrers)\/(.*)$/.exec(path);
  if (!m) return { host };
  const [, repository, kind, rest] = m as unknown as [string, string, string, string];
  if (kind === 'blobs' && rest.startsWith('uploads')) return { host, repository, kind: 'uploads' };
  return { host, repository, kind: kind as RequestTarget['kind'], ...(rest && kind !== 'tags' ? { reference: rest } : {}) };
}

function displayHost(host: string): string {
  return host === 'registry-1.docker.io' || host === 'index.docker.io' ? 'docker.io' : host;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

function hostOf(url: string): string {
  return targetOf(url).host;
}

function isDockerHub(host: string): boolean {
  return host === 'docker.io';
}

function refText(reference: string): string {
  return /^[a-z0-9]+:[a-f0-9]{32,}$/i.test(reference) ? `digest ${reference}` : `tag "${reference}"`;
}

function describeDistribution(err: DistributionError): string {
  const t = targetOf(err.url);
  const { host } = t;
  const repo = t.repository;
  const method = err.method.toUpperCase();
  const writing = method === 'PUT' || method === 'POST' || method === 'PATCH' || method === 'DELETE';
  const firstMessage = err.codes.find((c) => c.message)?.message ?? err.extra.bodySnippet;
  const serverSays = firstMessage ? l10n.t(' The registry said: "{0}".', firstMessage) : '';
  const status = err.status;

  if (err.extra.vendor) {
    const vendorText = describeVendor(err, err.extra.vendor, t);
    if (vendorText) return vendorText;
  }

  if (err.operation === 'login' && (status === 401 || status === 403)) {
    return l10n.t('Sign-in to {0} failed: the registry rejected the username or password.', host);
  }
  if (err.operation === 'token' && (status === 401 || status === 403)) {
    return l10n.t('The token service {0} refused to issue a token: the stored username or password is wrong or has expired, or the repository is private and needs another account. Sign in to the registry again.', host);
  }

  if (err.operation === 'token' && (status >= 500 || status === 429)) {
    // Not the registry: the service it sends us to for tokens. Saying "the registry" would send the person to the wrong place.
    const wait = err.extra.retryAfterSeconds !== undefined ? l10n.t(' Try again in {0}.', formatSeconds(err.extra.retryAfterSeconds)) : l10n.t(' Try again later.');
    return l10n.t('The token service {0} failed ({1}){2}, so no access token could be had for the registry.{3}{4}', host, status, afterRetries(err.extra.attempts), wait, firstMessage ? ` It said: "${firstMessage}".` : '');
  }

  if (status === 401 && err.extra.authError === 'invalid_token') {
    // The session already dropped a cached token and fetched a fresh one before this surfaced.
    return l10n.t('{0} rejected the access token as expired or invalid (401{1}), even a freshly issued one. Sign in again; if it keeps happening, the clocks of this machine and of the token service disagree.', host, repo ? ` on ${repo}` : '');
  }

  if (status === 401 && err.extra.basicRefused) {
    const user = err.extra.basicRefused.username ? ` (user "${err.extra.basicRefused.username}")` : '';
    return l10n.t('{0} refused the username and password stored for it{1}: the password is wrong, or it has changed or expired (401). Sign in to {2} again.', host, user, host);
  }
  if (status === 401 && err.extra.basicRequired) {
    return l10n.t('{0} needs a sign-in: it asks every client for a username and password (401), and none is stored for it. Sign in to {1}.', host, host);
  }

  if (status === 401 || status === 403) {
    const insufficient = err.extra.authError === 'insufficient_scope' || err.hasCode('DENIED') || status === 403;
    if (writing && insufficient) {
      const verb = method === 'DELETE' ? 'delete' : 'push';
      const what = repo ? `${repo} on ${host}` : host;
      return l10n.t('Not allowed to {0} to {1}: your account may pull but not {2} (the registry answered {3}{4}). Sign in with an account that has {5} rights.', verb, what, verb, status, err.codes[0] ? ` ${err.codes[0].code}` : '', verb);
    }
    if (t.kind === 'catalog') {
      return l10n.t('{0} did not allow listing its repositories ({1}): sign in, or use an account allowed to read the catalog.', host, status);
    }
    if (repo) {
      return l10n.t('{0} on {1}: not found, or you have no access to it ({2}). If it is private, sign in with an account that can read it.', repo, host, status);
    }
    return l10n.t('{0} refused the request ({1}): sign in, or check that your account has access.{2}', host, status, serverSays);
  }

  // `_catalog` is optional (not in the OCI spec): 404/405 there is a fact about the registry, not a
  // failed request. 401/403 stay above: signing in may open it.
  if ((err.operation === 'catalog' || t.kind === 'catalog') && (status === 404 || status === 405)) {
    return l10n.t('{0} does not offer a catalog of its repositories (/v2/_catalog answered {1}); name a repository directly instead ({2}/NAME).', host, status, host);
  }

  if (status === 404) {
    if (err.hasCode('MANIFEST_UNKNOWN') || (t.kind === 'manifests' && !err.hasCode('NAME_UNKNOWN'))) {
      return t.reference && repo ? l10n.t('{0} not found in {1} on {2}.', capitalise(refText(t.reference)), repo, host) : l10n.t('Manifest not found on {0}.', host);
    }
    if (err.hasCode('NAME_UNKNOWN')) {
      return repo ? l10n.t('Repository {0} not found on {1}.', repo, host) : l10n.t('Repository not found on {0}.', host);
    }
    if (err.hasCode('BLOB_UNKNOWN') || t.kind === 'blobs') {
      return l10n.t('Blob {0}not found in {1} on {2}.', t.reference ? `${t.reference} ` : '', repo ?? 'the repository', host);
    }
    if (err.hasCode('BLOB_UPLOAD_UNKNOWN') || t.kind === 'uploads') {
      return l10n.t('The upload session on {0} expired or is unknown; start the push or copy again.', host);
    }
    if (t.kind === 'referrers') return l10n.t('{0} does not offer the referrers API for {1}.', host, repo ?? 'this repository');
    return l10n.t('Not found on {0} ({1} {2}).{3}', host, method, err.url, serverSays);
  }

  if (status === 405 || err.hasCode('UNSUPPORTED')) {
    if (method === 'DELETE') {
      return l10n.t('{0} has deletes disabled, so nothing was removed. On a Distribution registry, REGISTRY_STORAGE_DELETE_ENABLED=true (storage.delete.enabled in config.yml) enables them; Docker Hub and GHCR delete through their web UI or API instead.', host);
    }
    return l10n.t('{0} does not support this operation ({1}, {2}).{3}', host, method, status, serverSays);
  }

  if (status === 400 && method === 'DELETE' && err.hasCode('DIGEST_INVALID') && t.kind === 'manifests') {
    return l10n.t('{0} cannot delete by tag: Distribution 2.x deletes manifests by digest only. Delete by digest instead — that removes the image and every tag that points to it.', host);
  }

  if (status === 429 || err.hasCode('TOOMANYREQUESTS')) {
    const wait = err.extra.retryAfterSeconds !== undefined ? l10n.t(' Try again in {0}.', formatSeconds(err.extra.retryAfterSeconds)) : l10n.t(' Try again later.');
    if (isDockerHub(host)) {
      return l10n.t('Docker Hub\'s pull rate limit was reached (429 TOOMANYREQUESTS): anonymous pulls are limited per IP address, and signing in with a Docker account raises the limit.{0}', wait);
    }
    return l10n.t('{0} is rate-limiting requests (429{1}).{2}', host, err.hasCode('TOOMANYREQUESTS') ? ' TOOMANYREQUESTS' : '', wait);
  }

  if (status >= 500 && err.extra.proxy) {
    // Plain http through a proxy: this 5xx may be the proxy's own (it could not reach the registry).
    const { display, source } = err.extra.proxy;
    return l10n.t('{0} answered {1} through the proxy {2} (from {3}){4}: the proxy could not reach the registry, or the registry failed. Check that the proxy can reach {5}, or add {6} to the no-proxy list (NO_PROXY, or http.noProxy in VS Code) to connect directly.{7}', host, status, display, source, afterRetries(err.extra.attempts), host, host, serverSays);
  }

  if (status >= 500) {
    const what = status === 503 ? l10n.t('is unavailable') : status === 502 || status === 504 ? l10n.t('is not reachable behind its proxy') : l10n.t('had an internal error');
    // A Retry-After longer than regx waits by itself: say how long the registry asked for.
    const wait = err.extra.retryAfterSeconds !== undefined ? l10n.t(' It asked to wait {0}: try again then.', formatSeconds(err.extra.retryAfterSeconds)) : l10n.t(' Try again later.');
    return `${host} ${what} (${status})${afterRetries(err.extra.attempts)}.${wait}${serverSays}`;
  }

  if (status === 400) {
    const code = err.codes[0]?.code;
    return l10n.t('{0} rejected the request (400{1}) for {2} {3}.{4}', host, code ? ` ${code}` : '', method, err.url, serverSays);
  }

  const codes = err.codes.length ? ` ${err.codes.map((c) => c.code).join(', ')}` : '';
  return `${method} ${err.url} failed: ${host} answered ${status}${codes}.${serverSays}`;
}

/**
 * Answers from a vendor's own API (Docker Hub, GitHub Packages, GitLab), and registry answers for a
 * known vendor: their advice differs from a plain registry's. undefined = use the generic wording.
 */
function describeVendor(err: DistributionError, vendor: Vendor, t: RequestTarget): string | undefined {
  const status = err.status;
  const firstMessage = err.codes.find((c) => c.message)?.message ?? err.extra.bodySnippet;
  const who = vendorName(vendor);
  const serverSays = firstMessage ? ` ${who} said: "${firstMessage}".` : '';
  const method = err.method.toUpperCase();
  const wait = err.extra.retryAfterSeconds !== undefined ? l10n.t(' Try again in {0}.', formatSeconds(err.extra.retryAfterSeconds)) : l10n.t(' Try again later.');
  if (vendor === 'docker-hub') {
    if (err.operation === 'login' && (status === 401 || status === 403)) {
      return l10n.t('Sign-in to Docker Hub failed: the username or access token was refused. Use a personal access token (Docker Hub → Account settings → Personal access tokens) instead of your password: accounts with two-factor authentication or single sign-on cannot sign in with a password.{0}', serverSays);
    }
    // Manifest and blob requests are pulls; the Hub API has no such paths.
    const pull = t.kind === 'manifests' || t.kind === 'blobs';
    if (status === 429 || err.hasCode('TOOMANYREQUESTS')) {
      if (pull) {
        return l10n.t('Docker Hub\'s pull rate limit was reached (429 TOOMANYREQUESTS): anonymous pulls are limited per IP address, and signing in with a Docker account raises the limit.{0}', wait);
      }
      return l10n.t('Docker Hub\'s API rate limit was reached (429): the Hub API limits requests per minute, separately from the pull limit.{0}', wait);
    }
    // Other registry answers read as for any registry ("not found, or no access"). The Hub API's
    // own paths (/v2/repositories/…/tags/…) look like registry ones, so match the registry's exactly.
    if (pull || /\/tags\/list$|\/_catalog$|\/referrers\/|\/blobs\/uploads/.test(pathOf(err.url))) return undefined;
    if (status === 401) return l10n.t('Docker Hub refused the request (401): sign in to Docker Hub with your username and a personal access token.{0}', serverSays);
    if (status === 403) {
      if (method === 'DELETE') {
        return l10n.t('Docker Hub did not allow deleting the tag (403): sign in with a personal access token that has the "Read, Write, Delete" scope, from an account allowed to delete in that repository.{0}', serverSays);
      }
      return l10n.t('Docker Hub did not allow this (403): your account or access token lacks the permission.{0}', serverSays);
    }
    if (status === 404) {
      return l10n.t('Not found on Docker Hub: the namespace, repository or tag does not exist, or it is private and you are not signed in with an account that can see it.{0}', serverSays);
    }
    return undefined;
  }
  if (vendor === 'github') {
    if (status === 401) {
      return l10n.t('GitHub refused the token (401): it is wrong, expired or revoked. Sign in to ghcr.io again.{0}', serverSays);
    }
    if (status === 403 || status === 404) {
      const have = new Set(err.extra.tokenScopes ?? []);
      // write:packages includes read:packages; delete:packages does not.
      if (have.has('write:packages')) have.add('read:packages');
      const needed = new Set(err.extra.acceptedScopes ?? []);
      if (method === 'DELETE') {
        needed.add('read:packages');
        needed.add('delete:packages');
      }
      const missing = [...needed].filter((s) => !have.has(s));
      if (err.extra.tokenScopes && missing.length > 0) {
        const has = err.extra.tokenScopes.length ? err.extra.tokenScopes.join(', ') : 'none';
        return l10n.t('GitHub refused ({0}): the token lacks the {1} scope{2} (it has: {3}). Create a personal access token (classic) with read:packages, plus delete:packages to delete versions, or sign in with your GitHub account and grant package access.', status, missing.join(' and '), missing.length > 1 ? 's' : '', has);
      }
      if (status === 403) {
        if (method === 'DELETE') {
          return l10n.t('GitHub did not allow deleting the package version (403): you need admin rights on the package, and a token with the read:packages and delete:packages scopes.{0}', serverSays);
        }
        return l10n.t('GitHub refused access (403): the token cannot read this package.{0}', serverSays);
      }
      return l10n.t('Not found on GitHub: the package does not exist, or the token cannot see it (GitHub answers 404 for packages it will not show; a token needs read:packages).{0}', serverSays);
    }
    if (status === 429) return l10n.t('GitHub\'s API rate limit was reached (429).{0}', wait);
    return undefined;
  }
  if (vendor === 'harbor') return describeHarbor(err, t, serverSays);
  if (vendor === 'quay') return describeQuay(err, t, serverSays);
  if (vendor === 'artifactory') return describeArtifactory(err, t, serverSays);
  if (vendor === 'aws') return describeAws(err, t, serverSays);
  if (vendor === 'azure') return describeAzure(err, t, serverSays);
  if (vendor === 'google') return describeGoogle(err, t, serverSays);
  // GitLab, gitlab.com or self-managed: name the host, it is the user's own instance.
  const host = t.host;
  if (status === 401) {
    return l10n.t('GitLab ({0}) refused the access token (401): it is wrong, expired or revoked. Use a personal, group or project access token with the read_api and read_registry scopes (api to delete tags).{1}', host, serverSays);
  }
  if (status === 403) {
    return l10n.t('GitLab ({0}) did not allow this (403): the token lacks the scope or your role is too low (deleting tags needs the api scope and at least the Developer role).{1}', host, serverSays);
  }
  if (status === 404) {
    return l10n.t('Not found on GitLab ({0}): the group, project or registry repository does not exist, or the token cannot see it.{1}', host, serverSays);
  }
  if (status === 429) return l10n.t('GitLab ({0}) is rate-limiting requests (429).{1}', host, wait);
  return undefined;
}

// Harbor (goharbor.io, API v2.0): its refusals carry { errors: [{ code, message }] } like the registry's.
// Its own policies speak first (immutability, an index holding an artifact, a non-empty project, no
// scanner, read-only mode, quotas, pull policies), then the API's 401/403/404; registry answers without
// a Harbor rule behind them read as for any registry.
function describeHarbor(err: DistributionError, t: RequestTarget, serverSays: string): string | undefined {
  const status = err.status;
  const method = err.method.toUpperCase();
  const message = err.codes.find((c) => c.message)?.message ?? err.extra.bodySnippet ?? '';
  const path = pathOf(err.url);
  const onApi = path.includes('/api/v2.0/');
  const where = `Harbor (${t.host})`;
  if (err.operation === 'login' && (status === 401 || status === 403)) {
    return l10n.t('Sign-in to {0} failed: the username or secret was refused. A robot account signs in as robot$NAME (a project\'s robot as robot$PROJECT+NAME) with its secret; an OIDC user signs in with the CLI secret from their user profile in Harbor, not with the identity provider\'s password.', where);
  }
  if (/immutable/i.test(message) && (status === 412 || status === 403)) {
    if (method === 'PUT') {
      return l10n.t('{0} refused to overwrite the tag: a tag immutability rule of its project protects it, so nothing can be pushed or retagged onto it ({1}). Push under a new tag, or ask a project admin to change the rule (the project\'s Policy → Tag Immutability).{2}', where, status, serverSays);
    }
    return l10n.t('{0} refused to delete: a tag immutability rule of its project protects the tag, so neither the tag nor its artifact can be deleted ({1}). A project admin can change the rule (the project\'s Policy → Tag Immutability).{2}', where, status, serverSays);
  }
  if (err.hasCode('VIOLATE_FOREIGN_KEY_CONSTRAINT') || /referenced by others/i.test(message)) {
    return l10n.t('{0} will not delete this artifact: an image index in the repository lists it as one of its platforms ({1}). Delete the index instead; its platforms go with it.{2}', where, status, serverSays);
  }
  if (status === 412 && /contains repositories/i.test(message)) {
    const project = /\/api\/v2\.0\/projects\/([^/]+)\/?$/.exec(path)?.[1];
    return l10n.t('{0} will not delete project {1}while it still holds repositories (412). Delete its repositories first (their artifacts go with them), then the project.', where, project ? `"${decodeURIComponent(project)}" ` : '');
  }
  if (/no available scanner|no scanner registration|scanner \S+ is deactivated/i.test(message)) {
    return l10n.t('{0} has no vulnerability scanner for this project ({1}), so there is nothing to scan with and no report. A Harbor administrator adds or enables one under Interrogation Services → Scanners.{2}', where, status, serverSays);
  }
  if (err.hasCode('PROJECTPOLICYVIOLATION')) {
    return l10n.t('{0} blocks pulling this image by its project\'s policy ({1}): the project prevents vulnerable or unsigned images from being pulled.{2}', where, status, serverSays);
  }
  if (/read only mode/i.test(message)) {
    return l10n.t('{0} is in read-only mode ({1}): nothing can be pushed, tagged or deleted until an administrator turns off Repository Read Only (Configuration → System Settings).', where, status);
  }
  if (/exceed the configured upper limit/i.test(message)) {
    return l10n.t('The project\'s storage quota on {0} is used up ({1}): delete artifacts in the project, or ask an administrator to raise its quota.{2}', where, status, serverSays);
  }
  if (status === 409 && method === 'POST' && /\/api\/v2\.0\/projects\/?$/.test(path)) {
    return l10n.t('{0} already has a project with that name (409): project names are unique across the whole Harbor, including projects you cannot see.{1}', where, serverSays);
  }
  if (!onApi) return undefined;
  if (status === 401) {
    return l10n.t('{0} refused the request (401): sign in with a Harbor username and password, a robot account (robot$NAME) and its secret, or an OIDC user\'s CLI secret. Harbor takes a CLI secret only for the registry, for listing projects, repositories and artifacts and for deleting tags: scan reports, scans, deleting artifacts or projects and editing descriptions need a password or a robot account.{1}', where, serverSays);
  }
  if (status === 403) {
    if (method === 'POST' && /\/scan\/?$/.test(path)) return l10n.t('{0} did not allow starting a scan (403): that needs the Maintainer role or higher in the project.{1}', where, serverSays);
    if (method === 'POST' && /\/projects\/?$/.test(path)) return l10n.t('{0} did not allow creating a project (403): Harbor may limit that to administrators (Configuration → System Settings → Project Creation).{1}', where, serverSays);
    if (method === 'DELETE' && /\/api\/v2\.0\/projects\/[^/]+\/?$/.test(path)) return l10n.t('{0} did not allow deleting the project (403): that needs the Project Admin role.{1}', where, serverSays);
    if (method === 'DELETE') return l10n.t('{0} did not allow deleting (403): deleting tags and artifacts needs the Maintainer role or higher in the project.{1}', where, serverSays);
    if (method === 'PUT') return l10n.t('{0} did not allow editing the repository (403): that needs the Developer role or higher in the project.{1}', where, serverSays);
    return l10n.t('{0} did not allow this (403): your role in the project does not permit it.{1}', where, serverSays);
  }
  if (status === 404) {
    return l10n.t('Not found on {0}: the project, repository, artifact or tag does not exist, or your account cannot see it (a tag retention rule may also have removed an artifact on its schedule).{1}', where, serverSays);
  }
  return undefined;
}

// Quay (quay.io or Red Hat Quay, API v1): { error_message, error_type } or { message } bodies.
// The API takes only OAuth application tokens; robot accounts and passwords reach the registry
// alone. Its refusals are 401 (no usable token) and 403 insufficient_scope (the account lacks the
// permission on the repository, or the token the scope); the words name which of them is needed.
function describeQuay(err: DistributionError, t: RequestTarget, serverSays: string): string | undefined {
  const status = err.status;
  const method = err.method.toUpperCase();
  const quay = t.host === 'quay.io' ? 'Quay.io' : `Quay (${t.host})`;
  const apiPath = /^\/api\/v1(\/.*)$/.exec(decodeURIComponent(pathOf(err.url)))?.[1];
  const token = l10n.t('an OAuth application token (sign in with the user name $oauthtoken, or none, and the token)');

  if (apiPath === undefined) {
    if (err.operation === 'login' && (status === 401 || status === 403)) {
      return l10n.t('Sign-in to {0} failed: the robot account (organization+name) and its token, or the username and password, were refused.{1}', quay, serverSays);
    }
    const writing = method === 'DELETE' || method === 'PUT' || method === 'POST' || method === 'PATCH';
    if (writing && t.repository && (status === 401 || status === 403)) {
      const what = method === 'DELETE' ? l10n.t('delete{0} in', t.reference ? ` ${refText(t.reference)}` : '') : l10n.t('push to');
      return l10n.t('{0} did not allow you to {1} {2} ({3}): you are not signed in, or the account lacks Write permission on the repository. Grant the robot account (or user) Write on it in Quay, or sign in with {4} that has the repo:write scope.', quay, what, t.repository, status, token);
    }
    return undefined;
  }

  const repository = /^\/repository\/([^/]+\/[^/]+)/.exec(apiPath)?.[1];
  const tag = /\/tag\/([^/]+)$/.exec(apiPath)?.[1];
  const where = repository ? ` on ${repository}` : '';
  if (err.operation === 'login' && (status === 401 || status === 403)) {
    return l10n.t('{0} refused the OAuth token ({1}): it is wrong, expired or revoked, or lacks the user:read scope. Generate one under an organization\'s Applications (OAuth Applications → Generate Token) with user:read and repo:read, plus repo:write to delete tags and repo:create, repo:admin to manage repositories. Robot accounts sign in with their organization+name.{2}', quay, status, serverSays);
  }
  if (status === 401) {
    return l10n.t('{0} needs a sign-in for this (401){1}: use {2}. Robot accounts and passwords reach only the registry, not Quay\'s API; a private repository also needs Read permission.{3}', quay, where, token, serverSays);
  }
  if (status === 403) {
    let needs: string;
    if (method === 'DELETE' && tag) needs = `deleting tag "${tag}" needs Write permission on ${repository ?? 'the repository'} and the repo:write scope`;
    else if (method === 'DELETE' && repository) needs = `deleting ${repository} needs Admin permission on it and the repo:admin scope`;
    else if (method === 'PUT' && repository) needs = `editing the description of ${repository} needs Write permission on it and the repo:write scope`;
    else if (method === 'POST' && apiPath === '/repository') needs = 'creating a repository needs the right to create repositories in that namespace (an organization admin or a team with the creator role) and the repo:create scope';
    else needs = `reading${repository ? ` ${repository}` : ' this'} needs Read permission and the repo:read scope`;
    return l10n.t('{0} refused (403): {1}. The account or its OAuth token lacks it: grant the permission in Quay, or generate a token with that scope.{2}', quay, needs, serverSays);
  }
  if (status === 404) {
    if (/\/manifest\/[^/]+\/security$/.test(apiPath)) return l10n.t('{0} has no image with that digest{1}, so it has no scan of it.{2}', quay, where, serverSays);
    return l10n.t('Not found on {0}: the namespace, repository or tag does not exist, or it is private and the account cannot see it.{1}', quay, serverSays);
  }
  if (status === 409) return l10n.t('{0} refused (409): the tag is immutable, so it cannot be moved or deleted; an administrator of the repository can lift that.{1}', quay, serverSays);
  if (status === 520 && /\/security$/.test(apiPath)) {
    return l10n.t('{0} could not load the scan from its security scanner (520), a fault on Quay\'s side. Try again later.{1}', quay, serverSays);
  }
  if (status === 400) return l10n.t('{0} rejected the request (400){1}.{2}', quay, where, serverSays);
  return undefined;
}

// JFrog Artifactory (REST API): { errors: [{ status, message }] } bodies.
function describeArtifactory(err: DistributionError, t: RequestTarget, serverSays: string): string | undefined {
  const status = err.status;
  const where = `Artifactory (${t.host})`;
  if (err.operation === 'login' && (status === 401 || status === 403)) {
    return l10n.t('Sign-in to {0} failed: it refused that user name with this password, identity token or API key ({1}). Check the user name, and use an identity token (Edit Profile → Generate an Identity Token) or an API key that is not revoked or expired.{2}', where, status, serverSays);
  }
  const path = pathOf(err.url);
  // Delete Item: /artifactory/<key>/<image>/<tag> (the API lives under /artifactory/api/).
  const item = /^\/artifactory\/(?!api\/)([^/]+)\/(.+)$/.exec(path);
  const dockerKey = /^\/artifactory\/api\/docker\/([^/]+)\//.exec(path)?.[1];
  if (status === 401) {
    return l10n.t('{0} refused the stored credentials (401): the password, identity token or API key is wrong, expired or revoked. Sign in again with your user name and an identity token or API key.{1}', where, serverSays);
  }
  if (status === 403) {
    if (err.method.toUpperCase() === 'DELETE' && item) {
      return l10n.t('{0} did not allow deleting {1} from the repository {2} (403): your account lacks the Delete permission there. Ask an Artifactory administrator for Delete/Overwrite on {3} (in a permission target), or sign in as a user who has it.{4}', where, item[2], item[1], item[1], serverSays);
    }
    return l10n.t('{0} did not allow this (403): your account lacks the permission on {1}.{2}', where, dockerKey ? `the repository ${dockerKey}` : 'that repository', serverSays);
  }
  if (status === 404) {
    if (err.method.toUpperCase() === 'DELETE' && item) {
      return l10n.t('Not found on {0}: {1} is not in the repository {2} (already deleted, or never pushed there).{3}', where, item[2], item[1], serverSays);
    }
    if (dockerKey) {
      return l10n.t('Not found on {0}: the Docker repository {1}{2} does not exist, or your account cannot see it.{3}', where, dockerKey, t.repository ? ` or its image ${t.repository}` : '', serverSays);
    }
  }
  return undefined;
}

// Amazon ECR: the AWS API's exceptions ({ __type, message }) with the profile, region and permission
// of the call in extra.cloud, the credential chain's refusals, BatchDeleteImage's failures[] and the
// registry's own answers (immutable tags, an expired registry token).
function describeAws(err: DistributionError, t: RequestTarget, serverSays: string): string | undefined {
  const code = err.codes[0]?.code ?? '';
  const message = err.codes[0]?.message ?? '';
  const cloud = err.extra.cloud ?? {};
  const profile = cloud.profile ? l10n.t('the AWS profile "{0}"', cloud.profile) : l10n.t('your AWS credentials');
  const where = `${cloud.account ? `account ${cloud.account}` : 'your account'}${cloud.region ? ` in ${cloud.region}` : ''}`;
  const repo = cloud.repository ?? t.repository;
  const ssoLogin = l10n.t('aws sso login{0}', cloud.profile ? ` --profile ${cloud.profile}` : '');
  const wait = err.extra.retryAfterSeconds !== undefined ? l10n.t(' Try again in {0}.', formatSeconds(err.extra.retryAfterSeconds)) : l10n.t(' Try again in a moment.');

  // The registry side (/v2/…): ECR's own registry answers.
  if (t.kind) {
    if (err.hasCode('TAG_INVALID') && /immutable/i.test(message)) {
      return l10n.t('ECR refused to overwrite the tag {0}in {1}: the repository\'s tags are immutable (imageTagMutability IMMUTABLE), so a tag that exists can never point at another image. Push under a new tag, or make the tags mutable (aws ecr put-image-tag-mutability --repository-name {2} --image-tag-mutability MUTABLE).{3}', t.reference ? `"${t.reference}" ` : '', repo ?? 'the repository', repo ?? 'NAME', serverSays);
    }
    if ((err.status === 401 || err.status === 403) && /token has expired/i.test(message + (err.extra.bodySnippet ?? ''))) {
      return l10n.t('ECR\'s registry token for {0} has expired ({1}): they last 12 hours. Sign in again, which asks AWS for a fresh one; a token saved by `docker login` for {2} is used before your AWS credentials, so log out of that first (docker logout {3}).', t.host, err.status, t.host, t.host);
    }
    if (err.status === 404 && err.hasCode('NAME_UNKNOWN')) {
      return l10n.t('ECR has no repository {0} on {1} (NAME_UNKNOWN). ECR does not create repositories on push: create it first (Create Repository, or aws ecr create-repository --repository-name {2}), and check the region in the registry\'s host name.{3}', repo ?? '', t.host, repo ?? 'NAME', serverSays);
    }
    const denied = /not authorized to perform:? ([\w-]+:\w+)/.exec(message)?.[1];
    if ((err.status === 401 || err.status === 403) && denied) {
      return l10n.t('ECR refused ({0} {1}): this needs {2} on {3}, which {4} {5} not have. Ask for it in IAM (AmazonEC2ContainerRegistryPowerUser covers pushing).', err.status, code, denied, repo ?? t.host, profile, cloud.profile ? 'does' : 'do');
    }
    return undefined;
  }

  switch (code) {
    case 'SSOSessionExpired':
      return l10n.t('The AWS SSO session of {0} has expired or is not signed in. Run `{1}`, then try again.', profile, ssoLogin);
    case 'NoCredentials':
      return l10n.t('No AWS credentials were found. Registry Explorer looked where the AWS CLI does: the environment (AWS_ACCESS_KEY_ID, AWS_PROFILE), the shared files ~/.aws/credentials and ~/.aws/config, SSO, web identity, and container or instance metadata. Configure some with `aws configure` (access keys) or `aws configure sso`, or pick a profile that has them.');
    case 'ProfileNotFound':
      return l10n.t('The AWS profile "{0}" is not in ~/.aws/config or ~/.aws/credentials (nor in AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE). Pick another profile, or add it with `aws configure{1}` or `aws configure sso`.', cloud.profile ?? 'default', cloud.profile ? ` --profile ${cloud.profile}` : '');
    case 'CredentialsError':
      return l10n.t('{0} could not be used: {1}. Check the profile in ~/.aws/config.', capitalise(profile), message.replace(/\.$/, ''));
    case 'UnrecognizedClientException':
    case 'InvalidClientTokenId':
    case 'InvalidSignatureException':
    case 'SignatureDoesNotMatch':
      return l10n.t('AWS did not accept the access key of {0} ({1}): it is wrong, deleted or deactivated, or its secret does not match. Check ~/.aws/credentials (or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), or sign in with another profile.', profile, code);
    case 'ExpiredTokenException':
    case 'ExpiredToken':
      return l10n.t('The temporary AWS credentials of {0} have expired ({1}). Get new ones (`{2}` for SSO, or assume the role again), then try again.', profile, code, ssoLogin);
    case 'AccessDeniedException':
    case 'AccessDenied':
      return l10n.t('AWS refused ({0}): this needs {1} on {2} ({3}), which {4} {5} not have. Ask for {6} in IAM: AmazonEC2ContainerRegistryReadOnly covers browsing and scan findings, PowerUser adds pushing and scans, deleting needs ecr:BatchDeleteImage.', code, cloud.action ?? 'a permission', repo ? `the repository ${repo}` : 'the registry', where, profile, cloud.profile ? 'does' : 'do', cloud.action ?? 'it');
    case 'RepositoryNotFoundException':
      return l10n.t('No repository {0} in the ECR registry of {1} (RepositoryNotFoundException). ECR repositories belong to one region and one account: check that the registry\'s region is the one the repository was created in (the host names both: ACCOUNT.dkr.ecr.REGION.amazonaws.com), and the spelling.', repo ?? '', where);
    case 'ImageNotFoundException':
    case 'ImageNotFound':
      return l10n.t('ECR has no such image in {0} ({1}): it was deleted, or its tag moved. Refresh and look again.{2}', repo ?? 'the repository', code, serverSays);
    case 'ImageTagDoesNotMatchDigest':
      return l10n.t('Not deleted: the tag no longer points at the image that was shown (ImageTagDoesNotMatchDigest): it was pushed again since. Refresh and check before deleting.');
    case 'ImageReferencedByManifestList':
      return l10n.t('ECR did not delete the image: a multi-platform image (manifest list) in {0} refers to it (ImageReferencedByManifestList). Delete the manifest list first.', repo ?? 'the repository');
    case 'LimitExceededException':
      return l10n.t('ECR did not start a scan (LimitExceededException): basic scanning scans an image at most once every 24 hours, the scan on push included. Its last findings are still in Show Vulnerabilities.{0}', serverSays);
    case 'UnsupportedImageTypeException':
      return l10n.t('ECR cannot scan this kind of image (UnsupportedImageTypeException): basic scanning reads container images with an operating-system package database.{0}', serverSays);
    case 'RepositoryAlreadyExistsException':
      return l10n.t('The repository {0} already exists in the ECR registry of {1}.', repo ?? '', where);
    case 'InvalidParameterException':
      return l10n.t('ECR rejected the request (InvalidParameterException).{0}', serverSays);
    case 'ThrottlingException':
    case 'ThrottleException':
    case 'TooManyRequestsException':
      return l10n.t('AWS is throttling ECR requests ({0}).{1}', code, wait);
  }
  if (err.status >= 500) return l10n.t('ECR answered with a server error ({0}{1}).{2} Try again later.', err.status, code ? ` ${code}` : '', serverSays);
  return undefined;
}

// Azure Container Registry: { errors: [{ code, message, detail }] } (AcrErrors in the data-plane spec),
// Microsoft Entra sign-in through /oauth2/exchange, locks through changeableAttributes.
function describeAzure(err: DistributionError, t: RequestTarget, serverSays: string): string | undefined {
  const status = err.status;
  const host = t.host;
  const name = acrName(host);
  const path = pathOf(err.url);
  const method = err.method.toUpperCase();
  const said = (err.codes.map((c) => c.message ?? '').join(' ') + ' ' + (err.extra.bodySnippet ?? '')).toLowerCase();
  const lock = err.extra.lock;
  if (lock) {
    const flag = lock.attribute === 'deleteEnabled' ? '--delete-enabled' : '--write-enabled';
    const target = lock.level === 'repository' ? `--repository ${lock.name}` : `--image ${lock.name}`;
    const what = lock.level === 'repository' ? l10n.t('the repository {0}', lock.name) : lock.level === 'tag' ? l10n.t('the tag {0}', lock.name) : l10n.t('the image {0}', lock.name);
    const locked = lock.attribute === 'deleteEnabled' ? l10n.t('locked against deletes (deleteEnabled: false)') : 'write-locked (writeEnabled: false)';
    const verb = method === 'DELETE' ? 'delete' : 'write';
    const also = method === 'DELETE' && lock.attribute === 'writeEnabled' ? l10n.t(', which also stops deletes') : '';
    return l10n.t('Azure Container Registry ({0}) refused to {1}: {2} is {3}{4}. Lift the lock with `az acr repository update --name {5} {6} {7} true`, then try again.', host, verb, what, locked, also, lock.registryName, target, flag);
  }
  if (err.hasCode('REGISTRY_DISALLOWED_OPERATION') || (status === 405 && said.includes('disallowed'))) {
    const image = t.repository ? `${t.repository}${t.reference ? (t.reference.includes(':') ? `@${t.reference}` : `:${t.reference}`) : ''}` : 'REPOSITORY:TAG';
    return l10n.t('Azure Container Registry ({0}) refused this {1}: the repository, tag or image is locked (writeEnabled or deleteEnabled false), or the registry is at its storage limit. See the locks with `az acr repository show --name {2} --image {3}` and lift one with `az acr repository update --name {4} --image {5} --write-enabled true --delete-enabled true` (or --repository for the whole repository).{6}', host, method === 'DELETE' ? 'delete' : 'write', name, image, name, image, serverSays);
  }
  if (path.endsWith('/oauth2/exchange')) {
    if (status === 401 || status === 403) {
      if (said.includes('tenant')) {
        return l10n.t('Azure Container Registry ({0}) refused the Microsoft Entra token: it was issued by another tenant than the registry\'s. Sign in to the registry\'s tenant (`az login --tenant TENANT-ID`, or pick that directory\'s account in VS Code), then try again.{1}', host, serverSays);
      }
      if (said.includes('expired')) {
        return l10n.t('Azure Container Registry ({0}) refused the Microsoft Entra token as expired: sign in again (`az login`, or sign out and in with the Microsoft account in VS Code).{1}', host, serverSays);
      }
      return l10n.t('Azure Container Registry ({0}) did not accept your Microsoft Entra sign-in ({1}): the account has no role on this registry, or no access to its subscription. Ask for the AcrPull role on it (AcrPush to push, AcrDelete to delete) — `az role assignment create --assignee YOU --role AcrPull --scope REGISTRY-RESOURCE-ID` — or sign in with an account that has one; after a new role assignment, sign in again so the token carries it.{2}', host, status, serverSays);
    }
    if (status === 400) {
      return l10n.t('Azure Container Registry ({0}) rejected the token exchange (400): the registry name or the tenant did not match the token. Check that {1} is the registry\'s login server.{2}', host, host, serverSays);
    }
    return undefined;
  }
  if (err.operation === 'login' && (status === 401 || status === 403)) {
    return l10n.t('Sign-in to Azure Container Registry ({0}) failed: the user name or password was refused. For the admin user use a password from Access keys (`az acr credential show --name {1}`); for a repository-scoped token, one of its passwords (`az acr token credential generate` makes a new one; they may expire); or sign in with Microsoft Entra instead.{2}', host, name, serverSays);
  }
  if (path.endsWith('/oauth2/token') && (status === 401 || status === 403)) {
    return l10n.t('Azure Container Registry ({0}) refused to issue an access token ({1}): the stored password or refresh token is wrong, expired or was regenerated. Sign in again (Microsoft Entra, or `az acr login --name {2}` for docker\'s stored login).{3}', host, status, name, serverSays);
  }
  if ((status === 401 || status === 403) && said.includes('not allowed access')) {
    return l10n.t('Azure Container Registry ({0}) does not accept connections from this address: its firewall (Networking → Public access) allows only selected networks. Add your IP address there, or connect through the registry\'s private endpoint.{1}', host, serverSays);
  }
  if ((status === 401 || status === 403) && (method === 'PUT' || method === 'POST' || method === 'PATCH' || method === 'DELETE')) {
    const role = method === 'DELETE' ? 'AcrDelete' : 'AcrPush';
    const verb = method === 'DELETE' ? 'delete' : 'push';
    return l10n.t('Not allowed to {0} on Azure Container Registry ({1}){2} ({3}): the account may read but not {4}. It needs the {5} role on the registry (or a repository-scoped token whose scope map allows {6}).{7}', verb, host, t.repository ? ` in ${t.repository}` : '', status, verb, role, method === 'DELETE' ? 'content/delete' : 'content/write', serverSays);
  }
  if (status === 404 && /^\/acr\/v1\//.test(path)) {
    const repository = /^\/acr\/v1\/(.+?)(?:\/_tags|\/_manifests|$)/.exec(decodeURIComponent(path))?.[1];
    if (repository && repository !== '_catalog') return l10n.t('Repository {0} not found on Azure Container Registry ({1}).{2}', repository, host, serverSays);
  }
  return undefined;
}

// Google Cloud: Artifact Registry and Artifact Analysis answer with google.rpc.Status bodies, read by
// src/registries/artifactRegistry.ts into codes: the status ("PERMISSION_DENIED") and each ErrorInfo
// reason ("SERVICE_DISABLED", "IAM_PERMISSION_DENIED") with its metadata as the detail. Registry
// errors of Google hosts are marked 'google' too; their 403 DENIED message names the permission.
function describeGoogle(err: DistributionError, t: RequestTarget, serverSays: string): string | undefined {
  const status = err.status;
  const metadata = (code: string): Record<string, string> => {
    const detail = err.codes.find((c) => c.code === code)?.detail;
    return detail && typeof detail === 'object' ? (detail as Record<string, string>) : {};
  };
  const message = err.codes.find((c) => c.message)?.message ?? err.extra.bodySnippet ?? '';
  const path = decodeURIComponent(pathOf(err.url));
  const onApi = /^\/v1\//.test(path);
  const resource = /\/v1\/projects\/([^/]+)(?:\/locations\/([^/]+)(?:\/repositories\/([^/]+))?)?/.exec(path);
  const project = resource?.[1] ?? /projects\/([^/'"]+)/.exec(message)?.[1];

  if (err.codes.some((c) => c.code === 'SERVICE_DISABLED')) {
    const service = metadata('SERVICE_DISABLED')['service'] ?? 'the API';
    const consumer = /^projects\/(.+)$/.exec(metadata('SERVICE_DISABLED')['consumer'] ?? '')?.[1] ?? project ?? 'PROJECT';
    const title = metadata('SERVICE_DISABLED')['serviceTitle'] ?? googleApiTitle(service);
    return l10n.t('{0} ({1}) is not enabled in project {2}. Enable it with `gcloud services enable {3} --project={4}` (or in the Cloud console under APIs & Services), wait a minute for it to take effect, and try again.', title, service, consumer, service, consumer);
  }

  const denied = /Permission ['"]?([a-z]+\.[A-Za-z.]+)['"]? denied(?: on resource ['"]?([^'"\s]+)['"]?)?/.exec(message);
  const permission = metadata('IAM_PERMISSION_DENIED')['permission'] ?? denied?.[1];
  if (status === 403 && permission) {
    const on = (metadata('IAM_PERMISSION_DENIED')['resource'] ?? denied?.[2])?.replace(/^\/\/[^/]+\//, '');
    const role = googleRoleFor(permission);
    const grant = project ?? /projects\/([^/]+)/.exec(on ?? '')?.[1];
    const how = grant ? l10n.t(' (for example `gcloud projects add-iam-policy-binding {0} --member=user:YOU@example.com --role={1}`)', grant, role.split(' ')[0]) : '';
    // Artifact Registry answers the same for a repository that is not in that location.
    const elsewhere = /or it may not exist/.test(message) ? /locations\/([^/]+)\/repositories\/([^/]+)/.exec(on ?? '') : null;
    if (elsewhere) {
      return l10n.t('Google Cloud denied your account the permission {0} on {1} (403), or that repository does not exist in location {2}. Each location has its own host (LOCATION-docker.pkg.dev): list where the project\'s repositories are with `gcloud artifacts repositories list{3}`. If it is there, grant your account {4}{5}.', permission, on, elsewhere[1], grant ? ` --project=${grant}` : '', role, how);
    }
    return l10n.t('Google Cloud denied your account the permission {0}{1} (403). Grant it {2}{3}, or ask the project\'s owner to.', permission, on ? ` on ${on}` : '', role, how);
  }

  if (status === 401) {
    if (!onApi) {
      return l10n.t('{0} refused the Google credentials (401), even a freshly issued access token. Run `gcloud auth application-default login` (or, if you signed in with an access token as oauth2accesstoken, sign in again: those last an hour) and try again.{1}', t.host, serverSays);
    }
    return l10n.t('Google Cloud refused the access token (401{0}), even after renewing it. Run `gcloud auth application-default login` and try again.{1}', err.codes.some((c) => c.code === 'ACCESS_TOKEN_EXPIRED') ? ', expired' : '', serverSays);
  }

  if (status === 404) {
    const location = onApi ? resource?.[2] : /^([a-z0-9-]+)-docker\.pkg\.dev$/.exec(t.host)?.[1];
    const repo = onApi ? resource?.[3] : undefined;
    if (repo && /gcr\.io$/.test(repo)) {
      return l10n.t('Project {0} has no {1} repository in Artifact Registry (404): gcr.io images are kept in a repository named after the host. Create it with `gcloud artifacts repositories create {2} --repository-format=docker --location={3} --project={4}`, or move Container Registry\'s images there with `gcloud artifacts docker upgrade migrate --projects={5}`.', String(project), String(repo), String(repo), String(location), String(project), String(project));
    }
    if (location && project) {
      const what = repo ? `repository ${repo}` : onApi ? 'location' : t.repository ? `image ${t.repository}` : 'it';
      return l10n.t('Not found in Artifact Registry: {0} in location {1} of project {2} (404). Each location has its own host ({3}-docker.pkg.dev): list where the project\'s repositories are with `gcloud artifacts repositories list --project={4}`, and connect that location\'s host.{5}', what, location, project, location, project, serverSays);
    }
    return undefined;
  }

  if (status === 409 && err.codes.some((c) => c.code === 'ALREADY_EXISTS')) {
    return l10n.t('Artifact Registry already has that (409 ALREADY_EXISTS): pick another name, or use the one that exists.{0}', serverSays);
  }
  if (status === 400 && err.codes.some((c) => c.code === 'FAILED_PRECONDITION')) {
    return l10n.t('Artifact Registry refused (400 FAILED_PRECONDITION).{0}', serverSays);
  }
  if (status === 429) {
    const wait = err.extra.retryAfterSeconds !== undefined ? l10n.t(' Try again in {0}.', formatSeconds(err.extra.retryAfterSeconds)) : l10n.t(' Try again in a minute.');
    return l10n.t('Google Cloud\'s request quota was exceeded (429 RESOURCE_EXHAUSTED).{0}', wait);
  }
  return undefined;
}

/** The registry's resource name for az acr commands: myregistry for myregistry.azurecr.io. */
function acrName(host: string): string {
  return /\.azurecr\.(io|cn|us)$/i.test(host) ? host.slice(0, host.indexOf('.')) : host;
}

function googleApiTitle(service: string): string {
  if (service === 'artifactregistry.googleapis.com') return l10n.t('The Artifact Registry API');
  if (service === 'containeranalysis.googleapis.com') return l10n.t('The Container Analysis API');
  if (service === 'containerscanning.googleapis.com') return l10n.t('The Container Scanning API');
  return l10n.t('The API');
}

/** The predefined role that grants a permission (cloud.google.com/iam/docs/roles-permissions/artifactregistry). */
function googleRoleFor(permission: string): string {
  if (permission.startsWith('containeranalysis.occurrences.')) return l10n.t('roles/containeranalysis.occurrences.viewer (Container Analysis Occurrences Viewer)');
  if (!permission.startsWith('artifactregistry.')) return l10n.t('a role that includes it');
  if (/^artifactregistry\.repositories\.(create|delete|update|setIamPolicy)$/.test(permission)) return l10n.t('roles/artifactregistry.admin (Artifact Registry Administrator)');
  if (/\.(delete|deleteArtifacts)$/.test(permission)) return l10n.t('roles/artifactregistry.repoAdmin (Artifact Registry Repository Administrator)');
  if (/\.(uploadArtifacts|create|update)$/.test(permission)) return l10n.t('roles/artifactregistry.writer (Artifact Registry Writer)');
  return l10n.t('roles/artifactregistry.reader (Artifact Registry Reader)');
}

/** A cloud credential that could not be found or used; each cloud names its own fix. */
function describeCloudCredential(err: CloudCredentialError): string {
  const detail = err.detailText ? ` (${err.detailText.replace(/\.$/, '')})` : '';
  if (err.vendor === 'azure') {
    const cli = err.source === 'Azure CLI';
    switch (err.reason) {
      case 'not-signed-in':
        if (cli) return l10n.t('The Azure CLI is not signed in: run `az login` (add --tenant TENANT-ID for another directory), then try again.');
        if (err.source === 'Microsoft Entra') {
          return l10n.t('Not signed in to Azure: sign in with your Microsoft account (VS Code), or run `az login` for regx; the registry\'s admin user or a repository-scoped token works too (`regx login HOST -u NAME`).');
        }
        return l10n.t('Not signed in to Azure ({0}){1}: run `az login`, then try again.', err.source, detail);
      case 'expired':
        return l10n.t('Your Microsoft Entra sign-in has expired{0}: sign in again (`az login`{1}), then try again.', detail, cli ? '' : ', or sign out and in with the Microsoft account in VS Code');
      case 'wrong-tenant':
        return l10n.t('Microsoft Entra did not find the account or application in that tenant{0}: sign in to the tenant the registry belongs to (`az login --tenant TENANT-ID`, or AZURE_TENANT_ID for a service principal).', detail);
      case 'refused':
        return l10n.t('Microsoft Entra refused the sign-in from {0}{1}. Check the credentials: for a service principal AZURE_CLIENT_ID and its secret or certificate (secrets expire), for the Azure CLI run `az login` again.', err.source, detail);
      case 'unavailable':
        return l10n.t('No Azure credentials were found ({0}){1}. Run `az login`, set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for a service principal, or run where a managed identity is assigned; or sign in with the registry\'s admin user or a repository-scoped token (`regx login HOST -u NAME`).', err.source, detail);
    }
  }
  if (err.vendor === 'google') {
    switch (err.reason) {
      case 'missing':
        return l10n.t('No Google credentials were found ({0}). Run `gcloud auth application-default login`, or point GOOGLE_APPLICATION_CREDENTIALS at a service-account key file, then try again.', String(err.detailText));
      case 'unreadable':
        return l10n.t('Could not use the Google credentials in {0}: {1}. Fix or remove it; `gcloud auth application-default login` writes a new application_default_credentials.json.', String(err.source), String(err.detailText));
      case 'refused':
        return l10n.t('Google refused to issue an access token from {0} ({1}): the credentials have expired or were revoked. Run `gcloud auth application-default login` again (for a service-account key, create a new key).', String(err.source), String(err.detailText));
      default:
        return l10n.t('Could not get a Google access token from {0}: {1}. Check the network and try again.', String(err.source), String(err.detailText));
    }
  }
  return l10n.t('Could not use the {0} credentials from {1}: {2}', vendorName(err.vendor), err.source, sentence(err.detailText ?? err.reason));
}

function describeTransport(err: TransportError): string {
  const host = hostOf(err.url);
  switch (err.reason) {
    case 'refused':
      return l10n.t('Could not connect to {0}: the connection was refused. Check that the registry is running and that the address and port are right.', host);
    case 'dns':
      return l10n.t('Could not find {0}: the name does not resolve (DNS). Check the registry address and your network.', host);
    case 'timeout': {
      const seconds = /(\d+) s\b/.exec(err.causeMessage ?? '')?.[1];
      const stalled = /stalled/.test(err.causeMessage ?? '');
      if (stalled) return l10n.t('{0} stopped sending data for {1} seconds{2}, so the transfer was abandoned. Try again later.', host, seconds ?? 'too many', afterRetries(err.attempts));
      return l10n.t('{0} did not answer within {1}{2}. The registry may be down or overloaded, or a firewall may be dropping the connection.', host, seconds ? `${seconds} s` : 'the time limit', afterRetries(err.attempts));
    }
    case 'tls':
      if (/CERTIFICATE_REQUIRED/.test(err.causeCode ?? '')) {
        return l10n.t('{0} asks for a client certificate (mutual TLS) and none was sent ({1}). {2}', host, String(err.causeCode), clientCertificateHint(host));
      }
      return l10n.t('The secure (TLS) connection to {0} failed{1}. If the registry uses a self-signed or private certificate, put its CA as a .crt file in /etc/docker/certs.d/{2}/ (as docker reads it) or add it with "caFile" in registryExplorer.registries (or, less safely, set "skipTlsVerify"; with regx, --insecure). A registry that asks for a client certificate finds it there too, as NAME.cert with NAME.key.', host, err.causeCode ? ` (${err.causeCode})` : '', host);
    case 'reset':
    case 'closed': {
      const text = l10n.t('{0} closed the connection unexpectedly{1}. Try again; if it repeats, check the registry and any proxy in between.', host, afterRetries(err.attempts));
      // A registry that asks for a client certificate and gets none hangs up right after the TLS handshake.
      return err.url.startsWith('https:')
        ? l10n.t('{0} A registry that asks for a client certificate (mutual TLS) hangs up like this when it gets none. {1}', text, clientCertificateHint(host))
        : text;
    }
    default:
      return l10n.t('The request to {0} failed: {1}.', host, err.causeMessage ?? err.causeCode ?? 'network error');
  }
}

/** Claims a retry only when there was one. */
function afterRetries(attempts: number | undefined): string {
  return attempts !== undefined && attempts > 1 ? l10n.t(', even after {0}', attempts - 1 === 1 ? 'one retry' : `${attempts - 1} retries`) : '';
}

function clientCertificateHint(host: string): string {
  return l10n.t('Put it in /etc/docker/certs.d/{0}/ as NAME.cert with its NAME.key, where docker reads it too.', host);
}

/** Names the proxy (redacted: never its credentials) and where it was set, so the person knows what to fix. */
function describeProxy(err: ProxyError): string {
  const host = hostOf(err.url);
  const proxy = l10n.t('the proxy {0} (from {1})', err.proxy, err.source);
  const bypass = l10n.t('add {0} to the no-proxy list (NO_PROXY, or http.noProxy in VS Code) to connect directly', host);
  switch (err.reason) {
    case 'auth':
      return err.sentCredentials
        ? l10n.t('{0} rejected its user name and password ({1}) on the way to {2}. Correct the credentials in the proxy URL (http://USER:PASSWORD@host:port) in {3}.', capitalise(proxy), err.status ?? 407, host, err.source)
        : l10n.t('{0} requires authentication (407 Proxy Authentication Required) on the way to {1}. Put the user name and password in the proxy URL (http://USER:PASSWORD@host:port) in {2}.', capitalise(proxy), host, err.source);
    case 'refused':
      return l10n.t('Could not connect to {0}: the connection was refused. Check the proxy address and port in {1}, or {2}.', proxy, err.source, bypass);
    case 'dns':
      return l10n.t('Could not find {0}: its name does not resolve (DNS). Check the proxy address in {1}.', proxy, err.source);
    case 'timeout':
      return l10n.t('{0} did not answer in time on the way to {1}. Check the proxy address in {2}, or {3}.', capitalise(proxy), host, err.source, bypass);
    case 'tls':
      return l10n.t('The secure (TLS) connection to {0} failed{1}. If the proxy uses a private certificate, trust its CA (or, in VS Code, set http.proxyStrictSSL to false).', proxy, err.causeCode ? ` (${err.causeCode})` : '');
    case 'status': {
      const status = err.status ?? 0;
      if (status === 403) {
        return l10n.t('{0} refused to connect to {1} (403): its rules do not allow that host or port (for example tinyproxy\'s ConnectPort, squid\'s SSL_ports). Ask for the proxy to allow it, or {2}.', capitalise(proxy), host, bypass);
      }
      if (status >= 500) {
        return l10n.t('{0} could not reach {1} ({2}){3}. Check that the registry is up and reachable from the proxy, or {4}.', capitalise(proxy), host, status, afterRetries(err.attempts), bypass);
      }
      return l10n.t('{0} refused the connection to {1} ({2}). Check the proxy in {3}, or {4}.', capitalise(proxy), host, status, err.source, bypass);
    }
  }
}

function describePolicy(err: PolicyError): string {
  const host = hostOf(err.url);
  switch (err.rule) {
    case 'cross-host-link':
      return l10n.t('Stopped: {0} sent a paging link to another host ({1}). Registry Explorer does not follow it, so your credentials stay with the registry.', host, err.url);
    case 'link-loop':
      return l10n.t('Stopped: the registry\'s paging links went in a circle ({0}). The list shown may be incomplete.', err.url);
    case 'redirect-downgrade':
      return l10n.t('Stopped: the registry redirected from HTTPS to plain HTTP ({0}), which would expose the request. Not followed.', err.url);
    case 'insecure-scheme':
      return l10n.t('Stopped: the registry pointed at an insecure or unsupported URL ({0}). Not followed.', err.url);
    case 'too-many-redirects':
      return l10n.t('Stopped: too many redirects ({0}).', err.url);
    case 'realm':
      return l10n.t('Stopped: the registry asked for credentials to be sent to an unsafe token service ({0}): {1}.', err.url, err.detailText);
    case 'http-not-allowed':
      return sentence(err.detailText);
    case 'schema1-push':
      return `Refused: ${err.detailText}.`;
    default:
      return sentence(err.message);
  }
}

/** Where the build stopped, the engine's words, and the failing step's last output lines. */
function describeBuild(err: BuildError): string {
  const instruction = err.step && err.step.instruction.length > 70 ? `${err.step.instruction.slice(0, 69)}…` : err.step?.instruction;
  const where = err.step
    ? `${err.dockerfile}${err.step.line ? ` line ${err.step.line}` : ''} (step ${err.step.number}/${err.step.total}: ${instruction})`
    : err.dockerfile;
  // The classic builder repeats the whole command; the instruction above already shows it.
  const exited = /returned a non-zero code: (\d+)/.exec(err.detailText);
  const what = exited ? l10n.t('the command exited with code {0}', exited[1]) : err.detailText;
  const output = err.output.length ? l10n.t('\nLast output:\n{0}', err.output.map((line) => `  ${line}`).join('\n')) : '';
  return l10n.t('The build failed at {0}: {1}{2}', where, sentence(what), output);
}

function describeEngine(err: EngineError): string {
  const where = err.endpoint;
  switch (err.reason) {
    case 'unreachable':
      return l10n.t('Could not reach the Docker engine at {0}: {1}. Start Docker, or point registryExplorer.docker.host (or DOCKER_HOST for regx) at the right socket.', where, err.detailText);
    case 'permission':
      return l10n.t('Permission denied on the Docker engine socket {0}. Add your user to the "docker" group (then sign in again), or set registryExplorer.docker.host / DOCKER_HOST to a socket you can use.', where);
    case 'not-found':
      return l10n.t('The Docker engine at {0} did not find it: {1}.', where, err.detailText);
    case 'conflict':
      return l10n.t('The Docker engine at {0} refused: {1}.', where, err.detailText);
    case 'auth':
      return l10n.t('The Docker engine at {0} could not sign in to the registry: {1}. Sign in to the registry (docker login or Registry Explorer: Login) and try again.', where, err.detailText);
    case 'config':
      return l10n.t('The Docker engine setting is not usable ({0}): {1}. Check registryExplorer.docker.host or DOCKER_HOST.', where, err.detailText);
    case 'stream': {
      // The engine went away under a running stream (DockerEngine.mapError / unfinished in
      // src/docker/engine.ts word these): it reported nothing, so "reported an error" would mislead.
      const cut = /closed in the middle of the (pull|push|import)\b/.exec(err.detailText);
      if (cut) {
        return l10n.t('The Docker engine at {0} stopped or restarted in the middle of the {1}: the connection closed before the {2} finished. When Docker is back up, run the {3} again.', where, cut[1], cut[1], cut[1]);
      }
      const unfinished = /ended the (pull|push|import) without reporting that it finished/.exec(err.detailText);
      if (unfinished) {
        return l10n.t('The Docker engine at {0} ended the {1} without reporting that it finished: it may have stopped or restarted. When Docker is back up, run the {2} again.', where, unfinished[1], unfinished[1]);
      }
      return l10n.t('The Docker engine at {0} reported an error{1}: {2}.', where, err.status ? ` (${err.status})` : '', err.detailText);
    }
    default:
      return l10n.t('The Docker engine at {0} reported an error{1}: {2}.', where, err.status ? ` (${err.status})` : '', err.detailText);
  }
}

function sentence(text: string): string {
  const t = text.trim();
  if (!t) return l10n.t('Something went wrong.');
  const first = t[0]!.toUpperCase() + t.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

function capitalise(s: string): string {
  return s ? s[0]!.toUpperCase() + s.slice(1) : s;
}

function formatSeconds(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 3600 * 2) return `${Math.round(seconds / 60)} minutes`;
  return `${Math.round(seconds / 3600)} hours`;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} bytes`;
}
