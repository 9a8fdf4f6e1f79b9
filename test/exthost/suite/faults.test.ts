// What the tree shows when the registry misbehaves: a representative subset of test/faults/ inside
// the real extension host, the fault proxy (test/faults/harness.ts) in front of the real open
// registry. A retried read shows its rows with no error; a storm shows one error row whose words
// claim no more retries than happened; a long Retry-After says when to try again; a lost answer to
// a retag's PUT is not put twice; Cancel stops a copy at once. And the registries setting, generated (fast-check): every value is
// an entry or a reason, never a throw, never a password echoed.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import * as vscode from 'vscode';
import type { RegistryExplorerApi } from '../../../src/extension';
import type { RegistryNode, RepositoryNode, TreeNode } from '../../../src/vscode/tree/nodes';
import type { RetagOutcome } from '../../../src/vscode/commands/retag';
import { validateRegistryEntry } from '../../../src/vscode/settings';
import { getManifest, seedImage } from '../../support/seeding';
import { startFaultProxy, type FaultProxy } from '../../faults/harness';
import { activateExtension, after, before, services, skip, sleep, suite, test, waitFor, withSetting } from './harness';
import { TreeView } from './treeView';

const NS = `exfaults${Date.now().toString(36)}`;
const REPO = `${NS}/app`;
const TAGS = /\/tags\/list$/;
const MANIFEST = /\/manifests\/[^/]+$/;

suite('faults in the tree', () => {
  let api: RegistryExplorerApi;
  let view: TreeView;
  let front: FaultProxy;
  const restore: (() => Promise<void>)[] = [];

  async function registry(): Promise<RegistryNode> {
    return view.registry(front.host);
  }

  async function repository(): Promise<RepositoryNode> {
    const reg = await registry();
    api.registries.refresh(reg);
    api.registries.setFilter(reg, REPO);
    for (const child of await view.children(reg)) {
      if (child.kind === 'repository' && child.name === REPO) return child;
      if (child.kind === 'namespace') {
        const inner = (await view.children(child)).find((n): n is RepositoryNode => n.kind === 'repository' && n.name === REPO);
        if (inner) return inner;
      }
    }
    throw new Error(`${REPO} is not in the tree of ${front.host}`);
  }

  async function rowsOf(node: TreeNode): Promise<TreeNode[]> {
    api.registries.refresh(node);
    return view.children(node);
  }

  before(async () => {
    const svc = services() ?? skip('REGX_TEST_SERVICES is not set');
    api = (await activateExtension()).exports as RegistryExplorerApi;
    view = new TreeView(api);
    front = await startFaultProxy({ upstream: svc.open.host });
    await seedImage(svc.open.host, REPO, '1.0', { layers: [2048] });
    restore.push(await withSetting('registryExplorer', 'useDockerConfig', false));
    restore.push(await withSetting('registryExplorer', 'registries', [{ url: `http://${front.host}`, name: 'faulty' }, { url: `http://${svc.open.host}`, name: 'open' }]));
  });
  after(async () => {
    for (const r of restore.reverse()) await r();
    await front?.close();
  });

  test('a 503 on the tag list, once: the tags show and no error row', async () => {
    const repo = await repository();
    front.reset();
    front.rule({ method: 'GET', path: TAGS, nth: 1, behaviour: { kind: 'status', status: 503 } });
    const rows = await rowsOf(repo);
    assert.deepEqual(rows.filter((n) => n.kind === 'tag').map((n) => view.label(n)), ['1.0']);
    assert.equal(rows.filter((n) => n.kind === 'error').length, 0);
    assert.equal(front.count('GET', TAGS), 2);
  });

  test('a storm of 503: one error row that says so, claiming only the retries that happened', async () => {
    const repo = await repository();
    front.reset();
    front.rule({ method: 'GET', path: TAGS, behaviour: { kind: 'status', status: 503 } });
    const rows = await rowsOf(repo);
    const errors = rows.filter((n) => n.kind === 'error');
    assert.equal(errors.length, 1, rows.map((n) => view.label(n)).join(' | '));
    const label = view.label(errors[0]!);
    assert.match(label, /is unavailable \(503\), even after (\d+) retries/);
    const claimed = Number(/even after (\d+) retries/.exec(label)![1]);
    assert.ok(claimed <= front.count('GET', TAGS) - 1, `${label} after ${front.count('GET', TAGS)} requests`);
  });

  test('429 with a Retry-After of an hour on the catalog: the row says when to try again, asked once', async () => {
    const reg = await registry();
    front.reset();
    front.rule({ method: 'GET', path: '/v2/_catalog', behaviour: { kind: 'status', status: 429, headers: { 'retry-after': '3600' } } });
    api.registries.setFilter(reg, undefined);
    const rows = await rowsOf(reg);
    const error = rows.find((n) => n.kind === 'error');
    assert.ok(error, rows.map((n) => view.label(n)).join(' | '));
    assert.match(view.label(error) + view.tooltip(error), /Try again in 60 minutes/);
    assert.doesNotMatch(view.label(error), /retr/i);
    assert.equal(front.count('GET', '/v2/_catalog'), 1);
  });

  test('a retag whose PUT answer is lost: the new tag is there, put once', async () => {
    front.reset();
    const repo = await repository();
    const tag = (await rowsOf(repo)).find((n) => n.kind === 'tag');
    assert.ok(tag);
    front.rule({ method: 'PUT', path: MANIFEST, nth: 1, behaviour: { kind: 'lose-answer' } });
    const outcome = (await vscode.commands.executeCommand('registryExplorer.retag', tag, undefined, 'after-lost-answer')) as RetagOutcome | undefined;
    assert.ok(outcome, 'the retag reported success');
    assert.equal(front.count('PUT', MANIFEST), 1);
    const labels = await waitFor('the new tag in the tree', async () => {
      const names = (await rowsOf(repo)).filter((n) => n.kind === 'tag').map((n) => view.label(n));
      return names.includes('after-lost-answer') ? names : undefined;
    });
    assert.deepEqual([...labels].sort(), ['1.0', 'after-lost-answer']);
  });

  test('Cancel during a copy whose layer stalls: it stops at once, nothing more is sent, no target tag', async () => {
    const svc = services()!;
    front.reset();
    const tag = (await rowsOf(await repository())).find((n) => n.kind === 'tag');
    assert.ok(tag);
    const BLOB = /\/blobs\/sha256:[a-f0-9]{64}$/;
    front.rule({ method: 'GET', path: BLOB, behaviour: { kind: 'hang-mid-body', afterBytes: 100 } });
    const target = `${NS}/cancelled`;
    const copying = vscode.commands.executeCommand('registryExplorer.copyImage', tag, undefined, { registry: svc.open.host, repository: target, tag: '1.0', referrers: false });
    await waitFor('a layer download to start', () => front.count('GET', BLOB) >= 1 || undefined);
    // What the notification's Cancel button does.
    assert.ok(api.cancelOperations() >= 1, 'the copy was a cancellable operation');
    assert.equal(await copying, undefined, 'a cancelled copy reports nothing (no error message)');
    assert.equal(api.runningOperations(), 0);
    const sent = front.requests.length;
    await sleep(500);
    assert.equal(front.requests.length, sent, 'nothing was sent after Cancel');
    assert.equal((await getManifest(svc.open.host, target, '1.0')).status, 404, 'the target tag was never written');
  }, { timeout: 30_000 });
});

suite('the registries setting, generated', () => {
  test('500 generated entries: an entry or a reason, never a throw, never the password', async () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9]{8,12}$/).map((p) => `Sekr3t${p}`);
    const url = fc.oneof(
      fc.webUrl(),
      fc.domain(),
      fc.tuple(secret, fc.domain()).map(([p, d]) => `https://bob:${p}@${d}`),
      fc.tuple(secret, fc.domain()).map(([p, d]) => `bob:${p}@${d}:5000`),
      fc.string({ maxLength: 30 }),
    );
    const value = fc.oneof(
      fc.record({ url, name: fc.oneof(fc.string(), fc.integer() as fc.Arbitrary<unknown>), allowHttp: fc.oneof(fc.boolean(), fc.string() as fc.Arbitrary<unknown>), skipTlsVerify: fc.boolean(), caFile: fc.string(), kind: fc.oneof(fc.constantFrom('harbor', 'quay', 'ecr', 'nope'), fc.integer() as fc.Arbitrary<unknown>), region: fc.string({ maxLength: 12 }), projects: fc.oneof(fc.array(fc.string()), fc.string() as fc.Arbitrary<unknown>) }, { requiredKeys: [] }),
      url,
      fc.jsonValue({ maxDepth: 2 }),
    );
    let entries = 0;
    let reasons = 0;
    fc.assert(
      fc.property(value, (raw) => {
        const got = validateRegistryEntry(raw);
        const secrets = [...JSON.stringify(raw ?? null).matchAll(/Sekr3t[A-Za-z0-9]+/g)].map((m) => m[0]);
        if (typeof got === 'string') {
          reasons++;
          assert.ok(got.length > 5);
          for (const s of secrets) assert.ok(!got.includes(s), `the reason repeats the password: ${got}`);
        } else {
          entries++;
          assert.match(got.host, /^[a-z0-9.[\]:-]+(\/artifactory\/api\/docker\/[A-Za-z0-9._-]+)?$/, JSON.stringify(raw));
          for (const s of secrets) assert.ok(!got.host.includes(s));
        }
      }),
      { numRuns: 500 },
    );
    assert.ok(entries > 20 && reasons > 20, `entries ${entries}, reasons ${reasons}`);
  });
});
