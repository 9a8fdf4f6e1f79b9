// The pure half of builds: reading a Dockerfile (lines, stages, ARGs, continuations, the escape
// directive), build-arg parsing, the query sent to POST /build, and the engine's build stream folded
// into a result or a BuildError — on streams shaped as dockerd 20.10's classic builder sends them
// (recorded from the test services' engine: see test/integration/docker-build.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BuildStreamReader, baseRegistries, parseBuildArgs, planBuild } from '../../src/docker/build';
import { instructionForStep, readDockerfile } from '../../src/docker/dockerfile';
import { describeError } from '../../src/errors/describe';
import { BuildError, InvalidInputError } from '../../src/errors/errors';

const MULTI = [
  '# syntax=docker/dockerfile:1',
  'ARG BASE=alpine:3.20',
  'FROM ${BASE} AS deps',
  'RUN apk add --no-cache \\',
  '      make \\',
  '# a comment inside the continuation',
  '      gcc',
  '',
  'FROM --platform=$BUILDPLATFORM registry.example.com:5000/tools/go:1.22 as build',
  'ARG VERSION="1.0" COMMIT',
  'COPY . /src',
  'FROM deps',
  'COPY --from=build /src/app /app',
].join('\n');

test('a Dockerfile is read into instructions with their first line, stages and ARGs', () => {
  const d = readDockerfile(MULTI);
  assert.deepEqual(d.instructions.map((i) => [i.keyword, i.line]), [
    ['ARG', 2], ['FROM', 3], ['RUN', 4], ['FROM', 9], ['ARG', 10], ['COPY', 11], ['FROM', 12], ['COPY', 13],
  ]);
  assert.equal(d.instructions[2].text, 'RUN apk add --no-cache make gcc');
  assert.deepEqual(d.stages.map((s) => [s.index, s.name, s.base]), [[0, 'deps', '${BASE}'], [1, 'build', 'registry.example.com:5000/tools/go:1.22'], [2, undefined, 'deps']]);
  assert.deepEqual(d.args, [{ name: 'BASE', defaultValue: 'alpine:3.20' }, { name: 'VERSION', defaultValue: '1.0' }, { name: 'COMMIT' }]);
  // The engine's "Step 3/8" counts the meta ARG too.
  assert.equal(instructionForStep(d, 3)?.line, 4);
  // Bases from registries, not stage names or variables.
  assert.deepEqual(baseRegistries(d), ['registry.example.com:5000']);
});

test('the escape directive changes the continuation character', () => {
  const d = readDockerfile('# escape=`\nFROM mcr.microsoft.com/windows/servercore\nRUN dir c:\\ `\n  && echo done\n');
  assert.deepEqual(d.instructions.map((i) => i.text), ['FROM mcr.microsoft.com/windows/servercore', 'RUN dir c:\\ && echo done']);
});

test('build args are NAME=VALUE; anything else is refused with the reason', () => {
  assert.deepEqual(parseBuildArgs(['A=1', 'B=x=y', 'EMPTY=']), { A: '1', B: 'x=y', EMPTY: '' });
  assert.throws(() => parseBuildArgs(['1A=2']), (e: unknown) => e instanceof InvalidInputError && /letters, digits and _/.test(e.message));
  assert.throws(() => parseBuildArgs(['ONLY']), (e: unknown) => e instanceof InvalidInputError && describeError(e) === 'Invalid argument "ONLY": give ONLY a value: ONLY=VALUE.');
});

test('a build is checked before it is sent: target stage, digest tags, a Dockerfile without FROM', () => {
  assert.doesNotThrow(() => planBuild(MULTI, { target: 'BUILD', tags: ['app:1'] }));
  assert.throws(() => planBuild(MULTI, { target: 'test' }), /its stages: deps, build/);
  assert.throws(() => planBuild(MULTI, { tags: [`app@sha256:${'a'.repeat(64)}`] }), /not a digest/);
  assert.throws(() => planBuild('RUN echo\n', {}), /no FROM instruction/);
});

test('the build stream becomes steps, output lines and the image ID', () => {
  const lines: string[] = [];
  const steps: number[] = [];
  const reader = new BuildStreamReader('FROM x\nRUN echo hi\n', 'Dockerfile', { onOutput: (l) => lines.push(l), onStep: (s) => steps.push(s.number) });
  for (const ev of [
    { stream: 'Step 1/2 : FROM x' }, { stream: '\n' }, { stream: ' ---> 6c87c7607e21\n' },
    { stream: 'Step 2/2 : RUN echo hi' }, { stream: '\n' }, { stream: ' ---> Running in c376154f5020\n' },
    { stream: 'hi\nsecond line without its end' }, { stream: '\n' },
    { aux: { ID: `sha256:${'b'.repeat(64)}` } }, { stream: 'Successfully built bbbbbbbbbbbb\n' },
  ]) reader.add(ev);
  assert.deepEqual(reader.finish(['app:1']), { imageId: `sha256:${'b'.repeat(64)}`, tags: ['app:1'], steps: 2 });
  assert.deepEqual(steps, [1, 2]);
  assert.ok(lines.includes('hi') && lines.includes('second line without its end'));
});

test('an error event is a BuildError with the failing line and only that step\'s output', () => {
  const reader = new BuildStreamReader('FROM x\nRUN echo a\nRUN make\n', 'Dockerfile', {});
  reader.add({ stream: 'Step 2/3 : RUN echo a\n' });
  reader.add({ stream: 'a\n' });
  reader.add({ stream: 'Step 3/3 : RUN make\n' });
  reader.add({ stream: ' ---> Running in 56fa754f5b12\n' });
  reader.add({ stream: 'make: *** No rule to make target.  Stop.\n' });
  assert.throws(
    () => reader.add({ errorDetail: { code: 2, message: "The command '/bin/sh -c make' returned a non-zero code: 2" }, error: '…' }),
    (e: unknown) => {
      assert.ok(e instanceof BuildError);
      assert.equal(describeError(e), 'The build failed at Dockerfile line 3 (step 3/3: RUN make): The command exited with code 2.\nLast output:\n  make: *** No rule to make target.  Stop.');
      return true;
    },
  );
  // A stream that ends without the image's ID: the engine went away.
  const cut = new BuildStreamReader('FROM x\n', 'Dockerfile', {});
  cut.add({ stream: 'Step 1/1 : FROM x\n' });
  assert.throws(() => cut.finish([]), (e: unknown) => e instanceof BuildError && /without naming the image/.test(e.message));
});
