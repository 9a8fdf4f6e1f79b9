// The one interface every credential source implements: Docker's config.json + helpers (CLI),
// VS Code SecretStorage (extension). Keys are registry hosts as normalised by
// reference/ (docker.io for Docker Hub); each store maps them to its own key format.

export interface Credential {
  username: string;
  /** A password or personal access token, sent as Basic or exchanged for a bearer token. */
  password?: string;
  /** An OAuth2 refresh token (docker's `identitytoken`); never sent as Basic. */
  identityToken?: string;
  /** A ready-made bearer token (docker's `registrytoken`); sent as-is. */
  registryToken?: string;
}

export interface CredentialStore {
  /** undefined = no credential for this registry (anonymous). */
  get(registry: string): Promise<Credential | undefined>;
  store(registry: string, credential: Credential): Promise<void>;
  erase(registry: string): Promise<void>;
  /** Registries with stored credentials, for "Use my Docker logins". */
  list(): Promise<string[]>;
}
