// Which requests go through an HTTP(S) proxy, and how a proxy is named in messages. PURE: no undici
// here (transport.ts loads undici's ProxyAgent only when a request actually needs a proxy).
//
// The semantics are Go's net/http (golang.org/x/net/http/httpproxy), because that is what docker,
// crane, skopeo and regctl users already live with:
//   - https:// requests use HTTPS_PROXY, http:// requests use HTTP_PROXY (no fallback between them);
//     upper case wins over lower case; an empty value is unset; "proxy:3128" means http://proxy:3128.
//   - NO_PROXY is a comma list: "*" (no proxy at all), an IP or CIDR ("10.0.0.0/8"), a domain
//     ("example.com" = it and every subdomain; ".example.com" or "*.example.com" = subdomains only),
//     any of those with ":port" (then only that port; the scheme's default port counts).
//   - loopback is never proxied: "localhost", "*.localhost", 127.0.0.0/8 and ::1 always go direct
//     (Go hard-codes this, and a proxy could not reach this machine's loopback anyway). A registry
//     named by another name (the machine's hostname, say) is proxied unless NO_PROXY lists it.
import { isIP } from 'node:net';
import { InvalidInputError, redactUrl } from '../errors/errors';
import { isLoopbackHost } from '../reference/reference';

export interface ProxySettings {
  /** Proxy for https:// requests (a CONNECT tunnel: the proxy sees only the host and port). */
  httpsProxy?: string;
  /** Proxy for http:// requests (absolute-form: the proxy sees the whole request, headers included). */
  httpProxy?: string;
  /** Where httpsProxy came from, named in messages: "HTTPS_PROXY", "the http.proxy setting". */
  httpsSource?: string;
  httpSource?: string;
  /** NO_PROXY syntax (see above). */
  noProxy?: string;
  /** Where noProxy came from, named in messages. */
  noProxySource?: string;
  /**
   * false: do not verify the certificates on connections through the proxy — the proxy's own (an
   * https:// proxy) and the registries' behind it (an intercepting proxy re-signs them). VS Code's
   * `http.proxyStrictSSL`. Default true. Direct connections are not affected.
   */
  strictSsl?: boolean;
}

/** A proxy chosen for one request. */
export interface ProxyRoute {
  /** The proxy's origin, without credentials: "http://proxy:3128". */
  origin: string;
  /** Redacted URL for messages and logs. */
  display: string;
  /** "HTTPS_PROXY", "the http.proxy setting", … */
  source: string;
  /** Proxy-Authorization value from the URL's userinfo, sent to the proxy only. */
  authorization?: string;
  /** false when the URL had no userinfo. */
  hasCredentials: boolean;
  strictSsl: boolean;
}

type Parsed = ProxyRoute | InvalidInputError | undefined;

/** Reads the variables the way Go's httpproxy.FromEnvironment does. Undefined when none is set. */
export function proxySettingsFromEnv(env: NodeJS.ProcessEnv): ProxySettings | undefined {
  const pick = (...names: string[]): [string, string] | undefined => {
    for (const name of names) {
      const value = env[name]?.trim();
      if (value) return [name, value];
    }
    return undefined;
  };
  const https = pick('HTTPS_PROXY', 'https_proxy');
  const http = pick('HTTP_PROXY', 'http_proxy');
  const no = pick('NO_PROXY', 'no_proxy');
  if (!https && !http) return undefined;
  return {
    ...(https ? { httpsProxy: https[1], httpsSource: https[0] } : {}),
    ...(http ? { httpProxy: http[1], httpSource: http[0] } : {}),
    ...(no ? { noProxy: no[1], noProxySource: no[0] } : {}),
  };
}

/** Decides, per request URL, whether and through which proxy it goes. */
export class ProxyResolver {
  private readonly https: Parsed;
  private readonly http: Parsed;
  private readonly matchers: NoProxyMatcher[];
  private readonly all: boolean;

  constructor(readonly settings: ProxySettings) {
    const strict = settings.strictSsl !== false;
    this.https = parseProxy(settings.httpsProxy, settings.httpsSource ?? 'HTTPS_PROXY', strict);
    this.http = parseProxy(settings.httpProxy, settings.httpSource ?? 'HTTP_PROXY', strict);
    const { all, matchers } = parseNoProxy(settings.noProxy ?? '');
    this.all = all;
    this.matchers = matchers;
  }

  /** The proxy for this URL, or undefined for a direct connection. Throws InvalidInputError for an unusable proxy URL. */
  routeFor(url: URL): ProxyRoute | undefined {
    const route = url.protocol === 'https:' ? this.https : url.protocol === 'http:' ? this.http : undefined;
    if (!route) return undefined;
    if (this.bypasses(url)) return undefined;
    if (route instanceof InvalidInputError) throw route;
    return route;
  }

  /** True when the URL's host goes direct: loopback, or listed in NO_PROXY. */
  bypasses(url: URL): boolean {
    const host = hostnameOf(url);
    if (isLoopbackHost(host.includes(':') ? `[${host}]` : host)) return true;
    if (this.all) return true;
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return this.matchers.some((m) => m(host, port));
  }
}

function hostnameOf(url: URL): string {
  let host = url.hostname.toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return host.replace(/\.$/, '');
}

function parseProxy(raw: string | undefined, source: string, strictSsl: boolean): Parsed {
  const text = raw?.trim();
  if (!text) return undefined;
  // Go: "proxy:3128" and "user:pw@proxy:3128" mean http://…
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return new InvalidInputError('setting', `${source}=${redactUrl(withScheme)}`, 'not a proxy URL (expected http://host:port)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return new InvalidInputError('setting', `${source}=${redactUrl(url.toString())}`, `${url.protocol.replace(/:$/, '')} proxies are not supported (use an http:// or https:// proxy)`);
  }
  if (!url.hostname) return new InvalidInputError('setting', `${source}=${redactUrl(url.toString())}`, 'the proxy URL names no host');
  let authorization: string | undefined;
  if (url.username || url.password) {
    const user = safeDecode(url.username);
    const pass = safeDecode(url.password);
    authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }
  return {
    origin: url.origin,
    display: url.origin,
    source,
    ...(authorization ? { authorization } : {}),
    hasCredentials: !!authorization,
    strictSsl,
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

type NoProxyMatcher = (host: string, port: string) => boolean;

/** NO_PROXY as Go's httpproxy parses it. */
export function parseNoProxy(text: string): { all: boolean; matchers: NoProxyMatcher[] } {
  const matchers: NoProxyMatcher[] = [];
  for (const item of text.split(',')) {
    let p = item.trim().toLowerCase();
    if (!p) continue;
    if (p === '*') return { all: true, matchers: [] };
    const cidr = parseCidr(p);
    if (cidr) {
      matchers.push((host) => cidr(host));
      continue;
    }
    // host:port, [v6]:port, or a bare v6 address
    let port = '';
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(p);
    if (bracketed) {
      p = bracketed[1]!;
      port = bracketed[2] ?? '';
    } else if (!isIP(p)) {
      const m = /^(.*):(\d+)$/.exec(p);
      if (m) {
        p = m[1]!;
        port = m[2]!;
      }
    }
    if (!p) continue;
    const portOk = (requestPort: string) => port === '' || port === requestPort;
    if (isIP(p)) {
      const want = normaliseIp(p);
      matchers.push((host, requestPort) => isIP(host) !== 0 && normaliseIp(host) === want && portOk(requestPort));
      continue;
    }
    // foo.com: it and its subdomains; .foo.com / *.foo.com: subdomains only.
    let suffix = p.replace(/\.$/, '');
    if (suffix.startsWith('*.')) suffix = suffix.slice(1);
    const matchSelf = !suffix.startsWith('.');
    if (matchSelf) suffix = `.${suffix}`;
    matchers.push((host, requestPort) => (host.endsWith(suffix) || (matchSelf && host === suffix.slice(1))) && portOk(requestPort));
  }
  return { all: false, matchers };
}

function normaliseIp(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  return ipv6Words(ip)?.join(':') ?? ip;
}

function parseCidr(text: string): ((host: string) => boolean) | undefined {
  const m = /^(.+)\/(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const family = isIP(m[1]!);
  const bits = Number(m[2]);
  if (!family || bits > (family === 4 ? 32 : 128)) return undefined;
  const net = ipBits(m[1]!);
  if (!net) return undefined;
  return (host) => {
    if (isIP(host) !== family) return false;
    const h = ipBits(host);
    return !!h && h.slice(0, bits) === net.slice(0, bits);
  };
}

function ipBits(ip: string): string | undefined {
  if (isIP(ip) === 4) return ip.split('.').map((o) => Number(o).toString(2).padStart(8, '0')).join('');
  return ipv6Words(ip)?.map((w) => parseInt(w, 16).toString(2).padStart(16, '0')).join('');
}

function ipv6Words(ip: string): string[] | undefined {
  let text = ip;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two words.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const o = v4[1]!.split('.').map(Number);
    text = text.slice(0, -v4[1]!.length) + `${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const a = head ? head.split(':') : [];
  const b = tail !== undefined && tail ? tail.split(':') : [];
  const fill = tail !== undefined ? 8 - a.length - b.length : 0;
  const words = [...a, ...Array<string>(Math.max(0, fill)).fill('0'), ...b];
  if (words.length !== 8) return undefined;
  return words.map((w) => parseInt(w || '0', 16).toString(16));
}
