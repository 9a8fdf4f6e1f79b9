// Docker Hub, GHCR and GitLab inside a real VS Code: connect, sign in, browse, search and delete,
// asserting what a user sees (labels, descriptions, messages). Their APIs cannot be reached from here,
// so each is a loopback fixture replaying responses recorded from the vendor's published API docs
// (test/fixtures/vendors/**, served by test/support/vendorFixture.ts); the extension is pointed at them
// through the TEST-ONLY override service.overrideVendor (and, for GitLab, the real
// registryExplorer.gitlab.instances setting). Docker Hub's registry side is the REAL token registry of
// REGX_TEST_SERVICES behind a proxy that adds Docker Hub's ratelimit-* headers and sends token requests
// to a stand-in for auth.docker.io, which maps the Hub account to the registry's read-only account.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import type { RegistryExplorerApi } from '../../../src/extension';
import type { ErrorNode, NamespaceNode, RegistryNode, RepositoryNode, TagNode, TreeNode } from '../../../src/vscode/tree/nodes';
import { seedImage } from '../../support/seeding';
import type { TestRegistry } from '../../support/services';
import { loadFixture, startVendorFixture, type FixtureRoute, type RecordedRequest, type VendorFixture } from '../../support/vendorFixture';
import { activateExtension, after, before, services, skip, suite, test, waitFor, withSetting } from './harness';
import { rejection } from '../../support/rejection';

// The account of the recorded Docker Hub fixtures (dockerhub/auth.json) and its personal access token.
const HUB_USER = 'octo-user';
const HUB_PAT = 'dckr_pat_fixture_valid_token';
const GHCR_PAT = 'ghp_fixtureValidPackagesToken';
const GHCR_REPO_ONLY = 'ghp_fixtureRepoOnlyToken';
const GITLAB_PAT = 'glpat-fixtureValidToken';
const RATE_HEADERS = { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '76;w=21600', 'docker-ratelimit-source': '203.0.113.7' };
// Docker's documented 429 body for the pull limit (docs.docker.com/docker-hub/usage/pulls/).
const PULL_LIMIT_BODY = {
  errors: [{ code: 'TOOMANYREQUESTS', message: 'You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limits' }],
};

// Search and delete are the image-operation commands: they must ask the host's provider.
const WIRED = 'search/delete must reach vendor registries through service.provider(host) and service.kindOf(host), not providerFor/registryKindFor of the bare host';

let api: RegistryExplorerApi;
const restore: (() => Promise<void>)[] = [];
const closers: (() => Promise<void>)[] = [];
let hubRegistry: VendorFixture;
let hubApi: VendorFixture;
let ghApi: VendorFixture;
let gitlabApi: VendorFixture;
let limitReached = false;
// The registry hosts the editor connects to (loopback stand-ins for docker.io, ghcr.io, a GitLab registry).
let hubHost: string;
const ghcrHost = '127.0.0.1:16391';
const gitlabHost = '127.0.0.1:16392';

async function children(node?: TreeNode): Promise<TreeNode[]> {
  return api.registries.getChildren(node);
}

async function registry(host: string): Promise<RegistryNode> {
  return waitFor(`registry ${host} in the tree`, async () => (await children()).find((n): n is RegistryNode => n.kind === 'registry' && n.root.host === host));
}

function only<K extends TreeNode['kind']>(nodes: TreeNode[], kind: K): Extract<TreeNode, { kind: K }>[] {
  return nodes.filter((n): n is Extract<TreeNode, { kind: K }> => n.kind === kind);
}

function label(node: TreeNode): string {
  const l = api.registries.getTreeItem(node).label;
  return typeof l === 'string' ? l : l?.label ?? '';
}

function description(node: TreeNode): string {
  return String(api.registries.getTreeItem(node).description ?? '');
}

async function namespace(reg: RegistryNode, name: string): Promise<NamespaceNode> {
  const ns = only(await children(reg), 'namespace').find((n) => n.name === name);
  assert.ok(ns, `namespace ${name} under ${reg.root.host}: ${(await children(reg)).map(label).join(', ')}`);
  return ns;
}

async function repository(parent: TreeNode, name: string): Promise<RepositoryNode> {
  const repo = only(await children(parent), 'repository').find((r) => r.name === name);
  assert.ok(repo, `repository ${name}: ${(await children(parent)).map(label).join(', ')}`);
  return repo;
}

/** Press every "Load more…" under a node until the list is complete. */
async function loadAll(node: TreeNode): Promise<TreeNode[]> {
  for (let i = 0; i < 10; i++) {
    const more = only(await children(node), 'loadMore')[0];
    if (!more) break;
    await vscode.commands.executeCommand('registryExplorer.loadMore', more);
  }
  return children(node);
}

/** A tooltip's text without Markdown escapes (appendText escapes punctuation and spaces). */
function plain(tooltip: unknown): string {
  const md = tooltip instanceof vscode.MarkdownString ? tooltip.value : String(tooltip ?? '');
  return md.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
}

/** Secrets live in SecretStorage only: not in settings, not in globalState. */
function assertNotStoredOutsideSecrets(...secrets: string[]): void {
  const settingsText = JSON.stringify(vscode.workspace.getConfiguration('registryExplorer'));
  const state = (api.service as unknown as { context: vscode.ExtensionContext }).context.globalState;
  const stateText = JSON.stringify(state.keys().map((k) => [k, state.get(k)]));
  for (const secret of secrets) {
    assert.ok(!settingsText.includes(secret), 'secret not in settings');
    assert.ok(!stateText.includes(secret), 'secret not in globalState');
  }
}

/**
 * Stand-in for auth.docker.io: forwards token requests to the real token issuer, with the Hub
 * account (octo-user + its PAT) exchanged for the registry's read-only account. Nothing is logged.
 */
async function startHubAuth(issuer: string, reader: { username: string; password: string }): Promise<{ url: string; close(): Promise<void> }> {
  const hub = Buffer.from(`${HUB_USER}:${HUB_PAT}`).toString('base64');
  const mapped = Buffer.from(`${reader.username}:${reader.password}`).toString('base64');
  const target = new URL(issuer);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = { ...req.headers, host: target.host };
      if (headers.authorization === `Basic ${hub}`) headers.authorization = `Basic ${mapped}`;
      let body = Buffer.concat(chunks).toString('utf8');
      if (body.includes(`username=${HUB_USER}`)) {
        const form = new URLSearchParams(body);
        if (form.get('username') === HUB_USER && form.get('password') === HUB_PAT) {
          form.set('username', reader.username);
          form.set('password', reader.password);
        }
        body = form.toString();
      }
      headers['content-length'] = String(Buffer.byteLength(body));
      const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function hubRoutes(): FixtureRoute[] {
  const browse = loadFixture('dockerhub', 'browse').routes;
  const detail = browse.find((r) => r.path === '/v2/namespaces/octo-user/repositories/app/tags/1.0')!;
  const oldTag = browse.flatMap((r) => ((r.body as { results?: { name: string }[] })?.results ?? [])).find((t) => t.name === 'old');
  return [
    ...loadFixture('dockerhub', 'auth').routes,
    ...browse,
    // The single-tag answer of tags/{tag} (as recorded for 1.0) for the tag the test deletes.
    { ...detail, path: '/v2/namespaces/octo-user/repositories/app/tags/old', body: oldTag },
    ...loadFixture('dockerhub', 'search').routes,
    ...loadFixture('dockerhub', 'delete').routes,
  ];
}

function gitlabRoutes(): FixtureRoute[] {
  const recorded = loadFixture('gitlab', 'api').routes;
  const detail = recorded.find((r) => r.path === '/api/v4/projects/9/registry/repositories/1/tags/v1.0')!;
  const body = detail.body as Record<string, unknown>;
  // The tag detail answer (recorded for v1.0) for the other tags of that repository.
  const more = ['A', 'latest'].map((tag): FixtureRoute => ({ ...detail, path: `/api/v4/projects/9/registry/repositories/1/tags/${tag}`, body: { ...body, name: tag, path: `octo-group/app:${tag}` } }));
  return [...recorded, ...more];
}

suite('vendor registries', () => {
  before(async () => {
    const svc = services() ?? skip('REGX_TEST_SERVICES is not set');
    const token: TestRegistry = svc.token;
    api = (await activateExtension()).exports as RegistryExplorerApi;
    restore.push(await withSetting('registryExplorer', 'registries', []));
    restore.push(await withSetting('registryExplorer', 'pageSize', 2));
    restore.push(await withSetting('registryExplorer', 'useDockerConfig', false));
    restore.push(await withSetting('registryExplorer', 'tags.sort', 'name'));

    // Docker Hub: the probe repository the rate limit is read from, in the real registry.
    await seedImage(token.host, 'ratelimitpreview/test', 'latest', { auth: token.user });
    const hubAuth = await startHubAuth(token.issuer!, token.reader!);
    closers.push(hubAuth.close);
    hubRegistry = await startVendorFixture({
      proxy: {
        target: `http://${token.host}`,
        addHeadersTo: /^\/v2\//,
        // The rate-limit headers Docker Hub sends, and its token service as the challenge's realm.
        addHeaders: { ...RATE_HEADERS, 'www-authenticate': `Bearer realm="${hubAuth.url}/token",service="regx-test-registry"` },
        intercept: (req: RecordedRequest) =>
          limitReached && req.path.includes('/manifests/')
            ? { status: 429, headers: { 'retry-after': '21600', ...RATE_HEADERS, 'ratelimit-remaining': '0;w=21600' }, body: PULL_LIMIT_BODY }
            : undefined,
      },
    });
    hubHost = hubRegistry.host;
    hubApi = await startVendorFixture({ routes: hubRoutes() });

    // GitHub: the recorded Packages API, plus GitHub's documented 401 for /user/orgs without a token.
    ghApi = await startVendorFixture({
      routes: [...loadFixture('ghcr', 'packages').routes, { method: 'GET', path: '/user/orgs', status: 401, body: { message: 'Requires authentication', documentation_url: 'https://docs.github.com/rest', status: '401' } }],
    });
    gitlabApi = await startVendorFixture({ routes: gitlabRoutes() });
    closers.push(hubRegistry.close, hubApi.close, ghApi.close, gitlabApi.close);

    api.service.overrideVendor(hubHost, { kind: 'docker-hub', apiBaseUrl: hubApi.url });
    api.service.overrideVendor(ghcrHost, { kind: 'ghcr', apiBaseUrl: ghApi.url });
    // Self-managed GitLab the way a user configures it.
    restore.push(await withSetting('registryExplorer', 'gitlab.instances', [{ url: gitlabApi.url, registry: gitlabHost }]));
  });

  after(async () => {
    for (const host of [hubHost, ghcrHost, gitlabHost]) {
      if (!host) continue;
      await api?.service.secrets.erase(host);
      api?.service.overrideVendor(host, undefined);
    }
    for (const r of restore.reverse()) await r();
    for (const c of closers) await c();
  });

  // ---- Docker Hub --------------------------------------------------------------------------------

  test('Docker Hub signed out: official images by namespace, and any repository by name', async () => {
    await vscode.commands.executeCommand('registryExplorer.connectRegistry', { url: hubHost });
    const reg = await registry(hubHost);
    assert.equal(label(reg), 'Docker Hub');
    assert.match(description(reg), new RegExp(hubHost.replace(/\./g, '\\.')));
    const kids = await children(reg);
    assert.equal(label(kids[0]!), 'Add a repository by name…');
    assert.equal(api.registries.getTreeItem(kids[0]!).command?.command, 'registryExplorer.addRepository');
    assert.deepEqual(only(kids, 'namespace').map(label), ['library'], 'signed out, only the official images are listed');
    const library = await namespace(reg, 'library');
    assert.equal(description(library), 'official images · Docker Official Images');
    assert.deepEqual(only(await children(library), 'repository').map(label), ['alpine', 'nginx']);

    // Official images are reachable by name too, without signing in.
    await vscode.commands.executeCommand('registryExplorer.addRepository', reg, 'library/alpine');
    const alpine = await repository(reg, 'library/alpine');
    const before = hubRegistry.requests.length;
    const [tag] = only(await children(alpine), 'tag');
    assert.equal(label(tag!), '3.13');
    // Digest, size, platforms and last push from the Hub API's tag list.
    assert.match(description(tag!), /^777777777777 · 2\.8 MB · 2 platforms · \d+ years? ago$/);
    assert.match(plain(api.registries.getTreeItem(tag!).tooltip), /Last pushed: 2021-01-05T21:06:53\.506400Z \(\d+ years? ago\)/);
    assert.equal(api.registries.getTreeItem(tag!).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    const platforms = only(await children(tag!), 'platform');
    assert.deepEqual(platforms.map(label), ['linux/amd64', 'linux/arm/v7']);
    assert.match(description(platforms[0]!), /^888888888888\b/);
    // Not one manifest GET: on Docker Hub each would count against the pull rate limit.
    assert.deepEqual(hubRegistry.requests.slice(before).filter((r) => r.method === 'GET' && r.path.includes('/manifests/')), []);
  }, { timeout: 60_000 });

  test('Docker Hub sign-in: a refused secret says to use a personal access token (2FA); the token is accepted and kept secret', async () => {
    const reg = await registry(hubHost);
    const refused = await vscode.commands.executeCommand('registryExplorer.login', reg, { username: HUB_USER, password: 'my-account-password' });
    assert.equal(refused, false);
    assert.equal(await api.service.secrets.get(hubHost), undefined, 'a refused secret is not stored');
    // The words the error message shows.
    const err = await rejection(api.service.provider(hubHost).signIn!({ username: HUB_USER, secret: 'my-account-password' }));
    assert.match(api.describeError(err), /personal access token .* instead of your password: accounts with two-factor authentication/);

    assert.equal(await vscode.commands.executeCommand('registryExplorer.login', reg, { username: HUB_USER, password: HUB_PAT }), true);
    assert.deepEqual(await api.service.secrets.get(hubHost), { username: HUB_USER, password: HUB_PAT });
    await waitFor('Docker Hub marked signed in', () => /\bsignedIn\b/.test(String(api.registries.getTreeItem(reg).contextValue)));
    assert.match(description(reg), /signed in/);
    assertNotStoredOutsideSecrets(HUB_PAT);
  }, { timeout: 60_000 });

  test('Docker Hub signed in: your account and organisations → repositories → tags, paged with Load more', async () => {
    const reg = await registry(hubHost);
    const namespaces = only(await children(reg), 'namespace');
    assert.deepEqual(namespaces.map((n) => [label(n), description(n)]), [
      ['library', 'official images · Docker Official Images'],
      ['octo-user', 'your account'],
      ['octo-org', 'organization · Octo Organisation'],
    ]);
    const mine = await namespace(reg, 'octo-user');
    let kids = await children(mine);
    assert.deepEqual(only(kids, 'repository').map(label), ['app', 'private-tool']);
    assert.ok(only(kids, 'loadMore').length === 1, 'Load more… after the first page');
    assert.match(description(only(kids, 'loadMore')[0]!), /^2 repositories loaded/);
    kids = await loadAll(mine);
    assert.deepEqual(only(kids, 'repository').map(label), ['app', 'private-tool', 'legacy']);

    const app = await repository(mine, 'octo-user/app');
    const tags = only(await loadAll(app), 'tag');
    assert.deepEqual(tags.map(label), ['1.0', 'latest', 'old']);
    const latest = tags.find((t) => t.tag === 'latest')!;
    // The attestation (unknown/unknown) is not a platform.
    assert.match(description(latest), /^111111111111 · 3\.4 MB · 2 platforms · /);
    const one = tags.find((t) => t.tag === '1.0')!;
    assert.match(description(one), /^555555555555 · 2\.8 MB · /, 'a single-platform tag shows its image digest');
    assert.equal(await vscode.commands.executeCommand('registryExplorer.copyDigest', one), `sha256:${'5'.repeat(64)}`);
  }, { timeout: 60_000 });

  test('the pull rate limit shows in the status bar while Docker Hub is connected; a 429 is named as the rate limit', async () => {
    const reading = await vscode.commands.executeCommand<{ status?: { remaining: number; limit: number } }>('registryExplorer.checkRateLimit');
    assert.deepEqual(reading?.status, { limit: 100, remaining: 76, windowSeconds: 21600, source: '203.0.113.7' });
    assert.equal(api.rateLimit.item.text, '$(cloud-download) 76/100');
    const tooltip = plain(api.rateLimit.item.tooltip);
    assert.match(tooltip, /76 of 100 pulls left in the current 6-hour window/);
    assert.match(tooltip, /Counted for 203\.0\.113\.7/);
    // Read with a HEAD (never a GET, which would count), with a token from the real token service.
    const probes = hubRegistry.requests.filter((r) => r.path === '/v2/ratelimitpreview/test/manifests/latest');
    assert.ok(probes.length > 0 && probes.every((r) => r.method === 'HEAD'));
    assert.ok(probes.some((r) => r.headers['authorization']?.startsWith('Bearer ')), 'the real token service issued a token');

    limitReached = true;
    try {
      const err = await rejection(api.service.client(hubHost).getManifest('ratelimitpreview/test', 'latest'));
      assert.match(api.describeError(err), /^Docker Hub's pull rate limit was reached \(429 TOOMANYREQUESTS\).*Try again in 6 hours\.$/);
      // The GET that hit the limit makes the status bar read it again.
      await waitFor('the status bar showing the limit reached', () => api.rateLimit.item.text === '$(cloud-download) 0/100', 10_000);
    } finally {
      limitReached = false;
    }
    await vscode.commands.executeCommand('registryExplorer.checkRateLimit');
    assert.equal(api.rateLimit.item.text, '$(cloud-download) 76/100');
  }, { timeout: 60_000 });

  test('search finds Docker Hub repositories with the official marker', async () => {
    const outcome = await vscode.commands.executeCommand<{ hits: { host: string; repository: string; official?: boolean; starCount?: number }[] }>(
      'registryExplorer.search',
      'alpine',
      undefined,
      { show: 'none' },
    );
    const hub = outcome.hits.filter((h) => h.host === hubHost);
    assert.deepEqual(
      hub.map((h) => [h.repository, !!h.official]),
      [
        ['library/alpine', true],
        ['octo-user/alpine-tools', false],
      ],
      WIRED,
    );
    assert.equal(hub[0]!.starCount, 11000);
  }, { timeout: 60_000 });

  test('delete removes a Docker Hub tag through the Hub API', async () => {
    const reg = await registry(hubHost);
    const app = await repository(await namespace(reg, 'octo-user'), 'octo-user/app');
    const old = only(await loadAll(app), 'tag').find((t) => t.tag === 'old') as TagNode;
    const before = hubApi.requests.length;
    const outcome = await vscode.commands.executeCommand<{ removed: string[] }>('registryExplorer.delete', old, [old], { choice: 'everything' });
    assert.deepEqual(outcome?.removed, ['octo-user/app:old'], WIRED);
    const deletes = hubApi.requests.slice(before).filter((r) => r.method === 'DELETE');
    assert.deepEqual(deletes.map((r) => r.path), ['/v2/repositories/octo-user/app/tags/old/']);
    assert.match(deletes[0]!.headers['authorization'] ?? '', /^Bearer /);
    assert.equal(hubRegistry.requests.filter((r) => r.method === 'DELETE').length, 0, 'the registry API (which answers 405) is not asked');
  }, { timeout: 60_000 });

  // ---- GitHub Container Registry -----------------------------------------------------------------

  test('GHCR: signed out offers Sign in…; a token without read:packages is refused naming the scope; a PAT signs in', async () => {
    await vscode.commands.executeCommand('registryExplorer.connectRegistry', { url: ghcrHost });
    const reg = await registry(ghcrHost);
    assert.equal(label(reg), 'GitHub Container Registry');
    const kids = await children(reg);
    const error = only(kids, 'error')[0] as ErrorNode;
    assert.ok(error, `an error node: ${kids.map(label).join(', ')}`);
    assert.equal(error.fix, 'signIn');
    assert.match(label(error), /GitHub refused the token \(401\)|sign in/i);
    assert.ok(kids.some((n) => label(n) === 'Sign in…'));

    assert.equal(await vscode.commands.executeCommand('registryExplorer.login', error, { password: GHCR_REPO_ONLY }), false);
    assert.equal(await api.service.secrets.get(ghcrHost), undefined);
    const err = await rejection(api.service.provider(ghcrHost).signIn!({ secret: GHCR_REPO_ONLY }));
    assert.match(api.describeError(err), /the token lacks the read:packages scope \(it has: repo\)/);

    assert.equal(await vscode.commands.executeCommand('registryExplorer.login', error, { password: GHCR_PAT }), true);
    assert.deepEqual(await api.service.secrets.get(ghcrHost), { username: 'Octo-User', password: GHCR_PAT });
    assertNotStoredOutsideSecrets(GHCR_PAT);
  }, { timeout: 60_000 });

  test('GHCR: your packages (lower-cased, paged) → tags with digest and date; an organisation\'s too', async () => {
    const reg = await registry(ghcrHost);
    const namespaces = only(await children(reg), 'namespace');
    assert.deepEqual(namespaces.map((n) => [label(n), description(n)]), [
      ['octo-user', 'your account'],
      ['octo-org', 'organization · Octo organisation'],
    ]);
    const mine = await namespace(reg, 'octo-user');
    const repos = only(await loadAll(mine), 'repository');
    assert.deepEqual(repos.map(label), ['app', 'private-tool', 'legacy']);
    const app = await repository(mine, 'octo-user/app');
    const tags = only(await loadAll(app), 'tag');
    assert.deepEqual(tags.map(label), ['1.0', '1.1', 'latest']);
    assert.match(description(tags.find((t) => t.tag === 'latest')!), /^aaaaaaaaaaaa · \d+ years? ago$/);
    const org = await namespace(reg, 'octo-org');
    assert.deepEqual(only(await children(org), 'repository').map(label), ['tools/cli']);
  }, { timeout: 60_000 });

  test('GHCR: deleting a tag deletes its version, naming the tags that go with it', async () => {
    const reg = await registry(ghcrHost);
    const app = await repository(await namespace(reg, 'octo-user'), 'octo-user/app');
    const latest = only(await loadAll(app), 'tag').find((t) => t.tag === 'latest') as TagNode;
    const before = ghApi.requests.length;
    const outcome = await vscode.commands.executeCommand<{ removed: string[] }>('registryExplorer.delete', latest, [latest], { choice: 'everything' });
    assert.deepEqual(outcome?.removed.sort(), ['octo-user/app:1.1', 'octo-user/app:latest'], WIRED);
    assert.deepEqual(ghApi.requests.slice(before).filter((r) => r.method === 'DELETE').map((r) => r.path), ['/user/packages/container/app/versions/786068']);
  }, { timeout: 60_000 });

  // ---- GitLab ------------------------------------------------------------------------------------

  test('GitLab (self-managed, from settings): a project access token signs in; groups and projects → repositories → tags with details', async () => {
    await vscode.commands.executeCommand('registryExplorer.connectRegistry', { url: gitlabHost });
    const reg = await registry(gitlabHost);
    assert.equal(label(reg), `GitLab (${new URL(gitlabApi.url).host})`);
    assert.equal(await vscode.commands.executeCommand('registryExplorer.login', reg, { password: 'glpat-wrong' }), false);
    const err = await rejection(api.service.provider(gitlabHost).signIn!({ secret: 'glpat-wrong' }));
    assert.match(api.describeError(err), /^GitLab \(127\.0\.0\.1:\d+\) refused the access token \(401\)/);
    assert.equal(await vscode.commands.executeCommand('registryExplorer.login', reg, { password: GITLAB_PAT }), true);
    assertNotStoredOutsideSecrets(GITLAB_PAT);

    const namespaces = only(await loadAll(reg), 'namespace');
    assert.deepEqual(namespaces.map((n) => [label(n), description(n)]), [
      ['octo-group', 'group · Octo Group'],
      ['octo-group/platform', 'group · Octo Group / Platform'],
      ['octo-user/my-project', 'project · Octo User / My Project'],
    ]);
    const group = await namespace(reg, 'octo-group');
    assert.deepEqual(only(await loadAll(group), 'repository').map(label), ['app', 'app/worker', 'site/docs']);
    const app = await repository(group, 'octo-group/app');
    const tags = only(await loadAll(app), 'tag');
    assert.deepEqual(tags.map(label), ['A', 'latest', 'v1.0']);
    // Details after first paint, from the tag detail endpoint.
    const v1 = tags.find((t) => t.tag === 'v1.0')!;
    await waitFor('GitLab tag details', () => api.registries.detailsOf(v1)?.summary);
    assert.match(description(v1), /^c3490dcf10ff · 350 MB · \d+ years? ago$/);
  }, { timeout: 60_000 });

  test('GitLab: delete removes only that tag, through the GitLab API', async () => {
    const reg = await registry(gitlabHost);
    const app = await repository(await namespace(reg, 'octo-group'), 'octo-group/app');
    const a = only(await loadAll(app), 'tag').find((t) => t.tag === 'A') as TagNode;
    const before = gitlabApi.requests.length;
    const outcome = await vscode.commands.executeCommand<{ removed: string[] }>('registryExplorer.delete', a, [a], { choice: 'everything' });
    assert.deepEqual(outcome?.removed, ['octo-group/app:A'], WIRED);
    assert.deepEqual(gitlabApi.requests.slice(before).filter((r) => r.method === 'DELETE').map((r) => r.path), ['/api/v4/projects/9/registry/repositories/1/tags/A']);
  }, { timeout: 60_000 });

  test('Sign Out forgets vendor tokens: Docker Hub lists only the official images again', async () => {
    await vscode.commands.executeCommand('registryExplorer.logout', hubHost);
    assert.equal(await api.service.secrets.get(hubHost), undefined);
    const reg = await registry(hubHost);
    assert.deepEqual(only(await children(reg), 'namespace').map(label), ['library']);
    for (const host of [ghcrHost, gitlabHost]) await vscode.commands.executeCommand('registryExplorer.logout', host);
    for (const host of [hubHost, ghcrHost, gitlabHost]) {
      await vscode.commands.executeCommand('registryExplorer.disconnectRegistry', await registry(host));
    }
    await waitFor('the rate limit hidden once Docker Hub is disconnected', async () => (await api.rateLimit.update()) === undefined && !api.rateLimit.last);
  }, { timeout: 60_000 });
});
