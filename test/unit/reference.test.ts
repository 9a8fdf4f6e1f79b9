import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../../src/errors/errors';
import {
  credentialKey,
  formatReference,
  isLoopbackHost,
  parseReference,
  parseRegistry,
  parseRegistryAddress,
  parseRepository,
  registryApiHost,
  registryName,
  validateDigest,
  validateTag,
} from '../../src/reference';

const SHA256 = 'sha256:' + 'a'.repeat(64);
const SHA512 = 'sha512:' + '0123456789abcdef'.repeat(8);

/** Assert fn throws InvalidInputError of the given kind whose reason matches. */
function assertInvalid(fn: () => unknown, what: string, reason: RegExp): InvalidInputError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof InvalidInputError, `expected InvalidInputError, got ${String(caught)}`);
  assert.equal(caught.what, what);
  assert.match(caught.reason, reason);
  return caught;
}

describe('parseReference: valid forms', () => {
  const cases: Array<[string, { registry: string; repository: string; tag?: string; digest?: string }]> = [
    ['alpine', { registry: 'docker.io', repository: 'library/alpine' }],
    ['alpine:3.19', { registry: 'docker.io', repository: 'library/alpine', tag: '3.19' }],
    ['user/app', { registry: 'docker.io', repository: 'user/app' }],
    ['user/app:v1', { registry: 'docker.io', repository: 'user/app', tag: 'v1' }],
    ['library/alpine', { registry: 'docker.io', repository: 'library/alpine' }],
    ['docker.io/alpine', { registry: 'docker.io', repository: 'library/alpine' }],
    ['index.docker.io/library/alpine:3', { registry: 'docker.io', repository: 'library/alpine', tag: '3' }],
    ['registry-1.docker.io/user/app', { registry: 'docker.io', repository: 'user/app' }],
    ['Docker.IO/user/app', { registry: 'docker.io', repository: 'user/app' }],
    ['ghcr.io/owner/repo:tag', { registry: 'ghcr.io', repository: 'owner/repo', tag: 'tag' }],
    ['ghcr.io/owner/repo', { registry: 'ghcr.io', repository: 'owner/repo' }],
    ['gcr.io/single', { registry: 'gcr.io', repository: 'single' }],
    ['localhost/app', { registry: 'localhost', repository: 'app' }],
    ['localhost:5000/app:1.0', { registry: 'localhost:5000', repository: 'app', tag: '1.0' }],
    ['127.0.0.1:5000/demo/hello:1.0', { registry: '127.0.0.1:5000', repository: 'demo/hello', tag: '1.0' }],
    ['10.1.2.3/a', { registry: '10.1.2.3', repository: 'a' }],
    ['[::1]:5000/app:x', { registry: '[::1]:5000', repository: 'app', tag: 'x' }],
    ['[2001:DB8::1]/app', { registry: '[2001:db8::1]', repository: 'app' }],
    ['myhost:5000/a/b/c', { registry: 'myhost:5000', repository: 'a/b/c' }],
    ['Registry.Example.com/app', { registry: 'registry.example.com', repository: 'app' }],
    [`alpine@${SHA256}`, { registry: 'docker.io', repository: 'library/alpine', digest: SHA256 }],
    [`alpine:3.19@${SHA256}`, { registry: 'docker.io', repository: 'library/alpine', tag: '3.19', digest: SHA256 }],
    [`localhost:5000/app:1@${SHA512}`, { registry: 'localhost:5000', repository: 'app', tag: '1', digest: SHA512 }],
    ['a.b-c.d-e---f/x', { registry: 'a.b-c.d-e---f', repository: 'x' }],
    ['my-user/my.app_x__y--z', { registry: 'docker.io', repository: 'my-user/my.app_x__y--z' }],
    ['app:_under', { registry: 'docker.io', repository: 'library/app', tag: '_under' }],
    ['app:V1.2-rc_3', { registry: 'docker.io', repository: 'library/app', tag: 'V1.2-rc_3' }],
    ['app:' + 'a'.repeat(128), { registry: 'docker.io', repository: 'library/app', tag: 'a'.repeat(128) }],
    // No "." or ":" and not localhost: docker reads the first component as a Hub namespace.
    ['myregistry/app', { registry: 'docker.io', repository: 'myregistry/app' }],
    // docker's own reading: without a "/" this is the Hub image "localhost" with tag "5000".
    ['localhost:5000', { registry: 'docker.io', repository: 'library/localhost', tag: '5000' }],
  ];
  for (const [input, expected] of cases) {
    it(input.length > 60 ? input.slice(0, 60) + '…' : input, () => {
      assert.deepEqual(parseReference(input), expected);
    });
  }
});

describe('parseReference: invalid forms name the bad part', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /reference is empty/],
    [' alpine', /whitespace/],
    ['alpine :1', /whitespace/],
    ['alpine\t', /whitespace/],
    ['https://ghcr.io/owner/repo', /leave out the scheme: write "ghcr\.io\/owner\/repo"/],
    ['My/App', /repository "My\/App" must be lower case/],
    ['ghcr.io/Owner/repo', /repository "Owner\/repo" must be lower case/],
    ['app:-x', /tag "-x" must start with a letter, digit or underscore/],
    ['app:.x', /tag "\.x" must start with a letter, digit or underscore/],
    ['app:', /tag is empty/],
    ['app:a+b', /tag "a\+b" contains "\+"/],
    ['app:' + 'a'.repeat(129), /tag is 129 characters long, at most 128/],
    ['app@sha256:abc', /digest "sha256:abc" must have 64 hex characters/],
    ['app@', /digest is empty/],
    ['app@abc', /digest "abc" must be algorithm:hex/],
    ['app@md5:' + 'a'.repeat(32), /digest algorithm "md5" is not supported/],
    ['app@sha256:' + 'A'.repeat(64), /must use lower-case hex/],
    ['app@sha256:' + 'g'.repeat(64), /may only contain hex characters/],
    ['app@sha512:' + 'a'.repeat(64), /must have 128 hex characters/],
    [`app@${SHA256}@${SHA256}`, /more than one "@"/],
    ['localhost:99999/app', /port "99999" is not a valid port/],
    ['localhost:0/app', /port "0" is not a valid port/],
    ['localhost:abc/app', /port "abc" is not a valid port/],
    ['localhost:/app', /port is missing after "localhost:"/],
    [':5000/app', /host is missing/],
    ['::1/app', /put it in brackets/],
    ['[::1/app', /missing the closing "\]"/],
    ['[zz::1]:5000/app', /host "\[zz::1\]" is not a valid IPv6 address/],
    ['[::1]x/app', /after the IPv6 address/],
    ['bad_host.com/app', /host "bad_host\.com" may only contain/],
    ['a..b.com/app', /host "a\.\.b\.com" has an empty label/],
    ['ghcr.io/', /repository name is missing/],
    ['ghcr.io//app', /empty path component/],
    ['user/app/', /empty path component/],
    ['user/-app', /component "-app" must start and end with a lower-case letter or digit/],
    ['user/app-', /component "app-" must start and end/],
    ['user/a..b', /component "a\.\.b" has the separator "\.\."/],
    ['user/a___b', /separator "___"/],
    ['user/a._b', /separator "\._"/],
    ['user/a$b', /repository "user\/a\$b" contains "\$"/],
    [':tag', /repository name is missing before ":"/],
    [`@${SHA256}`, /repository name is missing before "@"/],
    ['ghcr.io/' + 'a'.repeat(250), /at most 255/],
  ];
  for (const [input, reason] of cases) {
    it(JSON.stringify(input.length > 60 ? input.slice(0, 60) + '…' : input), () => {
      const err = assertInvalid(() => parseReference(input), 'reference', reason);
      assert.match(err.message, /^invalid reference "/);
    });
  }

  it('never repeats a password given as userinfo', () => {
    for (const input of ['user:s3cret@ghcr.io/owner/repo', 'https://user:s3cret@ghcr.io/owner/repo']) {
      const err = assertInvalid(() => parseReference(input), 'reference', /credentials do not belong|leave out the scheme/);
      assert.ok(!err.message.includes('s3cret'), err.message);
    }
  });

  it('the name length limit counts the normalised name', () => {
    // docker.io/ + library/ + 237 = 255: allowed; one more is not.
    assert.equal(parseReference('a'.repeat(237)).repository, 'library/' + 'a'.repeat(237));
    assertInvalid(() => parseReference('a'.repeat(238)), 'reference', /256 characters long, at most 255/);
  });
});

describe('parseRepository', () => {
  it('accepts repositories and normalises them', () => {
    assert.deepEqual(parseRepository('alpine'), { registry: 'docker.io', repository: 'library/alpine' });
    assert.deepEqual(parseRepository('127.0.0.1:5000/demo/hello'), { registry: '127.0.0.1:5000', repository: 'demo/hello' });
  });
  it('refuses a tag or a digest and says what to give instead', () => {
    assertInvalid(() => parseRepository('alpine:3.19'), 'repository', /without a tag, e\.g\. "alpine"/);
    assertInvalid(() => parseRepository(`ghcr.io/o/r@${SHA256}`), 'repository', /without a digest, e\.g\. "ghcr\.io\/o\/r"/);
  });
  it('reports its own errors as repository errors', () => {
    assertInvalid(() => parseRepository('My/App'), 'repository', /must be lower case/);
  });
});

describe('parseRegistry', () => {
  const cases: Array<[string, string]> = [
    ['ghcr.io', 'ghcr.io'],
    ['GHCR.io', 'ghcr.io'],
    ['localhost', 'localhost'],
    ['localhost:5000', 'localhost:5000'],
    ['127.0.0.1:5000', '127.0.0.1:5000'],
    ['[::1]:5000', '[::1]:5000'],
    ['docker.io', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['https://index.docker.io/v1/', 'docker.io'],
    ['https://registry-1.docker.io', 'docker.io'],
    ['http://127.0.0.1:5000/', '127.0.0.1:5000'],
    ['http://[::1]:5000/v2/', '[::1]:5000'],
    ['HTTPS://Quay.io', 'quay.io'],
    ['https://example.com:8443/path?x=1#f', 'example.com:8443'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} → ${expected}`, () => assert.equal(parseRegistry(input), expected));
  }

  it('keeps the scheme of a URL', () => {
    assert.deepEqual(parseRegistryAddress('http://127.0.0.1:5000/'), { host: '127.0.0.1:5000', scheme: 'http' });
    assert.deepEqual(parseRegistryAddress('https://ghcr.io'), { host: 'ghcr.io', scheme: 'https' });
    assert.deepEqual(parseRegistryAddress('ghcr.io'), { host: 'ghcr.io' });
  });

  const invalid: Array<[string, RegExp]> = [
    ['', /registry is empty/],
    ['ghcr.io ', /whitespace/],
    ['ghcr.io/owner', /has a path/],
    ['ftp://ghcr.io', /scheme "ftp" is not supported/],
    ['https://', /host is missing/],
    ['host:70000', /port "70000" is not a valid port/],
    ['under_score.io', /may only contain/],
  ];
  for (const [input, reason] of invalid) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assertInvalid(() => parseRegistry(input), 'registry', reason);
    });
  }

  it('rejects userinfo without repeating it', () => {
    for (const input of ['https://bob:hunter2@ghcr.io/', 'bob:hunter2@ghcr.io']) {
      const err = assertInvalid(() => parseRegistry(input), 'registry', /credentials do not belong/);
      assert.ok(!err.message.includes('hunter2'), err.message);
      assert.ok(!err.message.includes('bob'), err.message);
    }
  });
});

describe('validateTag / validateDigest', () => {
  it('return valid values', () => {
    assert.equal(validateTag('latest'), 'latest');
    assert.equal(validateDigest(SHA256), SHA256);
    assert.equal(validateDigest(SHA512), SHA512);
    assert.equal(validateDigest('sha384:' + 'b'.repeat(96)), 'sha384:' + 'b'.repeat(96));
  });
  it('name the problem', () => {
    assertInvalid(() => validateTag('-x'), 'tag', /tag "-x" must start with a letter, digit or underscore/);
    assertInvalid(() => validateTag(''), 'tag', /tag is empty/);
    assertInvalid(() => validateTag('a b'), 'tag', /whitespace/);
    assertInvalid(() => validateDigest('sha256:abc'), 'digest', /digest "sha256:abc" must have 64 hex characters/);
    assertInvalid(() => validateDigest(''), 'digest', /digest is empty/);
  });
});

describe('formatReference', () => {
  const cases: Array<[string, string, string]> = [
    // input, canonical, familiar
    ['alpine:3.19', 'docker.io/library/alpine:3.19', 'alpine:3.19'],
    ['alpine', 'docker.io/library/alpine', 'alpine'],
    ['user/app', 'docker.io/user/app', 'user/app'],
    ['library/foo/bar', 'docker.io/library/foo/bar', 'library/foo/bar'],
    ['ghcr.io/o/r:1', 'ghcr.io/o/r:1', 'ghcr.io/o/r:1'],
    [`localhost:5000/app:1@${SHA256}`, `localhost:5000/app:1@${SHA256}`, `localhost:5000/app:1@${SHA256}`],
    [`alpine@${SHA256}`, `docker.io/library/alpine@${SHA256}`, `alpine@${SHA256}`],
  ];
  for (const [input, canonical, familiar] of cases) {
    it(input.slice(0, 50), () => {
      const ref = parseReference(input);
      assert.equal(formatReference(ref), canonical);
      assert.equal(formatReference(ref, { familiar: true }), familiar);
      // Round trip: both forms parse back to the same reference.
      assert.deepEqual(parseReference(formatReference(ref)), ref);
      assert.deepEqual(parseReference(formatReference(ref, { familiar: true })), ref);
    });
  }
});

describe('hosts', () => {
  it('registryApiHost sends Docker Hub to registry-1.docker.io', () => {
    assert.equal(registryApiHost('docker.io'), 'registry-1.docker.io');
    assert.equal(registryApiHost('ghcr.io'), 'ghcr.io');
    assert.equal(registryApiHost('localhost:5000'), 'localhost:5000');
  });
  it('credentialKey uses docker login\'s Hub key', () => {
    assert.equal(credentialKey('docker.io'), 'https://index.docker.io/v1/');
    assert.equal(credentialKey('127.0.0.1:5000'), '127.0.0.1:5000');
  });
  it('isLoopbackHost', () => {
    for (const h of ['localhost', 'localhost:5000', 'LOCALHOST', 'reg.localhost', 'reg.localhost:80', '127.0.0.1', '127.1.2.3:5000',
      '::1', '[::1]', '[::1]:5000', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) {
      assert.equal(isLoopbackHost(h), true, h);
    }
    for (const h of ['localhost.example.com', 'example.com', '128.0.0.1', '10.0.0.1:5000', '[::2]:5000', 'docker.io', 'mylocalhost', '']) {
      assert.equal(isLoopbackHost(h), false, h);
    }
  });
});

describe('Artifactory repository paths', () => {
  const PREFIX = '/artifactory/api/docker/docker-local';
  it('a reference whose path starts with artifactory/api/docker/KEY/ names host + prefix as its registry', () => {
    assert.deepEqual(parseReference('art.example.com/artifactory/api/docker/docker-local/app:1.0'), {
      registry: `art.example.com${PREFIX}`,
      repository: 'app',
      tag: '1.0',
    });
    assert.deepEqual(parseReference(`127.0.0.1:8081/artifactory/api/docker/Docker.Prod_1/team/app@${SHA256}`), {
      registry: '127.0.0.1:8081/artifactory/api/docker/Docker.Prod_1',
      repository: 'team/app',
      digest: SHA256,
    });
    assert.deepEqual(parseRepository('art.example.com/artifactory/api/docker/docker-local/team/app'), { registry: `art.example.com${PREFIX}`, repository: 'team/app' });
    // Round trip: the reference prints as it was written.
    const ref = parseReference('art.example.com/artifactory/api/docker/docker-local/team/app:2');
    assert.equal(formatReference(ref), 'art.example.com/artifactory/api/docker/docker-local/team/app:2');
  });

  it('other paths under artifactory/ stay image names', () => {
    assert.deepEqual(parseReference('art.example.com/artifactory/app:1'), { registry: 'art.example.com', repository: 'artifactory/app', tag: '1' });
    // Without a host first it is a Docker Hub name like any other.
    assert.equal(parseReference('artifactory/api/docker/x/app').registry, 'docker.io');
  });

  it('says what is missing or wrong in a repository path', () => {
    assertInvalid(() => parseReference('art.example.com/artifactory/api/docker/docker-local:1.0'), 'reference', /image name is missing after the Artifactory repository path "art\.example\.com\/artifactory\/api\/docker\/docker-local\/"/);
    assertInvalid(() => parseReference('art.example.com/artifactory/api/docker/docker-local/'), 'reference', /image name is missing/);
    assertInvalid(() => parseReference('art.example.com/artifactory/api/docker/-bad/app'), 'reference', /"-bad" after art\.example\.com\/artifactory\/api\/docker\/ is not an Artifactory repository key/);
    assertInvalid(() => parseReference('art.example.com/artifactory/api/docker/docker-local/App'), 'reference', /must be lower case/);
  });

  it('a registry address keeps the prefix; its host is the credential key', () => {
    assert.deepEqual(parseRegistryAddress('art.example.com/artifactory/api/docker/docker-local'), { host: 'art.example.com', pathPrefix: PREFIX });
    assert.deepEqual(parseRegistryAddress('art.example.com:8443/artifactory/api/docker/docker-local/'), { host: 'art.example.com:8443', pathPrefix: PREFIX });
    assert.deepEqual(parseRegistryAddress('https://Art.Example.com/artifactory/api/docker/docker-local/'), { host: 'art.example.com', scheme: 'https', pathPrefix: PREFIX });
    assert.deepEqual(parseRegistryAddress('http://127.0.0.1:8081/artifactory/api/docker/docker-local?x#y'), { host: '127.0.0.1:8081', scheme: 'http', pathPrefix: PREFIX });
    assert.equal(parseRegistry('art.example.com/artifactory/api/docker/docker-local'), 'art.example.com');
    assert.equal(registryName(parseRegistryAddress('art.example.com/artifactory/api/docker/docker-local')), `art.example.com${PREFIX}`);
    assert.equal(registryName({ host: 'ghcr.io' }), 'ghcr.io');
    // Other URL paths are still not part of the registry.
    assert.deepEqual(parseRegistryAddress('https://art.example.com/artifactory/'), { host: 'art.example.com', scheme: 'https' });
  });

  it('a registry address ends at the repository key', () => {
    assertInvalid(() => parseRegistry('art.example.com/artifactory/api/docker/docker-local/app'), 'registry', /a registry ends at the repository key: write "art\.example\.com\/artifactory\/api\/docker\/docker-local"/);
    assertInvalid(() => parseRegistry('https://art.example.com/artifactory/api/docker/docker-local/v2/'), 'registry', /ends at the repository key/);
    assertInvalid(() => parseRegistry('art.example.com/artifactory/api/docker/'), 'registry', /"" after art\.example\.com\/artifactory\/api\/docker\/ is not an Artifactory repository key/);
    assertInvalid(() => parseRegistry('art.example.com/artifactory'), 'registry', /has a path/);
  });
});
