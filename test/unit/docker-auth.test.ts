// X-Registry-Auth encoding: the engine decodes with Go's padded URL-safe base64.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeRegistryAuth, engineServerAddress } from '../../src/docker/auth';

function decode(v: string): unknown {
  assert.match(v, /^[A-Za-z0-9_-]*=*$/, 'URL alphabet');
  assert.equal(v.length % 4, 0, 'padded');
  return JSON.parse(Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
}

test('username/password with the credential key as serveraddress', () => {
  const v = encodeRegistryAuth({ username: 'u', password: 'p?>>' }, '127.0.0.1:5000');
  assert.deepEqual(decode(v), { username: 'u', password: 'p?>>', serveraddress: '127.0.0.1:5000' });
});

test('identity token instead of a password; registry token as-is', () => {
  assert.deepEqual(decode(encodeRegistryAuth({ username: '<token>', identityToken: 'rt', password: 'ignored' }, 'ghcr.io')), {
    username: '<token>',
    identitytoken: 'rt',
    serveraddress: 'ghcr.io',
  });
  assert.deepEqual(decode(encodeRegistryAuth({ username: '', registryToken: 'bt' }, 'x.io')), { registrytoken: 'bt', serveraddress: 'x.io' });
});

test('anonymous is {} (push refuses a missing header); Docker Hub uses its index URL', () => {
  assert.equal(encodeRegistryAuth(undefined, 'docker.io'), 'e30=');
  assert.equal(engineServerAddress('docker.io'), 'https://index.docker.io/v1/');
  assert.equal(engineServerAddress('127.0.0.1:5000'), '127.0.0.1:5000');
});
