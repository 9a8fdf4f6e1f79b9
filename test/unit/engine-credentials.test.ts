// What the Docker engine is handed for a pull or push (engineCredentialStore): a cloud registry's
// provider gives its current token and a new one when the engine was refused; every other registry
// gets the stored login; ACR's provider hands over its refresh token as an identity token.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCredentialStore } from '../../src/credentials';
import { encodeRegistryAuth } from '../../src/docker/auth';
import { AcrProvider, ACR_REFRESH_TOKEN_USERNAME, engineCredentialStore, providerFor, type RegistryProvider } from '../../src/registries';

function cloud(tokens: string[]): RegistryProvider {
  let i = 0;
  return {
    engineCredential: async () => ({ username: 'oauth2accesstoken', password: tokens[i]! }),
    renewEngineCredential: async () => (++i < tokens.length ? { username: 'oauth2accesstoken', password: tokens[i]! } : undefined),
  } as unknown as RegistryProvider;
}

describe('engineCredentialStore', () => {
  it('a cloud registry gets its provider\'s token, and a new one after a refusal; none left: undefined', async () => {
    const store = engineCredentialStore(new MemoryCredentialStore(), (r) => (r === 'us-docker.pkg.dev' ? cloud(['ya29.one', 'ya29.two']) : undefined));
    assert.deepEqual(await store.get('us-docker.pkg.dev'), { username: 'oauth2accesstoken', password: 'ya29.one' });
    assert.deepEqual(await store.renew!('us-docker.pkg.dev'), { username: 'oauth2accesstoken', password: 'ya29.two' });
  });

  it('any other registry gets the stored login, and has nothing to renew', async () => {
    const stored = new MemoryCredentialStore();
    await stored.store('registry.example.com', { username: 'me', password: 'secret' });
    const store = engineCredentialStore(stored, () => undefined);
    assert.deepEqual(await store.get('registry.example.com'), { username: 'me', password: 'secret' });
    assert.equal(await store.renew!('registry.example.com'), undefined);
    assert.deepEqual(await store.list(), ['registry.example.com']);
  });

  it('ACR: a stored admin login wins; with a token source, the exchanged refresh token travels as identitytoken', async () => {
    const stored = new MemoryCredentialStore();
    await stored.store('myregistry.azurecr.io', { username: 'myregistry', password: 'admin-pass' });
    const withLogin = providerFor({ host: 'myregistry.azurecr.io' }, { credentials: stored });
    assert.ok(withLogin instanceof AcrProvider);
    assert.deepEqual(await withLogin.engineCredential(), { username: 'myregistry', password: 'admin-pass' });
    assert.equal(await withLogin.renewEngineCredential(), undefined, 'a stored login has no other to try');
    const none = providerFor({ host: 'other.azurecr.io' }, { credentials: new MemoryCredentialStore() });
    assert.ok(none instanceof AcrProvider);
    assert.equal(await none.engineCredential(), undefined, 'no login and no Microsoft account: anonymous');
    const header = JSON.parse(Buffer.from(encodeRegistryAuth({ username: ACR_REFRESH_TOKEN_USERNAME, identityToken: 'acr-refresh' }, 'other.azurecr.io'), 'base64').toString());
    assert.deepEqual(header, { username: ACR_REFRESH_TOKEN_USERNAME, identitytoken: 'acr-refresh', serveraddress: 'other.azurecr.io' });
  });
});
