// Which action fixes an error shown in the tree. The words for the error itself always come from
// describeError(); this only decides the offered fix.
import { CloudCredentialError, DistributionError, PolicyError, TransportError } from '../../errors/errors';
import type { ErrorFix } from './nodes';

export function errorFix(error: unknown): ErrorFix {
  // 401: no or wrong credentials. 403: signed in, but this account may not do it — another one might.
  if (error instanceof DistributionError && (error.status === 401 || error.status === 403)) return 'signIn';
  // A cloud account that is missing, expired or refused (ADC, a Microsoft account, an SSO session): sign in again.
  if (error instanceof CloudCredentialError && error.reason !== 'unavailable' && error.reason !== 'unreadable') return 'signIn';
  if (error instanceof TransportError && error.reason === 'tls') return 'tlsSetting';
  if (error instanceof PolicyError && (error.rule === 'http-not-allowed' || error.rule === 'insecure-scheme')) return 'httpSetting';
  return 'retry';
}

/** Registries that answer the catalog with "not here" do not list repositories (Docker Hub, GHCR, ECR…). */
export function isCatalogUnsupported(error: unknown): boolean {
  if (!(error instanceof DistributionError)) return false;
  return error.status === 404 || error.status === 405 || error.hasCode('UNSUPPORTED');
}
