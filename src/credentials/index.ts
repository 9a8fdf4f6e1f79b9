// Public surface of the credentials layer.
export type { Credential, CredentialStore } from './types';
export { DockerConfigStore, dockerConfigDir, normaliseConfigKey } from './dockerConfig';
export type { DockerConfigStoreOptions } from './dockerConfig';
export { CredentialHelper, IDENTITY_TOKEN_USERNAME, DEFAULT_HELPER_TIMEOUT_MS } from './credentialHelper';
export type { CredentialHelperOptions } from './credentialHelper';
export { MemoryCredentialStore } from './memoryStore';
