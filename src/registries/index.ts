// Public surface of the registries layer (PURE: no vscode imports).
export { providerFor, registryKindFor } from './provider';
export type {
  RegistryProvider,
  RegistryKind,
  ProviderCapabilities,
  ProviderForOptions,
  TagDeleteMode,
  PageRequest,
  RepositoryPageRequest,
  NamespaceSummary,
  RepositorySummary,
  TagSummary,
  PlatformSummary,
  SearchResult,
  SignInInput,
  SignInResult,
  DeletePlan,
  DeleteOptions,
  RateLimitStatus,
  Page,
} from './provider';
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
export type { GitLabProviderOptions, GitLabInstance } from './gitlab';
