// X-Registry-Auth: how registry credentials travel to the engine for pull, push and search.
// They come from the same CredentialStore the Distribution client uses, so one login serves both.
// The header value is a secret: never log it.
import type { Credential } from '../credentials/types';

/** Docker's credential key for a registry: Docker Hub keeps its historical index URL. */
export function engineServerAddress(registry: string): string {
  return registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry;
}

/**
 * The engine's AuthConfig JSON, base64 with the URL alphabet *and* padding: dockerd 20.10 decodes
 * with Go's base64.URLEncoding, which rejects unpadded input (Node's 'base64url' drops the padding).
 * Anonymous is "{}" — push refuses a request without the header at all.
 */
export function encodeRegistryAuth(credential: Credential | undefined, serverAddress: string): string {
  return base64UrlPadded(JSON.stringify(authConfig(credential, serverAddress)));
}

/**
 * X-Registry-Config for `POST /build`: the AuthConfigs of every registry the build's FROM lines pull
 * from, keyed by server address, encoded as X-Registry-Auth is.
 */
export function encodeRegistryConfig(entries: { registry: string; credential: Credential }[]): string {
  const map: Record<string, Record<string, string>> = {};
  for (const { registry, credential } of entries) {
    const address = engineServerAddress(registry);
    map[address] = authConfig(credential, address);
  }
  return base64UrlPadded(JSON.stringify(map));
}

function authConfig(credential: Credential | undefined, serverAddress: string): Record<string, string> {
  const body: Record<string, string> = {};
  if (!credential) return body;
  if (credential.identityToken) {
    // An OAuth refresh token: docker sends it as identitytoken, with the username kept for display.
    body.username = credential.username;
    body.identitytoken = credential.identityToken;
  } else if (credential.registryToken) {
    body.registrytoken = credential.registryToken;
  } else {
    body.username = credential.username;
    body.password = credential.password ?? '';
  }
  body.serveraddress = serverAddress;
  return body;
}

function base64UrlPadded(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}
