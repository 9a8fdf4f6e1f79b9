// Crash safety of the editor itself: the extension host that runs Registry Explorer is SIGKILLed in the
// middle of a copy, a retag, a three-tag delete and a push through the engine, each run as a user runs
// it — from the command palette of the real VS Code (code-server), driven by Chromium. The registries
// sit behind fault proxies of test/faults/harness.ts that count requests; at a seeded random k the
// proxy lets the k-th request hang (or drops its answer after the registry did the work) and kills
// the extension host, found as the process holding the other end of the proxy's connections
// (./extensionHost.ts). Then, from outside: the target tag is absent or a complete, digest-verified
// image, no source tag is gone; no progress notification is left behind; code-server has started a
// new extension host; and the same operation, run again from the palette in it, finishes the job.
//
// REGX_EXTHOST_KILL_SEED=N repeats a run's kill points (the seed is printed).
// Alone: REGX_UI_GREP='extension host killed' npm run test:ui (with REGX_TEST_SERVICES set).

import * as assert from 'node:assert/strict';
import { DockerEngine } from '../../src/docker/engine';
import { absentOrComplete, armKill, crashSeed, drawsFor, tagDigest, type Outcome } from '../faults/crashPoints';
import { startFaultProxy, type FaultProxy } from '../faults/harness';
import { ownPort } from '../faults/support';
import { tarOf } from '../support/engineImages';
import { seedImage } from '../support/seeding';
import type { TestServices } from '../support/services';
import { ExtensionHostWatch, killExtensionHost, replacementOf, type ExtensionHostProcess } from './extensionHost';
import { services, skip, suite, test, type Workbench } from './harness';

const SEED = crashSeed('REGX_EXTHOST_KILL_SEED');
const SOURCE = 'Kill source';
const TARGET = 'Kill target';
// Fixed (the settings name them before the workbench opens), beside the services' ports and below the ephemeral range.
const SOURCE_PORT = ownPort(13);
const TARGET_PORT = ownPort(14);
const POINTS = 2;

const outcomes: Outcome[] = [];

/** The registries of a case: the open one (deletes on) as "Kill source", the one with deletes off as "Kill target". */
interface World {
  svc: TestServices;
  source: FaultProxy;
  target: FaultProxy;
  watch: ExtensionHostWatch;
  close(): Promise<void>;
}

async function startWorld(): Promise<World> {
  const svc = services() ?? skip('REGX_TEST_SERVICES is not set');
  const watch = new ExtensionHostWatch();
  const source = await startFaultProxy({ upstream: svc.open.host, port: SOURCE_PORT, onConnection: watch.see });
  const target = await startFaultProxy({ upstream: svc.openNoDelete.host, port: TARGET_PORT, onConnection: watch.see }).catch(async (error: unknown) => {
    await source.close();
    throw error;
  });
  return { svc, source, target, watch, close: () => Promise.all([source.close(), target.close()]).then(() => undefined) };
}

/** One operation as the palette runs it. */
interface Operation {
  label: string;
  proxies: FaultProxy[];
  /** Its progress title while it runs (a notification, or the status bar for a retag). */
  progress: string;
  /** Every answer but the last. */
  open(wb: Workbench): Promise<void>;
  /** The last answer, which starts the work. */
  start(wb: Workbench): Promise<void>;
  /** The registries seen from outside; throws when they are inconsistent, else says what they hold. */
  check(): Promise<string>;
  /** The job is done (as the registries show it). */
  done(): Promise<boolean>;
  /** For a kill after the job was done: running it again has nothing to do (delete). Default: run it again. */
  rerun?(wb: Workbench, state: string): Promise<void>;
  /** What a request the registry never saw does at the kill: hang (default), or reset when someone else (the engine) keeps going. */
  unseen?: 'hang' | 'reset';
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Waits for the run started by `start` to end: the registries show it done and its notification has closed. */
async function finished(wb: Workbench, op: Operation): Promise<void> {
  await waitUntil(`${op.label} to finish`, op.done);
  await waitUntil(`the "${op.progress}" notification to close`, async () => !(await progressShown(wb, op)));
}

async function progressShown(wb: Workbench, op: Operation): Promise<boolean> {
  const statusBar = (await wb.page.locator('.part.statusbar').textContent()) ?? '';
  // The progress notification's message starts with its title (the warning about it quotes it).
  return statusBar.includes(op.progress) || (await wb.notifications()).some((m) => m.startsWith(op.progress));
}

/** Requests one clean run costs up to its last write (what comes after is the tree showing the result). */
async function requestsOf(wb: Workbench, op: Operation): Promise<number> {
  const seen: boolean[] = [];
  await op.open(wb);
  // Counted from the last answer on, as the kill points are.
  for (const p of op.proxies) {
    p.reset();
    p.rule({ path: /.*/, behaviour: { kind: 'intercept', decide: (method) => (seen.push(/^(PUT|POST|PATCH|DELETE)$/.test(method)), { action: 'pass' }) } });
  }
  await op.start(wb);
  await finished(wb, op);
  for (const p of op.proxies) p.reset();
  const total = seen.lastIndexOf(true) + 1;
  assert.ok(total > 0, `${op.label}: a clean run wrote nothing`);
  return total;
}

/** Kill point i of `op`: run it, SIGKILL the extension host at a random request, check, let it come back, run it again. */
async function killAndRerun(wb: Workbench, world: World, op: Operation, total: number, draw: () => number, screenshot?: string, at?: { k: number; afterWork: boolean }): Promise<void> {
  const k = at?.k ?? 1 + Math.floor(draw() * total);
  const afterWork = at?.afterWork ?? draw() < 0.5;
  for (const p of op.proxies) p.reset();
  await op.open(wb);
  let killed: ExtensionHostProcess | undefined;
  let killError: unknown;
  const trap = armKill(op.proxies, k, afterWork, () => {
    try {
      killed = world.watch.current();
      if (!killed) throw new Error('no extension host has connected to the registries');
      killExtensionHost(killed);
    } catch (error) {
      killError = error;
    }
  }, op.unseen);
  await op.start(wb);
  await waitUntil(`${op.label}: request ${k} or the end`, async () => trap.fired() || (await op.done()));
  let restart = 'finished before request k';
  if (trap.fired()) {
    await waitUntil(`${op.label}: the kill`, async () => killed !== undefined || killError !== undefined, 10_000);
    if (killError) throw killError;
    const next = await replacementOf(killed!);
    world.watch.forget();
    restart = `host ${killed!.pid} killed, code-server started ${next.pid}`;
    // The view is back; once a write was under way (which only happens inside the recorded, changing
    // part of an operation), the new host says which operation the dead one did not finish.
    await wb.treeItem('Registries', SOURCE, 30_000);
    if (op.proxies.some((p) => p.requests.some((r) => /^(PUT|POST|PATCH|DELETE)$/.test(r.method)))) {
      await wb.notification(`"${op.progress}" did not finish`, 30_000);
      restart += ', which said the operation did not finish';
    }
  }
  // The engine stops a push when its client goes; give it a moment to wind down.
  if (op.unseen === 'reset') await new Promise((r) => setTimeout(r, 1000));
  for (const p of op.proxies) p.reset();
  const state = await op.check();
  // The progress belonged to the dead host: it must not stay behind, spinning for ever.
  await waitUntil(`the "${op.progress}" progress of the killed host to close`, async () => !(await progressShown(wb, op)), 10_000);
  if (screenshot) await wb.screenshot(screenshot);
  await wb.ready();
  if (op.rerun) await op.rerun(wb, state);
  else {
    await op.open(wb);
    await op.start(wb);
  }
  await finished(wb, op);
  // The rerun ran in the new host: it is the one that talked to the registries.
  if (killed) assert.notEqual(world.watch.current()?.pid ?? killed.pid, killed.pid, 'the rerun ran in a new extension host');
  const after = await op.check();
  outcomes.push({ label: op.label, k, of: total, afterWork, state: `${restart}; left ${state}; rerun → ${after}` });
}

/** After each case, the kill points so far (the last print is the whole run's). */
function printSummary(): void {
  const lines = [`extension host kill points: ${outcomes.length} (seed ${SEED}, REGX_EXTHOST_KILL_SEED=${SEED} repeats them), each left the registries consistent and was finished by a rerun in the new host`];
  for (const o of outcomes) lines.push(`  ${o.label}: killed at request ${o.k}/${o.of} ${o.afterWork ? 'after the registry did it' : 'before the registry saw it'} → ${o.state}`);
  console.log(lines.join('\n'));
}

/** A case: its world, a clean run to count requests, then POINTS kill points (the first at `first`, when given). */
async function runCase(
  wb: Workbench,
  name: string,
  build: (world: World, ns: string) => Promise<{ op: (i: number | 'probe') => Operation; shot: string; first?: (total: number) => { k: number; afterWork: boolean } }>,
): Promise<void> {
  const world = await startWorld();
  try {
    const draw = drawsFor(SEED, name);
    const ns = `0ehk${Date.now().toString(36)}`;
    const { op, shot, first } = await build(world, ns);
    await wb.openViewContainer('Registry Explorer');
    const total = await requestsOf(wb, op('probe'));
    for (let i = 0; i < POINTS; i++) await killAndRerun(wb, world, op(i), total, draw, i === 0 ? shot : undefined, i === 0 ? first?.(total) : undefined);
  } finally {
    await world.close();
    printSummary();
  }
}

const pick = (wb: Workbench, label: string | RegExp) => wb.pickQuickPickItem(label, { filter: typeof label === 'string' });

/** Per kill point (and the probe), a repository whose image is tagged a, b and c, beside another image tagged keep. */
async function threeTagFixtures(host: string, ns: string, name: string): Promise<Map<string, { repo: string; digest: string; keep: string }>> {
  const fixtures = new Map<string, { repo: string; digest: string; keep: string }>();
  for (const i of ['probe', ...Array.from({ length: POINTS }, (_, n) => String(n))]) {
    const repo = `${ns}/${name}-${i}`;
    const image = await seedImage(host, repo, 'a', { layers: [2048], seed: `${ns}-${name}-${i}` });
    for (const tag of ['b', 'c']) await seedImage(host, repo, tag, { layers: [2048], seed: `${ns}-${name}-${i}` });
    const keep = await seedImage(host, repo, 'keep', { layers: [1024], seed: `${ns}-${name}-keep-${i}` });
    fixtures.set(i, { repo, digest: image.digest, keep: keep.digest });
  }
  return fixtures;
}

/** Delete… from the palette, as far as the tag list of `repo`. */
async function deleteUpToTags(wb: Workbench, repo: string): Promise<void> {
  await wb.runCommand('Registry Explorer: Delete…');
  await pick(wb, /A tag in a registry/);
  await pick(wb, SOURCE);
  await pick(wb, repo);
}

/** Delete… of `repo`'s tag a, up to the modal. */
async function deleteUpToModal(wb: Workbench, repo: string): Promise<void> {
  await deleteUpToTags(wb, repo);
  await pick(wb, 'a');
  await wb.page.locator('.monaco-dialog-box').waitFor({ state: 'visible' });
}

/** A rerun of a delete that did happen: the palette offers only the tags that are left, so there is nothing to run again. */
async function nothingLeftToDelete(wb: Workbench, repo: string, left: string[]): Promise<void> {
  await deleteUpToTags(wb, repo);
  await waitUntil('the tag list', async () => (await wb.quickPickItems()).includes('keep'), 15_000);
  assert.deepEqual([...(await wb.quickPickItems())].sort(), left);
  await wb.page.keyboard.press('Escape');
}

const settings = {
  'registryExplorer.registries': [
    { url: `http://127.0.0.1:${SOURCE_PORT}`, name: SOURCE },
    { url: `http://127.0.0.1:${TARGET_PORT}`, name: TARGET },
  ],
  'registryExplorer.useDockerConfig': false,
  'registryExplorer.docker.host': services()?.dockerHost ?? '',
};
const options = { settings, timeout: 240_000 };

suite('extension host killed mid-operation', () => {
  test('copy to another registry: consistent after each kill, finished by a rerun', (wb) =>
    runCase(wb, 'copy', async (world, ns) => {
      const src = `${ns}/copy`;
      const image = await seedImage(world.svc.open.host, src, '1.0', { layers: [60_000, 30_000, 15_000], seed: `${ns}-copy` });
      const op = (i: number | 'probe'): Operation => {
        const dst = `${ns}/copy-dst-${i}`;
        return {
          label: `copy #${i === 'probe' ? 0 : i + 1}`,
          proxies: [world.source, world.target],
          progress: `Copying ${world.source.host}/${src}:1.0 to ${world.target.host}/${dst}:1.0`,
          async open(wb) {
            await wb.runCommand('Registry Explorer: Copy Image To…');
            await pick(wb, SOURCE);
            await pick(wb, src);
            await pick(wb, '1.0');
            await pick(wb, TARGET);
            await pick(wb, /Enter a repository name/);
            await wb.answerInputBox(dst);
          },
          start: (wb) => wb.answerInputBox('1.0').then(() => undefined),
          async check() {
            assert.equal(await tagDigest(world.svc.open.host, src, '1.0', undefined), image.digest, 'the source tag is intact');
            return absentOrComplete(world.svc.openNoDelete.host, dst, '1.0', image.digest, undefined);
          },
          done: async () => (await absentOrComplete(world.svc.openNoDelete.host, dst, '1.0', image.digest, undefined)) === 'complete',
        };
      };
      return { op, shot: 'extension-host-killed-copy' };
    }), options);

  test('retag on the registry: consistent after each kill, finished by a rerun', (wb) =>
    runCase(wb, 'retag', async (world, ns) => {
      const repo = `${ns}/retag`;
      const image = await seedImage(world.svc.open.host, repo, '1.0', { layers: [4096], seed: `${ns}-retag` });
      const op = (i: number | 'probe'): Operation => {
        const tag = i === 'probe' ? 'probe' : `t${i}`;
        return {
          label: `retag #${i === 'probe' ? 0 : i + 1}`,
          proxies: [world.source],
          progress: `Tagging ${world.source.host}/${repo}:1.0 as ${tag}`,
          async open(wb) {
            await wb.runCommand('Registry Explorer: Add Tag on Registry…');
            await pick(wb, SOURCE);
            await pick(wb, repo);
            await pick(wb, '1.0');
          },
          start: (wb) => wb.answerInputBox(tag).then(() => undefined),
          async check() {
            assert.equal(await tagDigest(world.svc.open.host, repo, '1.0', undefined), image.digest, 'the source tag is intact');
            return absentOrComplete(world.svc.open.host, repo, tag, image.digest, undefined);
          },
          done: async () => (await tagDigest(world.svc.open.host, repo, tag, undefined)) === image.digest,
        };
      };
      return { op, shot: 'extension-host-killed-retag' };
    }), options);

  test('delete of an image with three tags: all three or none, the other image untouched, finished by a rerun', (wb) =>
    runCase(wb, 'delete', async (world, ns) => {
      const host = world.svc.open.host;
      const fixtures = await threeTagFixtures(host, ns, 'del');
      const op = (i: number | 'probe'): Operation => {
        const { repo, digest, keep } = fixtures.get(String(i))!;
        const left = () => Promise.all(['a', 'b', 'c'].map((t) => tagDigest(host, repo, t, undefined)));
        return {
          label: `delete #${i === 'probe' ? 0 : i + 1}`,
          proxies: [world.source],
          progress: `Deleting ${repo}:a`,
          open: (wb) => deleteUpToModal(wb, repo),
          start: (wb) => wb.answerDialog('Delete Images and All Their Tags').then(() => undefined),
          async check() {
            assert.equal(await tagDigest(host, repo, 'keep', undefined), keep, 'the other image keeps its tag');
            const tags = await left();
            const present = tags.filter((d) => d === digest).length;
            assert.ok(present === 0 || present === 3, `tags left: ${JSON.stringify(tags)}`);
            assert.ok(tags.every((d) => d === undefined || d === digest));
            return present ? 'all three tags' : 'deleted';
          },
          done: async () => (await left()).every((d) => d === undefined),
          async rerun(wb, state) {
            if (state !== 'deleted') {
              await this.open(wb);
              return this.start(wb);
            }
            await nothingLeftToDelete(wb, repo, ['keep']);
          },
        };
      };
      return { op, shot: 'extension-host-killed-delete' };
    }), options);

  test('"Remove Only Selected Tags": the other tags stay, the removed tag never stays on a placeholder, finished by a rerun', (wb) =>
    runCase(wb, 'untag', async (world, ns) => {
      const host = world.svc.open.host;
      const fixtures = await threeTagFixtures(host, ns, 'untag');
      const op = (i: number | 'probe'): Operation => {
        const { repo, digest, keep } = fixtures.get(String(i))!;
        const state = async () => {
          assert.equal(await tagDigest(host, repo, 'keep', undefined), keep, 'the other image keeps its tag');
          for (const t of ['b', 'c']) assert.equal(await tagDigest(host, repo, t, undefined), digest, `${t} still names the image`);
          const a = await tagDigest(host, repo, 'a', undefined);
          return a === undefined ? 'removed' : a === digest ? 'a on the image' : `a on ${a}`;
        };
        return {
          label: `untag #${i === 'probe' ? 0 : i + 1}`,
          proxies: [world.source],
          progress: `Deleting ${repo}:a`,
          open: (wb) => deleteUpToModal(wb, repo),
          start: (wb) => wb.answerDialog('Remove Only Selected Tags').then(() => undefined),
          async check() {
            // A tag left on a placeholder is the next host's to remove at its start: give it that moment.
            let now = await state();
            for (let n = 0; n < 40 && now !== 'removed' && now !== 'a on the image'; n++) {
              await new Promise((r) => setTimeout(r, 250));
              now = await state();
            }
            assert.ok(now === 'removed' || now === 'a on the image', `${repo}: ${now} (a placeholder?)`);
            return now;
          },
          done: async () => (await state()) === 'removed',
          async rerun(wb, left) {
            if (left !== 'removed') {
              await this.open(wb);
              return this.start(wb);
            }
            await nothingLeftToDelete(wb, repo, ['b', 'c', 'keep']);
          },
        };
      };
      // The first point lands in the one window that used to leave a half-done state: the tag moved
      // onto its placeholder, the placeholder's DELETE (the last write) not yet seen by the registry.
      return { op, shot: 'extension-host-killed-untag', first: (total) => ({ k: total, afterWork: false }) };
    }), options);

  test('push through the engine: consistent after each kill, finished by a rerun', async (wb) => {
    const dockerHost = services()?.dockerHost ?? skip('no test dockerd');
    return runCase(wb, 'engine push', async (world, ns) => {
      const engine = DockerEngine.fromEnvironment({ env: { DOCKER_HOST: dockerHost } });
      // An image of its own per push (and the probe), made before the view first lists the engine's images:
      // pushes of one image to several repositories would mount the blobs the first one uploaded, costing
      // fewer requests than the probe counted, and a kill point past the last of them would land on the
      // view showing a push that already ended.
      const imageIds = new Map<string, string>();
      for (const i of ['probe', ...Array.from({ length: POINTS }, (_, n) => String(n))]) {
        const files = [{ name: 'data.bin', randomSize: 2_000_000 }, { name: 'hello.txt', content: Buffer.from(`${ns} ${i}\n`) }];
        imageIds.set(i, await engine.importImage(tarOf(files), `${world.source.host}/${ns}/push-${i}:1.0`));
      }
      const op = (i: number | 'probe'): Operation => {
        const repo = `${ns}/push-${i}`;
        const local = `${world.source.host}/${repo}:1.0`;
        // What the registry must end with: a complete image whose config is the local image's (its id).
        const pushed = () => absentOrComplete(world.svc.open.host, repo, '1.0', undefined, undefined, imageIds.get(String(i)));
        return {
          label: `engine push #${i === 'probe' ? 0 : i + 1}`,
          proxies: [world.source],
          progress: `Pushing ${local}`,
          unseen: 'reset',
          async open(wb) {
            await wb.runCommand('Registry Explorer: Push Image…');
            await pick(wb, local);
            await pick(wb, SOURCE);
            await pick(wb, repo);
          },
          start: (wb) => wb.answerInputBox('1.0').then(() => undefined),
          check: pushed,
          done: async () => (await pushed()) === 'complete',
        };
      };
      return { op, shot: 'extension-host-killed-push' };
    });
  }, options);
});
