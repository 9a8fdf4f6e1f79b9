// The one place errors become words: what failed, and what the person can do about it.
// Everything here works from the facts the typed errors carry (status, codes, method, redacted
// URL, reason); it never sees a credential, so it cannot print one.

import {
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
    return `The answer from ${hostOf(err.url)} was larger than ${formatBytes(err.limitBytes)}, so it was not read (${err.url}).`;
  }
  if (err instanceof DigestMismatchError) {
    return `Content from ${hostOf(err.url)} did not match its digest (expected ${err.expected}, got ${err.actual}): it was corrupted or altered in transit, and nothing was written. Try again; if it repeats, the registry's copy is damaged.`;
  }
  if (err instanceof ProtocolError) {
    return `${hostOf(err.url)} sent an answer Registry Explorer could not understand: ${err.detailText}.`;
  }
  if (err instanceof CloudCredentialError) return describeCloudCredential(err);
  if (err instanceof CredentialError) {
    return `Could not use the credentials from ${err.source}: ${err.detailText}. Sign in again, or check the Docker credential helper named in your Docker config.json.`;
  }
  if (err instanceof EngineError) return describeEngine(err);
  if (err instanceof InvalidInputError) return sentence(err.message);
  if (err instanceof RefusedError) return sentence(err.detailText);
  if (err instanceof UnsupportedError) return `${err.registry} does not offer ${err.feature}.${err.hint ? ` ${sentence(err.hint)}` : ''}`;
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
  const serverSays = firstMessage ? ` The registry said: "${firstMessage}".` : '';
  const status = err.status;

  if (err.extra.vendor) {
    const vendorText = describeVendor(err, err.extra.vendor, t);
    if (vendorText) return vendorText;
  }

  if (err.operation === 'login' && (status === 401 || status === 403)) {
    return `Sign-in to ${host} failed: the registry rejected the username or password.`;
  }
  if (err.operation === 'token' && (status === 401 || status === 403)) {
    return `The token service ${host} refused to issue a token: the stored username or password is wrong or has expired, or the repository is private and needs another account. Sign in to the registry again.`;
  }

  if (err.operation === 'token' && (status >= 500 || status === 429)) {
    // Not the registry: the service it sends us to for tokens. Saying "the registry" would send the person to the wrong place.
    const wait = err.extra.retryAfterSeconds !== undefined ? ` Try again in ${formatSeconds(err.extra.retryAfterSeconds)}.` : ' Try again later.';
    return `The token service ${host} failed (${status})${afterRetries(err.extra.attempts)}, so no access token could be had for the registry.${wait}${firstMessage ? ` It said: "${firstMessage}".` : ''}`;
  }

  if (status === 401 && err.extra.authError === 'invalid_token') {
    // The session already dropped a cached token and fetched a fresh one before this surfaced.
    return `${host} rejected the access token as expired or invalid (401${repo ? ` on ${repo}` : ''}), even a freshly issued one. Sign in again; if it keeps happening, the clocks of this machine and of the token service disagree.`;
  }

  if (status === 401 || status === 403) {
    const insufficient = err.extra.authError === 'insufficient_scope' || err.hasCode('DENIED') || status === 403;
    if (writing && insufficient) {
      const verb = method === 'DELETE' ? 'delete' : 'push';
      const what = repo ? `${repo} on ${host}` : host;
      return `Not allowed to ${verb} to ${what}: your account may pull but not ${verb} (the registry answered ${status}${err.codes[0] ? ` ${err.codes[0].code}` : ''}). Sign in with an account that has ${verb} rights.`;
    }
    if (t.kind === 'catalog') {
      return `${host} did not allow listing its repositories (${status}): sign in, or use an account allowed to read the catalog.`;
    }
    if (repo) {
      return `${repo} on ${host}: not found, or you have no access to it (${status}). If it is private, sign in with an account that can read it.`;
    }
    return `${host} refused the request (${status}): sign in, or check that your account has access.${serverSays}`;
  }

  // `_catalog` is optional (not in the OCI spec): 404/405 there is a fact about the registry, not a
  // failed request. 401/403 stay above: signing in may open it.
  if ((err.operation === 'catalog' || t.kind === 'catalog') && (status === 404 || status === 405)) {
    return `${host} does not offer a catalog of its repositories (/v2/_catalog answered ${status}); name a repository directly instead (${host}/NAME).`;
  }

  if (status === 404) {
    if (err.hasCode('MANIFEST_UNKNOWN') || (t.kind === 'manifests' && !err.hasCode('NAME_UNKNOWN'))) {
      return t.reference && repo ? `${capitalise(refText(t.reference))} not found in ${repo} on ${host}.` : `Manifest not found on ${host}.`;
    }
    if (err.hasCode('NAME_UNKNOWN')) {
      return repo ? `Repository ${repo} not found on ${host}.` : `Repository not found on ${host}.`;
    }
    if (err.hasCode('BLOB_UNKNOWN') || t.kind === 'blobs') {
      return `Blob ${t.reference ? `${t.reference} ` : ''}not found in ${repo ?? 'the repository'} on ${host}.`;
    }
    if (err.hasCode('BLOB_UPLOAD_UNKNOWN') || t.kind === 'uploads') {
      return `The upload session on ${host} expired or is unknown; start the push or copy again.`;
    }
    if (t.kind === 'referrers') return `${host} does not offer the referrers API for ${repo ?? 'this repository'}.`;
    return `Not found on ${host} (${method} ${err.url}).${serverSays}`;
  }

  if (status === 405 || err.hasCode('UNSUPPORTED')) {
    if (method === 'DELETE') {
      return `${host} has deletes disabled, so nothing was removed. On a Distribution registry, REGISTRY_STORAGE_DELETE_ENABLED=true (storage.delete.enabled in config.yml) enables them; Docker Hub and GHCR delete through their web UI or API instead.`;
    }
    return `${host} does not support this operation (${method}, ${status}).${serverSays}`;
  }

  if (status === 400 && method === 'DELETE' && err.hasCode('DIGEST_INVALID') && t.kind === 'manifests') {
    return `${host} cannot delete by tag: Distribution 2.x deletes manifests by digest only. Delete by digest instead — that removes the image and every tag that points to it.`;
  }

  if (status === 429 || err.hasCode('TOOMANYREQUESTS')) {
    const wait = err.extra.retryAfterSeconds !== undefined ? ` Try again in ${formatSeconds(err.extra.retryAfterSeconds)}.` : ' Try again later.';
    if (isDockerHub(host)) {
      return `Docker Hub's pull rate limit was reached (429 TOOMANYREQUESTS): anonymous pulls are limited per IP address, and signing in with a Docker account raises the limit.${wait}`;
    }
    return `${host} is rate-limiting requests (429${err.hasCode('TOOMANYREQUESTS') ? ' TOOMANYREQUESTS' : ''}).${wait}`;
  }

  if (status >= 500 && err.extra.proxy) {
    // Plain http through a proxy: this 5xx may be the proxy's own (it could not reach the registry).
    const { display, source } = err.extra.proxy;
    return `${host} answered ${status} through the proxy ${display} (from ${source})${afterRetries(err.extra.attempts)}: the proxy could not reach the registry, or the registry failed. Check that the proxy can reach ${host}, or add ${host} to the no-proxy list (NO_PROXY, or http.noProxy in VS Code) to connect directly.${serverSays}`;
  }

  if (status >= 500) {
    const what = status === 503 ? 'is unavailable' : status === 502 || status === 504 ? 'is not reachable behind its proxy' : 'had an internal error';
    // A Retry-After longer than regx waits by itself: say how long the registry asked for.
    const wait = err.extra.retryAfterSeconds !== undefined ? ` It asked to wait ${formatSeconds(err.extra.retryAfterSeconds)}: try again then.` : ' Try again later.';
    return `${host} ${what} (${status})${afterRetries(err.extra.attempts)}.${wait}${serverSays}`;
  }

  if (status === 400) {
    const code = err.codes[0]?.code;
    return `${host} rejected the request (400${code ? ` ${code}` : ''}) for ${method} ${err.url}.${serverSays}`;
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
  const wait = err.extra.retryAfterSeconds !== undefined ? ` Try again in ${formatSeconds(err.extra.retryAfterSeconds)}.` : ' Try again later.';
  if (vendor === 'docker-hub') {
    if (err.operation === 'login' && (status === 401 || status === 403)) {
      return `Sign-in to Docker Hub failed: the username or access token was refused. Use a personal access token (Docker Hub → Account settings → Personal access tokens) instead of your password: accounts with two-factor authentication or single sign-on cannot sign in with a password.${serverSays}`;
    }
    // Manifest and blob requests are pulls; the Hub API has no such paths.
    const pull = t.kind === 'manifests' || t.kind === 'blobs';
    if (status === 429 || err.hasCode('TOOMANYREQUESTS')) {
      if (pull) {
        return `Docker Hub's pull rate limit was reached (429 TOOMANYREQUESTS): anonymous pulls are limited per IP address, and signing in with a Docker account raises the limit.${wait}`;
      }
      return `Docker Hub's API rate limit was reached (429): the Hub API limits requests per minute, separately from the pull limit.${wait}`;
    }
    // Other registry answers read as for any registry ("not found, or no access"). The Hub API's
    // own paths (/v2/repositories/…/tags/…) look like registry ones, so match the registry's exactly.
    if (pull || /\/tags\/list$|\/_catalog$|\/referrers\/|\/blobs\/uploads/.test(pathOf(err.url))) return undefined;
    if (status === 401) return `Docker Hub refused the request (401): sign in to Docker Hub with your username and a personal access token.${serverSays}`;
    if (status === 403) {
      if (method === 'DELETE') {
        return `Docker Hub did not allow deleting the tag (403): sign in with a personal access token that has the "Read, Write, Delete" scope, from an account allowed to delete in that repository.${serverSays}`;
      }
      return `Docker Hub did not allow this (403): your account or access token lacks the permission.${serverSays}`;
    }
    if (status === 404) {
      return `Not found on Docker Hub: the namespace, repository or tag does not exist, or it is private and you are not signed in with an account that can see it.${serverSays}`;
    }
    return undefined;
  }
  if (vendor === 'github') {
    if (status === 401) {
      return `GitHub refused the token (401): it is wrong, expired or revoked. Sign in to ghcr.io again.${serverSays}`;
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
        return `GitHub refused (${status}): the token lacks the ${missing.join(' and ')} scope${missing.length > 1 ? 's' : ''} (it has: ${has}). Create a personal access token (classic) with read:packages, plus delete:packages to delete versions, or sign in with your GitHub account and grant package access.`;
      }
      if (status === 403) {
        if (method === 'DELETE') {
          return `GitHub did not allow deleting the package version (403): you need admin rights on the package, and a token with the read:packages and delete:packages scopes.${serverSays}`;
        }
        return `GitHub refused access (403): the token cannot read this package.${serverSays}`;
      }
      return `Not found on GitHub: the package does not exist, or the token cannot see it (GitHub answers 404 for packages it will not show; a token needs read:packages).${serverSays}`;
    }
    if (status === 429) return `GitHub's API rate limit was reached (429).${wait}`;
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
    return `GitLab (${host}) refused the access token (401): it is wrong, expired or revoked. Use a personal, group or project access token with the read_api and read_registry scopes (api to delete tags).${serverSays}`;
  }
  if (status === 403) {
    return `GitLab (${host}) did not allow this (403): the token lacks the scope or your role is too low (deleting tags needs the api scope and at least the Developer role).${serverSays}`;
  }
  if (status === 404) {
    return `Not found on GitLab (${host}): the group, project or registry repository does not exist, or the token cannot see it.${serverSays}`;
  }
  if (status === 429) return `GitLab (${host}) is rate-limiting requests (429).${wait}`;
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
    return `Sign-in to ${where} failed: the username or secret was refused. A robot account signs in as robot$NAME (a project's robot as robot$PROJECT+NAME) with its secret; an OIDC user signs in with the CLI secret from their user profile in Harbor, not with the identity provider's password.`;
  }
  if (/immutable/i.test(message) && (status === 412 || status === 403)) {
    if (method === 'PUT') {
      return `${where} refused to overwrite the tag: a tag immutability rule of its project protects it, so nothing can be pushed or retagged onto it (${status}). Push under a new tag, or ask a project admin to change the rule (the project's Policy → Tag Immutability).${serverSays}`;
    }
    return `${where} refused to delete: a tag immutability rule of its project protects the tag, so neither the tag nor its artifact can be deleted (${status}). A project admin can change the rule (the project's Policy → Tag Immutability).${serverSays}`;
  }
  if (err.hasCode('VIOLATE_FOREIGN_KEY_CONSTRAINT') || /referenced by others/i.test(message)) {
    return `${where} will not delete this artifact: an image index in the repository lists it as one of its platforms (${status}). Delete the index instead; its platforms go with it.${serverSays}`;
  }
  if (status === 412 && /contains repositories/i.test(message)) {
    const project = /\/api\/v2\.0\/projects\/([^/]+)\/?$/.exec(path)?.[1];
    return `${where} will not delete project ${project ? `"${decodeURIComponent(project)}" ` : ''}while it still holds repositories (412). Delete its repositories first (their artifacts go with them), then the project.`;
  }
  if (/no available scanner|no scanner registration|scanner \S+ is deactivated/i.test(message)) {
    return `${where} has no vulnerability scanner for this project (${status}), so there is nothing to scan with and no report. A Harbor administrator adds or enables one under Interrogation Services → Scanners.${serverSays}`;
  }
  if (err.hasCode('PROJECTPOLICYVIOLATION')) {
    return `${where} blocks pulling this image by its project's policy (${status}): the project prevents vulnerable or unsigned images from being pulled.${serverSays}`;
  }
  if (/read only mode/i.test(message)) {
    return `${where} is in read-only mode (${status}): nothing can be pushed, tagged or deleted until an administrator turns off Repository Read Only (Configuration → System Settings).`;
  }
  if (/exceed the configured upper limit/i.test(message)) {
    return `The project's storage quota on ${where} is used up (${status}): delete artifacts in the project, or ask an administrator to raise its quota.${serverSays}`;
  }
  if (status === 409 && method === 'POST' && /\/api\/v2\.0\/projects\/?$/.test(path)) {
    return `${where} already has a project with that name (409): project names are unique across the whole Harbor, including projects you cannot see.${serverSays}`;
  }
  if (!onApi) return undefined;
  if (status === 401) {
    return `${where} refused the request (401): sign in with a Harbor username and password, a robot account (robot$NAME) and its secret, or an OIDC user's CLI secret. Harbor takes a CLI secret only for the registry, for listing projects, repositories and artifacts and for deleting tags: scan reports, scans, deleting artifacts or projects and editing descriptions need a password or a robot account.${serverSays}`;
  }
  if (status === 403) {
    if (method === 'POST' && /\/scan\/?$/.test(path)) return `${where} did not allow starting a scan (403): that needs the Maintainer role or higher in the project.${serverSays}`;
    if (method === 'POST' && /\/projects\/?$/.test(path)) return `${where} did not allow creating a project (403): Harbor may limit that to administrators (Configuration → System Settings → Project Creation).${serverSays}`;
    if (method === 'DELETE' && /\/api\/v2\.0\/projects\/[^/]+\/?$/.test(path)) return `${where} did not allow deleting the project (403): that needs the Project Admin role.${serverSays}`;
    if (method === 'DELETE') return `${where} did not allow deleting (403): deleting tags and artifacts needs the Maintainer role or higher in the project.${serverSays}`;
    if (method === 'PUT') return `${where} did not allow editing the repository (403): that needs the Developer role or higher in the project.${serverSays}`;
    return `${where} did not allow this (403): your role in the project does not permit it.${serverSays}`;
  }
  if (status === 404) {
    return `Not found on ${where}: the project, repository, artifact or tag does not exist, or your account cannot see it (a tag retention rule may also have removed an artifact on its schedule).${serverSays}`;
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
  const token = 'an OAuth application token (sign in with the user name $oauthtoken, or none, and the token)';

  if (apiPath === undefined) {
    if (err.operation === 'login' && (status === 401 || status === 403)) {
      return `Sign-in to ${quay} failed: the robot account (organization+name) and its token, or the username and password, were refused.${serverSays}`;
    }
    const writing = method === 'DELETE' || method === 'PUT' || method === 'POST' || method === 'PATCH';
    if (writing && t.repository && (status === 401 || status === 403)) {
      const what = method === 'DELETE' ? `delete${t.reference ? ` ${refText(t.reference)}` : ''} in` : 'push to';
      return `${quay} did not allow you to ${what} ${t.repository} (${status}): you are not signed in, or the account lacks Write permission on the repository. Grant the robot account (or user) Write on it in Quay, or sign in with ${token} that has the repo:write scope.`;
    }
    return undefined;
  }

  const repository = /^\/repository\/([^/]+\/[^/]+)/.exec(apiPath)?.[1];
  const tag = /\/tag\/([^/]+)$/.exec(apiPath)?.[1];
  const where = repository ? ` on ${repository}` : '';
  if (err.operation === 'login' && (status === 401 || status === 403)) {
    return `${quay} refused the OAuth token (${status}): it is wrong, expired or revoked, or lacks the user:read scope. Generate one under an organization's Applications (OAuth Applications → Generate Token) with user:read and repo:read, plus repo:write to delete tags and repo:create, repo:admin to manage repositories. Robot accounts sign in with their organization+name.${serverSays}`;
  }
  if (status === 401) {
    return `${quay} needs a sign-in for this (401)${where}: use ${token}. Robot accounts and passwords reach only the registry, not Quay's API; a private repository also needs Read permission.${serverSays}`;
  }
  if (status === 403) {
    let needs: string;
    if (method === 'DELETE' && tag) needs = `deleting tag "${tag}" needs Write permission on ${repository ?? 'the repository'} and the repo:write scope`;
    else if (method === 'DELETE' && repository) needs = `deleting ${repository} needs Admin permission on it and the repo:admin scope`;
    else if (method === 'PUT' && repository) needs = `editing the description of ${repository} needs Write permission on it and the repo:write scope`;
    else if (method === 'POST' && apiPath === '/repository') needs = 'creating a repository needs the right to create repositories in that namespace (an organization admin or a team with the creator role) and the repo:create scope';
    else needs = `reading${repository ? ` ${repository}` : ' this'} needs Read permission and the repo:read scope`;
    return `${quay} refused (403): ${needs}. The account or its OAuth token lacks it: grant the permission in Quay, or generate a token with that scope.${serverSays}`;
  }
  if (status === 404) {
    if (/\/manifest\/[^/]+\/security$/.test(apiPath)) return `${quay} has no image with that digest${where}, so it has no scan of it.${serverSays}`;
    return `Not found on ${quay}: the namespace, repository or tag does not exist, or it is private and the account cannot see it.${serverSays}`;
  }
  if (status === 409) return `${quay} refused (409): the tag is immutable, so it cannot be moved or deleted; an administrator of the repository can lift that.${serverSays}`;
  if (status === 520 && /\/security$/.test(apiPath)) {
    return `${quay} could not load the scan from its security scanner (520), a fault on Quay's side. Try again later.${serverSays}`;
  }
  if (status === 400) return `${quay} rejected the request (400)${where}.${serverSays}`;
  return undefined;
}

// JFrog Artifactory (REST API): { errors: [{ status, message }] } bodies.
function describeArtifactory(err: DistributionError, t: RequestTarget, serverSays: string): string | undefined {
  const status = err.status;
  const where = `Artifactory (${t.host})`;
  if (err.operation === 'login' && (status === 401 || status === 403)) {
    return `Sign-in to ${where} failed: it refused that user name with this password, identity token or API key (${status}). Check the user name, and use an identity token (Edit Profile → Generate an Identity Token) or an API key that is not revoked or expired.${serverSays}`;
  }
  const path = pathOf(err.url);
  // Delete Item: /artifactory/<key>/<image>/<tag> (the API lives under /artifactory/api/).
  const item = /^\/artifactory\/(?!api\/)([^/]+)\/(.+)$/.exec(path);
  const dockerKey = /^\/artifactory\/api\/docker\/([^/]+)\//.exec(path)?.[1];
  if (status === 401) {
    return `${where} refused the stored credentials (401): the password, identity token or API key is wrong, expired or revoked. Sign in again with your user name and an identity token or API key.${serverSays}`;
  }
  if (status === 403) {
    if (err.method.toUpperCase() === 'DELETE' && item) {
      return `${where} did not allow deleting ${item[2]} from the repository ${item[1]} (403): your account lacks the Delete permission there. Ask an Artifactory administrator for Delete/Overwrite on ${item[1]} (in a permission target), or sign in as a user who has it.${serverSays}`;
    }
    return `${where} did not allow this (403): your account lacks the permission on ${dockerKey ? `the repository ${dockerKey}` : 'that repository'}.${serverSays}`;
  }
  if (status === 404) {
    if (err.method.toUpperCase() === 'DELETE' && item) {
      return `Not found on ${where}: ${item[2]} is not in the repository ${item[1]} (already deleted, or never pushed there).${serverSays}`;
    }
    if (dockerKey) {
      return `Not found on ${where}: the Docker repository ${dockerKey}${t.repository ? ` or its image ${t.repository}` : ''} does not exist, or your account cannot see it.${serverSays}`;
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
  const profile = cloud.profile ? `the AWS profile "${cloud.profile}"` : 'your AWS credentials';
  const where = `${cloud.account ? `account ${cloud.account}` : 'your account'}${cloud.region ? ` in ${cloud.region}` : ''}`;
  const repo = cloud.repository ?? t.repository;
  const ssoLogin = `aws sso login${cloud.profile ? ` --profile ${cloud.profile}` : ''}`;
  const wait = err.extra.retryAfterSeconds !== undefined ? ` Try again in ${formatSeconds(err.extra.retryAfterSeconds)}.` : ' Try again in a moment.';

  // The registry side (/v2/…): ECR's own registry answers.
  if (t.kind) {
    if (err.hasCode('TAG_INVALID') && /immutable/i.test(message)) {
      return `ECR refused to overwrite the tag ${t.reference ? `"${t.reference}" ` : ''}in ${repo ?? 'the repository'}: the repository's tags are immutable (imageTagMutability IMMUTABLE), so a tag that exists can never point at another image. Push under a new tag, or make the tags mutable (aws ecr put-image-tag-mutability --repository-name ${repo ?? 'NAME'} --image-tag-mutability MUTABLE).${serverSays}`;
    }
    if ((err.status === 401 || err.status === 403) && /token has expired/i.test(message + (err.extra.bodySnippet ?? ''))) {
      return `ECR's registry token for ${t.host} has expired (${err.status}): they last 12 hours. Sign in again, which asks AWS for a fresh one; a token saved by \`docker login\` for ${t.host} is used before your AWS credentials, so log out of that first (docker logout ${t.host}).`;
    }
    if (err.status === 404 && err.hasCode('NAME_UNKNOWN')) {
      return `ECR has no repository ${repo ?? ''} on ${t.host} (NAME_UNKNOWN). ECR does not create repositories on push: create it first (Create Repository, or aws ecr create-repository --repository-name ${repo ?? 'NAME'}), and check the region in the registry's host name.${serverSays}`;
    }
    const denied = /not authorized to perform:? ([\w-]+:\w+)/.exec(message)?.[1];
    if ((err.status === 401 || err.status === 403) && denied) {
      return `ECR refused (${err.status} ${code}): this needs ${denied} on ${repo ?? t.host}, which ${profile} ${cloud.profile ? 'does' : 'do'} not have. Ask for it in IAM (AmazonEC2ContainerRegistryPowerUser covers pushing).`;
    }
    return undefined;
  }

  switch (code) {
    case 'SSOSessionExpired':
      return `The AWS SSO session of ${profile} has expired or is not signed in. Run \`${ssoLogin}\`, then try again.`;
    case 'NoCredentials':
      return `No AWS credentials were found. Registry Explorer looked where the AWS CLI does: the environment (AWS_ACCESS_KEY_ID, AWS_PROFILE), the shared files ~/.aws/credentials and ~/.aws/config, SSO, web identity, and container or instance metadata. Configure some with \`aws configure\` (access keys) or \`aws configure sso\`, or pick a profile that has them.`;
    case 'ProfileNotFound':
      return `The AWS profile "${cloud.profile ?? 'default'}" is not in ~/.aws/config or ~/.aws/credentials (nor in AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE). Pick another profile, or add it with \`aws configure${cloud.profile ? ` --profile ${cloud.profile}` : ''}\` or \`aws configure sso\`.`;
    case 'CredentialsError':
      return `${capitalise(profile)} could not be used: ${message.replace(/\.$/, '')}. Check the profile in ~/.aws/config.`;
    case 'UnrecognizedClientException':
    case 'InvalidClientTokenId':
    case 'InvalidSignatureException':
    case 'SignatureDoesNotMatch':
      return `AWS did not accept the access key of ${profile} (${code}): it is wrong, deleted or deactivated, or its secret does not match. Check ~/.aws/credentials (or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), or sign in with another profile.`;
    case 'ExpiredTokenException':
    case 'ExpiredToken':
      return `The temporary AWS credentials of ${profile} have expired (${code}). Get new ones (\`${ssoLogin}\` for SSO, or assume the role again), then try again.`;
    case 'AccessDeniedException':
    case 'AccessDenied':
      return `AWS refused (${code}): this needs ${cloud.action ?? 'a permission'} on ${repo ? `the repository ${repo}` : 'the registry'} (${where}), which ${profile} ${cloud.profile ? 'does' : 'do'} not have. Ask for ${cloud.action ?? 'it'} in IAM: AmazonEC2ContainerRegistryReadOnly covers browsing and scan findings, PowerUser adds pushing and scans, deleting needs ecr:BatchDeleteImage.`;
    case 'RepositoryNotFoundException':
      return `No repository ${repo ?? ''} in the ECR registry of ${where} (RepositoryNotFoundException). ECR repositories belong to one region and one account: check that the registry's region is the one the repository was created in (the host names both: ACCOUNT.dkr.ecr.REGION.amazonaws.com), and the spelling.`;
    case 'ImageNotFoundException':
    case 'ImageNotFound':
      return `ECR has no such image in ${repo ?? 'the repository'} (${code}): it was deleted, or its tag moved. Refresh and look again.${serverSays}`;
    case 'ImageTagDoesNotMatchDigest':
      return `Not deleted: the tag no longer points at the image that was shown (ImageTagDoesNotMatchDigest): it was pushed again since. Refresh and check before deleting.`;
    case 'ImageReferencedByManifestList':
      return `ECR did not delete the image: a multi-platform image (manifest list) in ${repo ?? 'the repository'} refers to it (ImageReferencedByManifestList). Delete the manifest list first.`;
    case 'LimitExceededException':
      return `ECR did not start a scan (LimitExceededException): basic scanning scans an image at most once every 24 hours, the scan on push included. Its last findings are still in Show Vulnerabilities.${serverSays}`;
    case 'UnsupportedImageTypeException':
      return `ECR cannot scan this kind of image (UnsupportedImageTypeException): basic scanning reads container images with an operating-system package database.${serverSays}`;
    case 'RepositoryAlreadyExistsException':
      return `The repository ${repo ?? ''} already exists in the ECR registry of ${where}.`;
    case 'InvalidParameterException':
      return `ECR rejected the request (InvalidParameterException).${serverSays}`;
    case 'ThrottlingException':
    case 'ThrottleException':
    case 'TooManyRequestsException':
      return `AWS is throttling ECR requests (${code}).${wait}`;
  }
  if (err.status >= 500) return `ECR answered with a server error (${err.status}${code ? ` ${code}` : ''}).${serverSays} Try again later.`;
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
    const what = lock.level === 'repository' ? `the repository ${lock.name}` : lock.level === 'tag' ? `the tag ${lock.name}` : `the image ${lock.name}`;
    const locked = lock.attribute === 'deleteEnabled' ? 'locked against deletes (deleteEnabled: false)' : 'write-locked (writeEnabled: false)';
    const verb = method === 'DELETE' ? 'delete' : 'write';
    const also = method === 'DELETE' && lock.attribute === 'writeEnabled' ? ', which also stops deletes' : '';
    return `Azure Container Registry (${host}) refused to ${verb}: ${what} is ${locked}${also}. Lift the lock with \`az acr repository update --name ${lock.registryName} ${target} ${flag} true\`, then try again.`;
  }
  if (err.hasCode('REGISTRY_DISALLOWED_OPERATION') || (status === 405 && said.includes('disallowed'))) {
    const image = t.repository ? `${t.repository}${t.reference ? (t.reference.includes(':') ? `@${t.reference}` : `:${t.reference}`) : ''}` : 'REPOSITORY:TAG';
    return `Azure Container Registry (${host}) refused this ${method === 'DELETE' ? 'delete' : 'write'}: the repository, tag or image is locked (writeEnabled or deleteEnabled false), or the registry is at its storage limit. See the locks with \`az acr repository show --name ${name} --image ${image}\` and lift one with \`az acr repository update --name ${name} --image ${image} --write-enabled true --delete-enabled true\` (or --repository for the whole repository).${serverSays}`;
  }
  if (path.endsWith('/oauth2/exchange')) {
    if (status === 401 || status === 403) {
      if (said.includes('tenant')) {
        return `Azure Container Registry (${host}) refused the Microsoft Entra token: it was issued by another tenant than the registry's. Sign in to the registry's tenant (\`az login --tenant TENANT-ID\`, or pick that directory's account in VS Code), then try again.${serverSays}`;
      }
      if (said.includes('expired')) {
        return `Azure Container Registry (${host}) refused the Microsoft Entra token as expired: sign in again (\`az login\`, or sign out and in with the Microsoft account in VS Code).${serverSays}`;
      }
      return `Azure Container Registry (${host}) did not accept your Microsoft Entra sign-in (${status}): the account has no role on this registry, or no access to its subscription. Ask for the AcrPull role on it (AcrPush to push, AcrDelete to delete) — \`az role assignment create --assignee YOU --role AcrPull --scope REGISTRY-RESOURCE-ID\` — or sign in with an account that has one; after a new role assignment, sign in again so the token carries it.${serverSays}`;
    }
    if (status === 400) {
      return `Azure Container Registry (${host}) rejected the token exchange (400): the registry name or the tenant did not match the token. Check that ${host} is the registry's login server.${serverSays}`;
    }
    return undefined;
  }
  if (err.operation === 'login' && (status === 401 || status === 403)) {
    return `Sign-in to Azure Container Registry (${host}) failed: the user name or password was refused. For the admin user use a password from Access keys (\`az acr credential show --name ${name}\`); for a repository-scoped token, one of its passwords (\`az acr token credential generate\` makes a new one; they may expire); or sign in with Microsoft Entra instead.${serverSays}`;
  }
  if (path.endsWith('/oauth2/token') && (status === 401 || status === 403)) {
    return `Azure Container Registry (${host}) refused to issue an access token (${status}): the stored password or refresh token is wrong, expired or was regenerated. Sign in again (Microsoft Entra, or \`az acr login --name ${name}\` for docker's stored login).${serverSays}`;
  }
  if ((status === 401 || status === 403) && said.includes('not allowed access')) {
    return `Azure Container Registry (${host}) does not accept connections from this address: its firewall (Networking → Public access) allows only selected networks. Add your IP address there, or connect through the registry's private endpoint.${serverSays}`;
  }
  if ((status === 401 || status === 403) && (method === 'PUT' || method === 'POST' || method === 'PATCH' || method === 'DELETE')) {
    const role = method === 'DELETE' ? 'AcrDelete' : 'AcrPush';
    const verb = method === 'DELETE' ? 'delete' : 'push';
    return `Not allowed to ${verb} on Azure Container Registry (${host})${t.repository ? ` in ${t.repository}` : ''} (${status}): the account may read but not ${verb}. It needs the ${role} role on the registry (or a repository-scoped token whose scope map allows ${method === 'DELETE' ? 'content/delete' : 'content/write'}).${serverSays}`;
  }
  if (status === 404 && /^\/acr\/v1\//.test(path)) {
    const repository = /^\/acr\/v1\/(.+?)(?:\/_tags|\/_manifests|$)/.exec(decodeURIComponent(path))?.[1];
    if (repository && repository !== '_catalog') return `Repository ${repository} not found on Azure Container Registry (${host}).${serverSays}`;
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
    return `${title} (${service}) is not enabled in project ${consumer}. Enable it with \`gcloud services enable ${service} --project=${consumer}\` (or in the Cloud console under APIs & Services), wait a minute for it to take effect, and try again.`;
  }

  const denied = /Permission ['"]?([a-z]+\.[A-Za-z.]+)['"]? denied(?: on resource ['"]?([^'"\s]+)['"]?)?/.exec(message);
  const permission = metadata('IAM_PERMISSION_DENIED')['permission'] ?? denied?.[1];
  if (status === 403 && permission) {
    const on = (metadata('IAM_PERMISSION_DENIED')['resource'] ?? denied?.[2])?.replace(/^\/\/[^/]+\//, '');
    const role = googleRoleFor(permission);
    const grant = project ?? /projects\/([^/]+)/.exec(on ?? '')?.[1];
    const how = grant ? ` (for example \`gcloud projects add-iam-policy-binding ${grant} --member=user:YOU@example.com --role=${role.split(' ')[0]}\`)` : '';
    // Artifact Registry answers the same for a repository that is not in that location.
    const elsewhere = /or it may not exist/.test(message) ? /locations\/([^/]+)\/repositories\/([^/]+)/.exec(on ?? '') : null;
    if (elsewhere) {
      return `Google Cloud denied your account the permission ${permission} on ${on} (403), or that repository does not exist in location ${elsewhere[1]}. Each location has its own host (LOCATION-docker.pkg.dev): list where the project's repositories are with \`gcloud artifacts repositories list${grant ? ` --project=${grant}` : ''}\`. If it is there, grant your account ${role}${how}.`;
    }
    return `Google Cloud denied your account the permission ${permission}${on ? ` on ${on}` : ''} (403). Grant it ${role}${how}, or ask the project's owner to.`;
  }

  if (status === 401) {
    if (!onApi) {
      return `${t.host} refused the Google credentials (401), even a freshly issued access token. Run \`gcloud auth application-default login\` (or, if you signed in with an access token as oauth2accesstoken, sign in again: those last an hour) and try again.${serverSays}`;
    }
    return `Google Cloud refused the access token (401${err.codes.some((c) => c.code === 'ACCESS_TOKEN_EXPIRED') ? ', expired' : ''}), even after renewing it. Run \`gcloud auth application-default login\` and try again.${serverSays}`;
  }

  if (status === 404) {
    const location = onApi ? resource?.[2] : /^([a-z0-9-]+)-docker\.pkg\.dev$/.exec(t.host)?.[1];
    const repo = onApi ? resource?.[3] : undefined;
    if (repo && /gcr\.io$/.test(repo)) {
      return `Project ${project} has no ${repo} repository in Artifact Registry (404): gcr.io images are kept in a repository named after the host. Create it with \`gcloud artifacts repositories create ${repo} --repository-format=docker --location=${location} --project=${project}\`, or move Container Registry's images there with \`gcloud artifacts docker upgrade migrate --projects=${project}\`.`;
    }
    if (location && project) {
      const what = repo ? `repository ${repo}` : onApi ? 'location' : t.repository ? `image ${t.repository}` : 'it';
      return `Not found in Artifact Registry: ${what} in location ${location} of project ${project} (404). Each location has its own host (${location}-docker.pkg.dev): list where the project's repositories are with \`gcloud artifacts repositories list --project=${project}\`, and connect that location's host.${serverSays}`;
    }
    return undefined;
  }

  if (status === 409 && err.codes.some((c) => c.code === 'ALREADY_EXISTS')) {
    return `Artifact Registry already has that (409 ALREADY_EXISTS): pick another name, or use the one that exists.${serverSays}`;
  }
  if (status === 400 && err.codes.some((c) => c.code === 'FAILED_PRECONDITION')) {
    return `Artifact Registry refused (400 FAILED_PRECONDITION).${serverSays}`;
  }
  if (status === 429) {
    const wait = err.extra.retryAfterSeconds !== undefined ? ` Try again in ${formatSeconds(err.extra.retryAfterSeconds)}.` : ' Try again in a minute.';
    return `Google Cloud's request quota was exceeded (429 RESOURCE_EXHAUSTED).${wait}`;
  }
  return undefined;
}

/** The registry's resource name for az acr commands: myregistry for myregistry.azurecr.io. */
function acrName(host: string): string {
  return /\.azurecr\.(io|cn|us)$/i.test(host) ? host.slice(0, host.indexOf('.')) : host;
}

function googleApiTitle(service: string): string {
  if (service === 'artifactregistry.googleapis.com') return 'The Artifact Registry API';
  if (service === 'containeranalysis.googleapis.com') return 'The Container Analysis API';
  if (service === 'containerscanning.googleapis.com') return 'The Container Scanning API';
  return 'The API';
}

/** The predefined role that grants a permission (cloud.google.com/iam/docs/roles-permissions/artifactregistry). */
function googleRoleFor(permission: string): string {
  if (permission.startsWith('containeranalysis.occurrences.')) return 'roles/containeranalysis.occurrences.viewer (Container Analysis Occurrences Viewer)';
  if (!permission.startsWith('artifactregistry.')) return 'a role that includes it';
  if (/^artifactregistry\.repositories\.(create|delete|update|setIamPolicy)$/.test(permission)) return 'roles/artifactregistry.admin (Artifact Registry Administrator)';
  if (/\.(delete|deleteArtifacts)$/.test(permission)) return 'roles/artifactregistry.repoAdmin (Artifact Registry Repository Administrator)';
  if (/\.(uploadArtifacts|create|update)$/.test(permission)) return 'roles/artifactregistry.writer (Artifact Registry Writer)';
  return 'roles/artifactregistry.reader (Artifact Registry Reader)';
}

/** A cloud credential that could not be found or used; each cloud names its own fix. */
function describeCloudCredential(err: CloudCredentialError): string {
  const detail = err.detailText ? ` (${err.detailText.replace(/\.$/, '')})` : '';
  if (err.vendor === 'azure') {
    const cli = err.source === 'Azure CLI';
    switch (err.reason) {
      case 'not-signed-in':
        if (cli) return `The Azure CLI is not signed in: run \`az login\` (add --tenant TENANT-ID for another directory), then try again.`;
        if (err.source === 'Microsoft Entra') {
          return `Not signed in to Azure: sign in with your Microsoft account (VS Code), or run \`az login\` for regx; the registry's admin user or a repository-scoped token works too (\`regx login HOST -u NAME\`).`;
        }
        return `Not signed in to Azure (${err.source})${detail}: run \`az login\`, then try again.`;
      case 'expired':
        return `Your Microsoft Entra sign-in has expired${detail}: sign in again (\`az login\`${cli ? '' : ', or sign out and in with the Microsoft account in VS Code'}), then try again.`;
      case 'wrong-tenant':
        return `Microsoft Entra did not find the account or application in that tenant${detail}: sign in to the tenant the registry belongs to (\`az login --tenant TENANT-ID\`, or AZURE_TENANT_ID for a service principal).`;
      case 'refused':
        return `Microsoft Entra refused the sign-in from ${err.source}${detail}. Check the credentials: for a service principal AZURE_CLIENT_ID and its secret or certificate (secrets expire), for the Azure CLI run \`az login\` again.`;
      case 'unavailable':
        return `No Azure credentials were found (${err.source})${detail}. Run \`az login\`, set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for a service principal, or run where a managed identity is assigned; or sign in with the registry's admin user or a repository-scoped token (\`regx login HOST -u NAME\`).`;
    }
  }
  if (err.vendor === 'google') {
    switch (err.reason) {
      case 'missing':
        return `No Google credentials were found (${err.detailText}). Run \`gcloud auth application-default login\`, or point GOOGLE_APPLICATION_CREDENTIALS at a service-account key file, then try again.`;
      case 'unreadable':
        return `Could not use the Google credentials in ${err.source}: ${err.detailText}. Fix or remove it; \`gcloud auth application-default login\` writes a new application_default_credentials.json.`;
      case 'refused':
        return `Google refused to issue an access token from ${err.source} (${err.detailText}): the credentials have expired or were revoked. Run \`gcloud auth application-default login\` again (for a service-account key, create a new key).`;
      default:
        return `Could not get a Google access token from ${err.source}: ${err.detailText}. Check the network and try again.`;
    }
  }
  return `Could not use the ${vendorName(err.vendor)} credentials from ${err.source}: ${sentence(err.detailText ?? err.reason)}`;
}

function describeTransport(err: TransportError): string {
  const host = hostOf(err.url);
  switch (err.reason) {
    case 'refused':
      return `Could not connect to ${host}: the connection was refused. Check that the registry is running and that the address and port are right.`;
    case 'dns':
      return `Could not find ${host}: the name does not resolve (DNS). Check the registry address and your network.`;
    case 'timeout': {
      const seconds = /(\d+) s\b/.exec(err.causeMessage ?? '')?.[1];
      const stalled = /stalled/.test(err.causeMessage ?? '');
      if (stalled) return `${host} stopped sending data for ${seconds ?? 'too many'} seconds${afterRetries(err.attempts)}, so the transfer was abandoned. Try again later.`;
      return `${host} did not answer within ${seconds ? `${seconds} s` : 'the time limit'}${afterRetries(err.attempts)}. The registry may be down or overloaded, or a firewall may be dropping the connection.`;
    }
    case 'tls':
      if (/CERTIFICATE_REQUIRED/.test(err.causeCode ?? '')) {
        return `${host} asks for a client certificate (mutual TLS) and none was sent (${err.causeCode}). ${clientCertificateHint(host)}`;
      }
      return `The secure (TLS) connection to ${host} failed${err.causeCode ? ` (${err.causeCode})` : ''}. If the registry uses a self-signed or private certificate, put its CA as a .crt file in /etc/docker/certs.d/${host}/ (as docker reads it) or add it with "caFile" in registryExplorer.registries (or, less safely, set "skipTlsVerify"; with regx, --insecure). A registry that asks for a client certificate finds it there too, as NAME.cert with NAME.key.`;
    case 'reset':
    case 'closed': {
      const text = `${host} closed the connection unexpectedly${afterRetries(err.attempts)}. Try again; if it repeats, check the registry and any proxy in between.`;
      // A registry that asks for a client certificate and gets none hangs up right after the TLS handshake.
      return err.url.startsWith('https:')
        ? `${text} A registry that asks for a client certificate (mutual TLS) hangs up like this when it gets none. ${clientCertificateHint(host)}`
        : text;
    }
    default:
      return `The request to ${host} failed: ${err.causeMessage ?? err.causeCode ?? 'network error'}.`;
  }
}

/** Claims a retry only when there was one. */
function afterRetries(attempts: number | undefined): string {
  return attempts !== undefined && attempts > 1 ? `, even after ${attempts - 1 === 1 ? 'one retry' : `${attempts - 1} retries`}` : '';
}

function clientCertificateHint(host: string): string {
  return `Put it in /etc/docker/certs.d/${host}/ as NAME.cert with its NAME.key, where docker reads it too.`;
}

/** Names the proxy (redacted: never its credentials) and where it was set, so the person knows what to fix. */
function describeProxy(err: ProxyError): string {
  const host = hostOf(err.url);
  const proxy = `the proxy ${err.proxy} (from ${err.source})`;
  const bypass = `add ${host} to the no-proxy list (NO_PROXY, or http.noProxy in VS Code) to connect directly`;
  switch (err.reason) {
    case 'auth':
      return err.sentCredentials
        ? `${capitalise(proxy)} rejected its user name and password (${err.status ?? 407}) on the way to ${host}. Correct the credentials in the proxy URL (http://USER:PASSWORD@host:port) in ${err.source}.`
        : `${capitalise(proxy)} requires authentication (407 Proxy Authentication Required) on the way to ${host}. Put the user name and password in the proxy URL (http://USER:PASSWORD@host:port) in ${err.source}.`;
    case 'refused':
      return `Could not connect to ${proxy}: the connection was refused. Check the proxy address and port in ${err.source}, or ${bypass}.`;
    case 'dns':
      return `Could not find ${proxy}: its name does not resolve (DNS). Check the proxy address in ${err.source}.`;
    case 'timeout':
      return `${capitalise(proxy)} did not answer in time on the way to ${host}. Check the proxy address in ${err.source}, or ${bypass}.`;
    case 'tls':
      return `The secure (TLS) connection to ${proxy} failed${err.causeCode ? ` (${err.causeCode})` : ''}. If the proxy uses a private certificate, trust its CA (or, in VS Code, set http.proxyStrictSSL to false).`;
    case 'status': {
      const status = err.status ?? 0;
      if (status === 403) {
        return `${capitalise(proxy)} refused to connect to ${host} (403): its rules do not allow that host or port (for example tinyproxy's ConnectPort, squid's SSL_ports). Ask for the proxy to allow it, or ${bypass}.`;
      }
      if (status >= 500) {
        return `${capitalise(proxy)} could not reach ${host} (${status})${afterRetries(err.attempts)}. Check that the registry is up and reachable from the proxy, or ${bypass}.`;
      }
      return `${capitalise(proxy)} refused the connection to ${host} (${status}). Check the proxy in ${err.source}, or ${bypass}.`;
    }
  }
}

function describePolicy(err: PolicyError): string {
  const host = hostOf(err.url);
  switch (err.rule) {
    case 'cross-host-link':
      return `Stopped: ${host} sent a paging link to another host (${err.url}). Registry Explorer does not follow it, so your credentials stay with the registry.`;
    case 'link-loop':
      return `Stopped: the registry's paging links went in a circle (${err.url}). The list shown may be incomplete.`;
    case 'redirect-downgrade':
      return `Stopped: the registry redirected from HTTPS to plain HTTP (${err.url}), which would expose the request. Not followed.`;
    case 'insecure-scheme':
      return `Stopped: the registry pointed at an insecure or unsupported URL (${err.url}). Not followed.`;
    case 'too-many-redirects':
      return `Stopped: too many redirects (${err.url}).`;
    case 'realm':
      return `Stopped: the registry asked for credentials to be sent to an unsafe token service (${err.url}): ${err.detailText}.`;
    case 'http-not-allowed':
      return sentence(err.detailText);
    case 'schema1-push':
      return `Refused: ${err.detailText}.`;
    default:
      return sentence(err.message);
  }
}

function describeEngine(err: EngineError): string {
  const where = err.endpoint;
  switch (err.reason) {
    case 'unreachable':
      return `Could not reach the Docker engine at ${where}: ${err.detailText}. Start Docker, or point registryExplorer.docker.host (or DOCKER_HOST for regx) at the right socket.`;
    case 'permission':
      return `Permission denied on the Docker engine socket ${where}. Add your user to the "docker" group (then sign in again), or set registryExplorer.docker.host / DOCKER_HOST to a socket you can use.`;
    case 'not-found':
      return `The Docker engine at ${where} did not find it: ${err.detailText}.`;
    case 'conflict':
      return `The Docker engine at ${where} refused: ${err.detailText}.`;
    case 'auth':
      return `The Docker engine at ${where} could not sign in to the registry: ${err.detailText}. Sign in to the registry (docker login or Registry Explorer: Login) and try again.`;
    case 'config':
      return `The Docker engine setting is not usable (${where}): ${err.detailText}. Check registryExplorer.docker.host or DOCKER_HOST.`;
    case 'stream': {
      // The engine went away under a running stream (DockerEngine.mapError / unfinished in
      // src/docker/engine.ts word these): it reported nothing, so "reported an error" would mislead.
      const cut = /closed in the middle of the (pull|push|import)\b/.exec(err.detailText);
      if (cut) {
        return `The Docker engine at ${where} stopped or restarted in the middle of the ${cut[1]}: the connection closed before the ${cut[1]} finished. When Docker is back up, run the ${cut[1]} again.`;
      }
      const unfinished = /ended the (pull|push|import) without reporting that it finished/.exec(err.detailText);
      if (unfinished) {
        return `The Docker engine at ${where} ended the ${unfinished[1]} without reporting that it finished: it may have stopped or restarted. When Docker is back up, run the ${unfinished[1]} again.`;
      }
      return `The Docker engine at ${where} reported an error${err.status ? ` (${err.status})` : ''}: ${err.detailText}.`;
    }
    default:
      return `The Docker engine at ${where} reported an error${err.status ? ` (${err.status})` : ''}: ${err.detailText}.`;
  }
}

function sentence(text: string): string {
  const t = text.trim();
  if (!t) return 'Something went wrong.';
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
