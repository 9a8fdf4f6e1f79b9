// What a kind of registry offers on top of the Distribution API. Docker Hub, GHCR, GitLab, Harbor,
// Quay and Artifactory have no usable _catalog (or a partial one), list tags with dates and sizes
// through their own APIs (one request per page, not one manifest GET per tag), sign in, delete, scan
// and manage repositories their own way. Only the interface lives here; index.ts picks a provider. The tree and the CLI talk to a
// RegistryProvider; manifests, configs, copy and retag still go through the RegistryClient it holds.
// PURE: no vscode imports.

import type { Credential } from '../credentials/types';
import type { RegistryClient } from '../distribution/client';
import type { Page } from '../distribution/types';
import type { VulnerabilityReport } from './vulnerabilities';

export type { Page } from '../distribution/types';

export type RegistryKind = 'generic' | 'docker-hub' | 'ghcr' | 'gitlab' | 'harbor' | 'quay' | 'artifactory' | 'ecr' | 'acr' | 'artifact-registry';

/**
 * How a tag delete behaves on this registry, so the confirmation can say exactly what goes:
 * - 'untag': only that tag is removed; the image and its other tags stay (Docker Hub, GitLab).
 * - 'manifest': the image is removed with every tag pointing at it (Distribution, GHCR versions).
 * - false: no delete at all.
 */
export type TagDeleteMode = 'untag' | 'manifest' | false;

export interface ProviderCapabilities {
  /** The registry's /v2/_catalog is usable for listing repositories. */
  catalog: boolean;
  /** listNamespaces() is offered (users, organisations, groups). */
  namespaces: boolean;
  /** search() is offered. */
  search: boolean;
  deleteTag: TagDeleteMode;
  /** deleteManifest() (by digest, removing every tag on it) is offered. */
  deleteManifest: boolean;
  /**
   * What sign-in asks for: a username and a secret, or a token alone (the username comes from the API);
   * 'aws-profile': an AWS profile (listAwsProfiles) and region, whose credentials the AWS chain resolves (ECR);
   * 'ambient': the cloud's own credentials where the user already has them, such as Google's
   * Application Default Credentials (signIn() only checks them).
   */
  signIn: 'username-and-secret' | 'token' | 'aws-profile' | 'ambient';
  /** Why a single tag cannot be removed on its own here, for the confirmation dialog. */
  tagDeleteNote?: string;
  /** vulnerabilities() is offered; `trigger`: scanNow() too (Harbor). */
  scan?: { trigger: boolean };
  /**
   * What createRepository()/deleteRepository() make and remove: a Harbor project (a namespace level,
   * repositories appear in it on push) or a Quay repository. Absent: not offered.
   */
  manageRepositories?: 'project' | 'repository';
  /** setDescription() is offered. */
  editDescription?: boolean;
}

export interface CreateRepositoryInput {
  /** A Harbor project name ("team-a"), or a Quay "namespace/repository". */
  name: string;
  visibility: 'public' | 'private';
  description?: string;
  signal?: AbortSignal;
}

export interface PageRequest {
  pageSize: number;
  /** The `next` of the previous page. Opaque. */
  cursor?: string;
  signal?: AbortSignal;
}

export interface RepositoryPageRequest extends PageRequest {
  /** A namespace from listNamespaces(); default: the signed-in account's own (Docker Hub signed out: library). */
  namespace?: string;
}

export interface NamespaceSummary {
  name: string;
  kind: 'user' | 'organization' | 'group' | 'project' | 'official';
  /** Display text, e.g. an organisation's full name. */
  description?: string;
  /** Set for an Artifactory Docker repository (kind 'project'): local, remote (a cache), virtual (an aggregate) or federated. */
  repositoryType?: 'local' | 'remote' | 'virtual' | 'federated';
}

export interface RepositorySummary {
  /** Registry path usable with the RegistryClient (lower-case), e.g. "octo-org/app". */
  name: string;
  description?: string;
  /** ISO time. */
  lastUpdated?: string;
  isPrivate?: boolean;
  starCount?: number;
  pullCount?: number;
  /** Docker Hub official image (library/…). */
  official?: boolean;
  tagCount?: number;
  /** The registry host that serves it when that is not this provider's (ECR: a repository in another region). */
  registry?: string;
}

export interface PlatformSummary {
  /** "linux/arm64/v8". */
  platform: string;
  os: string;
  architecture: string;
  variant?: string;
  digest?: string;
  size?: number;
}

export interface TagSummary {
  name: string;
  digest?: string;
  /** Bytes as the vendor reports them (compressed layers + config). */
  size?: number;
  /** ISO time the tag was last pushed (Docker Hub, GHCR). */
  lastPushed?: string;
  /** ISO time the image was built, from its config (GitLab, generic). */
  created?: string;
  /** ISO time the registry will remove the tag (Quay's tag expiration). */
  expires?: string;
  platforms?: PlatformSummary[];
  /** The tag names an image index or manifest list whose platforms the listing did not give: tagDetails has them. */
  index?: boolean;
  /** ACR locks (changeableAttributes): true where a push over the tag (write) or its delete is refused. */
  locked?: { write: boolean; delete: boolean };
  /** The registry's own scan of the image (Harbor's scan overview, ECR's DescribeImages summary): status and counts, no findings (vulnerabilities() has those). */
  scan?: VulnerabilityReport;
}

/** One period in a tag's life: which image it named, from when until when (Quay's tag history). */
export interface TagHistoryEntry {
  name: string;
  digest?: string;
  size?: number;
  /** ISO time the tag started naming this image. */
  since?: string;
  /** ISO time it stopped (moved or deleted) or, while current, will expire; absent: current, no expiry. */
  until?: string;
  /** The tag names this image now. */
  current: boolean;
}

export interface SearchResult {
  /** Repository path for the RegistryClient ("library/alpine"). */
  name: string;
  description?: string;
  official?: boolean;
  starCount?: number;
  pullCount?: number;
}

export interface SignInInput {
  /** Docker Hub and generic registries need it; GHCR and GitLab read it from their API. */
  username?: string;
  /** Password, personal access token or OAuth token. Never logged, never in an error. */
  secret: string;
  /** ECR (signIn 'aws-profile'): the AWS profile to use (default: AWS_PROFILE, else the default chain). */
  profile?: string;
  /** ECR: the region, where the registry host does not name one. */
  region?: string;
  signal?: AbortSignal;
}

export interface SignInResult {
  /** The account name the vendor confirmed. */
  username: string;
}

/** What a tag delete would remove, for a confirmation that names everything. */
export interface DeletePlan {
  repository: string;
  tag: string;
  digest?: string;
  /** Other tags that go too ('manifest' mode); empty for 'untag'. */
  alsoRemoves: string[];
  /** 'untag' mode: this is the image's last tag, and the registry deletes the image with it (ECR). */
  removesImage?: boolean;
}

/** What a delete by digest removes: the image and every tag on it. */
export interface ManifestDeletePlan {
  repository: string;
  digest: string;
  tags: string[];
}

export interface DeleteOptions {
  /** The user confirmed that plan.alsoRemoves go too. */
  confirmShared?: boolean;
  /** The digest the confirmed plan showed: a tag that points elsewhere by now is not deleted (ECR checks it itself). */
  digest?: string;
  signal?: AbortSignal;
}

export interface RateLimitStatus {
  limit: number;
  remaining: number;
  /** Length of the window the numbers apply to, in seconds (21600 = 6 hours). */
  windowSeconds?: number;
  /** docker-ratelimit-source: the IP address or account the limit is counted for. */
  source?: string;
}

export interface RegistryProvider {
  readonly kind: RegistryKind;
  /** Human name for the tree and messages: "Docker Hub", "GitHub Container Registry", "GitLab (gitlab.com)". */
  readonly displayName: string;
  /** The registry host as the user configured it (docker.io, ghcr.io, registry.gitlab.com, …). */
  readonly host: string;
  readonly capabilities: ProviderCapabilities;
  /** The Distribution client for manifests, configs, copy, retag. */
  readonly client: RegistryClient;

  listNamespaces?(page: PageRequest): Promise<Page<NamespaceSummary>>;
  listRepositories(page: RepositoryPageRequest): Promise<Page<RepositorySummary>>;
  listTags(repository: string, page: PageRequest): Promise<Page<TagSummary>>;
  /** Details of one tag when listTags gave only names (GitLab, generic); one request per tag. */
  tagDetails?(repository: string, tag: string, signal?: AbortSignal): Promise<TagSummary>;
  /** Every image a tag has named, newest first (Quay). */
  tagHistory?(repository: string, tag: string, signal?: AbortSignal): Promise<TagHistoryEntry[]>;
  search?(term: string, page: PageRequest): Promise<Page<SearchResult>>;

  planTagDelete?(repository: string, tag: string, signal?: AbortSignal): Promise<DeletePlan>;
  /** Throws RefusedError when the delete would remove tags the caller did not confirm. */
  deleteTag?(repository: string, tag: string, options?: DeleteOptions): Promise<void>;
  deleteManifest?(repository: string, digest: string, signal?: AbortSignal): Promise<void>;
  /** The tags a deleteManifest() would remove with the image, for a confirmation that names them (ECR, Artifact Registry). */
  planManifestDelete?(repository: string, digest: string, signal?: AbortSignal): Promise<ManifestDeletePlan>;

  /** Check the secret with the vendor, then store it in the CredentialStore under the registry host. */
  signIn?(input: SignInInput): Promise<SignInResult>;
  /** Forget API tokens (after sign-out or a credential change). */
  forgetTokens?(): void;
  /**
   * What to hand the Docker engine for a pull or push of this registry, where the CredentialStore has
   * nothing the engine could use (ECR: docker's own credential, else a fresh AWS:<token>).
   */
  engineCredential?(signal?: AbortSignal): Promise<Credential | undefined>;
  /**
   * The engine was refused what engineCredential() gave (the cloud expired or revoked the token
   * before its time): a new one, or undefined when there is no other to try.
   */
  renewEngineCredential?(signal?: AbortSignal): Promise<Credential | undefined>;
  /** Docker Hub: the pull rate limit, read with a HEAD (which does not count against it). */
  rateLimit?(signal?: AbortSignal): Promise<RateLimitStatus | undefined>;

  /** The registry's own scan of a tag or digest (Harbor, Quay): a report whose status says when there is none. */
  vulnerabilities?(repository: string, reference: string, signal?: AbortSignal): Promise<VulnerabilityReport>;
  /** Ask the registry to scan now (Harbor); the report's status follows on the next vulnerabilities(). */
  scanNow?(repository: string, reference: string, signal?: AbortSignal): Promise<void>;

  createRepository?(input: CreateRepositoryInput): Promise<void>;
  /** Removes a Harbor project or a Quay repository with everything in it: callers confirm first. */
  deleteRepository?(name: string, signal?: AbortSignal): Promise<void>;
  setDescription?(repository: string, description: string, signal?: AbortSignal): Promise<void>;
}
