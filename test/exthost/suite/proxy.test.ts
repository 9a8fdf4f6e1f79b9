// VS Code's proxy settings inside the real extension host, through a REAL proxy: Debian's tinyproxy
// (test/support/tinyproxy.ts, the same helper as test/integration/proxy.test.ts). `http.proxy` sends
// the Registries view's requests through it, `http.noProxy` sends a host direct, clearing `http.proxy`
// goes direct again without reloading the window, and a proxy that wants credentials is an error row
// naming the proxy and the setting, never a password.
//
// The open registry listens on 127.0.0.1, and loopback names always go direct, so it is connected by
// another name for 127.0.0.1 (the machine's hostname): `http://<alias>:<port>` (plain http, so tinyproxy
// sees the absolute-form request lines and logs them). Evidence of the route is twofold: tinyproxy's
// log, and the "Registry Explorer" log, whose request lines end with `via proxy <origin>` when proxied.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RegistryExplorerApi } from '../../../src/extension';
import type { RegistryNode, RepositoryNode, TagNode, TreeNode } from '../../../src/vscode/tree/nodes';
import { seedImage } from '../../support/seeding';
import { freePort, loopbackAlias, NO_ALIAS_REASON, Tinyproxy, tinyproxyMissing } from '../../support/tinyproxy';
import { activateExtension, after, before, services, skip, suite, test, waitFor, withSetting } from './harness';

// Names unique to this file, so other suites seeding the same registry do not disturb it.
const REPO = 'extproxy/src';
const PROXY_USER = { user: 'proxyuser', pass: 'proxy-secret-ext-4k' };
const WRONG_PASS = 'wrong-proxy-pass-3z';
// The extension falls back to these when http.proxy is empty; the suite runs without them.
const PROXY_VARS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];
const re = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let api: RegistryExplorerApi;
let alias: string;
/** The open registry by its non-loopback name: "<alias>:<port>". */
let host: string;
let open: Tinyproxy | undefined;
let authProxy: Tinyproxy | undefined;
let deadPort = 0;
let tmp: string | undefined;
const restore: (() => Promise<void>)[] = [];
const savedEnv = new Map<string, string>();

/**
 * Sets a setting, undone (in reverse order) when the suite ends. A change of VS Code's proxy settings
 * is waited for: the extension builds a new transport on it (the event may come after update() resolves).
 */
async function set(section: string, key: string, value: unknown): Promise<void> {
  const proxySetting = section === 'http';
  const changes = proxySetting && JSON.stringify(vscode.workspace.getConfiguration(section).get(key)) !== JSON.stringify(value);
  const transport = proxySetting ? api.service.sharedTransport() : undefined;
  restore.push(await withSetting(section, key, value));
  if (changes) await waitFor(`a new transport after ${section}.${key} changed`, () => api.service.sharedTransport() !== transport);
}

/** Waits until the extension's transport routes the registry as expected (the settings change has landed). */
async function routed(expected: string | undefined): Promise<void> {
  await waitFor(`requests to ${host} ${expected ? `through ${expected}` : 'direct'}`, () => {
    let route: string | undefined;
    try {
      route = api.service.sharedTransport().proxyFor(`http://${host}/v2/`)?.origin;
    } catch {
      return false;
    }
    return route === expected;
  });
}

function children(node?: TreeNode): Promise<TreeNode[]> {
  return api.registries.getChildren(node);
}

async function registry(): Promise<RegistryNode> {
  return waitFor(`registry ${host} in the tree`, async () => (await children()).find((n): n is RegistryNode => n.kind === 'registry' && n.root.host === host));
}

/** The registry node, freshly refreshed, so its next expansion makes new requests. */
async function freshRegistry(): Promise<RegistryNode> {
  const reg = await registry();
  api.registries.setFilter(reg, undefined);
  api.registries.refresh(reg);
  return reg;
}

async function repository(reg: RegistryNode): Promise<RepositoryNode> {
  api.registries.setFilter(reg, REPO);
  const found: RepositoryNode[] = [];
  for (const child of await children(reg)) {
    if (child.kind === 'error') assert.fail(`listing ${host} failed: ${api.registries.getTreeItem(child).label}`);
    if (child.kind === 'repository') found.push(child);
    if (child.kind === 'namespace') found.push(...(await children(child)).filter((n): n is RepositoryNode => n.kind === 'repository'));
  }
  const repo = found.find((r) => r.name === REPO);
  assert.ok(repo, `repository ${REPO} under ${host}: ${found.map((r) => r.name).join(', ')}`);
  return repo;
}

async function tags(repo: RepositoryNode): Promise<string[]> {
  return (await children(repo)).flatMap((n) => (n.kind === 'tag' ? [n.tag] : []));
}

/** The registry's first row, which must be an error: its words (label and tooltip). */
async function errorWords(): Promise<{ label: string; tooltip: string; fix: string }> {
  const reg = await freshRegistry();
  const [node, fix] = await children(reg);
  assert.equal(node?.kind, 'error', `expected an error row under ${host}, got ${node?.kind}`);
  const item = api.registries.getTreeItem(node!);
  return { label: String(item.label), tooltip: String(item.tooltip), fix: String(api.registries.getTreeItem(fix!).label) };
}

// ---- the "Registry Explorer" log ---------------------------------------------------------------

/** The file VS Code writes the extension's LogOutputChannel to: <logUri>/Registry Explorer.log. */
function logFile(): string {
  const context = (api.service as unknown as { context: vscode.ExtensionContext }).context;
  return path.join(context.logUri.fsPath, 'Registry Explorer.log');
}

function extensionLog(from = 0): string {
  try {
    return fs.readFileSync(logFile(), 'latin1').slice(from);
  } catch {
    return '';
  }
}

/** The log line(s) of requests to `urlPart` written since `mark`, once at least one is there (the log is written asynchronously). */
async function requestLines(mark: number, urlPart: string): Promise<string[]> {
  const line = new RegExp(`^.*\\b(GET|HEAD) http://${re(host)}${re(urlPart)}\\S* .*$`, 'gm');
  return waitFor(`a "Registry Explorer" log line for ${urlPart} in ${logFile()}`, () => {
    const lines = extensionLog(mark).match(line);
    return lines?.length ? lines : undefined;
  });
}

suite('proxy settings (http.proxy, http.noProxy) through tinyproxy', () => {
  before(async () => {
    const svc = services() ?? skip('REGX_TEST_SERVICES is not set');
    const missing = tinyproxyMissing();
    if (missing) skip(missing);
    alias = (await loopbackAlias()) ?? skip(NO_ALIAS_REASON);
    api = (await activateExtension()).exports as RegistryExplorerApi;

    for (const name of PROXY_VARS) {
      if (process.env[name] === undefined) continue;
      savedEnv.set(name, process.env[name]!);
      delete process.env[name];
    }
    await set('registryExplorer', 'registries', []);
    await set('registryExplorer', 'useDockerConfig', false);
    await set('http', 'proxy', '');
    await set('http', 'noProxy', []);
    await routed(undefined);

    const openPort = Number(svc.open.host.split(':')[1]);
    host = `${alias}:${openPort}`;
    deadPort = await freePort();
    tmp = fs.mkdtempSync(path.join(svc.root, 'exthost-proxy-'));
    open = new Tinyproxy(path.join(tmp, 'proxy'), await freePort(), [openPort]);
    authProxy = new Tinyproxy(path.join(tmp, 'proxy-auth'), await freePort(), [openPort], PROXY_USER);
    await Promise.all([open.start(), authProxy.start()]);
    // Seeded directly (loopback), before any proxy setting exists.
    await seedImage(svc.open.host, REPO, 'v1', { seed: 'extproxy' });

    await vscode.commands.executeCommand('registryExplorer.connectRegistry', { url: `http://${host}`, name: 'Open registry by host name' });
    await registry();
  });

  after(async () => {
    for (const undo of restore.splice(0).reverse()) await undo();
    for (const [name, value] of savedEnv) process.env[name] = value;
    await Promise.all([open?.stop(), authProxy?.stop()]);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('http.proxy: the catalog, tags and tag details go through the proxy', async () => {
    await set('http', 'proxy', open!.url());
    await routed(open!.url());
    const proxyMark = open!.mark();
    const logMark = extensionLog().length;

    const repo = await repository(await freshRegistry());
    assert.deepEqual(await tags(repo), ['v1']);
    const tag = (await children(repo)).find((n): n is TagNode => n.kind === 'tag')!;
    await waitFor('tag details', () => api.registries.detailsOf(tag)?.summary);

    // tinyproxy saw the absolute-form requests for the registry's non-loopback name.
    const seen = open!.log(proxyMark);
    assert.match(seen, new RegExp(`GET http://${re(host)}/v2/_catalog`), seen);
    assert.match(seen, new RegExp(`GET http://${re(host)}/v2/${re(REPO)}/tags/list`), seen);
    assert.match(seen, new RegExp(`(GET|HEAD) http://${re(host)}/v2/${re(REPO)}/manifests/v1`), seen);
    // …and the extension's log says so, naming the proxy.
    for (const part of ['/v2/_catalog', `/v2/${REPO}/tags/list`]) {
      for (const line of await requestLines(logMark, part)) assert.match(line, new RegExp(` via proxy ${re(open!.url())}$`), line);
    }
    assert.match(extensionLog(), new RegExp(`requests go through a proxy \\(the http\\.proxy setting: ${re(open!.url())}/?\\)`));
  }, { timeout: 60_000 });

  test('http.noProxy naming the host sends it direct while http.proxy stays set', async () => {
    await set('http', 'noProxy', [alias]);
    await routed(undefined);
    const proxyMark = open!.mark();
    const logMark = extensionLog().length;

    const repo = await repository(await freshRegistry());
    assert.deepEqual(await tags(repo), ['v1']);
    for (const part of ['/v2/_catalog', `/v2/${REPO}/tags/list`]) {
      for (const line of await requestLines(logMark, part)) assert.doesNotMatch(line, /via proxy/, line);
    }
    assert.doesNotMatch(open!.log(proxyMark), new RegExp(re(host)), 'tinyproxy saw no request for the no-proxy host');
    await set('http', 'noProxy', []);
    await routed(open!.url());
  }, { timeout: 60_000 });

  test('a proxy that is down is named in the error; clearing http.proxy goes direct again without a reload', async () => {
    const dead = `http://127.0.0.1:${deadPort}`;
    await set('http', 'proxy', dead);
    await routed(dead);
    const { label, fix } = await errorWords();
    assert.match(label, new RegExp(`Could not connect to the proxy ${re(dead)} \\(from the http\\.proxy setting\\)`), label);
    assert.equal(fix, 'Retry');

    await set('http', 'proxy', '');
    await routed(undefined);
    const proxyMark = open!.mark();
    const logMark = extensionLog().length;
    const repo = await repository(await freshRegistry());
    assert.deepEqual(await tags(repo), ['v1']);
    for (const line of await requestLines(logMark, `/v2/${REPO}/tags/list`)) assert.doesNotMatch(line, /via proxy/, line);
    assert.equal(open!.log(proxyMark), '', 'tinyproxy saw nothing once http.proxy was cleared');
  }, { timeout: 120_000 });

  test('a proxy that wants credentials: the error names the proxy and http.proxy, never a password', async () => {
    const bare = authProxy!.url();
    await set('http', 'proxy', bare);
    await routed(bare);
    const none = await errorWords();
    assert.match(none.label, new RegExp(`The proxy ${re(bare)} \\(from the http\\.proxy setting\\) requires authentication \\(407 Proxy Authentication Required\\) on the way to ${re(host)}`), none.label);
    assert.match(none.label, /in the http\.proxy setting\./, none.label);
    assert.equal(none.tooltip, none.label);
    assert.ok(!`${none.label}${none.tooltip}`.includes(PROXY_USER.pass));

    // Wrong credentials: whatever the words, neither they nor the log repeat the password or the user.
    const logMark = extensionLog().length;
    const wrong = authProxy!.url({ user: PROXY_USER.user, pass: WRONG_PASS });
    await set('http', 'proxy', wrong);
    await routed(bare);
    const refused = await errorWords();
    for (const text of [refused.label, refused.tooltip]) {
      assert.ok(!text.includes(WRONG_PASS), `the password is not shown: ${text}`);
      assert.ok(!text.includes(`${PROXY_USER.user}:`), `no userinfo is shown: ${text}`);
    }

    // The right ones: listed through the proxy, logged by its origin only.
    await set('http', 'proxy', authProxy!.url(PROXY_USER));
    await routed(bare);
    const proxyMark = authProxy!.mark();
    const repo = await repository(await freshRegistry());
    assert.deepEqual(await tags(repo), ['v1']);
    assert.match(authProxy!.log(proxyMark), new RegExp(`GET http://${re(host)}/v2/${re(REPO)}/tags/list`));
    for (const line of await requestLines(logMark, `/v2/${REPO}/tags/list`)) assert.match(line, new RegExp(` via proxy ${re(bare)}$`), line);
    const logged = extensionLog(logMark);
    assert.ok(!logged.includes(WRONG_PASS) && !logged.includes(PROXY_USER.pass), 'no proxy password in the "Registry Explorer" log');
  }, { timeout: 120_000 });
});
