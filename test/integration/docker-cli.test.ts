// The engine commands of `regx` (images, pull, push, rmi, search --engine) run in-process against
// the real test dockerd and registries, with a hand-made CliContext so output can be read back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import { command as images } from '../../src/cli/commands/images';
import { command as pull } from '../../src/cli/commands/pull';
import { command as push } from '../../src/cli/commands/push';
import { command as rmi } from '../../src/cli/commands/rmi';
import { searchWithEngine } from '../../src/cli/commands/searchEngine';
import type { CliContext, ParsedArgs } from '../../src/cli/types';
import type { Credential, CredentialStore } from '../../src/credentials/types';
import { DockerEngine } from '../../src/docker/engine';
import { EngineError } from '../../src/errors/errors';
import { oneFileTar } from '../support/engineImages';
import { testServices } from '../support/services';

const services = testServices();
const skip = services.dockerHost ? false : 'REGX_TEST_SERVICES has no dockerHost: start the services with --docker (test/run.mjs does) to run the engine tests';
const RUN = `regx-cli-it/${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const LOCAL = `${services.open.host}/${RUN}/app:1`;
const AT_BASIC = `${services.basic.host}/${RUN}/app:1`;

const store: CredentialStore = {
  get: async (registry: string): Promise<Credential | undefined> =>
    registry === services.basic.host ? { username: services.basic.user!.username, password: services.basic.user!.password } : undefined,
  store: async () => undefined,
  erase: async () => undefined,
  list: async () => [services.basic.host],
};

function context(options: { json?: boolean; isTerminal?: boolean } = {}): CliContext & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    json: options.json ?? false,
    insecure: false,
    plainHttp: false,
    env: { DOCKER_HOST: services.dockerHost },
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    readStdin: async () => '',
    isTerminal: options.isTerminal ?? false,
    signal: new AbortController().signal,
    credentials: store,
    stdout,
    stderr,
  };
}

function args(positionals: string[], flags: ParsedArgs['flags'] = {}): ParsedArgs {
  return { positionals, flags };
}

/** What the command wrote straight to the process's stderr (the progress line). */
async function captureStderr<T>(fn: () => Promise<T>): Promise<{ value: T; written: string }> {
  const original = process.stderr.write.bind(process.stderr);
  let written = '';
  (process.stderr as { write: unknown }).write = (chunk: string | Uint8Array): boolean => {
    written += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  };
  try {
    return { value: await fn(), written };
  } finally {
    process.stderr.write = original;
  }
}

let engine: DockerEngine;

before(async () => {
  if (skip) return;
  engine = DockerEngine.fromEnvironment({ env: { DOCKER_HOST: services.dockerHost } });
  await engine.importImage(oneFileTar(`regx ${RUN}\n`.padEnd(16, '.')), LOCAL);
  await engine.tagImage(LOCAL, AT_BASIC);
});

after(async () => {
  if (skip) return;
  for (const ref of [LOCAL, AT_BASIC]) await engine.removeImage(ref, { force: true }).catch(() => undefined);
  await engine.close();
});

test('regx images: a table, and JSON with ids, tags, digests, size, created', { skip }, async () => {
  const ctx = context();
  await images.run(args([`${services.open.host}/${RUN}/app`]), ctx);
  const lines = ctx.stdout.join('\n').split('\n');
  assert.match(lines[0], /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
  assert.match(lines[1], new RegExp(`^${services.open.host}/${RUN}/app\\s+1\\s+[0-9a-f]{12}\\s`));
  const j = context({ json: true });
  await images.run(args([]), j);
  const list = JSON.parse(j.stdout.join('')) as Array<{ id: string; repoTags: string[]; repoDigests: string[]; size: number; created: string }>;
  const mine = list.find((i) => i.repoTags.includes(LOCAL));
  assert.ok(mine);
  assert.ok(mine.repoTags.includes(AT_BASIC));
  assert.match(mine.id, /^sha256:/);
  assert.equal(typeof mine.size, 'number');
  assert.ok(Array.isArray(mine.repoDigests));
});

test('regx push with credentials from the store; progress line only on a terminal', { skip }, async () => {
  const piped = context();
  const { written } = await captureStderr(() => push.run(args([AT_BASIC]), piped));
  assert.equal(written, '', 'no progress when stderr is not a terminal');
  assert.match(piped.stdout.join('\n'), new RegExp(`^${AT_BASIC}: digest: sha256:[0-9a-f]{64} size: \\d+$`));

  const tty = context({ isTerminal: true });
  const shown = await captureStderr(() => push.run(args([AT_BASIC]), tty));
  assert.match(shown.written, /\rPushing .* layers/);
  assert.match(shown.written, /\r\x1b\[K$/, 'the progress line is cleared at the end');

  const json = context({ json: true, isTerminal: true });
  const quiet = await captureStderr(() => push.run(args([AT_BASIC]), json));
  assert.equal(quiet.written, '', '--json never draws progress');
  assert.match((JSON.parse(json.stdout.join('')) as { digest: string }).digest, /^sha256:/);
});

test('regx rmi then regx pull back; a missing ref fails after the others were removed', { skip }, async () => {
  const ctx = context();
  await assert.rejects(rmi.run(args([`${services.open.host}/${RUN}/nothere:1`, AT_BASIC]), ctx), (err: unknown) => err instanceof EngineError && err.reason === 'not-found');
  assert.ok(ctx.stdout.includes(`Untagged: ${AT_BASIC}`), ctx.stdout.join('\n'));

  const p = context();
  await pull.run(args([AT_BASIC]), p);
  assert.match(p.stdout.join('\n'), /^Downloaded newer image for .*\nDigest: sha256:[0-9a-f]{64}$/);
  const pj = context({ json: true });
  await pull.run(args([AT_BASIC]), pj);
  assert.match((JSON.parse(pj.stdout.join('')) as { status: string }).status, /^Image is up to date/);
});

test('regx search --engine: through the engine to a registry\'s v1 search (served by this test)', { skip }, async () => {
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(
      req.url?.startsWith('/v1/search')
        ? JSON.stringify({ results: [{ name: 'team/app', description: 'the app\nsecond line', star_count: 7, is_official: false, is_automated: false }] })
        : '{}',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const registry = `127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const ctx = context();
    await searchWithEngine({ term: 'app', registry, limit: 10 }, ctx);
    const lines = ctx.stdout.join('\n').split('\n');
    assert.match(lines[0], /^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL$/);
    assert.match(lines[1], /^team\/app\s+the app second line\s+7$/);
    const j = context({ json: true });
    await searchWithEngine({ term: 'app', registry }, j);
    assert.deepEqual(JSON.parse(j.stdout.join('')), [{ name: 'team/app', description: 'the app\nsecond line', starCount: 7, official: false, automated: false }]);
  } finally {
    server.close();
  }
});
