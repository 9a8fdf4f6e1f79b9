// NO_PROXY / HTTPS_PROXY semantics (Go's httpproxy, what docker and crane do) and the proxy's words.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyResolver, proxySettingsFromEnv } from '../../../src/distribution/proxy';
import { describeError } from '../../../src/errors/describe';
import { DistributionError, InvalidInputError, ProxyError } from '../../../src/errors/errors';

const through = (noProxy: string | undefined, url: string) =>
  new ProxyResolver({ httpsProxy: 'http://proxy:3128', httpProxy: 'http://proxy:3128', ...(noProxy !== undefined ? { noProxy } : {}) }).routeFor(new URL(url)) !== undefined;

describe('proxySettingsFromEnv', () => {
  it('reads upper case before lower case, and treats empty as unset', () => {
    const s = proxySettingsFromEnv({ HTTPS_PROXY: 'http://a:1', https_proxy: 'http://b:1', HTTP_PROXY: '', http_proxy: 'http://c:1', no_proxy: 'x.com' });
    assert.deepEqual(s, { httpsProxy: 'http://a:1', httpsSource: 'HTTPS_PROXY', httpProxy: 'http://c:1', httpSource: 'http_proxy', noProxy: 'x.com', noProxySource: 'no_proxy' });
    assert.equal(proxySettingsFromEnv({ NO_PROXY: 'x' }), undefined);
  });

  it('https requests use HTTPS_PROXY only and http requests HTTP_PROXY only', () => {
    const r = new ProxyResolver(proxySettingsFromEnv({ HTTPS_PROXY: 'http://p:1' })!);
    assert.equal(r.routeFor(new URL('https://reg.example/v2/'))?.origin, 'http://p:1');
    assert.equal(r.routeFor(new URL('http://reg.example/v2/')), undefined);
  });

  it('takes "host:port" as http://host:port, and keeps credentials out of the display', () => {
    const r = new ProxyResolver({ httpsProxy: 'user:p%40ss@proxy.corp:8080' });
    const route = r.routeFor(new URL('https://reg.example/v2/'))!;
    assert.equal(route.origin, 'http://proxy.corp:8080');
    assert.equal(route.display, 'http://proxy.corp:8080');
    assert.equal(route.authorization, `Basic ${Buffer.from('user:p@ss').toString('base64')}`);
    assert.equal(route.hasCredentials, true);
  });

  it('refuses socks and unparsable proxies with a setting error, only when a request needs them', () => {
    const r = new ProxyResolver({ httpsProxy: 'socks5://u:secret@p:1080', httpsSource: 'HTTPS_PROXY' });
    assert.throws(() => r.routeFor(new URL('https://reg.example/')), (e: unknown) => e instanceof InvalidInputError && /socks5 proxies are not supported/.test(e.message) && !/secret/.test(e.message));
    assert.equal(r.routeFor(new URL('https://localhost:5000/')), undefined);
  });
});

describe('NO_PROXY', () => {
  it('always bypasses loopback (localhost, *.localhost, 127/8, ::1), as Go does', () => {
    for (const url of ['http://localhost:5000/', 'https://registry.localhost/', 'http://127.0.0.1:5000/', 'http://127.9.9.9/', 'https://[::1]:5000/']) {
      assert.equal(through(undefined, url), false, url);
    }
    assert.equal(through(undefined, 'https://myhost:5000/'), true);
  });

  it('"*" bypasses everything', () => {
    assert.equal(through('*', 'https://reg.example/'), false);
    assert.equal(through(' foo.com , * ', 'https://reg.example/'), false);
  });

  it('a domain matches itself and its subdomains; a leading dot or *. only subdomains', () => {
    assert.equal(through('example.com', 'https://example.com/'), false);
    assert.equal(through('example.com', 'https://reg.example.com/'), false);
    assert.equal(through('example.com', 'https://badexample.com/'), true);
    assert.equal(through('.example.com', 'https://example.com/'), true);
    assert.equal(through('.example.com', 'https://reg.example.com/'), false);
    assert.equal(through('*.example.com', 'https://example.com/'), true);
    assert.equal(through('*.example.com', 'https://a.b.example.com/'), false);
    assert.equal(through('EXAMPLE.com', 'https://Reg.Example.COM/'), false);
  });

  it('host:port matches that port only, counting the default port', () => {
    assert.equal(through('reg.example:5000', 'https://reg.example:5000/'), false);
    assert.equal(through('reg.example:5000', 'https://reg.example/'), true);
    assert.equal(through('reg.example:443', 'https://reg.example/'), false);
    assert.equal(through('reg.example:443', 'http://reg.example/'), true);
  });

  it('IPs and CIDRs match IP literals', () => {
    assert.equal(through('10.1.2.3', 'https://10.1.2.3:5000/'), false);
    assert.equal(through('10.1.2.3:5000', 'https://10.1.2.3:5001/'), true);
    assert.equal(through('10.0.0.0/8', 'https://10.200.1.1/'), false);
    assert.equal(through('10.0.0.0/8', 'https://11.0.0.1/'), true);
    assert.equal(through('fd00::/8', 'https://[fd12::1]/'), false);
    assert.equal(through('[fd12::1]:5000', 'https://[fd12:0::1]:5000/'), false);
    assert.equal(through('10.0.0.0/8', 'https://ten.example/'), true, 'a CIDR never matches a name');
  });
});

describe('describeError for proxies', () => {
  const target = 'https://reg.example/v2/app/tags/list';
  it('407 names the proxy and the variable, and where the credentials go', () => {
    const text = describeError(new ProxyError('auth', 'http://proxy.corp:3128', 'HTTPS_PROXY', 'GET', target, 407, false));
    assert.match(text, /^The proxy http:\/\/proxy\.corp:3128 \(from HTTPS_PROXY\) requires authentication \(407 Proxy Authentication Required\) on the way to reg\.example\./);
    assert.match(text, /http:\/\/USER:PASSWORD@host:port\) in HTTPS_PROXY\.$/);
    const rejected = describeError(new ProxyError('auth', 'http://proxy.corp:3128', 'the http.proxy setting', 'GET', target, 407, true));
    assert.match(rejected, /rejected its user name and password \(407\).*in the http\.proxy setting\./);
  });

  it('refused, 403 and 502 say what to check', () => {
    assert.match(describeError(new ProxyError('refused', 'http://p:1', 'HTTP_PROXY', 'GET', target)), /Could not connect to the proxy http:\/\/p:1 \(from HTTP_PROXY\): the connection was refused.*NO_PROXY/);
    assert.match(describeError(new ProxyError('status', 'http://p:1', 'HTTPS_PROXY', 'GET', target, 403)), /refused to connect to reg\.example \(403\)/);
    assert.match(describeError(new ProxyError('status', 'http://p:1', 'HTTPS_PROXY', 'GET', target, 502)), /could not reach reg\.example \(502\)/);
  });

  it('a 5xx that came back through a plain-http proxy mentions the proxy', () => {
    const err = new DistributionError(502, [], 'GET', 'http://reg.example/v2/', 'ping', { proxy: { display: 'http://p:1', source: 'HTTP_PROXY' } });
    assert.match(describeError(err), /answered 502 through the proxy http:\/\/p:1 \(from HTTP_PROXY\)/);
  });
});
