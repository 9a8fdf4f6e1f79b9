// Dockerfile builds against the real dockerd of the test services (Debian docker.io, classic
// builder over POST /build): a multi-stage build whose context honours .dockerignore, a target stage,
// build args, a failing step (the user sees the Dockerfile line and its output), a cancelled build,
// and `regx build` with --push to the real open registry. The base image is the host's static
// busybox imported through the API, so RUN steps have a shell and no network is needed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DockerEngine } from '../../src/docker/engine';
import { prepareBuildContext } from '../../src/docker/buildContext';
import { RegistryClient } from '../../src/distribution/client';
import { createSession } from '../../src/distribution/session';
import { describeError } from '../../src/errors/describe';
import { BuildError, CancelledError, InvalidInputError } from '../../src/errors/errors';
import { busyboxPath, busyboxRootfsTar, writeBuildContext, engineRequest } from '../support/engineImages';
import { runRegx } from '../support/runRegx';
import { testServices } from '../support/services';

const services = testServices();
const busybox = busyboxPath();
const skip = !services.dockerHost
  ? 'REGX_TEST_SERVICES has no dockerHost: start the services with --docker (test/run.mjs does)'
  : !busybox
    ? 'no static busybox on this machine (Debian package busybox-static; .ci/run installs it)'
    : false;

const RUN = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const BASE = `regx-build-base-${RUN}:1`;
const OPEN = services.open.host;
let engine: DockerEngine;
let dir: string;
const images: string[] = [];

/** The entry names of a tar (ustar and PAX path records), read from the context's own stream. */
async function tarNames(chunks: AsyncIterable<Uint8Array>): Promise<string[]> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(Buffer.from(c));
  const tar = Buffer.concat(parts);
  const names: string[] = [];
  let paxPath: string | undefined;
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(header.subarray(124, 136).toString('ascii').replace(/\0.*$/s, '').trim() || '0', 8);
    const type = String.fromCharCode(header[156]);
    const body = tar.subarray(at + 512, at + 512 + size);
    if (type === 'x') paxPath = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1];
    else {
      names.push(paxPath ?? name);
      paxPath = undefined;
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}

before(async () => {
  if (skip) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-build-'));
  engine = DockerEngine.fromEnvironment({ env: { DOCKER_HOST: services.dockerHost } });
  await engine.importImage(busyboxRootfsTar(busybox!), BASE);
  images.push(BASE);
});

after(async () => {
  if (skip) return;
  for (const ref of images.reverse()) await engine.removeImage(ref, { force: true }).catch(() => undefined);
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a multi-stage build sends the context less what .dockerignore excludes, and tags the result', { skip }, async () => {
  const root = writeBuildContext(dir, {
    Dockerfile: [
      `FROM ${BASE} AS compile`,
      'ARG GREETING=hello',
      'RUN echo "$GREETING from the first stage" > /greeting',
      `FROM ${BASE}`,
      'COPY --from=compile /greeting /greeting',
      'COPY . /ctx',
      // The image itself proves what the engine received.
      'RUN test ! -e /ctx/secret.env && test ! -e /ctx/node_modules && test -e /ctx/src/keep/important.txt && cat /greeting',
    ].join('\n'),
    '.dockerignore': '# local only\nsecret.env\nnode_modules\nsrc/**/*.log\n!src/keep/important.txt\n',
    'secret.env': 'PASSWORD=do-not-ship',
    'node_modules/left/index.js': 'junk',
    'src/app.js': 'console.log(1)',
    'src/debug.log': 'noise',
    'src/keep/important.txt': 'kept by the exception',
    [`src/${'deep/'.repeat(30)}file.txt`]: 'a path over 100 bytes needs a PAX header',
  });
  const context = prepareBuildContext(root);
  const names = await tarNames(context.tar());
  assert.ok(names.includes('Dockerfile') && names.includes('.dockerignore') && names.includes('src/app.js'));
  assert.ok(names.includes(`src/${'deep/'.repeat(30)}file.txt`), 'the long path survives the tar');
  assert.ok(!names.some((n) => n.startsWith('secret.env') || n.startsWith('node_modules') || n === 'src/debug.log'), names.join(', '));
  // With an exception rule, excluded directories are walked (a file may come back), so files are listed one by one.
  assert.deepEqual(context.excluded.sort(), ['node_modules/left/index.js', 'secret.env', 'src/debug.log']);

  const ref = `regx-build-${RUN}/app:multi`;
  images.push(ref);
  const output: string[] = [];
  const steps: number[] = [];
  const result = await engine.buildImage(context, {
    tags: [ref],
    buildArgs: { GREETING: 'bonjour' },
    onOutput: (line) => output.push(line),
    onStep: (s) => steps.push(s.number),
  });
  assert.match(result.imageId, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(steps, [1, 2, 3, 4, 5, 6, 7]);
  assert.ok(output.includes('bonjour from the first stage'), output.join('\n'));
  const inspected = await engineRequest(services.dockerHost!, 'GET', `/images/${ref}/json`);
  assert.equal((inspected.json as { Id: string }).Id, result.imageId);
});

test('--target builds only up to the named stage; an unknown stage is refused before anything is sent', { skip }, async () => {
  const root = writeBuildContext(dir, { Dockerfile: `FROM ${BASE} AS first\nRUN echo one > /one\nFROM first AS second\nRUN echo two\n` });
  const ref = `regx-build-${RUN}/app:first`;
  images.push(ref);
  const steps: number[] = [];
  const result = await engine.buildImage(prepareBuildContext(root), { tags: [ref], target: 'first', onStep: (s) => steps.push(s.number) });
  assert.deepEqual(steps, [1, 2]);
  assert.equal(result.steps, 2);
  await assert.rejects(engine.buildImage(prepareBuildContext(root), { target: 'third' }), (err: unknown) => {
    assert.ok(err instanceof InvalidInputError);
    assert.equal(describeError(err), 'Invalid argument "third": no stage of that name in the Dockerfile (its stages: first, second).');
    return true;
  });
});

test('a failing step names its Dockerfile line and shows its output', { skip }, async () => {
  const root = writeBuildContext(dir, {
    'build/Dockerfile.ci': [
      `FROM ${BASE}`,
      'RUN echo preparing',
      '',
      '# the step that breaks',
      'RUN echo "compiling main.c" && \\',
      '    echo "main.c:3: error: expected \';\'" && exit 2',
      'RUN echo never',
    ].join('\n'),
  });
  const output: string[] = [];
  await assert.rejects(
    engine.buildImage(prepareBuildContext(root, { dockerfile: 'build/Dockerfile.ci' }), { onOutput: (l) => output.push(l) }),
    (err: unknown) => {
      assert.ok(err instanceof BuildError, String(err));
      assert.equal(err.step?.line, 5);
      assert.equal(err.step?.number, 3);
      assert.equal(err.exitCode, 2);
      assert.deepEqual(err.output, ['compiling main.c', "main.c:3: error: expected ';'"]);
      const words = describeError(err);
      assert.match(words, /^The build failed at build\/Dockerfile\.ci line 5 \(step 3\/4: RUN echo "compiling main\.c"/);
      assert.match(words, /The command exited with code 2\.\nLast output:\n {2}compiling main\.c\n {2}main\.c:3: error: expected ';'$/);
      return true;
    },
  );
  assert.ok(!output.includes('never'));
});

test('cancelling a build stops it: the call ends at once and the engine removes the step container', { skip }, async () => {
  const root = writeBuildContext(dir, { Dockerfile: `FROM ${BASE}\nRUN echo started && sleep 60\n` });
  const abort = new AbortController();
  const started = Date.now();
  const building = engine.buildImage(prepareBuildContext(root), {
    signal: abort.signal,
    onOutput: (line) => {
      if (line === 'started') abort.abort();
    },
  });
  await assert.rejects(building, (err: unknown) => err instanceof CancelledError);
  assert.ok(Date.now() - started < 30_000, 'the build did not run its 60 s step to the end');
  // The engine notices the closed connection and stops the step; give it a moment, then look.
  let running: unknown[] = [];
  for (let i = 0; i < 50; i++) {
    const list = await engineRequest(services.dockerHost!, 'GET', '/containers/json');
    running = (list.json as { Command: string }[]).filter((c) => c.Command.includes('sleep 60'));
    if (running.length === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.deepEqual(running, []);
});

test('regx build prints the output on stderr, the image ID and tags on stdout, and --push pushes each tag', { skip }, async () => {
  const root = writeBuildContext(dir, { Dockerfile: `FROM ${BASE}\nARG VERSION\nRUN echo "version $VERSION" > /version && cat /version\n`, '.dockerignore': '*.tmp\n', 'a.tmp': 'x' });
  const ref = `${OPEN}/regx-build-${RUN}/pushed:1.0`;
  images.push(ref);
  const env = { DOCKER_HOST: services.dockerHost, DOCKER_CONFIG: fs.mkdtempSync(path.join(dir, 'config-')) };
  const r = await runRegx(['build', '-t', ref, '--build-arg', 'VERSION=7', '--push', root], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^Sending a build context of 2 files \(\d+ B\) to the engine, 1 left out by \.dockerignore$/m);
  assert.match(r.stderr, /^version 7$/m);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0], /^sha256:[0-9a-f]{64}$/);
  assert.equal(lines[1], `Tagged ${ref}`);
  assert.match(lines[2], new RegExp(`^Pushed ${ref.replace(/[.]/g, '\\.')}: digest: sha256:[0-9a-f]{64}$`));
  const pushedDigest = lines[2].split('digest: ')[1];
  const client = new RegistryClient(createSession({ host: OPEN }));
  const head = await client.headManifest(`regx-build-${RUN}/pushed`, '1.0');
  assert.equal(head?.digest, pushedDigest);

  const failed = await runRegx(['build', '-q', '-f', path.join(root, 'missing.Dockerfile'), root], env);
  assert.equal(failed.code, 2);
  assert.match(failed.stderr, /^regx: Invalid argument ".*missing\.Dockerfile": no Dockerfile there\.$/m);
  const noTag = await runRegx(['build', '--push', root], env);
  assert.equal(noTag.code, 2);
  assert.match(noTag.stderr, /^regx: --push needs a tag to push: add -t REGISTRY\/REPOSITORY:TAG/m);
});
