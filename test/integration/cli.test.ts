// The built `regx` (dist/cli.js) run as a user runs it, as a child process, against the real
// registries from test/services/start.mjs. Images are seeded with plain HTTP uploads here (not with
// our own client), so a bug in the client cannot hide itself; skopeo cross-checks what regx reports.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { BUILT_CLI as CLI, runBuiltRegx, type BuiltCliResult } from '../support/runRegx';
import { testServices, type TestServices } from '../support/services';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

type RunResult = BuiltCliResult;

function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Runs the built CLI with its own DOCKER_CONFIG (never the developer's ~/.docker). */
function regx(args: string[], options: { input?: string; dockerConfig: string }): Promise<RunResult> {
  return runBuiltRegx(args, { ...process.env, DOCKER_CONFIG: options.dockerConfig, HOME: options.dockerConfig }, options.input ?? '');
}

/** A failure is exactly one `regx: …` line on stderr. */
function assertOneErrorLine(result: RunResult, pattern?: RegExp): void {
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one stderr line, got:\n${result.stderr}`);
  assert.match(lines[0], /^regx: \S/);
  if (pattern) assert.match(lines[0], pattern);
}

// --- seeding over plain HTTP (open registries only) ---

async function pushBlob(host: string, repo: string, bytes: Uint8Array): Promise<string> {
  const digest = sha256(bytes);
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  assert.equal(start.status, 202, `upload start ${start.status}`);
  const location = new URL(start.headers.get('location')!, `http://${host}`);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } });
  assert.equal(put.status, 201, `blob put ${put.status}`);
  return digest;
}

async function pushManifest(host: string, repo: string, ref: string, manifest: unknown, mediaType: string): Promise<string> {
  const bytes = Buffer.from(JSON.stringify(manifest));
  const put = await fetch(`http://${host}/v2/${repo}/manifests/${ref}`, { method: 'PUT', body: bytes, headers: { 'content-type': mediaType } });
  assert.equal(put.status, 201, `manifest put ${put.status}: ${await put.text()}`);
  return sha256(bytes);
}

interface SeededImage {
  digest: string;
  size: number;
}

/** One small single-platform image; `seed` makes its bytes (and so its digest) distinct. */
async function pushImage(host: string, repo: string, tags: string[], seed: string, architecture = 'amd64'): Promise<SeededImage> {
  const layer = Buffer.from(`layer ${seed} ${architecture}`);
  const config = Buffer.from(
    JSON.stringify({
      architecture,
      os: 'linux',
      created: '2024-01-02T03:04:05Z',
      config: { Labels: { 'org.example.seed': seed } },
      rootfs: { type: 'layers', diff_ids: [sha256(layer)] },
    }),
  );
  const layerDigest = await pushBlob(host, repo, layer);
  const configDigest = await pushBlob(host, repo, config);
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
    layers: [{ mediaType: OCI_LAYER, digest: layerDigest, size: layer.length }],
  };
  let digest = '';
  for (const tag of tags) digest = await pushManifest(host, repo, tag, manifest, OCI_MANIFEST);
  if (!tags.length) digest = await pushManifest(host, repo, sha256(Buffer.from(JSON.stringify(manifest))), manifest, OCI_MANIFEST);
  return { digest, size: config.length + layer.length };
}

/** A two-platform OCI index; its children are pushed by digest first. */
async function pushIndex(host: string, repo: string, tag: string, seed: string): Promise<string> {
  const manifests = [];
  for (const architecture of ['amd64', 'arm64']) {
    const child = await pushImage(host, repo, [], seed, architecture);
    const bytes = await (await fetch(`http://${host}/v2/${repo}/manifests/${child.digest}`, { headers: { accept: OCI_MANIFEST } })).arrayBuffer();
    manifests.push({ mediaType: OCI_MANIFEST, digest: child.digest, size: bytes.byteLength, platform: { os: 'linux', architecture } });
  }
  return pushManifest(host, repo, tag, { schemaVersion: 2, mediaType: OCI_INDEX, manifests }, OCI_INDEX);
}

async function manifestStatus(host: string, repo: string, tag: string): Promise<number> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, { method: 'HEAD', headers: { accept: `${OCI_MANIFEST}, ${OCI_INDEX}` } });
  return res.status;
}

const execFileAsync = promisify(execFile);

describe('regx CLI (built dist/cli.js) against real registries', () => {
  let services: TestServices;
  let home: string;
  // Unique per run so a re-run against the same registries starts clean.
  const prefix = `cli${Date.now().toString(36)}`;
  const app = `${prefix}/app`;
  const multi = `${prefix}/multi`;
  let appImage: SeededImage;
  let soloImage: SeededImage;
  let multiDigest: string;

  before(async () => {
    assert.ok(fs.existsSync(CLI), `${CLI} is missing: run node scripts/build.mjs first`);
    services = testServices();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-cli-'));
    const open = services.open.host;
    appImage = await pushImage(open, app, ['1.0', 'latest', 'stable'], 'app');
    soloImage = await pushImage(open, app, ['solo'], 'solo');
    multiDigest = await pushIndex(open, multi, 'v1', 'multi');
  });

  after(() => {
    fs.rmSync(home, { recursive: true, force: true });
  });

  const run = (args: string[], input?: string) => regx(args, { dockerConfig: home, input });

  describe('usage', () => {
    it('--help, COMMAND --help and --version exit 0', async () => {
      const help = await run(['--help']);
      assert.equal(help.code, 0);
      for (const name of ['catalog', 'tags', 'inspect', 'digest', 'tag', 'copy', 'delete', 'search', 'login', 'logout']) {
        assert.match(help.stdout, new RegExp(`^  ${name} `, 'm'));
      }
      const tagsHelp = await run(['tags', '--help']);
      assert.equal(tagsHelp.code, 0);
      assert.match(tagsHelp.stdout, /^Usage: regx tags REPO/);
      const version = await run(['--version']);
      assert.equal(version.code, 0);
      assert.match(version.stdout, /^regx \d+\.\d+\.\d+/);
    });

    it('an unknown flag, an unknown command and a missing argument exit 2 naming the problem', async () => {
      const flag = await run(['tags', `${services.open.host}/${app}`, '--jsno']);
      assert.equal(flag.code, 2);
      assert.match(flag.stderr, /^regx: unknown flag: --jsno$/m);
      assert.match(flag.stderr, /Usage: regx tags REPO/);
      assert.equal(flag.stdout, '');

      const command = await run(['tagz']);
      assert.equal(command.code, 2);
      assert.match(command.stderr, /unknown command "tagz"/);

      const missing = await run(['copy', `${services.open.host}/${app}:1.0`]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /missing DST_REF/);
    });

    it('a malformed reference exits 2 and the message names the bad part', async () => {
      const badTag = await run(['digest', `${services.open.host}/${app}:bad!tag`]);
      assert.equal(badTag.code, 2);
      assert.match(badTag.stderr, /^regx: .*tag/im);
      assert.match(badTag.stderr, /bad!tag/);

      const badName = await run(['inspect', `${services.open.host}/Upper/Case:1`]);
      assert.equal(badName.code, 2);
      assert.match(badName.stderr, /^regx: .*(repository|name)/im);

      const badNewTag = await run(['tag', `${services.open.host}/${app}:1.0`, '-nope']);
      assert.equal(badNewTag.code, 2);
    });
  });

  describe('catalog and search', () => {
    it('catalog lists every repository by default, page after page as they arrive; --json parses', async () => {
      const all = await run(['catalog', services.open.host]);
      assert.equal(all.code, 0, all.stderr);
      const names = all.stdout.trim().split('\n');
      assert.ok(names.includes(app) && names.includes(multi));
      assert.equal(all.stderr, '');
      // Small pages: the same list, every page followed; the old --all is the same thing.
      const paged = await run(['catalog', services.open.host, '--page-size', '1']);
      assert.deepEqual(paged.stdout.trim().split('\n'), names);
      assert.deepEqual((await run(['catalog', services.open.host, '--all'])).stdout.trim().split('\n'), names);

      const json = await run(['catalog', services.open.host, '--json']);
      assert.equal(json.code, 0);
      assert.deepEqual(JSON.parse(json.stdout), names);
    });

    it('catalog --one-page prints one page and says more follow', async () => {
      const page = await run(['catalog', services.open.host, '--one-page', '--page-size', '1']);
      assert.equal(page.code, 0, page.stderr);
      assert.equal(page.stdout.trim().split('\n').length, 1);
      assert.equal(page.stderr, 'regx: more repositories follow; run without --one-page to list them all\n');
      const both = await run(['catalog', services.open.host, '--one-page', '--all']);
      assert.equal(both.code, 2);
      assert.match(both.stderr, /--one-page and --all contradict each other/);
    });

    it('a server without a catalog says so (exit 1, one line)', async () => {
      // The token issuer fixture is an HTTP server that answers 404 to /v2/_catalog.
      const issuerHost = new URL(services.token.issuer!).host;
      const result = await run(['catalog', issuerHost]);
      assert.equal(result.code, 1);
      assertOneErrorLine(result, /does not offer a catalog/);
    });

    it('scan on a plain Distribution registry says it keeps no scans (exit 1, one line)', async () => {
      const result = await run(['scan', `${services.open.host}/${app}:1.0`]);
      assert.equal(result.code, 1);
      assertOneErrorLine(result, /^regx: 127\.0\.0\.1:\d+ does not offer vulnerability scans\. Harbor and Quay keep scan results; a plain Distribution registry has none\.$/);
    });

    it('search filters the catalog, exact match first', async () => {
      const found = await run(['search', services.open.host, 'app', '--json']);
      assert.equal(found.code, 0, found.stderr);
      const names = JSON.parse(found.stdout) as string[];
      assert.ok(names.includes(app));
      assert.ok(!names.includes(multi));
      const none = await run(['search', services.open.host, `${prefix}-nothing-matches`]);
      assert.equal(none.code, 0);
      assert.equal(none.stdout, '');
    });
  });

  describe('tags, digest, inspect', () => {
    it('tags are sorted and match skopeo list-tags', async () => {
      const repo = `${services.open.host}/${app}`;
      const text = await run(['tags', repo]);
      assert.equal(text.code, 0, text.stderr);
      assert.deepEqual(text.stdout.trim().split('\n'), ['1.0', 'latest', 'solo', 'stable']);
      const json = await run(['tags', repo, '--json']);
      assert.deepEqual(JSON.parse(json.stdout), ['1.0', 'latest', 'solo', 'stable']);

      const skopeo = await execFileAsync('skopeo', ['list-tags', '--tls-verify=false', `docker://${repo}`]);
      assert.deepEqual([...(JSON.parse(skopeo.stdout).Tags as string[])].sort(), ['1.0', 'latest', 'solo', 'stable']);
    });

    it('output into a pipe the reader has closed (regx tags | head) ends quietly with exit 0', async () => {
      const child = spawn(process.execPath, [CLI, 'tags', `${services.open.host}/${app}`], { env: { ...process.env, DOCKER_CONFIG: home } });
      child.stdout.destroy(); // the reader goes away before regx writes a line
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(stderr, '');
      assert.equal(code, 0);
    });

    it('digest is the manifest digest and matches skopeo inspect', async () => {
      const ref = `${services.open.host}/${app}:1.0`;
      const result = await run(['digest', ref]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `${appImage.digest}\n`);
      const skopeo = await execFileAsync('skopeo', ['inspect', '--tls-verify=false', `docker://${ref}`]);
      assert.equal(JSON.parse(skopeo.stdout).Digest, appImage.digest);

      const json = await run(['digest', `${services.open.host}/${multi}:v1`, '--json']);
      assert.equal(JSON.parse(json.stdout).digest, multiDigest);
    });

    it('a missing tag or repository is exit 1 with one line', async () => {
      const tag = await run(['digest', `${services.open.host}/${app}:no-such-tag`]);
      assert.equal(tag.code, 1);
      assertOneErrorLine(tag);
      const repo = await run(['tags', `${services.open.host}/${prefix}/no-such-repo`]);
      assert.equal(repo.code, 1);
      assertOneErrorLine(repo);
    });

    it('inspect --json reports digest, media type, size, platforms, created, labels', async () => {
      const image = await run(['inspect', `${services.open.host}/${app}:1.0`, '--json']);
      assert.equal(image.code, 0, image.stderr);
      const info = JSON.parse(image.stdout);
      assert.equal(info.reference, `${services.open.host}/${app}:1.0`);
      assert.equal(info.digest, appImage.digest);
      assert.equal(info.mediaType, OCI_MANIFEST);
      assert.equal(info.size, appImage.size);
      assert.deepEqual(info.platforms, ['linux/amd64']);
      assert.equal(info.created, '2024-01-02T03:04:05Z');
      assert.deepEqual(info.labels, { 'org.example.seed': 'app' });

      const index = JSON.parse((await run(['inspect', `${services.open.host}/${multi}:v1`, '--json'])).stdout);
      assert.equal(index.digest, multiDigest);
      assert.equal(index.mediaType, OCI_INDEX);
      assert.deepEqual([...index.platforms].sort(), ['linux/amd64', 'linux/arm64']);

      const table = await run(['inspect', `${services.open.host}/${app}:1.0`]);
      assert.equal(table.code, 0);
      assert.match(table.stdout, new RegExp(`^Digest +${appImage.digest}$`, 'm'));
      assert.match(table.stdout, /^Labels +org\.example\.seed=app$/m);
    });
  });

  describe('tag and delete', () => {
    it('tag puts the same manifest under a new tag (digest unchanged)', async () => {
      const result = await run(['tag', `${services.open.host}/${app}:solo`, 'solo-copy', '--json']);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout), { reference: `${services.open.host}/${app}:solo-copy`, digest: soloImage.digest });
      const digest = await run(['digest', `${services.open.host}/${app}:solo-copy`]);
      assert.equal(digest.stdout.trim(), soloImage.digest);
    });

    it('delete by tag refuses when other tags share the digest, naming them; --yes deletes', async () => {
      const ref = `${services.open.host}/${app}:stable`;
      const refused = await run(['delete', ref]);
      assert.equal(refused.code, 1);
      assertOneErrorLine(refused, /1\.0.*latest|latest.*1\.0/);
      assert.equal(await manifestStatus(services.open.host, app, 'stable'), 200, 'nothing was deleted');

      const done = await run(['delete', ref, '--yes', '--json']);
      assert.equal(done.code, 0, done.stderr);
      const report = JSON.parse(done.stdout);
      assert.equal(report.digest, appImage.digest);
      assert.deepEqual([...report.deletedTags].sort(), ['1.0', 'latest', 'stable']);
      for (const tag of ['1.0', 'latest', 'stable']) assert.equal(await manifestStatus(services.open.host, app, tag), 404);
    });

    it('delete by digest names every tag it removes', async () => {
      const result = await run(['delete', `${services.open.host}/${app}@${soloImage.digest}`]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /solo, solo-copy/);
      assert.equal(await manifestStatus(services.open.host, app, 'solo'), 404);
    });

    it('delete on a registry with deletes disabled explains REGISTRY_STORAGE_DELETE_ENABLED', async () => {
      const host = services.openNoDelete.host;
      await pushImage(host, `${prefix}/keep`, ['only'], 'keep');
      const result = await run(['delete', `${host}/${prefix}/keep:only`]);
      assert.equal(result.code, 1);
      assertOneErrorLine(result, /REGISTRY_STORAGE_DELETE_ENABLED/);
      assert.equal(await manifestStatus(host, `${prefix}/keep`, 'only'), 200);
    });
  });

  describe('Basic-auth registry', () => {
    it('is refused without credentials and readable after regx login (--json outputs parse)', async () => {
      const { host, user } = services.basic;
      const dockerConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-cli-basic-'));
      try {
        const anonymous = await regx(['catalog', host], { dockerConfig });
        assert.equal(anonymous.code, 1);
        assertOneErrorLine(anonymous);
        const login = await regx(['login', `http://${host}`, '-u', user!.username, '--password-stdin', '--json'], { dockerConfig, input: user!.password });
        assert.equal(login.code, 0, login.stderr);
        assert.equal(JSON.parse(login.stdout).registry, host);
        const catalog = await regx(['catalog', host, '--json'], { dockerConfig });
        assert.equal(catalog.code, 0, catalog.stderr);
        assert.ok(Array.isArray(JSON.parse(catalog.stdout)));
        const logout = await regx(['logout', host, '--json'], { dockerConfig });
        assert.deepEqual(JSON.parse(logout.stdout), { registry: host, removed: true });
      } finally {
        fs.rmSync(dockerConfig, { recursive: true, force: true });
      }
    });
  });

  describe('interruption', () => {
    it('SIGINT while a registry does not answer exits 130 quietly', async () => {
      // Accepts connections and never answers: the request hangs until regx is interrupted. The
      // signal goes once regx has connected (its handlers are installed by then), not after a guessed
      // delay that a busy machine can overrun; port 0 keeps parallel runs from colliding.
      let connected!: () => void;
      const reached = new Promise<void>((resolve) => (connected = resolve));
      const sockets: net.Socket[] = [];
      const server = net.createServer((socket) => {
        sockets.push(socket);
        connected();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as net.AddressInfo).port;
      try {
        const child = spawn(process.execPath, [CLI, 'tags', `127.0.0.1:${port}/hangs`], { env: { ...process.env, DOCKER_CONFIG: home } });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
        await reached;
        child.kill('SIGINT');
        const code = await closed;
        assert.equal(code, 130);
        assert.equal(stderr, '');
      } finally {
        for (const socket of sockets) socket.destroy();
        server.close();
      }
    });
  });

  describe('login, logout, copy to the token registry', () => {
    const configFile = () => path.join(home, 'config.json');

    it('refuses a password on argv', async () => {
      const result = await run(['login', services.token.host, '-u', 'pusher', '-p', 'pusher-pass']);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /--password-stdin/);
      assert.ok(!result.stderr.includes('pusher-pass'));
      assert.ok(!fs.existsSync(configFile()));
    });

    it('a wrong password is exit 1, writes nothing, and never echoes the password', async () => {
      const secret = 'wrong-Secret-123';
      const result = await run(['login', services.token.host, '-u', 'pusher', '--password-stdin'], `${secret}\n`);
      assert.equal(result.code, 1);
      assertOneErrorLine(result);
      assert.ok(!result.stderr.includes(secret) && !result.stdout.includes(secret));
      assert.ok(!fs.existsSync(configFile()) || !fs.readFileSync(configFile(), 'utf8').includes(services.token.host));
    });

    it('login stores credentials as docker login does; copy open → token keeps the digest', async () => {
      const { user } = services.token;
      const login = await run(['login', services.token.host, '-u', user!.username, '--password-stdin'], `${user!.password}\n`);
      assert.equal(login.code, 0, login.stderr);
      assert.equal(login.stdout, 'Login Succeeded\n');
      assert.ok(!login.stderr.includes(user!.password));
      const config = JSON.parse(fs.readFileSync(configFile(), 'utf8'));
      const entry = config.auths[services.token.host];
      assert.equal(Buffer.from(entry.auth, 'base64').toString(), `${user!.username}:${user!.password}`);

      const copyIndex = await run(['copy', `${services.open.host}/${multi}:v1`, `${services.token.host}/${prefix}/copied:v1`]);
      assert.equal(copyIndex.code, 0, copyIndex.stderr);
      assert.equal(copyIndex.stdout, `${multiDigest}\n`);
      assert.ok(!copyIndex.stderr.includes(user!.password));
      const digest = await run(['digest', `${services.token.host}/${prefix}/copied:v1`]);
      assert.equal(digest.stdout.trim(), multiDigest);
      const tags = await run(['tags', `${services.token.host}/${prefix}/copied`, '--json']);
      assert.deepEqual(JSON.parse(tags.stdout), ['v1']);

      // Same registry, another repository: blobs are mounted; the destination keeps the source tag.
      const within = await run(['copy', `${services.token.host}/${prefix}/copied:v1`, `${services.token.host}/${prefix}/again`, '--json']);
      assert.equal(within.code, 0, within.stderr);
      assert.equal(JSON.parse(within.stdout).digest, multiDigest);
      const report = JSON.parse(within.stdout);
      assert.equal(report.reference, `${services.token.host}/${prefix}/again:v1`);
      assert.equal(report.blobsUploaded, 0, 'same registry: every blob mounted, none re-uploaded');
      assert.ok(report.blobsMounted > 0);
    });

    it('a pull-only account is refused a push: exit 1, one line', async () => {
      const { reader } = services.token;
      const login = await run(['login', services.token.host, '-u', reader!.username, '--password-stdin'], reader!.password);
      assert.equal(login.code, 0, login.stderr);
      const denied = await run(['tag', `${services.token.host}/${prefix}/copied:v1`, 'by-reader']);
      assert.equal(denied.code, 1);
      assertOneErrorLine(denied);
      assert.ok(!denied.stderr.includes(reader!.password));
      // Reading still works with the same account.
      const tags = await run(['tags', `${services.token.host}/${prefix}/copied`]);
      assert.equal(tags.stdout, 'v1\n');
      const { user } = services.token;
      const back = await run(['login', services.token.host, '-u', user!.username, '--password-stdin'], user!.password);
      assert.equal(back.code, 0, back.stderr);
    });

    it('logout erases the credential, and says so when there was nothing to remove', async () => {
      const first = await run(['logout', services.token.host]);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /Removing login credentials/);
      const config = JSON.parse(fs.readFileSync(configFile(), 'utf8'));
      assert.equal(config.auths?.[services.token.host], undefined);
      const second = await run(['logout', services.token.host]);
      assert.equal(second.code, 0);
      assert.match(second.stdout, /Not logged in/);

      // Without credentials the token registry refuses a push: exit 1, one line.
      const denied = await run(['copy', `${services.open.host}/${multi}:v1`, `${services.token.host}/${prefix}/denied:v1`]);
      assert.equal(denied.code, 1);
      assertOneErrorLine(denied);
    });
  });
});
