// Google credentials through google-auth-library: Application Default Credentials (the file named by
// GOOGLE_APPLICATION_CREDENTIALS, gcloud's application_default_credentials.json, or the metadata
// server on Google Cloud) and service-account keys. The only file that imports the library; it is
// its own bundle (dist/cloud-google.js), loaded on first use through loadCloudModule('google').
//
// Token requests go through the `http` function the caller passes (the registry transport: its
// timeouts, proxies and TLS settings). A key file's `token_uri` is honoured — the library always
// posts to oauth2.googleapis.com — so a credential issued by another token service works as it says.
//
// This bundle must not create the main bundle's error classes (instanceof would fail across
// bundles): failures are thrown as GoogleCredentialProblem, which artifactRegistry.ts turns into
// CloudCredentialError. Errors thrown by `http` (the transport's own) pass through untouched.
// PURE: no vscode imports.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GoogleAuth, OAuth2Client, gaxios } from 'google-auth-library';
import type { GoogleAccessToken, GoogleCredentialFailure, GoogleHttp, GoogleTokenSource } from '../artifactRegistry';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** Where google-auth-library sends every token request (gtoken and OAuth2Client defaults). */
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/** Thrown for a credential that is missing, unreadable or refused; carries no secret. */
export class GoogleCredentialProblem extends Error {
  constructor(readonly problem: GoogleCredentialFailure) {
    super(`${problem.source}: ${problem.detail}`);
    this.name = 'GoogleCredentialProblem';
  }
}

export interface AdcOptions {
  /** The environment ADC is looked up in (regx passes its own; the editor process.env). */
  env: NodeJS.ProcessEnv;
  http: GoogleHttp;
}

interface CredentialFile {
  path: string;
  /** How the file was found, for messages: "GOOGLE_APPLICATION_CREDENTIALS" or "gcloud". */
  from: 'GOOGLE_APPLICATION_CREDENTIALS' | 'gcloud';
  json: Record<string, unknown>;
}

/**
 * Application Default Credentials, looked up as google-auth-library does but in `env`: the file
 * GOOGLE_APPLICATION_CREDENTIALS names, else gcloud's application_default_credentials.json (in
 * CLOUDSDK_CONFIG, or ~/.config/gcloud, or %APPDATA%\gcloud), else the metadata server when running
 * on Google Cloud (METADATA_SERVER_DETECTION=none turns that off).
 */
export function applicationDefaultCredentials(options: AdcOptions): GoogleTokenSource {
  let client: Promise<{ auth: GoogleAuth; description: string; email?: string }> | undefined;
  const load = () => {
    client ??= (async () => {
      const file = readCredentialFile(options.env);
      if (file) {
        const email = typeof file.json['client_email'] === 'string' ? file.json['client_email'] : undefined;
        return {
          auth: authFor(file.json, options.http, `${file.from === 'gcloud' ? "gcloud's application default credentials" : 'GOOGLE_APPLICATION_CREDENTIALS'} (${file.path})`),
          description: describeFile(file),
          ...(email ? { email } : {}),
        };
      }
      if (String(options.env['METADATA_SERVER_DETECTION'] ?? '').trim().toLowerCase() === 'none') throw noAdc(options.env);
      // On Google Cloud (GCE, GKE, Cloud Run, …) the metadata server holds the attached service
      // account's token; the library decides whether it is there.
      return { auth: new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] }), description: 'the metadata server (the attached service account)' };
    })();
    client.catch(() => (client = undefined));
    return client;
  };
  return async (request) => {
    const { auth, description, email } = await load();
    try {
      return await tokenFrom(auth, description, email, !!request.forceRefresh, options.env);
    } catch (err) {
      // After `gcloud auth application-default login` the file holds new credentials: read it again.
      if (err instanceof GoogleCredentialProblem && err.problem.reason === 'refused') client = undefined;
      throw err;
    }
  };
}

/** A service-account key (the JSON of `_json_key`, or a key file the user chose). */
export function serviceAccountKey(keyJson: string, options: { http: GoogleHttp }): GoogleTokenSource {
  const json = parseCredentialJson(keyJson, 'the service-account key');
  if (json['type'] !== 'service_account' || typeof json['client_email'] !== 'string' || typeof json['private_key'] !== 'string') {
    throw new GoogleCredentialProblem({ reason: 'unreadable', source: 'the service-account key', detail: 'it is not a service-account key (type "service_account" with client_email and private_key)' });
  }
  const auth = authFor(json, options.http, `the service-account key of ${json['client_email']}`);
  return (request) => tokenFrom(auth, `the service-account key of ${json['client_email']}`, json['client_email'] as string, !!request.forceRefresh, {});
}

/**
 * The project to browse when none was named: gcloud's and the client libraries' variables, then the
 * ADC file (a service account's project_id, a user's quota_project_id), then gcloud's active
 * configuration ([core] project). undefined when nothing names one.
 */
export function defaultProject(env: NodeJS.ProcessEnv): string | undefined {
  for (const name of ['CLOUDSDK_CORE_PROJECT', 'GOOGLE_CLOUD_PROJECT', 'GCLOUD_PROJECT']) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  let file: CredentialFile | undefined;
  try {
    file = readCredentialFile(env);
  } catch {
    file = undefined;
  }
  for (const key of ['project_id', 'quota_project_id']) {
    const value = file?.json[key];
    if (typeof value === 'string' && value) return value;
  }
  const dir = gcloudConfigDir(env);
  if (!dir) return undefined;
  try {
    const active = readText(path.join(dir, 'active_config'))?.trim() || 'default';
    if (!/^[A-Za-z0-9_-]+$/.test(active)) return undefined;
    const ini = readText(path.join(dir, 'configurations', `config_${active}`));
    return ini ? iniValue(ini, 'core', 'project') : undefined;
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------------------------------------

function authFor(json: Record<string, unknown>, http: GoogleHttp, source: string): GoogleAuth {
  const tokenUri = acceptedTokenUri(json['token_uri'], source);
  const transporter = new gaxios.Gaxios({ fetchImplementation: fetchThrough(http, tokenUri) });
  // The library's JSON types are narrower than what a key file may hold; it validates them itself.
  return new GoogleAuth({ credentials: json as never, scopes: [CLOUD_PLATFORM_SCOPE], clientOptions: { transporter } });
}

async function tokenFrom(auth: GoogleAuth, description: string, email: string | undefined, force: boolean, env: NodeJS.ProcessEnv): Promise<GoogleAccessToken> {
  try {
    const client = await auth.getClient();
    if (force && client instanceof OAuth2Client) {
      // The library hands out its cached token until shortly before expiry_date; a token the service
      // already refused must not be handed out again.
      client.setCredentials({ ...client.credentials, access_token: null, expiry_date: null });
    }
    const { token } = await client.getAccessToken();
    if (!token) throw new GoogleCredentialProblem({ reason: 'refused', source: description, detail: 'no access token was issued' });
    const expiry = client instanceof OAuth2Client ? client.credentials.expiry_date : undefined;
    const account = email ?? ('email' in client && typeof client.email === 'string' ? client.email : undefined);
    return {
      token,
      ...(typeof expiry === 'number' && expiry > 0 ? { expiresAt: expiry } : {}),
      source: description,
      ...(account ? { account } : {}),
    };
  } catch (err) {
    throw problemFrom(err, description, env);
  }
}

/** What went wrong, without anything the token service echoed back that might be a secret. */
function problemFrom(err: unknown, source: string, env: NodeJS.ProcessEnv): unknown {
  if (err instanceof GoogleCredentialProblem) return err;
  // The transport's own errors (refused, TLS, proxy) say more than the library's wrapping of them.
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof Error && 'kind' in e && typeof (e as { kind: unknown }).kind === 'string') return e;
  }
  const message = err instanceof Error ? err.message : String(err);
  if (/Could not load the default credentials/i.test(message)) return noAdc(env);
  const data = (err as { response?: { data?: unknown; status?: number } })?.response;
  const body = data?.data && typeof data.data === 'object' ? (data.data as Record<string, unknown>) : undefined;
  if (body && typeof body['error'] === 'string') {
    const text = typeof body['error_description'] === 'string' ? `${body['error']}: ${body['error_description']}` : body['error'];
    return new GoogleCredentialProblem({ reason: 'refused', source, detail: text.slice(0, 200) });
  }
  if (data?.status) return new GoogleCredentialProblem({ reason: 'refused', source, detail: `the token service answered ${data.status}` });
  return new GoogleCredentialProblem({ reason: 'unavailable', source, detail: message.slice(0, 200) });
}

function noAdc(env: NodeJS.ProcessEnv): GoogleCredentialProblem {
  const gcloudFile = gcloudConfigDir(env) ? path.join(gcloudConfigDir(env)!, 'application_default_credentials.json') : 'the gcloud configuration folder';
  return new GoogleCredentialProblem({
    reason: 'missing',
    source: 'Application Default Credentials',
    detail: `none found: GOOGLE_APPLICATION_CREDENTIALS is not set, ${gcloudFile} does not exist, and this is not a Google Cloud machine with a metadata server`,
  });
}

function readCredentialFile(env: NodeJS.ProcessEnv): CredentialFile | undefined {
  const named = env['GOOGLE_APPLICATION_CREDENTIALS'] || env['google_application_credentials'];
  if (named) {
    const text = readText(named);
    if (text === undefined) {
      throw new GoogleCredentialProblem({ reason: 'unreadable', source: `GOOGLE_APPLICATION_CREDENTIALS (${named})`, detail: 'the file does not exist or cannot be read' });
    }
    return { path: named, from: 'GOOGLE_APPLICATION_CREDENTIALS', json: parseCredentialJson(text, `GOOGLE_APPLICATION_CREDENTIALS (${named})`) };
  }
  const dir = gcloudConfigDir(env);
  if (!dir) return undefined;
  const file = path.join(dir, 'application_default_credentials.json');
  const text = readText(file);
  if (text === undefined) return undefined;
  return { path: file, from: 'gcloud', json: parseCredentialJson(text, `gcloud's application default credentials (${file})`) };
}

function describeFile(file: CredentialFile): string {
  const kind = file.json['type'] === 'service_account' ? 'service-account key' : file.json['type'] === 'authorized_user' ? 'user credentials' : 'credentials';
  return file.from === 'gcloud' ? `gcloud's application default ${kind} (${file.path})` : `the ${kind} in GOOGLE_APPLICATION_CREDENTIALS (${file.path})`;
}

function parseCredentialJson(text: string, source: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new GoogleCredentialProblem({ reason: 'unreadable', source, detail: 'it is not JSON' });
  }
  if (!json || typeof json !== 'object' || Array.isArray(json) || typeof (json as Record<string, unknown>)['type'] !== 'string') {
    throw new GoogleCredentialProblem({ reason: 'unreadable', source, detail: 'it is not a Google credentials file (no "type")' });
  }
  return json as Record<string, unknown>;
}

/** A key file's token_uri: https, or plain http to this machine only. */
function acceptedTokenUri(value: unknown, source: string): string | undefined {
  if (value === undefined || value === GOOGLE_TOKEN_URL) return undefined;
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new GoogleCredentialProblem({ reason: 'unreadable', source, detail: 'its token_uri is not a URL' });
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new GoogleCredentialProblem({ reason: 'unreadable', source, detail: `its token_uri ${url.origin} is not https` });
  }
  return url.toString();
}

/** A fetch for gaxios over the caller's HTTP function, sending token requests to `tokenUri`. */
function fetchThrough(http: GoogleHttp, tokenUri: string | undefined) {
  return async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    let url = input instanceof Request ? input.url : String(input);
    if (tokenUri && url === GOOGLE_TOKEN_URL) url = tokenUri;
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => (headers[name] = value));
    let body: string | undefined;
    if (typeof init.body === 'string') body = init.body;
    else if (init.body instanceof URLSearchParams) {
      body = init.body.toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8';
    } else if (init.body instanceof Uint8Array) body = Buffer.from(init.body).toString('utf8');
    const res = await http({ method: init.method ?? 'GET', url, headers, ...(body !== undefined ? { body } : {}), ...(init.signal ? { signal: init.signal } : {}) });
    const empty = res.status === 204 || res.status === 304 || res.body === '';
    return new Response(empty ? null : res.body, { status: res.status, headers: res.headers });
  };
}

function gcloudConfigDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env['CLOUDSDK_CONFIG']) return env['CLOUDSDK_CONFIG'];
  if (process.platform === 'win32') return env['APPDATA'] ? path.join(env['APPDATA'], 'gcloud') : undefined;
  const home = env['HOME'] || os.homedir();
  return home ? path.join(home, '.config', 'gcloud') : undefined;
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** `key = value` in `[section]` of an INI text (gcloud's configuration files). */
function iniValue(text: string, section: string, key: string): string | undefined {
  let current = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = header[1]!.trim();
      continue;
    }
    const m = /^([^=:#;]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (m && current === section && m[1] === key && m[2]) return m[2].trim();
  }
  return undefined;
}
