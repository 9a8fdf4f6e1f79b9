// ACR's pure parts: which hosts are ACR, its JSON read at the boundary (the data-plane spec's own
// examples, and hostile variants), the @azure/identity failures sorted into reasons, the words for
// every failure, and the SDK kept out of the main bundles.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AggregateAuthenticationError, AuthenticationRequiredError, CredentialUnavailableError } from '@azure/identity';
import { CloudCredentialError, DistributionError } from '../../src/errors/errors';
import { describeError } from '../../src/errors/describe';
import { acrRegistryName, entraAuthorityFor, entraScopesFor, isAcrHost, jwtClaims, tagSummary } from '../../src/registries/acr';
import { AzureSignInFailure, classify } from '../../src/registries/clouds/cloud-azure';
import { kindFromPingHeaders } from '../../src/registries/detect';
import { registryKindFor } from '../../src/registries';

const root = join(__dirname, '..', '..', '..');
const metadata = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'vendors', 'acr', 'metadata.json'), 'utf8')) as Record<string, any>;
const errors = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'vendors', 'acr', 'errors.json'), 'utf8')).bodies as Record<string, { status: number; body: { errors: Array<{ code: string; message: string }> } }>;

function acrError(name: string, method: string, url: string, operation: DistributionError['operation'] = 'other'): DistributionError {
  const recorded = errors[name]!;
  return new DistributionError(recorded.status, recorded.body.errors, method, url, operation, { vendor: 'azure' });
}

describe('ACR hosts', () => {
  it('the login servers of the public and sovereign clouds are ACR, look-alikes are not', () => {
    for (const host of ['myregistry.azurecr.io', 'MyRegistry.azurecr.io', 'contoso.azurecr.cn', 'gov.azurecr.us', 'myregistry.azurecr.io:443']) {
      assert.equal(isAcrHost(host), true, host);
      assert.equal(registryKindFor(host).kind, 'acr', host);
    }
    for (const host of ['azurecr.io', '.azurecr.io', 'myregistry.azurecr.io.example.com', 'azurecr.io.evil', 'myregistry.azurecr.io:5000', 'ghcr.io']) {
      assert.equal(isAcrHost(host), false, host);
    }
  });

  it('names, Entra scopes and authorities follow the cloud of the login server', () => {
    assert.equal(acrRegistryName('myregistry.azurecr.io'), 'myregistry');
    assert.equal(acrRegistryName('127.0.0.1:5000'), '127.0.0.1:5000');
    assert.deepEqual(entraScopesFor('a.azurecr.io'), ['https://management.azure.com/.default']);
    assert.deepEqual(entraScopesFor('a.azurecr.cn'), ['https://management.chinacloudapi.cn/.default']);
    assert.deepEqual(entraScopesFor('a.azurecr.us'), ['https://management.usgovcloudapi.net/.default']);
    assert.equal(entraAuthorityFor('a.azurecr.us'), 'https://login.microsoftonline.us');
    assert.equal(entraAuthorityFor('a.azurecr.cn'), 'https://login.chinacloudapi.cn');
  });

  it("a /v2/ challenge whose realm is /oauth2/token on the same host, with the login server as service, is ACR's", () => {
    const acr = { 'www-authenticate': 'Bearer realm="https://reg.example.com/oauth2/token",service="reg.example.com"' };
    assert.equal(kindFromPingHeaders(acr, 'https://reg.example.com/v2/'), 'acr');
    const elsewhere = { 'www-authenticate': 'Bearer realm="https://auth.example.com/oauth2/token",service="reg.example.com"' };
    assert.equal(kindFromPingHeaders(elsewhere, 'https://reg.example.com/v2/'), 'generic');
    const otherService = { 'www-authenticate': 'Bearer realm="https://reg.example.com/oauth2/token",service="registry"' };
    assert.equal(kindFromPingHeaders(otherService, 'https://reg.example.com/v2/'), 'generic');
  });
});

describe('ACR JSON at the boundary', () => {
  it("the spec's tag list example: digests, times and locks", () => {
    const tags = (metadata['tagList'].tags as Array<Record<string, unknown>>).map(tagSummary);
    assert.deepEqual(tags, [
      {
        name: '4.7.2-20180905-nanoserver-1803',
        digest: 'sha256:110d2b6c84592561338aa040b1b14b7ab81c2f9edbd564c2285dd7d70d777086',
        lastPushed: '2018-09-06T06:17:20.9983915Z',
        locked: { write: true, delete: true },
      },
      {
        name: 'tagname',
        digest: 'sha256:0873c923e00e0fd2ba78041bfb64a105e1ecb7678916d1f7776311e45bf5634b',
        lastPushed: '2018-08-10T17:28:44.1082945Z',
        locked: { write: false, delete: false },
      },
    ]);
  });

  it('hostile tags: no name is skipped, a digest that is not one is dropped, odd types are ignored', () => {
    assert.equal(tagSummary({ digest: 'sha256:abc' }), undefined);
    assert.equal(tagSummary({ name: 42 }), undefined);
    assert.deepEqual(tagSummary({ name: 'x', digest: '../../etc/passwd', lastUpdateTime: 7, changeableAttributes: 'yes' }), { name: 'x' });
    assert.deepEqual(tagSummary({ name: 'y', createdTime: '2024-01-01T00:00:00Z', changeableAttributes: { writeEnabled: 'false' } }), {
      name: 'y',
      lastPushed: '2024-01-01T00:00:00Z',
      locked: { write: false, delete: false },
    });
  });

  it('JWT claims are read from tokens that are JWTs and from nothing else', () => {
    const claims = metadata['refreshTokenClaims'];
    const token = `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
    assert.equal(jwtClaims(token)?.['exp'], 1497990801);
    assert.equal(jwtClaims('opaque-token'), undefined);
    assert.equal(jwtClaims('a.%%%.c'), undefined);
    assert.equal(jwtClaims(`e30.${Buffer.from('[1,2]').toString('base64url')}.sig`), undefined);
  });
});

describe('@azure/identity failures sorted into reasons', () => {
  it('the Azure CLI without `az login` is not-signed-in, from the Azure CLI', () => {
    const failure = classify(new CredentialUnavailableError("Please run 'az login' from a command prompt to authenticate before using this credential."), 'Azure credentials');
    assert.ok(failure instanceof AzureSignInFailure);
    assert.equal(failure.reason, 'not-signed-in');
    assert.equal(failure.source, 'Azure CLI');
  });

  it("Entra's AADSTS codes: an expired refresh token, another tenant, a refused secret", () => {
    const expired = classify(new AuthenticationRequiredError({ scopes: [], message: 'invalid_grant: AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2024-01-01.' }), 'Azure CLI');
    assert.equal((expired as AzureSignInFailure).reason, 'expired');
    assert.equal((expired as AzureSignInFailure).detailText, 'AADSTS700082: The refresh token has expired due to inactivity.');
    const tenant = classify(new CredentialUnavailableError("AADSTS90002: Tenant 'x' not found. Check to make sure you have the correct tenant ID."), 'service principal');
    assert.equal((tenant as AzureSignInFailure).reason, 'wrong-tenant');
    const refused = classify(new Error('invalid_client: AADSTS7000215: Invalid client secret provided. Ensure the secret …'), 'service principal');
    assert.equal((refused as AzureSignInFailure).reason, 'refused');
  });

  it('DefaultAzureCredential with nothing there is unavailable; a refusal inside it is told as the refusal', () => {
    const none = classify(new AggregateAuthenticationError([new CredentialUnavailableError('EnvironmentCredential is unavailable.'), new CredentialUnavailableError('ManagedIdentityCredential: no endpoint.')]), 'Azure credentials');
    assert.equal((none as AzureSignInFailure).reason, 'unavailable');
    const cli = classify(new AggregateAuthenticationError([new CredentialUnavailableError('EnvironmentCredential is unavailable.'), new CredentialUnavailableError("Please run 'az login' from a command prompt.")]), 'Azure credentials');
    assert.equal((cli as AzureSignInFailure).reason, 'not-signed-in');
    assert.equal((cli as AzureSignInFailure).source, 'Azure CLI');
  });

  it('nothing token-like leaves in a message', () => {
    const leaked = classify(new Error('bad token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl was refused'), 'Azure CLI') as AzureSignInFailure;
    assert.equal(leaked.detailText, 'bad token [token] was refused');
  });
});

describe('ACR words', () => {
  const host = 'myregistry.azurecr.io';
  it('every sign-in failure names its fix', () => {
    assert.equal(
      describeError(new CloudCredentialError('azure', 'not-signed-in', 'Microsoft Entra')),
      'Not signed in to Azure: sign in with your Microsoft account (VS Code), or run `az login` for regx; the registry\'s admin user or a repository-scoped token works too (`regx login HOST -u NAME`).',
    );
    assert.match(describeError(new CloudCredentialError('azure', 'unavailable', 'Azure credentials')), /^No Azure credentials were found \(Azure credentials\)\. Run `az login`, set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET/);
    assert.match(describeError(new CloudCredentialError('azure', 'wrong-tenant', 'service principal', 'AADSTS90002: Tenant not found.')), /^Microsoft Entra did not find the account or application in that tenant \(AADSTS90002: Tenant not found\): sign in to the tenant the registry belongs to/);
    assert.match(describeError(new CloudCredentialError('azure', 'expired', 'Azure CLI')), /^Your Microsoft Entra sign-in has expired: sign in again \(`az login`\)/);
  });

  it('the exchange refusals: no role (AcrPull), another tenant, expired, a 400', () => {
    const url = `https://${host}/oauth2/exchange`;
    assert.match(describeError(acrError('exchangeNoRole', 'POST', url, 'login')), /did not accept your Microsoft Entra sign-in \(401\): the account has no role on this registry, or no access to its subscription\. Ask for the AcrPull role/);
    assert.match(describeError(acrError('exchangeTenant', 'POST', url, 'login')), /issued by another tenant than the registry's/);
    assert.match(describeError(acrError('exchangeExpired', 'POST', url, 'login')), /refused the Microsoft Entra token as expired: sign in again/);
    assert.match(describeError(acrError('serviceMismatch', 'POST', url, 'login')), /rejected the token exchange \(400\)/);
  });

  it('a lock refusal without the lock found still says how to look and how to lift one', () => {
    const words = describeError(acrError('disallowed', 'PUT', `https://${host}/v2/team/app/manifests/1.0`, 'upload'));
    assert.equal(
      words,
      `Azure Container Registry (${host}) refused this write: the repository, tag or image is locked (writeEnabled or deleteEnabled false), or the registry is at its storage limit. See the locks with \`az acr repository show --name myregistry --image team/app:1.0\` and lift one with \`az acr repository update --name myregistry --image team/app:1.0 --write-enabled true --delete-enabled true\` (or --repository for the whole repository). Azure Container Registry said: "The operation is disallowed on this registry, repository or image. View troubleshooting steps at https://aka.ms/acr/faq/#why-does-my-pull-or-push-request-fail-with-disallowed-operation".`,
    );
  });

  it('a lock found names it: manifest level, delete', () => {
    const err = new DistributionError(405, errors['disallowed']!.body.errors, 'DELETE', `https://${host}/v2/team/app/manifests/sha256:ab`, 'delete', {
      vendor: 'azure',
      lock: { level: 'manifest', attribute: 'deleteEnabled', name: 'team/app@sha256:ab', registryName: 'myregistry' },
    });
    assert.equal(describeError(err), `Azure Container Registry (${host}) refused to delete: the image team/app@sha256:ab is locked against deletes (deleteEnabled: false). Lift the lock with \`az acr repository update --name myregistry --image team/app@sha256:ab --delete-enabled true\`, then try again.`);
  });

  it('the firewall, a push without AcrPush, an unknown repository, a refused access-token request', () => {
    assert.match(describeError(acrError('firewall', 'GET', `https://${host}/v2/`)), /does not accept connections from this address: its firewall/);
    const push = new DistributionError(401, [{ code: 'UNAUTHORIZED', message: 'authentication required' }], 'PUT', `https://${host}/v2/team/app/manifests/1.0`, 'upload', { vendor: 'azure', authError: 'insufficient_scope' });
    assert.match(describeError(push), /^Not allowed to push on Azure Container Registry \(myregistry\.azurecr\.io\) in team\/app \(401\): the account may read but not push\. It needs the AcrPush role/);
    assert.equal(describeError(acrError('repositoryUnknown', 'GET', `https://${host}/acr/v1/team/gone/_tags`)), `Repository team/gone not found on Azure Container Registry (${host}). Azure Container Registry said: "repository name not known to registry".`);
    assert.match(describeError(acrError('authenticationRequired', 'POST', `https://${host}/oauth2/token`, 'token')), /refused to issue an access token \(401\): the stored password or refresh token is wrong, expired or was regenerated/);
  });
});

describe('the Azure SDK stays out of the main bundles', () => {
  it('dist/extension.js and dist/cli-core.js carry no @azure/identity; dist/cloud-azure.js does', () => {
    const bundle = (name: string) => {
      const file = join(root, 'dist', name);
      assert.ok(existsSync(file), `build first (npm run build): ${name} is missing`);
      return readFileSync(file, 'utf8');
    };
    // Strings only @azure/identity and MSAL contain.
    for (const name of ['extension.js', 'cli-core.js']) {
      const text = bundle(name);
      assert.ok(!text.includes('azsdk-js-identity'), `${name} holds @azure/identity`);
      assert.ok(!text.includes('ConfidentialClientApplication'), `${name} holds MSAL`);
    }
    assert.ok(bundle('cli-core.js').includes('require("./cloud-azure")'), 'regx loads the Azure bundle on demand');
    const azure = bundle('cloud-azure.js');
    assert.ok(azure.includes('azsdk-js-identity') && azure.includes('ConfidentialClientApplication'));
  });
});
