import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { challengeScopes, parseChallenges, pickChallenge } from '../../../src/distribution/challenge';

describe('parseChallenges', () => {
  it('reads the distribution Bearer challenge', () => {
    const got = parseChallenges(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
    );
    assert.deepEqual(got, [
      {
        scheme: 'bearer',
        params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' },
      },
    ]);
  });

  it('reads the Forgejo line with two challenges (Bearer then Basic)', () => {
    const got = parseChallenges('Bearer realm="https://codeberg.org/v2/token",service="container_registry",scope="*",Basic realm="https://codeberg.org/v2"');
    assert.equal(got.length, 2);
    assert.deepEqual(got[0], { scheme: 'bearer', params: { realm: 'https://codeberg.org/v2/token', service: 'container_registry', scope: '*' } });
    assert.deepEqual(got[1], { scheme: 'basic', params: { realm: 'https://codeberg.org/v2' } });
    assert.equal(pickChallenge(got)?.scheme, 'bearer');
    // scope="*" is not a scope we can ask for.
    assert.deepEqual(challengeScopes(got[0]), []);
  });

  it('reads Basic first then Bearer in one line, and still prefers Bearer', () => {
    const got = parseChallenges('Basic realm="Registry Realm", Bearer realm="https://r.example/token",service="r"');
    assert.deepEqual(got.map((c) => c.scheme), ['basic', 'bearer']);
    assert.equal(pickChallenge(got)?.params['realm'], 'https://r.example/token');
  });

  it('reads several header lines', () => {
    const got = parseChallenges(['Negotiate', 'Basic realm="x"']);
    assert.deepEqual(got.map((c) => c.scheme), ['negotiate', 'basic']);
    assert.equal(pickChallenge(got)?.scheme, 'basic');
  });

  it('ignores scheme case and parameter-name case', () => {
    const got = parseChallenges('BEARER Realm="https://a/token", SERVICE="svc"');
    assert.deepEqual(got, [{ scheme: 'bearer', params: { realm: 'https://a/token', service: 'svc' } }]);
  });

  it('accepts params in any order', () => {
    const got = parseChallenges('Bearer scope="repository:a:pull",service="svc",realm="https://a/token"');
    assert.equal(got[0]!.params['realm'], 'https://a/token');
    assert.equal(got[0]!.params['service'], 'svc');
    assert.equal(got[0]!.params['scope'], 'repository:a:pull');
  });

  it('unescapes backslashes in quoted strings and keeps commas inside quotes', () => {
    const got = parseChallenges('Basic realm="a \\"quoted\\" realm, with comma \\\\ and backslash"');
    assert.equal(got[0]!.params['realm'], 'a "quoted" realm, with comma \\ and backslash');
  });

  it('reads unquoted token values and spaces around "="', () => {
    const got = parseChallenges('Bearer realm = https://a/token , service=svc,scope=repository:a:pull');
    assert.deepEqual(got[0]!.params, { realm: 'https://a/token', service: 'svc', scope: 'repository:a:pull' });
  });

  it('reads error="insufficient_scope" and a multi-scope scope param', () => {
    const got = parseChallenges(
      'Bearer realm="https://a/token",service="svc",scope="repository:a:pull,push repository:b:pull",error="insufficient_scope"',
    );
    assert.equal(got[0]!.params['error'], 'insufficient_scope');
    assert.deepEqual(challengeScopes(got[0]), ['repository:a:pull,push', 'repository:b:pull']);
  });

  it('keeps host:port repository names in scopes', () => {
    const got = parseChallenges('Bearer realm="/token",scope="repository:localhost:5000/a:pull"');
    assert.deepEqual(challengeScopes(got[0]), ['repository:localhost:5000/a:pull']);
  });

  it('reads the token68 form', () => {
    const got = parseChallenges('Negotiate YIIB3gYGKwYBBQUCoIIB0jCCAc6g==, Basic realm="r"');
    assert.deepEqual(got[0], { scheme: 'negotiate', params: {}, token68: 'YIIB3gYGKwYBBQUCoIIB0jCCAc6g==' });
    assert.deepEqual(got[1], { scheme: 'basic', params: { realm: 'r' } });
  });

  it('reads a bare scheme and empty or missing headers', () => {
    assert.deepEqual(parseChallenges('Basic'), [{ scheme: 'basic', params: {} }]);
    assert.deepEqual(parseChallenges(''), []);
    assert.deepEqual(parseChallenges(undefined), []);
    assert.deepEqual(parseChallenges([]), []);
  });

  it('survives an unterminated quote and junk', () => {
    const got = parseChallenges('Bearer realm="https://a/token');
    assert.equal(got[0]!.params['realm'], 'https://a/token');
    assert.doesNotThrow(() => parseChallenges('===,,,"x" Bearer realm=y'));
  });

  it('picks nothing when only unknown schemes are offered', () => {
    assert.equal(pickChallenge(parseChallenges('Negotiate, NTLM')), undefined);
  });

  it('reads a Harbor / GitLab style challenge with extra params', () => {
    const got = parseChallenges('Bearer realm="https://gitlab.example/jwt/auth",service="container_registry",scope="repository:g/p:push,pull",error="insufficient_scope"');
    assert.equal(got.length, 1);
    assert.equal(got[0]!.params['service'], 'container_registry');
  });
});
