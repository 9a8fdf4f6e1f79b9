// Crash and interruption safety. The real binary (`node dist/cli.js`) is SIGKILLed at the k-th request
// of a copy, a retag, a multi-tag delete and an engine push — k drawn from a seeded PRNG, the kill
// landing either before the registry saw that request or after it did the work (the answer lost) —
// and a real registry is SIGKILLed and started again in the middle of a copy. After each: the target
// tag is absent or names a complete image whose manifest and every blob hash to their digests; no
// source tag is gone; and running the same command again finishes the job.
//
// REGX_CRASH_SEED=N repeats a run's kill points (the seed is printed).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { DockerEngine } from '../../src/docker/engine';
import { tarOf } from '../support/engineImages';
import { seedImage } from '../support/seeding';
import { waitForPort } from '../support/tinyproxy';
import { absentOrComplete, armKill, crashSeed, drawsFor, tagDigest, type Outcome } from './crashPoints';
import { startFaultProxy, type FaultProxy } from './harness';
import { ownPort, ownRegistry, spawnCli, startWorld, uniqueRepo, until, type FaultWorld, type OwnRegistry } from './support';

const SEED = crashSeed('REGX_CRASH_SEED');
console.log(`crash points: seed ${SEED} (REGX_CRASH_SEED=${SEED} repeats them)`);

let random = drawsFor(SEED, '');
const pick = (n: number) => 1 + Math.floor(random() * n);
function drawFor(name: string): void {
  random = drawsFor(SEED, name);
}

const outcomes: Outcome[] = [];

describe('crash safety', () => {
  let w: FaultWorld;
  before(async () => {
    w = await startWorld('crash');
  });
  after(async () => {
    await w?.close();
    const survived = outcomes.filter((o) => o.state !== 'broken').length;
    console.log(`crash points: ${outcomes.length} (seed ${SEED}), ${survived} left the registry consistent and were finished by a rerun`);
    for (const o of outcomes) console.log(`  ${o.label}: killed at request ${o.k}/${o.of} ${o.afterWork ? 'after the registry did it' : 'before the registry saw it'} → ${o.state}`);
  });

  /** Requests one clean run of `argv` costs (so kill points cover the whole operation). */
  async function requestsOf(argv: string[], proxies: FaultProxy[]): Promise<number> {
    for (const p of proxies) p.reset();
    const run = spawnCli(argv, w.env);
    const { code } = await run.exited;
    assert.equal(code, 0, run.stderr());
    return proxies.reduce((sum, p) => sum + p.requests.length, 0);
  }

  async function killAndRerun(label: string, argv: string[], proxies: FaultProxy[], total: number, check: () => Promise<string>, rerunOk: (code: number | null, stderr: string) => boolean = (c) => c === 0) {
    const k = pick(total);
    const afterWork = random() < 0.5;
    for (const p of proxies) p.reset();
    const run = spawnCli(argv, w.env);
    const trap = armKill(proxies, k, afterWork, () => run.child.kill('SIGKILL'));
    const { code, signal } = await run.exited;
    for (const p of proxies) p.reset();
    // A run that finished before the k-th request (requests vary a little run to run) is a clean run.
    if (trap.fired()) assert.equal(signal, 'SIGKILL', `${label}: exited ${code} instead of being killed`);
    const state = await check();
    const again = spawnCli(argv, w.env);
    const rerun = await again.exited;
    assert.ok(rerunOk(rerun.code, again.stderr()), `${label}: the rerun exited ${rerun.code}: ${again.stderr()}`);
    const finished = await check();
    outcomes.push({ label, k, of: total, afterWork, state: `${state}, rerun → ${finished}` });
    return finished;
  }

  it('copy (3 layers, open → token registry), killed at 6 random requests', { timeout: 120_000 }, async () => {
    drawFor('copy');
    const src = uniqueRepo('crash-copy-src');
    const image = await seedImage(w.services.open.host, src, '1.0', { layers: [40_000, 20_000, 10_000] });
    const probeTarget = uniqueRepo('crash-copy-probe');
    const total = await requestsOf(['copy', `${w.open.host}/${src}:1.0`, `${w.token.host}/${probeTarget}:1.0`], [w.open, w.token, w.issuer]);
    for (let i = 0; i < 6; i++) {
      const dst = uniqueRepo('crash-copy-dst');
      const auth = w.services.token.user;
      const finished = await killAndRerun(`copy #${i + 1}`, ['copy', `${w.open.host}/${src}:1.0`, `${w.token.host}/${dst}:1.0`], [w.open, w.token, w.issuer], total, async () => {
        assert.equal(await tagDigest(w.services.open.host, src, '1.0', undefined), image.digest, 'the source tag is intact');
        return absentOrComplete(w.services.token.host, dst, '1.0', image.digest, auth);
      });
      assert.equal(finished, 'complete');
    }
  });

  it('retag on the token registry, killed at 4 random requests', { timeout: 60_000 }, async () => {
    drawFor('retag');
    const repo = uniqueRepo('crash-tag');
    const auth = w.services.token.user;
    const image = await seedImage(w.services.token.host, repo, '1.0', { layers: [4096], auth });
    const total = await requestsOf(['tag', `${w.token.host}/${repo}:1.0`, 'probe'], [w.token, w.issuer]);
    for (let i = 0; i < 4; i++) {
      const tag = `t${i}`;
      const finished = await killAndRerun(`retag #${i + 1}`, ['tag', `${w.token.host}/${repo}:1.0`, tag], [w.token, w.issuer], total, async () => {
        assert.equal(await tagDigest(w.services.token.host, repo, '1.0', auth), image.digest, 'the source tag is intact');
        return absentOrComplete(w.services.token.host, repo, tag, image.digest, auth);
      });
      assert.equal(finished, 'complete');
    }
  });

  it('delete of a digest with three tags, killed at 4 random requests: all three or none, the other image untouched', { timeout: 60_000 }, async () => {
    drawFor('delete');
    const host = w.services.open.host;
    const fixture = async (i: number | string) => {
      const repo = uniqueRepo('crash-del');
      const image = await seedImage(host, repo, 'a', { layers: [2048], seed: `crash-del-${i}` });
      for (const tag of ['b', 'c']) await seedImage(host, repo, tag, { layers: [2048], seed: `crash-del-${i}` });
      const keep = await seedImage(host, repo, 'keep', { layers: [1024], seed: `crash-keep-${i}` });
      return { repo, image, keep, argv: ['delete', `${w.open.host}/${repo}@${image.digest}`, '--yes'] };
    };
    // What a whole delete costs, counted on a fixture of its own.
    const total = await requestsOf((await fixture('count')).argv, [w.open]);
    for (let i = 0; i < 4; i++) {
      const { repo, image, keep, argv } = await fixture(i);
      const check = async () => {
        assert.equal(await tagDigest(host, repo, 'keep', undefined), keep.digest, 'the other image keeps its tag');
        const left = await Promise.all(['a', 'b', 'c'].map((t) => tagDigest(host, repo, t, undefined)));
        const present = left.filter((d) => d === image.digest).length;
        assert.ok(present === 0 || present === 3, `tags left: ${JSON.stringify(left)}`);
        assert.ok(left.every((d) => d === undefined || d === image.digest));
        return present ? 'all three tags' : 'deleted';
      };
      // A rerun after a delete that did happen is told there is nothing left to delete.
      const finished = await killAndRerun(`delete #${i + 1}`, argv, [w.open], total, check, (code, stderr) => code === 0 || (code === 1 && /not found/i.test(stderr)));
      assert.equal(finished, 'deleted');
    }
  });

  describe('a real registry killed and started again mid-copy', () => {
    let registry: OwnRegistry;
    let front: FaultProxy;
    const port = ownPort(11);

    before(async () => {
      registry = ownRegistry(fs.mkdtempSync(path.join(w.home, 'registry-')), port);
      await registry.start();
      front = await startFaultProxy({ upstream: registry.host });
    });
    after(async () => {
      await front?.close();
      registry?.kill();
    });

    it('restarted at 3 random requests of a copy into it: consistent, and finished by regx or its rerun', { timeout: 120_000 }, async () => {
      drawFor('registry restart');
      const src = uniqueRepo('restart-src');
      const image = await seedImage(w.services.open.host, src, '1.0', { layers: [30_000, 15_000] });
      const total = await requestsOf(['copy', `${w.services.open.host}/${src}:1.0`, `${front.host}/${uniqueRepo('restart-probe')}:1.0`], [front]);
      for (let i = 0; i < 3; i++) {
        const dst = uniqueRepo('restart-dst');
        const k = pick(total);
        front.reset();
        let n = 0;
        front.rule({
          path: /.*/,
          behaviour: {
            kind: 'intercept',
            decide: () => {
              if (++n !== k) return { action: 'pass' };
              // SIGKILL the registry with this request in flight, and bring it back a moment later.
              registry.kill();
              // A failed restart shows in the wait for it below.
              setTimeout(() => void registry.start().catch(() => undefined), 300);
              return { action: 'reset' };
            },
          },
        });
        const run = spawnCli(['copy', `${w.services.open.host}/${src}:1.0`, `${front.host}/${dst}:1.0`], w.env);
        const { code } = await run.exited;
        await until(() => registry.process().exitCode === null && registry.process().pid !== undefined, 10_000, 'the registry to be back');
        await waitForPort(port, 'the restarted registry', { timeoutMs: 30_000 });
        await new Promise((r) => setTimeout(r, 500));
        front.reset();
        // Either regx rode out the restart, or it said so in one line.
        if (code !== 0) assert.match(run.stderr().trim(), /^regx: [^\n]+$/);
        const state = await absentOrComplete(`127.0.0.1:${port}`, dst, '1.0', image.digest, undefined);
        if (code === 0) assert.equal(state, 'complete', 'a copy that said it finished left a complete image');
        const again = spawnCli(['copy', `${w.services.open.host}/${src}:1.0`, `${front.host}/${dst}:1.0`], w.env);
        assert.equal((await again.exited).code, 0, again.stderr());
        assert.equal(await absentOrComplete(`127.0.0.1:${port}`, dst, '1.0', image.digest, undefined), 'complete');
        outcomes.push({ label: `registry restart #${i + 1}`, k, of: total, afterWork: false, state: `regx exited ${code} (${code === 0 ? 'rode it out' : 'reported it'}), ${state}, rerun → complete` });
      }
    });
  });

  describe('push through the engine', () => {
    const dockerHost = () => w.services.dockerHost;

    it('regx push killed at 3 random requests of the engine: consistent, and a rerun finishes', { timeout: 120_000 }, async (t) => {
      if (!dockerHost()) return t.skip('no dockerd (needs root and Debian docker.io)');
      drawFor('engine push');
      const engine = DockerEngine.fromEnvironment({ env: { DOCKER_HOST: dockerHost()! } });
      const repo = uniqueRepo('crash-push');
      const ref = `${w.open.host}/${repo}:1.0`;
      await engine.importImage(tarOf([{ name: 'data.bin', randomSize: 3_000_000 }, { name: 'hello.txt', content: Buffer.from('crash push\n') }]), ref);
      const env = { ...w.env, DOCKER_HOST: dockerHost() };
      const push = (r: string) => spawnCli(['push', r], env);
      // One clean push first, to another repository, to count requests and learn the digest.
      const probeRef = `${w.open.host}/${uniqueRepo('crash-push-probe')}:1.0`;
      await engine.tagImage(ref, probeRef);
      w.open.reset();
      const probe = push(probeRef);
      assert.equal((await probe.exited).code, 0, probe.stderr());
      const total = w.open.requests.length;
      const digest = /digest: (sha256:[a-f0-9]{64})/.exec(probe.stdout())![1]!;
      for (let i = 0; i < 3; i++) {
        const target = `${w.open.host}/${repo}-${i}:1.0`;
        await engine.tagImage(ref, target);
        const k = pick(total);
        w.open.reset();
        const afterWork = random() < 0.5;
        const run = push(target);
        armKill([w.open], k, afterWork, () => run.child.kill('SIGKILL'), 'reset');
        await run.exited;
        // The engine stops the push when its client goes; give it a moment to wind down.
        await new Promise((r) => setTimeout(r, 500));
        w.open.reset();
        const state = await absentOrComplete(w.services.open.host, `${repo}-${i}`, '1.0', digest, undefined);
        const again = push(target);
        assert.equal((await again.exited).code, 0, again.stderr());
        assert.equal(await absentOrComplete(w.services.open.host, `${repo}-${i}`, '1.0', digest, undefined), 'complete');
        outcomes.push({ label: `engine push #${i + 1}`, k, of: total, afterWork, state: `${state}, rerun → complete` });
      }
    });

    it('dockerd SIGKILLed and started again mid-push: one line from regx, the registry consistent, a rerun finishes', { timeout: 120_000 }, async (t) => {
      if (!dockerHost()) return t.skip('no dockerd (needs root and Debian docker.io)');
      drawFor('engine restart');
      assert.ok(fs.existsSync(path.join(w.services.root, 'docker', 'docker.pid')), "the services' dockerd is running (this test must be the tier's last use of it)");
      const socketPath = dockerHost()!.replace(/^unix:\/\//, '');
      const pidFile = path.join(w.services.root, 'docker', 'docker.pid');
      const ping = () => new Promise<boolean>((resolve) => {
        const req = http.get({ socketPath, path: '/_ping', timeout: 1000 }, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        });
        req.on('error', () => resolve(false));
        req.on('timeout', () => req.destroy());
      });
      // The services' dockerd, started again exactly as it was (its own command line), as a child of this test.
      const argv = fs.readFileSync(`/proc/${fs.readFileSync(pidFile, 'utf8').trim()}/cmdline`, 'utf8').split('\0').filter(Boolean);
      let restarted: ChildProcess | undefined;
      const containerdPidFile = path.join(argv[argv.indexOf('--exec-root') + 1]!, 'containerd', 'containerd.pid');
      const alive = (pid: number) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      const killAndRestart = async () => {
        const containerd = Number(fs.readFileSync(containerdPidFile, 'utf8').trim()) || undefined;
        process.kill(Number(fs.readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
        // containerd dies with dockerd but lingers until reaped; a dockerd started meanwhile takes its
        // pid file for a running containerd and gives up (see docker-engine-restart.test.ts).
        for (let i = 0; containerd && i < 150 && alive(containerd); i++) await new Promise((r) => setTimeout(r, 20));
        if (containerd && alive(containerd)) process.kill(containerd, 'SIGKILL');
        for (let i = 0; containerd && i < 150 && alive(containerd); i++) await new Promise((r) => setTimeout(r, 20));
        fs.rmSync(containerdPidFile, { force: true });
        fs.rmSync(pidFile, { force: true });
        restarted = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', fs.openSync(path.join(w.services.root, 'docker', 'dockerd-restarted.log'), 'a')] });
      };
      try {
        const engine = DockerEngine.fromEnvironment({ env: { DOCKER_HOST: dockerHost()! } });
        const repo = uniqueRepo('engine-restart');
        const ref = `${w.open.host}/${repo}:1.0`;
        await engine.importImage(tarOf([{ name: 'data.bin', randomSize: 8_000_000 }]), ref);
        const env = { ...w.env, DOCKER_HOST: dockerHost() };
        const k = pick(4);
        w.open.reset();
        let n = 0;
        w.open.rule({ path: /.*/, behaviour: { kind: 'intercept', decide: () => (++n === k ? { action: 'reset', then: () => void killAndRestart() } : { action: 'pass' }) } });
        const run = spawnCli(['push', ref], env);
        const { code } = await run.exited;
        w.open.reset();
        if (code !== 0) {
          assert.equal(code, 1);
          assert.match(run.stderr().trim(), /^regx: [^\n]+$/, 'one line');
          assert.doesNotMatch(run.stderr(), /\n\s+at /);
        }
        await until(() => restarted !== undefined, 10_000, 'dockerd to be started again');
        for (let i = 0; i < 200 && !(await ping()); i++) await new Promise((r) => setTimeout(r, 100));
        assert.ok(await ping(), 'dockerd is back');
        // The push may or may not have landed; whatever the tag names must be whole.
        const state = await absentOrComplete(w.services.open.host, repo, '1.0', undefined, undefined);
        const again = spawnCli(['push', ref], env);
        assert.equal((await again.exited).code, 0, again.stderr());
        const digest = /digest: (sha256:[a-f0-9]{64})/.exec(again.stdout())![1]!;
        assert.equal(await absentOrComplete(w.services.open.host, repo, '1.0', digest, undefined), 'complete');
        outcomes.push({ label: "dockerd restart mid-push", k, of: 4, afterWork: false, state: `regx exited ${code}${code ? ` ("${run.stderr().trim().slice(0, 90)}…")` : ""}, ${state}, rerun → complete` });
      } finally {
        // Ours now: stop it the way the services would have, so nothing is left running. This is the
        // tier's last use of the engine (crash.test.ts runs first, and only it uses dockerd).
        if (restarted && restarted.exitCode === null) {
          restarted.kill('SIGTERM');
          await new Promise((r) => restarted!.once('exit', r));
        }
        // The SIGKILLed dockerd could not unmount its data-root bind mount: do it, or it outlives the services.
        const dataRoot = argv[argv.indexOf('--data-root') + 1]!;
        for (let i = 0; i < 3 && fs.readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === dataRoot); i++) {
          spawnSync('umount', [dataRoot]);
        }
      }
    });
  });
});
