// The journal of running operations (src/vscode/operationJournal.ts): what the next extension host
// reports as cut off, and what it must leave alone — another window's host that still runs, another
// machine's host, an entry too old to trust its process id. The state is a Memento's get/update over a Map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OperationJournal, type JournalProcess } from '../../src/vscode/operationJournal';

function memento() {
  const values = new Map<string, unknown>();
  return {
    get: <T>(key: string) => values.get(key) as T | undefined,
    update: async (key: string, value: unknown) => void values.set(key, value),
  };
}

function host(pid: number, living: Set<number>, clock = { now: 1_000_000 }, hostname = 'box'): JournalProcess {
  return { pid, hostname, now: () => clock.now, alive: (p) => living.has(p) };
}

test('an operation that ended is crossed out; one whose host died is reported once, by the next host', async () => {
  const state = memento();
  const living = new Set([100]);
  const first = new OperationJournal(state, host(100, living));
  const copy = await first.begin('Copying a to b');
  await copy();
  await first.begin('Pushing c');
  // The host dies; VS Code starts another.
  living.delete(100);
  living.add(200);
  const next = new OperationJournal(state, host(200, living));
  assert.deepEqual((await next.interrupted()).map((e) => e.title), ['Pushing c']);
  assert.deepEqual(await next.interrupted(), [], 'told once');
});

test("another window's running host, another machine's host and its own entries are not reported", async () => {
  const state = memento();
  const living = new Set([100, 300]);
  await new OperationJournal(state, host(300, living)).begin('Copying in another window');
  await new OperationJournal(state, host(400, living, undefined, 'remote-box')).begin('Pushing on a remote');
  const self = new OperationJournal(state, host(100, living));
  await self.begin('Deleting mine, still running');
  assert.deepEqual(await self.interrupted(), []);
  // Once the other window's host is gone, its operation is reported; the remote's never is here.
  living.delete(300);
  assert.deepEqual((await self.interrupted()).map((e) => e.title), ['Copying in another window']);
});

test('an entry older than a day is dropped without a word (its process id may belong to anyone now)', async () => {
  const state = memento();
  const clock = { now: 1_000_000 };
  await new OperationJournal(state, host(100, new Set([100]), clock)).begin('Pulling long ago');
  clock.now += 25 * 3600_000;
  const next = new OperationJournal(state, host(200, new Set([200]), clock));
  assert.deepEqual(await next.interrupted(), []);
  assert.deepEqual(state.get('registryExplorer.runningOperations'), []);
});

test('what is stored is validated: junk in globalState is ignored', async () => {
  const state = memento();
  await state.update('registryExplorer.runningOperations', [null, 42, { title: 'no pid' }, 'text']);
  const journal = new OperationJournal(state, host(100, new Set([100])));
  assert.deepEqual(await journal.interrupted(), []);
  const done = await journal.begin('Copying x');
  await done();
  assert.deepEqual(state.get('registryExplorer.runningOperations'), []);
});

test('placeholders: one deleted is crossed out; one a dead host left is handed to the next host once, with its tag', async () => {
  const state = memento();
  const living = new Set([100]);
  const log = new OperationJournal(state, host(100, living)).placeholders('registry:5000');
  await log.put({ repository: 'team/app', digest: 'sha256:probe' });
  await log.gone('sha256:probe');
  await log.put({ repository: 'team/app', digest: 'sha256:moved', tag: 'old' });
  living.delete(100);
  living.add(200);
  const next = new OperationJournal(state, host(200, living));
  const stranded = await next.strandedPlaceholders();
  assert.deepEqual(stranded.map(({ host: h, repository, digest, tag }) => ({ h, repository, digest, tag })), [{ h: 'registry:5000', repository: 'team/app', digest: 'sha256:moved', tag: 'old' }]);
  assert.deepEqual(await next.strandedPlaceholders(), []);
  // Operations and placeholders are kept apart.
  assert.deepEqual(await next.interrupted(), []);
});
