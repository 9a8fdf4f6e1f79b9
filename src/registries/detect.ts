// Which product a self-hosted registry is, from its unauthenticated /v2/ answer, for `regx` (the
// editor is told by the registry's `kind` setting). Harbor's token service calls itself
// "harbor-registry"; Artifactory stamps X-JFrog-Version / X-Artifactory-Id on every answer and puts
// its realm under /artifactory/api/docker/; Quay's realm is /v2/auth on its own host; ACR's is
// /oauth2/token on its own host with the login server as the service (a registry reached by another
// name than *.azurecr.io: a private endpoint alias, or the test emulation).
// PURE: no vscode imports.

import { headerValue, type Transport } from '../distribution/transport';
import { parseChallenges, pickChallenge } from '../distribution/challenge';
import type { RegistryKind } from './provider';

export type DetectedKind = Extract<RegistryKind, 'harbor' | 'quay' | 'artifactory' | 'acr' | 'generic'>;

/** The kind that a /v2/ answer's headers betray; 'generic' when nothing does. */
export function kindFromPingHeaders(headers: Record<string, string | string[] | undefined>, registryUrl: string): DetectedKind {
  if (headerValue(headers['x-jfrog-version']) !== undefined || headerValue(headers['x-artifactory-id']) !== undefined) return 'artifactory';
  const challenge = pickChallenge(parseChallenges(headers['www-authenticate']));
  const realm = challenge?.params['realm'];
  const service = challenge?.params['service'];
  if (service === 'harbor-registry') return 'harbor';
  if (realm) {
    let url: URL | undefined;
    try {
      url = new URL(realm, registryUrl);
    } catch {
      url = undefined;
    }
    if (url?.pathname.includes('/artifactory/api/docker/')) return 'artifactory';
    if (url && url.pathname.replace(/\/+$/, '') === '/v2/auth' && url.host === new URL(registryUrl).host) return 'quay';
    if (url && url.pathname === '/oauth2/token' && url.host === new URL(registryUrl).host && service === url.host) return 'acr';
  }
  return 'generic';
}

/** One unauthenticated GET /v2/ on the registry's base URL; any failure to ask says 'generic'. */
export async function detectRegistryKind(transport: Transport, baseUrl: string, signal?: AbortSignal): Promise<DetectedKind> {
  const url = `${baseUrl.replace(/\/+$/, '')}/v2/`;
  try {
    const res = await transport.request({ method: 'GET', url, ...(signal ? { signal } : {}) });
    const kind = kindFromPingHeaders(res.headers, url);
    await res.dump();
    return kind;
  } catch {
    return 'generic';
  }
}
