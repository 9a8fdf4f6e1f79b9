import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeError } from '../../src/errors/describe';
import {
  CancelledError,
  CredentialError,
  DigestMismatchError,
  DistributionError,
  EngineError,
  InvalidInputError,
  PolicyError,
  ProtocolError,
  ResponseTooLargeError,
  TransportError,
} from '../../src/errors/errors';

const DIGEST = 'sha256:' + 'b'.repeat(64);

describe('describeError: registry answers', () => {
  it('401 on login names the registry and the bad password', () => {
    const err = new DistributionError(401, [{ code: 'UNAUTHORIZED', message: 'authentication required' }], 'GET', 'http://127.0.0.1:5003/v2/', 'login');
    assert.equal(describeError(err), 'Sign-in to 127.0.0.1:5003 failed: the registry rejected the username or password.');
  });

  it('401 on a repository reads as "not found, or no access"', () => {
    const err = new DistributionError(401, [{ code: 'UNAUTHORIZED' }], 'GET', 'http://127.0.0.1:5004/v2/private/app/tags/list', 'tags');
    const text = describeError(err);
    assert.match(text, /private\/app on 127\.0\.0\.1:5004: not found, or you have no access to it/);
  });

  it('401 insufficient_scope on a push says pull but not push', () => {
    const err = new DistributionError(401, [{ code: 'UNAUTHORIZED' }], 'POST', 'http://127.0.0.1:5004/v2/demo/app/blobs/uploads/', 'upload', {
      authError: 'insufficient_scope',
    });
    assert.match(describeError(err), /your account may pull but not push/);
    assert.match(describeError(err), /demo\/app on 127\.0\.0\.1:5004/);
  });

  it('403 DENIED on a delete says pull but not delete', () => {
    const err = new DistributionError(403, [{ code: 'DENIED', message: 'requested access to the resource is denied' }], 'DELETE', `https://r.example/v2/a/manifests/${DIGEST}`, 'delete');
    assert.match(describeError(err), /may pull but not delete/);
  });

  it('404 MANIFEST_UNKNOWN names the tag and repository', () => {
    const err = new DistributionError(404, [{ code: 'MANIFEST_UNKNOWN' }], 'GET', 'http://127.0.0.1:5001/v2/demo/hello/manifests/x', 'manifest');
    assert.equal(describeError(err), 'Tag "x" not found in demo/hello on 127.0.0.1:5001.');
  });

  it('404 on a HEAD by digest (no body) names the digest', () => {
    const err = new DistributionError(404, [], 'HEAD', `http://127.0.0.1:5001/v2/demo/hello/manifests/${DIGEST}`, 'manifest');
    assert.match(describeError(err), new RegExp(`Digest ${DIGEST} not found in demo/hello`));
  });

  it('404 NAME_UNKNOWN names the repository', () => {
    const err = new DistributionError(404, [{ code: 'NAME_UNKNOWN' }], 'GET', 'http://127.0.0.1:5001/v2/nope/tags/list', 'tags');
    assert.equal(describeError(err), 'Repository nope not found on 127.0.0.1:5001.');
  });

  it('405 UNSUPPORTED on delete explains the delete switch', () => {
    const err = new DistributionError(405, [{ code: 'UNSUPPORTED' }], 'DELETE', `http://127.0.0.1:5002/v2/a/manifests/${DIGEST}`, 'delete');
    const text = describeError(err);
    assert.match(text, /has deletes disabled/);
    assert.match(text, /REGISTRY_STORAGE_DELETE_ENABLED=true/);
  });

  it('400 DIGEST_INVALID on delete by tag explains digest-only deletes', () => {
    const err = new DistributionError(400, [{ code: 'DIGEST_INVALID' }], 'DELETE', 'http://127.0.0.1:5001/v2/a/manifests/latest', 'delete');
    const text = describeError(err);
    assert.match(text, /by digest only/);
    assert.match(text, /every tag/);
  });

  it('429 on Docker Hub mentions the pull limit and when to retry', () => {
    const err = new DistributionError(429, [{ code: 'TOOMANYREQUESTS' }], 'GET', 'https://registry-1.docker.io/v2/library/alpine/manifests/latest', 'manifest', {
      retryAfterSeconds: 3600,
    });
    const text = describeError(err);
    assert.match(text, /Docker Hub's pull rate limit/);
    assert.match(text, /signing in/);
    assert.match(text, /60 minutes/);
  });

  it('429 elsewhere says rate-limited and the wait', () => {
    const err = new DistributionError(429, [], 'GET', 'https://r.example/v2/a/tags/list', 'tags', { retryAfterSeconds: 7 });
    assert.equal(describeError(err), 'r.example is rate-limiting requests (429). Try again in 7 s.');
  });

  it('5xx says the registry is unwell', () => {
    const err = new DistributionError(503, [], 'GET', 'https://r.example/v2/a/tags/list', 'tags', { bodySnippet: 'Service Unavailable', attempts: 3 });
    assert.match(describeError(err), /^r\.example is unavailable \(503\), even after 2 retries\. Try again later/);
    // Claims a retry only when there was one (a write is sent once; a long Retry-After is not waited for).
    const once = new DistributionError(503, [], 'PUT', 'https://r.example/v2/a/manifests/1', 'manifest', { retryAfterSeconds: 120 });
    assert.equal(describeError(once), 'r.example is unavailable (503). It asked to wait 2 minutes: try again then.');
  });

  it('token-endpoint 401 says the stored credentials were refused', () => {
    const err = new DistributionError(401, [], 'GET', 'http://127.0.0.1:5005/token?service=s&scope=repository%3Aa%3Apull', 'token');
    assert.match(describeError(err), /token service 127\.0\.0\.1:5005 refused/);
  });

  it('401 on the catalog asks for sign-in', () => {
    const err = new DistributionError(401, [], 'GET', 'https://r.example/v2/_catalog?n=100', 'catalog');
    assert.match(describeError(err), /did not allow listing its repositories/);
  });

  it('404 or 405 on the catalog: the registry has no catalog; name a repository instead', () => {
    for (const status of [404, 405]) {
      const err = new DistributionError(status, [{ code: 'UNSUPPORTED' }], 'GET', 'https://r.example/v2/_catalog?n=100', 'catalog');
      assert.equal(
        describeError(err),
        `r.example does not offer a catalog of its repositories (/v2/_catalog answered ${status}); name a repository directly instead (r.example/NAME).`,
      );
    }
  });

  it('401 invalid_token: the access token was refused as expired or invalid, with the clock hint', () => {
    const err = new DistributionError(401, [{ code: 'UNAUTHORIZED' }], 'GET', 'http://127.0.0.1:5004/v2/team/app/tags/list?n=100', 'tags', { authError: 'invalid_token' });
    const text = describeError(err);
    assert.match(text, /^127\.0\.0\.1:5004 rejected the access token as expired or invalid \(401 on team\/app\)/);
    assert.match(text, /clocks/);
  });
});

describe('describeError: network, policy and local errors', () => {
  it('refused', () => {
    assert.match(describeError(new TransportError('refused', 'GET', 'http://127.0.0.1:5999/v2/', 'ECONNREFUSED')), /Could not connect to 127\.0\.0\.1:5999: the connection was refused/);
  });
  it('timeout names the limit', () => {
    const err = new TransportError('timeout', 'GET', 'https://r.example/v2/', 'UND_ERR_HEADERS_TIMEOUT', 'no answer within 30 s');
    assert.match(describeError(err), /r\.example did not answer within 30 s/);
  });
  it('tls names docker\'s certs.d for the host, caFile, skipTlsVerify and --insecure', () => {
    const text = describeError(new TransportError('tls', 'GET', 'https://r.example:5000/v2/', 'DEPTH_ZERO_SELF_SIGNED_CERT'));
    assert.match(text, /\/etc\/docker\/certs\.d\/r\.example:5000\//);
    assert.match(text, /caFile/);
    assert.match(text, /skipTlsVerify/);
    assert.match(text, /--insecure/);
  });
  it('a registry asking for a client certificate is told apart, naming certs.d', () => {
    const text = describeError(new TransportError('tls', 'GET', 'https://r.example:5000/v2/', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'));
    assert.match(text, /^r\.example:5000 asks for a client certificate/);
    assert.match(text, /\/etc\/docker\/certs\.d\/r\.example:5000\/ as NAME\.cert with its NAME\.key/);
  });
  it('policy errors', () => {
    assert.match(describeError(new PolicyError('cross-host-link', 'https://evil.example/v2/_catalog', 'x')), /another host/);
    assert.match(describeError(new PolicyError('redirect-downgrade', 'http://r.example/x', 'x')), /HTTPS to plain HTTP/);
    const http = new PolicyError('http-not-allowed', 'https://r.example/v2/', 'r.example answers plain HTTP; set "allowHttp": true or pass --plain-http');
    assert.match(describeError(http), /allowHttp/);
  });
  it('size, digest, protocol', () => {
    assert.match(describeError(new ResponseTooLargeError('https://r.example/v2/a/manifests/x', 4 * 1024 * 1024)), /larger than 4 MiB/);
    assert.match(describeError(new DigestMismatchError('https://r.example/v2/a/blobs/x', DIGEST, 'sha256:' + 'c'.repeat(64))), /did not match its digest/);
    assert.match(describeError(new ProtocolError('https://r.example/v2/', 'the body is not valid JSON')), /could not understand/);
  });
  it('credentials and the engine', () => {
    assert.match(describeError(new CredentialError('docker-credential-pass', 'helper exited 1')), /docker-credential-pass/);
    const engine = describeError(new EngineError('unreachable', '/var/run/docker.sock', 'connect ENOENT'));
    assert.match(engine, /\/var\/run\/docker\.sock/);
    assert.match(engine, /registryExplorer\.docker\.host/);
    assert.match(engine, /DOCKER_HOST/);
    // The engine went away mid-stream: it reported nothing, so say it stopped, not "reported an error".
    const cut = describeError(new EngineError('stream', '/run/d.sock', 'the connection to the Docker engine at /run/d.sock closed in the middle of the pull — the engine may have restarted; run the pull again'));
    assert.equal(cut, 'The Docker engine at /run/d.sock stopped or restarted in the middle of the pull: the connection closed before the pull finished. When Docker is back up, run the pull again.');
    const unfinished = describeError(new EngineError('stream', '/run/d.sock', 'the engine ended the push without reporting that it finished — it may have restarted; run the push again'));
    assert.match(unfinished, /^The Docker engine at \/run\/d\.sock ended the push without reporting that it finished: it may have stopped or restarted\./);
    // An error the engine did report inside the stream keeps its words.
    assert.equal(describeError(new EngineError('stream', '/run/d.sock', 'unexpected EOF')), 'The Docker engine at /run/d.sock reported an error: unexpected EOF.');
  });
  it('cancelled, invalid input, unknown', () => {
    assert.equal(describeError(new CancelledError()), 'Cancelled.');
    const input = new InvalidInputError('tag', 'Bad Tag', 'tags may not contain spaces');
    assert.equal(describeError(input), 'Invalid tag "Bad Tag": tags may not contain spaces.');
    assert.equal(describeError(new Error('something odd')), 'Something odd.');
    assert.equal(describeError('plain string'), 'Plain string.');
  });
  it('never prints userinfo from a URL (errors carry redacted URLs)', () => {
    const err = new TransportError('refused', 'GET', 'http://127.0.0.1:5999/v2/');
    assert.ok(!describeError(err).includes('@'));
  });
});
