// Public surface of the reference layer.
export {
  DOCKER_HUB,
  DOCKER_HUB_API_HOST,
  DOCKER_HUB_CREDENTIAL_KEY,
  DEFAULT_TAG,
  parseReference,
  parseRepository,
  parseRegistry,
  parseRegistryAddress,
  registryName,
  ARTIFACTORY_DOCKER_PATH,
  validateTag,
  validateDigest,
  formatReference,
  registryApiHost,
  credentialKey,
  isLoopbackHost,
} from './reference';
export type { ImageReference, RepositoryReference, RegistryAddress } from './reference';
