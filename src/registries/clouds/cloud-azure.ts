// Every use of @azure/identity: Microsoft Entra access tokens for Azure Container Registry from the
// credentials a person or a machine already has — DefaultAzureCredential (environment, workload
// identity, managed identity, Azure CLI, …; AZURE_TOKEN_CREDENTIALS narrows it), or one of them by
// name. Built as its own bundle (dist/cloud-azure.js) and loaded by load.ts on first use. It returns
// plain values and throws AzureSignInFailure, never the main bundle's error classes: this bundle has
// its own copies of shared modules, so `instanceof` across the two would not hold (acr.ts converts).
// PURE: no vscode imports.

import type { Agent } from 'node:http';
import {
  AggregateAuthenticationError,
  AuthenticationError,
  AzureCliCredential,
  ClientSecretCredential,
  CredentialUnavailableError,
  DefaultAzureCredential,
  EnvironmentCredential,
  ManagedIdentityCredential,
  type TokenCredential,
  type TokenCredentialOptions,
} from '@azure/identity';

export interface AzureServicePrincipal {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

export interface AzureCredentialOptions {
  /**
   * 'default': DefaultAzureCredential. 'cli': the Azure CLI's signed-in account (`az login`).
   * 'environment': AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_SECRET (or a certificate).
   * 'managed-identity': the machine's identity. Or a service principal given here.
   */
  credential?: 'default' | 'cli' | 'environment' | 'managed-identity' | AzureServicePrincipal;
  /** Microsoft Entra host of another cloud (https://login.microsoftonline.us), or a stand-in. */
  authorityHost?: string;
  /** Ask for a token in this tenant (az login --tenant, a guest tenant). */
  tenantId?: string;
  /** A user-assigned managed identity. */
  managedIdentityClientId?: string;
  /** The agent Entra requests go through (a proxy, a private CA); default: the SDK's own. */
  agent?: Agent;
}

export interface AzureAccessToken {
  token: string;
  expiresAt?: number;
}

/** Why no token came; acr.ts turns it into a CloudCredentialError. */
export class AzureSignInFailure extends Error {
  override readonly name = 'AzureSignInFailure';
  constructor(
    readonly reason: 'not-signed-in' | 'expired' | 'refused' | 'unavailable' | 'wrong-tenant',
    readonly source: string,
    readonly detailText?: string,
  ) {
    super(`${source}: ${reason}${detailText ? ` (${detailText})` : ''}`);
  }
}

/** Microsoft Entra's own hosts (public cloud, China, US Government, Germany): MSAL knows them. */
const KNOWN_AUTHORITIES = new Set(['login.microsoftonline.com', 'login.chinacloudapi.cn', 'login.microsoftonline.us', 'login.microsoftonline.de', 'login.windows.net', 'login.partner.microsoftonline.cn']);

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return url;
  }
}

/** A token source over the chosen @azure/identity credential. */
export function azureTokenSource(options: AzureCredentialOptions = {}): (request: { scopes: string[]; signal?: AbortSignal }) => Promise<AzureAccessToken> {
  const { credential, source } = createCredential(options);
  return async ({ scopes, signal }) => {
    try {
      const token = await credential.getToken(scopes, {
        ...(signal ? { abortSignal: signal } : {}),
        ...(options.tenantId ? { tenantId: options.tenantId } : {}),
      });
      if (!token?.token) throw new AzureSignInFailure('unavailable', source, 'no token was returned');
      return { token: token.token, expiresAt: token.expiresOnTimestamp };
    } catch (err) {
      throw classify(err, source);
    }
  };
}

function createCredential(options: AzureCredentialOptions): { credential: TokenCredential; source: string } {
  const common: TokenCredentialOptions & { disableInstanceDiscovery?: boolean } = {
    ...(options.authorityHost ? { authorityHost: options.authorityHost } : {}),
    // MSAL checks an authority it does not know with login.microsoftonline.com's instance discovery;
    // a private cloud (Azure Stack) or a stand-in is trusted as configured instead.
    ...(options.authorityHost && !KNOWN_AUTHORITIES.has(hostOf(options.authorityHost)) ? { disableInstanceDiscovery: true } : {}),
    ...(options.agent ? { agent: options.agent } : {}),
  };
  const choice = options.credential ?? 'default';
  if (typeof choice === 'object') {
    return {
      credential: new ClientSecretCredential(choice.tenantId, choice.clientId, choice.clientSecret, common),
      source: 'service principal',
    };
  }
  switch (choice) {
    case 'cli':
      return { credential: new AzureCliCredential(options.tenantId ? { tenantId: options.tenantId } : {}), source: 'Azure CLI' };
    case 'environment':
      return { credential: new EnvironmentCredential(common), source: 'environment (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET)' };
    case 'managed-identity':
      return {
        credential: new ManagedIdentityCredential({ ...common, ...(options.managedIdentityClientId ? { clientId: options.managedIdentityClientId } : {}) }),
        source: 'managed identity',
      };
    default:
      return {
        credential: new DefaultAzureCredential({
          ...common,
          ...(options.tenantId ? { tenantId: options.tenantId } : {}),
          ...(options.managedIdentityClientId ? { managedIdentityClientId: options.managedIdentityClientId } : {}),
        }),
        source: 'Azure credentials (DefaultAzureCredential: environment, managed identity, Azure CLI)',
      };
  }
}

/** What went wrong, from the SDK's error classes and Microsoft Entra's AADSTS codes. */
export function classify(err: unknown, source: string): unknown {
  if (err instanceof AzureSignInFailure) return err;
  if ((err as { name?: string })?.name === 'AbortError') return err;
  if (err instanceof AuthenticationError) {
    const description = err.errorResponse?.errorDescription ?? err.message;
    const code = /AADSTS\d+/.exec(description)?.[0];
    return new AzureSignInFailure(reasonForAadsts(code), source, clean(firstSentence(description)));
  }
  if (err instanceof AggregateAuthenticationError) {
    const inner = err.errors.map((e) => classify(e, source)).filter((e): e is AzureSignInFailure => e instanceof AzureSignInFailure);
    // A refusal or an expiry says more than "this one was not there".
    const telling = inner.find((e) => e.reason !== 'unavailable' && e.reason !== 'not-signed-in') ?? inner.find((e) => e.reason === 'not-signed-in');
    if (telling) return telling;
    return new AzureSignInFailure('unavailable', source, 'none of environment variables, a managed identity or an Azure CLI sign-in was found');
  }
  if (err instanceof CredentialUnavailableError) {
    const message = err.message;
    if (/az login/.test(message) && !/could not be found/i.test(message)) return new AzureSignInFailure('not-signed-in', 'Azure CLI', clean(firstSentence(message)));
    const code = /AADSTS\d+/.exec(message)?.[0];
    if (code) return new AzureSignInFailure(reasonForAadsts(code), source, clean(firstSentence(message.slice(message.indexOf(code)))));
    return new AzureSignInFailure('unavailable', source, clean(firstSentence(message)));
  }
  if (err instanceof Error) {
    // AuthenticationRequiredError and MSAL's own errors carry Entra's answer in their message.
    const code = /AADSTS\d+/.exec(err.message)?.[0];
    if (code) return new AzureSignInFailure(reasonForAadsts(code), source, clean(firstSentence(err.message.slice(err.message.indexOf(code)))));
    return new AzureSignInFailure('unavailable', source, clean(firstSentence(err.message)));
  }
  return err;
}

function reasonForAadsts(code: string | undefined): AzureSignInFailure['reason'] {
  switch (code) {
    case 'AADSTS700082': // refresh token expired due to inactivity
    case 'AADSTS70043': // refresh token expired (conditional access sign-in frequency)
    case 'AADSTS50173':
    case 'AADSTS70008':
      return 'expired';
    case 'AADSTS90002': // tenant not found
    case 'AADSTS700016': // application not found in the directory
    case 'AADSTS50020': // user account does not exist in the tenant
    case 'AADSTS90072':
      return 'wrong-tenant';
    default:
      return 'refused';
  }
}

function firstSentence(text: string): string {
  const line = text.split(/\r?\n/)[0] ?? '';
  const end = line.search(/\.(\s|$)/);
  return (end > 0 ? line.slice(0, end + 1) : line).trim();
}

/** Nothing token-like leaves this module in a message. */
function clean(text: string): string {
  return text.replace(/eyJ[A-Za-z0-9_-]{8,}(\.[A-Za-z0-9_-]*){0,2}/g, '[token]').slice(0, 300);
}
