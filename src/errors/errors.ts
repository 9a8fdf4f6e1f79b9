// Every failure the pure layers raise is one of these classes. They carry facts (status, codes,
// method, URL with credentials removed); describeError() (./describe.ts, its words in ./words.ts) turns them into words.

export interface RegistryErrorDetail {
  code: string;
  message?: string;
  detail?: unknown;
}

export type Operation =
  | 'ping' | 'catalog' | 'tags' | 'manifest' | 'blob' | 'upload' | 'mount' | 'delete'
  | 'referrers' | 'token' | 'login' | 'search' | 'copy' | 'tag' | 'other';

/** Base class so callers can tell our errors from programming errors. */
export abstract class RegxError extends Error {
  abstract readonly kind: string;
}

/** The user's input is not a valid reference, tag, digest, URL or setting. Raised before any request. */
export class InvalidInputError extends RegxError {
  readonly kind = 'invalid-input';
  constructor(
    readonly what: 'reference' | 'repository' | 'tag' | 'digest' | 'registry' | 'url' | 'setting' | 'credential' | 'argument',
    readonly input: string,
    readonly reason: string,
  ) {
    super(`invalid ${what} "${input}": ${reason}`);
  }
}

/** Whose own REST API answered: the words for its refusals differ (scopes, immutability, permissions). */
export type Vendor = 'docker-hub' | 'github' | 'gitlab' | 'harbor' | 'quay' | 'artifactory' | 'aws' | 'azure' | 'google';

const VENDOR_NAMES: Record<Vendor, string> = {
  'docker-hub': 'Docker Hub',
  github: 'GitHub',
  gitlab: 'GitLab',
  harbor: 'Harbor',
  quay: 'Quay',
  artifactory: 'Artifactory',
  aws: 'AWS',
  azure: 'Azure Container Registry',
  google: 'Google Cloud',
};

export function vendorName(vendor: Vendor): string {
  return VENDOR_NAMES[vendor];
}

/** Facts beyond the status that change what the message should advise. */
export interface DistributionErrorExtra {
  retryAfterSeconds?: number;
  /** How many times the request was sent before this answer (absent or 1: not retried). */
  attempts?: number;
  authError?: string;
  bodySnippet?: string;
  /**
   * Set when a vendor's own API answered (Docker Hub, GitHub Packages, GitLab, Harbor, Quay,
   * Artifactory) rather than a Distribution registry, or when a registry call was made for a known
   * vendor on another host.
   */
  vendor?: Vendor;
  /** GitHub: scopes the endpoint accepts (X-Accepted-OAuth-Scopes). */
  acceptedScopes?: string[];
  /** GitHub: scopes the token has (X-OAuth-Scopes); absent for tokens without classic scopes. */
  tokenScopes?: string[];
  /** The answer came through this HTTP proxy (plain-http request in absolute form): it may be the proxy's. */
  proxy?: { display: string; source: string };
  /**
   * A cloud's API or its credentials failed: the profile, region and account the call was made with,
   * and the permission it needed (e.g. ecr:DescribeImages), so the message can name the fix.
   */
  cloud?: { profile?: string; region?: string; account?: string; action?: string; repository?: string };
  /**
   * ACR: the lock that refused a write or delete (changeableAttributes writeEnabled/deleteEnabled false),
   * when the provider could find which one it was. `name` is the repository, "repo:tag" or "repo@digest".
   */
  lock?: { level: 'repository' | 'tag' | 'manifest'; attribute: 'writeEnabled' | 'deleteEnabled'; name: string; registryName: string };
  /** A Basic-auth registry answered 401 to the username and password it was sent. */
  basicRefused?: { username: string };
  /** A Basic-auth registry answered 401 to a request sent without credentials: it needs a sign-in. */
  basicRequired?: boolean;
}

/** The registry answered with an HTTP status we did not expect. */
export class DistributionError extends RegxError {
  readonly kind = 'distribution';
  constructor(
    readonly status: number,
    readonly codes: RegistryErrorDetail[],
    readonly method: string,
    /** Always passed through redactUrl() first. */
    readonly url: string,
    readonly operation: Operation = 'other',
    /** Extra facts for the message: retry-after seconds, rate limit, the WWW-Authenticate error. */
    readonly extra: DistributionErrorExtra = {},
  ) {
    super(`${method} ${url} answered ${status}${codes.length ? ` ${codes.map((c) => c.code).join(',')}` : ''}`);
  }
  hasCode(code: string): boolean {
    return this.codes.some((c) => c.code === code);
  }
}

/** Network-level failure: refused, reset, DNS, TLS, timeout. */
export class TransportError extends RegxError {
  readonly kind = 'transport';
  constructor(
    readonly reason: 'refused' | 'reset' | 'dns' | 'tls' | 'timeout' | 'closed' | 'other',
    readonly method: string,
    readonly url: string,
    readonly causeCode?: string,
    readonly causeMessage?: string,
  ) {
    super(`${method} ${url} failed: ${reason}${causeCode ? ` (${causeCode})` : ''}`);
  }
  /** How many times the request was sent (the transport sets it): more than 1 means it was retried. */
  attempts = 1;
}

/**
 * The HTTP(S) proxy in front of a request failed it: it wants credentials (407), refused to connect
 * to the registry (a CONNECT answered with something other than 200), or could not be reached at all.
 */
export class ProxyError extends RegxError {
  readonly kind = 'proxy';
  constructor(
    readonly reason: 'auth' | 'status' | 'refused' | 'dns' | 'timeout' | 'tls',
    /** The proxy's origin, redacted (never its userinfo). */
    readonly proxy: string,
    /** Where the proxy was configured: "HTTPS_PROXY", "the http.proxy setting", … */
    readonly source: string,
    readonly method: string,
    /** The registry URL the request was for, redacted. */
    readonly url: string,
    /** The proxy's status (407, 403, 502, …) when it answered. */
    readonly status?: number,
    /** Proxy credentials were sent (and, with 407, refused). */
    readonly sentCredentials: boolean = false,
    readonly causeCode?: string,
  ) {
    super(`${method} ${url} through proxy ${proxy} (${source}) failed: ${status ?? reason}${causeCode ? ` (${causeCode})` : ''}`);
  }
  /** How many times the request was sent (the transport sets it): more than 1 means it was retried. */
  attempts = 1;
}

/** We refused to do something unsafe: follow a Link/redirect to another host, downgrade to http, send credentials elsewhere. */
export class PolicyError extends RegxError {
  readonly kind = 'policy';
  constructor(
    readonly rule: 'cross-host-link' | 'link-loop' | 'insecure-scheme' | 'redirect-downgrade' | 'too-many-redirects' | 'realm' | 'http-not-allowed' | 'schema1-push',
    readonly url: string,
    readonly detailText: string,
  ) {
    super(`${rule}: ${detailText} (${url})`);
  }
}

/** A body was larger than we are willing to read. */
export class ResponseTooLargeError extends RegxError {
  readonly kind = 'too-large';
  constructor(readonly url: string, readonly limitBytes: number) {
    super(`response from ${url} exceeds ${limitBytes} bytes`);
  }
}

/** Bytes did not hash to the digest we asked for / were told. */
export class DigestMismatchError extends RegxError {
  readonly kind = 'digest-mismatch';
  constructor(readonly url: string, readonly expected: string, readonly actual: string) {
    super(`digest mismatch for ${url}: expected ${expected}, got ${actual}`);
  }
}

/** The server answered, but not with something we can understand (bad JSON, missing headers). */
export class ProtocolError extends RegxError {
  readonly kind = 'protocol';
  constructor(readonly url: string, readonly detailText: string) {
    super(`unexpected answer from ${url}: ${detailText}`);
  }
}

/** A docker-credential-* helper or config.json could not be used. */
export class CredentialError extends RegxError {
  readonly kind = 'credential';
  constructor(readonly source: string, readonly detailText: string) {
    super(`${source}: ${detailText}`);
  }
}

/** The local Docker engine answered with an error, or could not be reached. */
export class EngineError extends RegxError {
  readonly kind = 'engine';
  constructor(
    readonly reason: 'unreachable' | 'permission' | 'not-found' | 'conflict' | 'auth' | 'stream' | 'http' | 'config',
    /** Where we looked: the socket path or tcp URL. */
    readonly endpoint: string,
    readonly detailText: string,
    readonly status?: number,
  ) {
    super(`${endpoint}: ${detailText}`);
  }
}

/** A Dockerfile build that the engine ran and that failed at a step (or before the first one). */
export class BuildError extends RegxError {
  readonly kind = 'build';
  constructor(
    /** The engine's words, e.g. "The command '/bin/sh -c make' returned a non-zero code: 2". */
    readonly detailText: string,
    /** The Dockerfile, as the user named it. */
    readonly dockerfile: string,
    /** Where it failed, when the engine had started a step. */
    readonly step?: { number: number; total: number; instruction: string; line?: number },
    /** The failing step's last lines of output. */
    readonly output: string[] = [],
    readonly exitCode?: number,
  ) {
    super(detailText);
  }
}

/** The user (or a caller's AbortSignal) cancelled. Silent in the UI. */
export class CancelledError extends RegxError {
  readonly kind = 'cancelled';
  constructor(message = 'cancelled') {
    super(message);
  }
}

/** Something the user asked for is refused by our own safety rules (e.g. a delete that would remove other tags). */
export class RefusedError extends RegxError {
  readonly kind = 'refused';
  constructor(readonly detailText: string) {
    super(detailText);
  }
}

/** The registry does not offer this at all (a scan on plain Distribution, a project on Quay). */
export class UnsupportedError extends RegxError {
  readonly kind = 'unsupported';
  constructor(
    /** The registry as people know it: "Harbor (harbor.example.com)", "127.0.0.1:5000". */
    readonly registry: string,
    /** What was asked, as a noun phrase: "vulnerability scans", "creating repositories". */
    readonly feature: string,
    /** Where to go instead, when there is somewhere. */
    readonly hint?: string,
  ) {
    super(`${registry} does not offer ${feature}`);
  }
}

/**
 * A cloud's own credentials gave no token for the registry: nobody is signed in (Azure CLI, VS Code's
 * Microsoft account), no Application Default Credentials, a credential file that cannot be read, a
 * sign-in that expired or was refused, another tenant, or none of the sources is there. Never carries
 * a secret: `source` names where the credential was looked for ("Azure CLI", a file path, an
 * environment variable); `detailText` is the SDK's own sentence with anything token-like removed.
 */
export class CloudCredentialError extends RegxError {
  readonly kind = 'cloud-credential';
  constructor(
    readonly vendor: Vendor,
    readonly reason: 'not-signed-in' | 'expired' | 'refused' | 'unavailable' | 'wrong-tenant' | 'missing' | 'unreadable',
    readonly source: string,
    readonly detailText?: string,
  ) {
    super(`${vendorName(vendor)} credentials (${source}): ${detailText ?? reason}`);
  }
}

/** Remove userinfo and token-like query parameters so a URL is safe to log or show. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '';
      u.password = '';
    }
    for (const key of [...u.searchParams.keys()]) {
      if (/token|secret|password|signature|credential|sig$|x-amz-/i.test(key)) u.searchParams.set(key, 'REDACTED');
    }
    return u.toString();
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}
