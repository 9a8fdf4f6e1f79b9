// Image references: parse, validate and normalise `host[:port]/name[:tag][@digest]` the way
// docker does (docker.io default, library/ for single-component Hub names), within the
// distribution grammar's limits. Every failure is an InvalidInputError whose reason names the
// bad part, because the person reading it typed the whole string and needs to know which bit.

import { isIPv4, isIPv6, BlockList } from 'node:net';
import { InvalidInputError } from '../errors/errors';

/** A parsed, normalised image reference. */
export interface ImageReference {
  /** "docker.io" for Docker Hub (never index.docker.io / registry-1.docker.io). */
  registry: string;
  /** Repository path, with "library/" added for single-component Docker Hub names. */
  repository: string;
  tag?: string;
  digest?: string;
}

/** The canonical name of Docker Hub in references and credential-store keys. */
export const DOCKER_HUB = 'docker.io';
/** Where Docker Hub's registry API actually answers. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
/** The key docker login uses for Docker Hub in config.json and credential helpers. */
export const DOCKER_HUB_CREDENTIAL_KEY = 'https://index.docker.io/v1/';
/** What a reference without tag or digest means. */
export const DEFAULT_TAG = 'latest';

/** Hosts that all mean Docker Hub. */
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** docker/distribution's NameTotalLengthMax: host + "/" + repository. */
const MAX_NAME_LENGTH = 255;
const MAX_TAG_LENGTH = 128;

/** Digest algorithms registries accept, with the length of their hex encoding. */
const DIGEST_HEX_LENGTHS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** A repository without tag or digest, e.g. for `regx tags REPO`. */
export interface RepositoryReference {
  registry: string;
  repository: string;
}

/** A registry given as a URL keeps its scheme, so a setting like http://host:5000 can allow plain HTTP. */
export interface RegistryAddress {
  /** Normalised host[:port]: the key credentials are stored under. */
  host: string;
  /** Only set when the input was a URL. */
  scheme?: 'http' | 'https';
  /**
   * The path the registry API answers under, without a trailing "/": Artifactory's repository path
   * "/artifactory/api/docker/<repository key>". Absent for registries at the root of their host.
   */
  pathPrefix?: string;
}

/**
 * Artifactory serves each Docker repository's registry API under this path (its "repository path"
 * access method): https://HOST/artifactory/api/docker/<repository key>/v2/…. A reference or registry
 * address whose path starts with it names HOST plus that prefix as the registry.
 */
export const ARTIFACTORY_DOCKER_PATH = '/artifactory/api/docker/';

/** Artifactory repository keys: letters, digits, ".", "_" and "-", starting with a letter or digit. */
const ARTIFACTORY_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

type What = 'reference' | 'repository' | 'registry' | 'tag' | 'digest';

function fail(what: What, input: string, reason: string): never {
  throw new InvalidInputError(what, withoutCredentials(what, input), reason);
}

/**
 * The input as an error may repeat it: without a user:password@ in front of the host, whichever
 * check failed first (whitespace, a bad tag…). An "@" after a path is a digest's and stays.
 */
function withoutCredentials(what: What, input: string): string {
  const at = input.indexOf('@');
  if (at < 0) return input;
  const before = input.slice(0, at).replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  if (before.includes('/')) return input;
  return what === 'registry' || input.slice(at + 1).includes('/') || input.includes('://') ? withoutUserinfo(input) : input;
}

/** Checks shared by every entry point: they all come from a person typing or pasting. */
function checkCommon(what: What, input: string): void {
  if (typeof input !== 'string' || input.length === 0) fail(what, String(input ?? ''), `${what} is empty`);
  if (/\s/.test(input)) fail(what, input, `${what} contains whitespace`);
}

/** Remove anything that looks like user:password@ so an error message never repeats a secret. */
function withoutUserinfo(input: string): string {
  return input.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@]*@/i, '$1');
}

// ---------------------------------------------------------------------------------------------
// Parts

/**
 * Validate a registry host[:port] (no scheme, no path) and return its normalised form:
 * lower-cased, Docker Hub aliases folded into docker.io.
 */
function normaliseHost(what: What, input: string, hostPort: string): string {
  let host: string;
  let port: string | undefined;
  if (hostPort.startsWith('[')) {
    // [IPv6] or [IPv6]:port
    const close = hostPort.indexOf(']');
    if (close < 0) fail(what, input, `host "${hostPort}" is missing the closing "]" of its IPv6 address`);
    host = hostPort.slice(1, close);
    const rest = hostPort.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) fail(what, input, `host "${hostPort}" has "${rest}" after the IPv6 address, expected ":port"`);
      port = rest.slice(1);
    }
    if (!isIPv6(host)) fail(what, input, `host "[${host}]" is not a valid IPv6 address`);
    host = `[${host.toLowerCase()}]`;
  } else {
    const colons = hostPort.split(':').length - 1;
    if (colons > 1) fail(what, input, `host "${hostPort}" looks like an IPv6 address: put it in brackets, e.g. [::1]:5000`);
    const colon = hostPort.indexOf(':');
    host = colon < 0 ? hostPort : hostPort.slice(0, colon);
    if (colon >= 0) port = hostPort.slice(colon + 1);
    if (host === '') fail(what, input, `host is missing before ":${port ?? ''}"`);
    if (!isIPv4(host)) {
      // Hostname labels as in docker's domain-component grammar.
      for (const label of host.split('.')) {
        if (label === '') fail(what, input, `host "${host}" has an empty label (two dots, or a dot at an end)`);
        if (!/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/.test(label)) {
          fail(what, input, `host "${host}" may only contain letters, digits, dots and inner dashes`);
        }
      }
    }
    host = host.toLowerCase();
  }
  if (port !== undefined) {
    if (port === '') fail(what, input, `port is missing after "${host}:"`);
    const n = /^[0-9]{1,5}$/.test(port) ? Number(port) : NaN;
    if (!(n >= 1 && n <= 65535)) fail(what, input, `port "${port}" is not a valid port (1-65535)`);
  }
  if (DOCKER_HUB_ALIASES.has(host) && port === undefined) return DOCKER_HUB;
  return port === undefined ? host : `${host}:${port}`;
}

/** Check a repository path against the distribution grammar, naming the component at fault. */
function checkRepository(what: What, input: string, repository: string): void {
  if (repository === '') fail(what, input, 'repository name is missing');
  if (repository !== repository.toLowerCase()) fail(what, input, `repository "${repository}" must be lower case`);
  for (const component of repository.split('/')) {
    if (component === '') fail(what, input, `repository "${repository}" has an empty path component (a double or trailing "/")`);
    const bad = /[^a-z0-9._-]/.exec(component);
    if (bad) {
      fail(what, input, `repository "${repository}" contains "${bad[0]}": only lower-case letters, digits, ".", "_" and "-" are allowed`);
    }
    if (!/^[a-z0-9]/.test(component) || !/[a-z0-9]$/.test(component)) {
      fail(what, input, `repository component "${component}" must start and end with a lower-case letter or digit`);
    }
    // Separators between alphanumeric runs: ".", "_", "__", or any number of "-".
    for (const sep of component.match(/[._-]+/g) ?? []) {
      if (sep !== '.' && sep !== '_' && sep !== '__' && !/^-+$/.test(sep)) {
        fail(what, input, `repository component "${component}" has the separator "${sep}": use ".", "_", "__" or dashes`);
      }
    }
  }
}

function checkTag(what: What, input: string, tag: string): void {
  if (tag === '') fail(what, input, 'tag is empty after ":"');
  if (!/^[A-Za-z0-9_]/.test(tag)) fail(what, input, `tag "${tag}" must start with a letter, digit or underscore`);
  const bad = /[^A-Za-z0-9_.-]/.exec(tag);
  if (bad) fail(what, input, `tag "${tag}" contains "${bad[0]}": only letters, digits, "_", "." and "-" are allowed`);
  if (tag.length > MAX_TAG_LENGTH) fail(what, input, `tag is ${tag.length} characters long, at most ${MAX_TAG_LENGTH} are allowed`);
}

function checkDigest(what: What, input: string, digest: string): void {
  if (digest === '') fail(what, input, 'digest is empty after "@"');
  const colon = digest.indexOf(':');
  if (colon < 0) fail(what, input, `digest "${digest}" must be algorithm:hex, e.g. sha256:<64 hex characters>`);
  const algorithm = digest.slice(0, colon);
  const encoded = digest.slice(colon + 1);
  const length = DIGEST_HEX_LENGTHS[algorithm];
  if (length === undefined) {
    fail(what, input, `digest algorithm "${algorithm}" is not supported: use ${Object.keys(DIGEST_HEX_LENGTHS).join(', ')}`);
  }
  if (/[A-F]/.test(encoded) && /^[0-9a-fA-F]*$/.test(encoded)) fail(what, input, `digest "${digest}" must use lower-case hex`);
  if (!/^[0-9a-f]*$/.test(encoded)) fail(what, input, `digest "${digest}" may only contain hex characters after "${algorithm}:"`);
  if (encoded.length !== length) {
    fail(what, input, `digest "${digest}" must have ${length} hex characters after "${algorithm}:" (it has ${encoded.length})`);
  }
}

/**
 * Split `[host/]path` by docker's rule: the first component is a host only if it contains
 * "." or ":" or is "localhost"; otherwise the name is on Docker Hub.
 */
function splitHost(what: What, input: string, name: string): RepositoryReference {
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const isHost = slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first.startsWith('['));
  let host = DOCKER_HUB;
  let prefix = '';
  let repository = name;
  if (isHost) {
    host = normaliseHost(what, input, first);
    repository = name.slice(slash + 1);
    const artifactory = splitArtifactoryPath(what, input, host, `/${repository}`);
    if (artifactory) {
      prefix = artifactory.pathPrefix;
      repository = artifactory.rest.slice(1);
      if (repository === '') fail(what, input, `the image name is missing after the Artifactory repository path "${host}${prefix}/"`);
    }
  }
  checkRepository(what, input, repository);
  // Docker Hub's official images live under library/.
  if (host === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  // The limit is on the name the registry sees: the path prefix is not part of it.
  const total = host.length + 1 + repository.length;
  if (total > MAX_NAME_LENGTH) fail(what, input, `name "${host}/${repository}" is ${total} characters long, at most ${MAX_NAME_LENGTH} are allowed`);
  return { registry: host + prefix, repository };
}

/**
 * "/artifactory/api/docker/<key>…" split into the path prefix and what follows it ("" or "/…");
 * undefined for any other path. A malformed key is an error, not an image name.
 */
function splitArtifactoryPath(what: What, input: string, host: string, path: string): { pathPrefix: string; rest: string } | undefined {
  if (!path.startsWith(ARTIFACTORY_DOCKER_PATH)) return undefined;
  const after = path.slice(ARTIFACTORY_DOCKER_PATH.length);
  const slash = after.indexOf('/');
  const key = slash < 0 ? after : after.slice(0, slash);
  if (!ARTIFACTORY_KEY_PATTERN.test(key)) {
    fail(what, input, `"${key}" after ${host}${ARTIFACTORY_DOCKER_PATH} is not an Artifactory repository key (letters, digits, ".", "_" and "-", at most 64)`);
  }
  return { pathPrefix: `${ARTIFACTORY_DOCKER_PATH}${key}`, rest: slash < 0 ? '' : after.slice(slash) };
}

/** The parser behind parseReference and parseRepository. */
function parse(what: 'reference' | 'repository', rawInput: string): ImageReference {
  checkCommon(what, rawInput);
  const input = rawInput;
  if (input.includes('://')) {
    fail(what, withoutUserinfo(input), `leave out the scheme: write "${withoutUserinfo(input).replace(/^[^:]*:\/\//, '')}"`);
  }
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    // "user:pass@host/repo" puts a "/" after the "@": that is userinfo, not a digest.
    if (digest.includes('/')) fail(what, withoutUserinfo(input), 'credentials do not belong in a reference: use regx login');
    if (digest.includes('@')) fail(what, input, 'has more than one "@"');
    checkDigest(what, input, digest);
  }
  if (rest === '') fail(what, input, 'repository name is missing before "@"');
  // The tag is after the last ":" that follows the last "/" (a ":" before it is a port).
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    checkTag(what, input, tag);
  }
  if (rest === '') fail(what, input, 'repository name is missing before ":"');
  const { registry, repository } = splitHost(what, input, rest);
  const ref: ImageReference = { registry, repository };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Parse `host[:port]/name[:tag][@digest]` or a Docker Hub short name (`alpine`, `user/app`).
 * A tag and a digest together are allowed (the digest wins when pulling). No tag and no digest
 * leaves both undefined: callers decide whether that means DEFAULT_TAG.
 */
export function parseReference(input: string): ImageReference {
  return parse('reference', input);
}

/** Parse a repository for commands that take no tag or digest (`regx tags REPO`). */
export function parseRepository(input: string): RepositoryReference {
  const ref = parse('repository', input);
  if (ref.tag !== undefined || ref.digest !== undefined) {
    const what = ref.digest !== undefined ? 'a digest' : 'a tag';
    fail('repository', input, `give the repository without ${what}, e.g. "${formatReference({ registry: ref.registry, repository: ref.repository }, { familiar: true })}"`);
  }
  return { registry: ref.registry, repository: ref.repository };
}

/**
 * Parse a registry given as host, host:port or URL (https://index.docker.io/v1/,
 * http://127.0.0.1:5000/) into its normalised host and, for URLs, the scheme. An Artifactory
 * repository path (host/artifactory/api/docker/KEY, with or without a scheme) keeps its prefix.
 */
export function parseRegistryAddress(input: string): RegistryAddress {
  checkCommon('registry', input);
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(input);
  if (!schemeMatch) {
    if (input.includes('@')) fail('registry', withoutUserinfo(input), 'credentials do not belong in a registry address: use regx login');
    const slash = input.indexOf('/');
    const host = normaliseHost('registry', input, slash < 0 ? input : input.slice(0, slash));
    if (slash < 0) return { host };
    const prefix = artifactoryPrefixOnly(input, host, input.slice(slash));
    if (!prefix) fail('registry', input, `a registry is host[:port]; "${input}" has a path (for a URL write the scheme, e.g. https://${input})`);
    return { host, pathPrefix: prefix };
  }
  const scheme = schemeMatch[1]!.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') fail('registry', withoutUserinfo(input), `scheme "${scheme}" is not supported: use https:// or http://`);
  // The authority ends at the first "/", "?" or "#"; the path (/v1/ for Hub) is not part of the registry.
  const rest = input.slice(schemeMatch[0].length);
  const authority = rest.split(/[/?#]/, 1)[0]!;
  if (authority.includes('@')) fail('registry', withoutUserinfo(input), 'credentials do not belong in a URL: use regx login');
  if (authority === '') fail('registry', input, 'host is missing after the scheme');
  const host = normaliseHost('registry', input, authority);
  const prefix = artifactoryPrefixOnly(input, host, rest.slice(authority.length).split(/[?#]/, 1)[0]!);
  return prefix ? { host, scheme, pathPrefix: prefix } : { host, scheme };
}

/** The prefix when `path` is an Artifactory repository path and nothing more (a trailing "/" allowed). */
function artifactoryPrefixOnly(input: string, host: string, path: string): string | undefined {
  const split = splitArtifactoryPath('registry', input, host, path);
  if (!split) return undefined;
  if (split.rest !== '' && split.rest !== '/') {
    fail('registry', input, `a registry ends at the repository key: write "${host}${split.pathPrefix}", and the image name in references after it`);
  }
  return split.pathPrefix;
}

/** Normalised host[:port] of a registry given as host, host:port or URL: the key credentials are stored under. */
export function parseRegistry(input: string): string {
  return parseRegistryAddress(input).host;
}

/**
 * The registry as references name it: host[:port] and any path prefix, e.g.
 * "art.example.com/artifactory/api/docker/docker-local" (parseRegistryAddress reads it back).
 */
export function registryName(address: Pick<RegistryAddress, 'host' | 'pathPrefix'>): string {
  return address.host + (address.pathPrefix ?? '');
}

/** Throws InvalidInputError('tag', …) naming the problem; returns the tag for chaining. */
export function validateTag(tag: string): string {
  checkCommon('tag', tag);
  checkTag('tag', tag, tag);
  return tag;
}

/** Throws InvalidInputError('digest', …) naming the problem; returns the digest for chaining. */
export function validateDigest(digest: string): string {
  checkCommon('digest', digest);
  checkDigest('digest', digest, digest);
  return digest;
}

/**
 * Canonical `docker.io/library/alpine:3.19`, or familiar (`alpine:3.19`, `user/app`) as docker
 * prints names: docker.io/ dropped, library/ dropped for single-component official images.
 */
export function formatReference(ref: ImageReference | RepositoryReference, options: { familiar?: boolean } = {}): string {
  let name = `${ref.registry}/${ref.repository}`;
  if (options.familiar && ref.registry === DOCKER_HUB) {
    name = ref.repository;
    const rest = name.slice('library/'.length);
    if (name.startsWith('library/') && !rest.includes('/')) name = rest;
  }
  const { tag, digest } = ref as ImageReference;
  if (tag !== undefined) name += `:${tag}`;
  if (digest !== undefined) name += `@${digest}`;
  return name;
}

/** The host the registry API answers on: Docker Hub's API is not at docker.io. */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry;
}

/** The key docker login uses for this registry in config.json and credential helpers. */
export function credentialKey(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_CREDENTIAL_KEY : registry;
}

// IPv6 loopback in all its spellings, built on the first IPv6 address checked rather than at load: a
// BlockList is a native object that loads two more of Node's modules.
let loopbackList: BlockList | undefined;
function loopback(): BlockList {
  if (!loopbackList) {
    loopbackList = new BlockList();
    loopbackList.addSubnet('127.0.0.0', 8, 'ipv4');
    loopbackList.addAddress('::1', 'ipv6');
  }
  return loopbackList;
}

/**
 * localhost, *.localhost, 127.0.0.0/8 or ::1, with or without a port. Loopback registries are
 * allowed over plain HTTP by default (as docker does), so this must not be fooled by names
 * like "localhost.example.com".
 */
export function isLoopbackHost(host: string): boolean {
  let h = host.toLowerCase();
  if (h.startsWith('[')) {
    h = h.slice(1, h.indexOf(']') < 0 ? undefined : h.indexOf(']'));
  } else if (h.split(':').length === 2) {
    h = h.slice(0, h.indexOf(':'));
  }
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  // isIPv4 takes only plain dotted decimals (no leading zeros), so 127/8 is exactly this prefix.
  if (isIPv4(h)) return h.startsWith('127.');
  if (isIPv6(h)) return loopback().check(h, 'ipv6') || /^::ffff:127\./.test(h);
  return false;
}
