// The credentials the Docker engine gets for a pull or push (X-Registry-Auth). A cloud registry takes
// no stored password: its provider hands over the cloud's current token for that registry (ECR's
// AWS:<token>, ACR's refresh token, Google's oauth2accesstoken), renewed as the provider renews it.
// Every other registry gets the stored login, as before. PURE: no vscode imports.
import type { Credential, CredentialStore } from '../credentials/types';
import type { RegistryProvider } from './provider';

/** The provider of a registry when it has a credential of its own for the engine, else undefined. */
export type EngineProviderLookup = (registry: string) => RegistryProvider | undefined | Promise<RegistryProvider | undefined>;

/** A CredentialStore that can also replace a credential the engine was refused (see DockerEngine). */
export interface EngineCredentialStore extends CredentialStore {
  /** A new credential for the registry after the engine was refused the last one; undefined: none to try. */
  renew?(registry: string): Promise<Credential | undefined>;
}

export function engineCredentialStore(stored: CredentialStore, providerOf: EngineProviderLookup): EngineCredentialStore {
  return {
    async get(registry: string): Promise<Credential | undefined> {
      const provider = await providerOf(registry);
      return provider?.engineCredential ? provider.engineCredential() : stored.get(registry);
    },
    async renew(registry: string): Promise<Credential | undefined> {
      const provider = await providerOf(registry);
      return provider?.renewEngineCredential?.();
    },
    store: (registry, credential) => stored.store(registry, credential),
    erase: (registry) => stored.erase(registry),
    list: () => stored.list(),
  };
}
