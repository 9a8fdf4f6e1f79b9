// A small Docker token-spec issuer for the token-auth test registry. It implements:
//   GET  /token  (distribution token spec: Basic credentials, repeated `scope`, `offline_token`)
//   POST /token  (OAuth2: grant_type=password | refresh_token, space-separated `scope`)
// and a control surface the tests use to observe and bend it:
//   GET /_control/stats                       -> { tokenRequests, failedRequests, byScope, byGrant }
//   GET /_control/lifetime?seconds=N[&expSkew=S] -> expires_in becomes N; the JWT `exp` becomes iat+N+S
//   GET /_control/reset                       -> counters to zero, lifetime back to the default
// Tokens are RS256 JWTs whose header carries x5c = [the self-signed certificate the registry trusts].
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

export const TOKEN_SERVICE = 'regx-test-registry';
export const TOKEN_ISSUER = 'regx-test-issuer';
export const DEFAULT_LIFETIME_SECONDS = 300;

/** Who may do what. Repository actions are intersected with the request; catalog is granted to both. */
export const TOKEN_USERS = {
  pusher: { password: 'pusher-pass', repositoryActions: ['pull', 'push', 'delete', '*'] },
  reader: { password: 'reader-pass', repositoryActions: ['pull'] },
};

/** Makes the signing key and the self-signed certificate (the registry's rootcertbundle) in dir. */
export function makeSigningKey(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const keyPath = path.join(dir, 'token.key');
  const certPath = path.join(dir, 'token.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath,
    '-days', '3650', '-subj', `/CN=${TOKEN_ISSUER}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  return { keyPath, certPath };
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/** Parses `type:name:actions`; names may contain ':' (host:port), so split on the first and last. */
export function parseScope(scope) {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope.slice(last + 1).split(',').filter(Boolean),
  };
}

function grant(account, scopes) {
  const user = account ? TOKEN_USERS[account] : undefined;
  const access = [];
  if (!user) return access; // anonymous: a token that grants nothing, like public registries hand out
  for (const s of scopes) {
    const parsed = parseScope(s);
    if (!parsed) continue;
    let actions = [];
    if (parsed.type === 'repository') actions = parsed.actions.filter((a) => user.repositoryActions.includes(a));
    else if (parsed.type === 'registry' && parsed.name === 'catalog') actions = parsed.actions.filter((a) => a === '*');
    if (actions.length) access.push({ type: parsed.type, name: parsed.name, actions });
  }
  return access;
}

/**
 * Starts the issuer on 127.0.0.1:port. Returns { url, server, close() }.
 * logPath (optional) receives one line per request, without credentials or tokens.
 */
export async function startTokenIssuer({ port, keyPath, certPath, logPath }) {
  const privateKey = fs.readFileSync(keyPath, 'utf8');
  const certDer = new crypto.X509Certificate(fs.readFileSync(certPath)).raw.toString('base64');
  const log = logPath ? fs.createWriteStream(logPath, { flags: 'a' }) : undefined;
  const refreshTokens = new Map(); // refresh token -> account

  let lifetime = DEFAULT_LIFETIME_SECONDS;
  let expSkew = 0;
  let stats;
  const resetStats = () => { stats = { tokenRequests: 0, failedRequests: 0, byScope: {}, byGrant: {} }; };
  resetStats();

  function sign(account, access) {
    const iat = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [certDer] };
    const claims = {
      iss: TOKEN_ISSUER, sub: account ?? '', aud: TOKEN_SERVICE,
      exp: iat + lifetime + expSkew, nbf: iat - 10, iat,
      jti: crypto.randomUUID(), access,
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = crypto.sign('sha256', Buffer.from(input), privateKey);
    return { token: `${input}.${b64url(signature)}`, issuedAt: new Date(iat * 1000).toISOString() };
  }

  function count(grantType, scopes) {
    stats.tokenRequests++;
    stats.byGrant[grantType] = (stats.byGrant[grantType] ?? 0) + 1;
    const key = [...scopes].sort().join(' ');
    stats.byScope[key] = (stats.byScope[key] ?? 0) + 1;
  }

  function send(res, status, body, headers = {}) {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
    res.end(JSON.stringify(body));
  }

  function checkPassword(username, password) {
    const user = TOKEN_USERS[username];
    return Boolean(user && user.password === password);
  }

  function unauthorized(res, message) {
    stats.failedRequests++;
    send(res, 401, { errors: [{ code: 'UNAUTHORIZED', message }], details: message },
      { 'www-authenticate': `Basic realm="${TOKEN_ISSUER}"` });
  }

  function handleGet(url, req, res) {
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
    count('get', scopes);
    if (url.searchParams.get('service') && url.searchParams.get('service') !== TOKEN_SERVICE) {
      stats.failedRequests++;
      return send(res, 400, { errors: [{ code: 'UNSUPPORTED', message: 'unknown service' }] });
    }
    let account;
    const authz = req.headers.authorization ?? '';
    if (authz) {
      const m = /^Basic\s+(.+)$/i.exec(authz);
      if (!m) return unauthorized(res, 'only Basic credentials are accepted');
      const decoded = Buffer.from(m[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const username = decoded.slice(0, colon);
      if (colon < 0 || !checkPassword(username, decoded.slice(colon + 1))) {
        return unauthorized(res, 'incorrect username or password');
      }
      account = username;
    }
    const { token, issuedAt } = sign(account, grant(account, scopes));
    const body = { token, access_token: token, expires_in: lifetime, issued_at: issuedAt };
    if (account && url.searchParams.get('offline_token') === 'true' && url.searchParams.get('client_id')) {
      body.refresh_token = newRefreshToken(account);
    }
    send(res, 200, body);
  }

  function newRefreshToken(account) {
    const rt = crypto.randomBytes(24).toString('base64url');
    refreshTokens.set(rt, account);
    return rt;
  }

  function handlePost(form, res) {
    const scopes = form.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
    const grantType = form.get('grant_type') ?? '';
    count(`post:${grantType}`, scopes);
    const oauthError = (status, error, description) => {
      stats.failedRequests++;
      send(res, status, { error, error_description: description });
    };
    if (!form.get('client_id')) return oauthError(400, 'invalid_request', 'client_id is required');
    if (form.get('service') !== TOKEN_SERVICE) return oauthError(400, 'invalid_request', 'unknown or missing service');
    let account;
    let refreshToken;
    if (grantType === 'password') {
      const username = form.get('username') ?? '';
      if (!checkPassword(username, form.get('password') ?? '')) {
        return oauthError(401, 'invalid_grant', 'incorrect username or password');
      }
      account = username;
      if (form.get('access_type') === 'offline') refreshToken = newRefreshToken(account);
    } else if (grantType === 'refresh_token') {
      account = refreshTokens.get(form.get('refresh_token') ?? '');
      if (!account) return oauthError(401, 'invalid_grant', 'unknown refresh token');
      refreshToken = form.get('refresh_token');
    } else {
      return oauthError(400, 'unsupported_grant_type', `grant_type ${grantType || '(none)'} is not supported`);
    }
    const { token, issuedAt } = sign(account, grant(account, scopes));
    const body = { access_token: token, scope: scopes.join(' '), expires_in: lifetime, issued_at: issuedAt };
    if (refreshToken) body.refresh_token = refreshToken;
    send(res, 200, body);
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://issuer');
    // Log the path and scopes only: query strings may carry nothing secret here, but bodies do.
    log?.write(`${new Date().toISOString()} ${req.method} ${url.pathname} ${url.searchParams.getAll('scope').join(' ')}\n`);
    if (req.method === 'GET' && url.pathname === '/token') return handleGet(url, req, res);
    if (req.method === 'POST' && url.pathname === '/token') {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => handlePost(new URLSearchParams(Buffer.concat(chunks).toString('utf8')), res));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/_control/stats') return send(res, 200, stats);
    if (req.method === 'GET' && url.pathname === '/_control/lifetime') {
      if (url.searchParams.has('seconds')) lifetime = Number(url.searchParams.get('seconds'));
      if (url.searchParams.has('expSkew')) expSkew = Number(url.searchParams.get('expSkew'));
      return send(res, 200, { seconds: lifetime, expSkew });
    }
    if (req.method === 'GET' && url.pathname === '/_control/reset') {
      resetStats();
      lifetime = DEFAULT_LIFETIME_SECONDS;
      expSkew = 0;
      return send(res, 200, { ok: true });
    }
    send(res, 404, { errors: [{ code: 'NOT_FOUND', message: `${req.method} ${url.pathname}` }] });
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => { log?.end(); resolve(); }); }),
  };
}
