// The Node floor: the least any Node program can do for a bench row, so the table can say how much of
// regx's distance to skopeo or the docker CLI is Node's own and how much is regx's. Plain node:http,
// the fewest requests (no /v2/ ping: these registries are open), no options, no error handling beyond
// a non-zero exit, no credentials. Blob digests are still checked, as any real copy must check them.
// Not a tool: a ruler.
//
//   node floor.cjs tags HOST REPO                   every tag, sorted, one per line
//   node floor.cjs copy SRC_HOST/REPO:TAG DST_HOST/REPO:TAG
//   node floor.cjs pull REF | push REF              through the engine at DOCKER_HOST (unix socket)
'use strict';
const http = require('node:http');

const agent = new http.Agent({ keepAlive: true });

function request(target, method, path, headers = {}, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ ...target, method, path, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (body && typeof body.pipe === 'function') body.pipe(req);
    else req.end(body);
  });
}

function hostTarget(hostPort) {
  const [host, port] = hostPort.split(':');
  return { host, port: Number(port) };
}

function splitRef(ref) {
  const slash = ref.indexOf('/');
  const colon = ref.lastIndexOf(':');
  return { target: hostTarget(ref.slice(0, slash)), repo: ref.slice(slash + 1, colon), tag: ref.slice(colon + 1) };
}

function fail(what) {
  process.stderr.write(`floor: ${what}\n`);
  process.exit(1);
}

const MANIFEST_ACCEPT = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';

async function tags(hostPort, repo) {
  const res = await request(hostTarget(hostPort), 'GET', `/v2/${repo}/tags/list`);
  if (res.status !== 200) fail(`tags/list ${res.status}`);
  return `${JSON.parse(res.body).tags.sort().join('\n')}\n`;
}

async function copy(srcRef, dstRef) {
  const src = splitRef(srcRef);
  const dst = splitRef(dstRef);
  const sameRegistry = src.target.host === dst.target.host && src.target.port === dst.target.port;
  const got = await request(src.target, 'GET', `/v2/${src.repo}/manifests/${src.tag}`, { accept: MANIFEST_ACCEPT });
  if (got.status !== 200) fail(`manifest ${got.status}`);
  const manifest = JSON.parse(got.body);
  await Promise.all([manifest.config, ...manifest.layers].map((d) => (sameRegistry ? mount(src, dst, d) : transfer(src, dst, d))));
  const put = await request(dst.target, 'PUT', `/v2/${dst.repo}/manifests/${dst.tag}`, { 'content-type': got.headers['content-type'] }, got.body);
  if (put.status !== 201) fail(`manifest put ${put.status}`);
  return `${put.headers['docker-content-digest']}\n`;
}

async function mount(src, dst, descriptor) {
  const res = await request(dst.target, 'POST', `/v2/${dst.repo}/blobs/uploads/?mount=${encodeURIComponent(descriptor.digest)}&from=${encodeURIComponent(src.repo)}`);
  if (res.status !== 201) fail(`mount ${res.status}`);
}

/** POST an upload while the GET starts; stream GET → sha256 → PUT. */
async function transfer(src, dst, descriptor) {
  const { createHash } = require('node:crypto');
  const body = new Promise((resolve, reject) => {
    http.get({ ...src.target, path: `/v2/${src.repo}/blobs/${descriptor.digest}`, agent }, resolve).on('error', reject);
  });
  const started = await request(dst.target, 'POST', `/v2/${dst.repo}/blobs/uploads/`);
  if (started.status !== 202) fail(`upload start ${started.status}`);
  const source = await body;
  const hash = createHash('sha256');
  source.on('data', (chunk) => hash.update(chunk));
  const location = new URL(started.headers.location, `http://${dst.target.host}:${dst.target.port}`);
  location.searchParams.set('digest', descriptor.digest);
  const put = await request(dst.target, 'PUT', location.pathname + location.search, { 'content-type': 'application/octet-stream', 'content-length': String(descriptor.size) }, source);
  if (put.status !== 201 || `sha256:${hash.digest('hex')}` !== descriptor.digest) fail(`blob ${descriptor.digest} ${put.status}`);
}

/** Ping for the API version, then one streamed POST; the last progress line says how it ended. */
async function engine(action, ref) {
  const target = { socketPath: (process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '') };
  const ping = await request(target, 'HEAD', '/_ping');
  const version = ping.headers['api-version'];
  const colon = ref.lastIndexOf(':');
  const name = ref.slice(0, colon);
  const tag = ref.slice(colon + 1);
  const res =
    action === 'pull'
      ? await request(target, 'POST', `/v${version}/images/create?fromImage=${encodeURIComponent(name)}&tag=${encodeURIComponent(tag)}`)
      : await request(target, 'POST', `/v${version}/images/${encodeURIComponent(name)}/push?tag=${encodeURIComponent(tag)}`, { 'x-registry-auth': 'e30=' });
  const text = res.body.toString('utf8');
  if (res.status !== 200 || text.includes('"errorDetail"')) fail(`${action} ${res.status}: ${text.slice(-300)}`);
  return `${text.trim().split('\n').pop()}\n`;
}

async function main() {
  const [command, ...args] = process.argv.slice(2);
  let out;
  if (command === 'tags') out = await tags(args[0], args[1]);
  else if (command === 'copy') out = await copy(args[0], args[1]);
  else if (command === 'pull' || command === 'push') out = await engine(command, args[0]);
  else fail(`unknown command ${command}`);
  process.stdout.write(out, () => process.exit(0));
}

main().catch((err) => fail(err.message));
