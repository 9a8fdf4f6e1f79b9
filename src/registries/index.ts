// The registries layer (PURE: no vscode imports): the one table that picks a provider for a registry
// host, and the public surface. The interface every provider implements lives in provider.ts, which
// imports no provider, so providers and this table never import each other in a loop.

import { RegistryClient } from '../distribution/client';
import { createSession } from '../distribution/session';
import type { Transport } from '../distribution/transport';
import type { RegistryEndpoint } from '../distribution/types';
import type { CredentialStore } from '../credentials/types';
import { AcrProvider, createAcrClient, isAcrHost, type AcrAuthOptions } from './acr';
import { ARTIFACTORY_DOCKER_PATH } from '../reference';
import { ArtifactoryProvider, repositoryKeyOfPrefix } from './artifactory';
import { DockerHubProvider, isDockerHubHost } from './dockerHub';
import { EcrProvider, isEcrHost, type EcrOptions } from './ecr';
import { GenericProvider } from './generic';
import { GHCR_HOST, GhcrProvider } from './ghcr';
import { GITLAB_COM, GitLabProvider, type GitLabInstance } from './gitlab';
import { HarborProvider } from './harbor';
import { QUAY_IO, QuayProvider } from './quay';
import type { RegistryKind, RegistryProvider } from './provider';
import { ArtifactRegistryProvider, googleRegistryClient, googleRegistryHost, type GoogleTokenSource } from './artifactRegistry';

export type {
  RegistryProvider,
  RegistryKind,
  ProviderCapabilities,
  TagDeleteMode,
  PageRequest,
  RepositoryPageRequest,
  NamespaceSummary,
  RepositorySummary,
  TagSummary,
  TagHistoryEntry,
  PlatformSummary,
  SearchResult,
  SignInInput,
  SignInResult,
  DeletePlan,
  DeleteOptions,
  RateLimitStatus,
  CreateRepositoryInput,
  ManifestDeletePlan,
  Page,
} from './provider';
export * from './vulnerabilities';
export { engineCredentialStore } from './engineCredentials';
export type { EngineCredentialStore, EngineProviderLookup } from './engineCredentials';
export { GenericProvider } from './generic';
export type { GenericProviderOptions } from './generic';
export {
  DockerHubProvider,
  DOCKER_HUB_API_BASE,
  DOCKER_HUB_HOSTS,
  RATE_LIMIT_PROBE,
  isDockerHubHost,
  hubRepositoryName,
  parseRateLimitHeader,
} from './dockerHub';
export type { DockerHubProviderOptions } from './dockerHub';
export { GhcrProvider, GITHUB_API_BASE, GHCR_HOST, GHCR_SCOPES, GHCR_TAG_DELETE_NOTE } from './ghcr';
export type { GhcrProviderOptions, PackageVersion } from './ghcr';
export { GitLabProvider, GITLAB_COM } from './gitlab';
export {
  AcrProvider,
  AcrAuth,
  ACR_REFRESH_TOKEN_USERNAME,
  ACR_HOST_SUFFIXES,
  ACR_SCAN_NOTE,
  ACR_TAG_DELETE_NOTE,
  createAcrClient,
  azureSdkTokenSource,
  isAcrHost,
  acrRegistryName,
  entraScopesFor,
  entraAuthorityFor,
  entraAccountName,
} from './acr';
export type { AcrProviderOptions, AcrAuthOptions, AcrClientOptions, AcrRepositoryAttributes, AcrTagOrder, EntraToken, EntraTokenRequest, EntraTokenSource } from './acr';
export type { GitLabProviderOptions, GitLabInstance } from './gitlab';
export {
  ArtifactRegistryProvider,
  ARTIFACT_REGISTRY_API,
  CONTAINER_ANALYSIS_API,
  GOOGLE_TOKEN_USERNAME,
  GoogleCredentials,
  GoogleSession,
  applicationDefaultTokenSource,
  artifactPath,
  projectPath,
  googleRegistryClient,
  googleRegistryHost,
} from './artifactRegistry';
export type { ArtifactRegistryProviderOptions, GoogleAccessToken, GoogleRegistryHost, GoogleTokenRequest, GoogleTokenSource } from './artifactRegistry';
export { HarborProvider, HARBOR_API_PATH, HARBOR_REPORT_MIME, HARBOR_TOKEN_SERVICE } from './harbor';
export type { HarborProviderOptions, HarborArtifact, ArtifactDeletePlan } from './harbor';
export { QuayProvider, QUAY_IO, QUAY_OAUTH_USERNAME, quayScopes } from './quay';
export type { QuayProviderOptions } from './quay';
export { EcrProvider, ECR_PUBLIC_HOST, ECR_TAG_DELETE_NOTE, ecrRegistryHost, isEcrHost, listAwsProfiles, parseEcrHost } from './ecr';
export type { EcrHost, EcrOptions, EcrProviderOptions } from './ecr';
export { ArtifactoryProvider, ARTIFACTORY_TAG_DELETE_NOTE, artifactorySecretKind, repositoryKeyOfPrefix, subdomainRepositoryKey } from './artifactory';
export type { ArtifactoryProviderOptions, ArtifactorySecretKind } from './artifactory';

export interface ProviderForOptions {
  /** Where sign-in stores credentials and where API tokens are read from (keys: registry hosts). */
  credentials?: CredentialStore;
  transport?: Transport;
  userAgent?: string;
  /** The Distribution client for this endpoint (the editor shares its own); created when absent. */
  client?: RegistryClient;
  /** Force a kind instead of guessing from the host (a setting, or tests pointing Docker Hub at a fixture). */
  kind?: RegistryKind;
  /** Self-managed GitLab instances, matched by their registry host or their own host. */
  gitlabInstances?: readonly GitLabInstance[];
  /** Vendor API base (Docker Hub API, GitHub REST, GitLab URL, Artifactory's /artifactory) instead of the public one. */
  apiBaseUrl?: string;
  /** ACR: where Microsoft Entra tokens come from (VS Code's Microsoft account, azureSdkTokenSource()), tenant, scopes. */
  acr?: AcrAuthOptions;
  /** Artifact Registry: the Artifact Analysis (Container Analysis) API base instead of the public one. */
  analysisBaseUrl?: string;
  /** Artifact Registry: the host as Google names it (us-docker.pkg.dev, gcr.io) when reached at another address. */
  googleHost?: string;
  /** Artifact Registry: the projects to browse (default: gcloud's / the client libraries' project). */
  googleProjects?: readonly string[];
  /** Artifact Registry: where access tokens come from (default: Application Default Credentials). */
  googleTokenSource?: GoogleTokenSource;
  /** The environment cloud credentials and endpoint overrides are read from (default process.env; regx passes its own). */
  env?: NodeJS.ProcessEnv;
  /** Artifactory: the Docker repository a port-method endpoint serves. */
  repositoryKey?: string;
  /** Amazon ECR: profile, region, account, more regions, API endpoint, and where AWS_* are read. */
  aws?: EcrOptions;
}

/**
 * Kinds whose provider builds its own Distribution client (its registry token comes from a cloud SDK):
 * callers that keep one client per host take provider.client for these.
 */
export function providerOwnsClient(kind: RegistryKind): boolean {
  return kind === 'ecr';
}

/**
 * The kind of a registry host (or of a registry with an Artifactory repository path), and for GitLab
 * the instance URL its API lives at.
 */
export function registryKindFor(host: string, gitlabInstances: readonly GitLabInstance[] = []): { kind: RegistryKind; gitlabUrl?: string } {
  const h = host.toLowerCase();
  // JFrog's SaaS instances, and any registry named with Artifactory's repository path.
  if (h.endsWith('.jfrog.io') || h.includes(ARTIFACTORY_DOCKER_PATH)) return { kind: 'artifactory' };
  if (isDockerHubHost(h)) return { kind: 'docker-hub' };
  if (h === GHCR_HOST) return { kind: 'ghcr' };
  if (isAcrHost(h)) return { kind: 'acr' };
  if (googleRegistryHost(h)) return { kind: 'artifact-registry' };
  if (h === QUAY_IO) return { kind: 'quay' };
  if (isEcrHost(h)) return { kind: 'ecr' };
  if (h === GITLAB_COM.registry || h === 'gitlab.com') return { kind: 'gitlab', gitlabUrl: GITLAB_COM.url };
  for (const instance of gitlabInstances) {
    let instanceHost: string | undefined;
    try {
      instanceHost = new URL(instance.url).host.toLowerCase();
    } catch {
      continue;
    }
    if (h === instance.registry.toLowerCase() || h === instanceHost) return { kind: 'gitlab', gitlabUrl: instance.url };
  }
  return { kind: 'generic' };
}

/**
 * The provider for a registry: Docker Hub for docker.io and its aliases, GHCR for ghcr.io, GitLab for
 * registry.gitlab.com and configured instances, Quay for quay.io, Artifactory for *.jfrog.io and
 * Artifactory repository paths, Amazon ECR for <account>.dkr.ecr.<region>.amazonaws.com and public.ecr.aws,
 * Harbor and a self-hosted Quay or Artifactory when the kind says so
 * (they have no well-known host: regx learns it from the /v2/ answer, the editor from the registry's
 * kind setting), the generic Distribution provider for the rest.
 */
export function providerFor(endpoint: RegistryEndpoint, options: ProviderForOptions = {}): RegistryProvider {
  const detected = repositoryKeyOfPrefix(endpoint.pathPrefix) ? { kind: 'artifactory' as const } : registryKindFor(endpoint.host, options.gitlabInstances);
  const kind = options.kind ?? detected.kind;
  const common = {
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.transport ? { transport: options.transport } : {}),
    ...(options.userAgent ? { userAgent: options.userAgent } : {}),
  };
  // Its registry wants the cloud's own short-lived token, which only its provider can keep fresh:
  // it builds its client (options.client is not used), over the same credentials and transport.
  if (kind === 'ecr') return new EcrProvider(endpoint, { ...common, ...(options.aws ? { aws: options.aws } : {}) });
  const client = options.client ?? registryClientFor(endpoint, { ...options, kind });
  const api = options.apiBaseUrl ? { apiBaseUrl: options.apiBaseUrl } : {};
  switch (kind) {
    case 'artifact-registry':
      return new ArtifactRegistryProvider(client, { ...common, ...api, ...googleOptions(options) });
    case 'docker-hub':
      return new DockerHubProvider(client, { ...common, ...api });
    case 'ghcr':
      return new GhcrProvider(client, { ...common, ...api });
    case 'gitlab':
      return new GitLabProvider(client, { ...common, baseUrl: options.apiBaseUrl ?? detected.gitlabUrl ?? GITLAB_COM.url });
    case 'acr':
      return new AcrProvider(client, { ...common, ...(options.acr ?? {}) });
    case 'harbor':
      return new HarborProvider(client, { ...common, ...api });
    case 'quay':
      return new QuayProvider(client, { ...common, ...api });
    case 'artifactory':
      return new ArtifactoryProvider(client, { ...common, ...api, ...(options.repositoryKey ? { repositoryKey: options.repositoryKey } : {}) });
    default:
      return new GenericProvider(client, common);
  }
}

/**
 * The Distribution client for a registry: a cloud registry's carries the cloud's credentials
 * (Artifact Registry: Google access tokens, renewed before they expire), any other the stored ones.
 */
export function registryClientFor(endpoint: RegistryEndpoint, options: ProviderForOptions = {}): RegistryClient {
  const kind = options.kind ?? registryKindFor(endpoint.host, options.gitlabInstances).kind;
  const common = {
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.transport ? { transport: options.transport } : {}),
    ...(options.userAgent ? { userAgent: options.userAgent } : {}),
  };
  if (kind === 'artifact-registry') return googleRegistryClient(endpoint, { ...common, ...googleOptions(options) });
  if (kind === 'acr') return createAcrClient(endpoint, { ...common, ...(options.acr ?? {}) });
  return new RegistryClient(createSession(endpoint, common));
}

function googleOptions(options: ProviderForOptions) {
  return {
    ...(options.analysisBaseUrl ? { analysisBaseUrl: options.analysisBaseUrl } : {}),
    ...(options.googleHost ? { googleHost: options.googleHost } : {}),
    ...(options.googleProjects ? { projects: options.googleProjects } : {}),
    ...(options.googleTokenSource ? { tokenSource: options.googleTokenSource } : {}),
    ...(options.env ? { env: options.env } : {}),
  };
}
