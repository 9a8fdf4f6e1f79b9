// vulnerabilitiesView: the registry's own scan results where it keeps them (Harbor, Quay, ECR, …:
// the provider's `scan` capability), else why there are none, naming the registry plainly.
import { describeError } from '../errors/describe';
import { CancelledError } from '../errors/errors';
import { ACR_SCAN_NOTE } from '../registries/acr';
import type { RegistryKind, RegistryProvider } from '../registries/provider';
import type { VulnerabilitiesView } from './model';

/** Where a registry without scans of its own keeps them, if anywhere. */
const NO_SCANS: Partial<Record<RegistryKind, string>> = {
  generic: 'is a Distribution registry: it keeps no scan results',
  artifactory: "keeps no scan results of its own: Artifactory's scans live in JFrog Xray, which Registry Explorer does not read",
  'docker-hub': 'shows its scans (Docker Scout) only in its own web pages and API, which Registry Explorer does not read',
};

export function noScansReason(provider: Pick<RegistryProvider, 'kind' | 'host' | 'displayName'>): string {
  if (provider.kind === 'acr') return ACR_SCAN_NOTE;
  const why = NO_SCANS[provider.kind];
  const name = provider.kind === 'generic' ? provider.host : `${provider.displayName} (${provider.host})`;
  return `${name} ${why ?? 'keeps no scan results that Registry Explorer can read'}.`;
}

export async function vulnerabilitiesView(provider: RegistryProvider, repository: string, digest: string, signal?: AbortSignal): Promise<VulnerabilitiesView> {
  if (!provider.capabilities.scan || !provider.vulnerabilities) return { available: false, reason: noScansReason(provider) };
  try {
    return { available: true, report: await provider.vulnerabilities(repository, digest, signal) };
  } catch (error) {
    if (error instanceof CancelledError || signal?.aborted) throw error;
    return { available: false, reason: `The scan results could not be read: ${describeError(error)}` };
  }
}
