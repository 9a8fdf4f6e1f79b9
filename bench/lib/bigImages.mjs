// Rows 8a–8c of the bench (`--rows big`, or 8a,8b,8c): a 1 GB, 20-layer image copied across registries
// (regx copy vs skopeo copy) and pulled and pushed through the engine (regx vs the docker CLI), each beside
// the raw limit of the same machine: curl moving the same blobs with no client logic (raw-blobs.sh).
// Per run: wall time, throughput (image bytes / wall), peak RSS of the client (/usr/bin/time), and blob
// transfers in flight at the registries, sampled from the registry processes' open blob files.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeLayer } from '../../test/support/seed.mjs';
import { blobPath, sha256, wipeStore, writeBlob, writeImage } from './storage.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const RAW = path.join(here, 'raw-blobs.sh');
const BIG_SEED_VERSION = 1;
export const BIG_REPO = 'bench/huge';
// Uncompressed layer sizes in MB, like a real image's (a base, a runtime, then smaller ones): 1,000 MB.
const LAYER_MB = [150, 120, 100, 90, 80, 70, 60, 50, 45, 40, 35, 30, 25, 20, 20, 15, 15, 15, 10, 10];
// The peers' own defaults, so each raw limit moves blobs as many at a time as the peer does:
// skopeo 1.9 (containers/image) copies 6 layers at a time; dockerd downloads 3 and uploads 5.
const SKOPEO_PARALLEL = 6;
const DOCKER_DOWNLOADS = 3;
const DOCKER_UPLOADS = 5;

/** Which big-image rows `--rows` asks for: `big` or `8` means all three. */
export function bigRowsWanted(rows) {
  const all = rows.has('big') || rows.has('8');
  return { copy: all || rows.has('8a'), pull: all || rows.has('8b'), push: all || rows.has('8c') };
}

/**
 * The 1 GB image written straight into the store (gzip'd tars of incompressible bytes, so `docker pull`
 * accepts it), one layer at a time so no more than one layer is ever in memory. Kept under --root: a
 * marker records what was written and a rerun reuses it while every blob file is still there.
 */
export function seedBigImage(store, log) {
  const markerFile = path.join(store, 'bench-seed-big.json');
  let marker;
  try { marker = JSON.parse(fs.readFileSync(markerFile, 'utf8')); } catch { /* first run */ }
  const intact = (m) => m?.version === BIG_SEED_VERSION
    && [...m.blobs, { digest: m.digest, size: m.manifestSize }].every((b) => fs.statSync(blobPath(store, b.digest), { throwIfNoEntry: false })?.size === b.size);
  if (intact(marker)) {
    log(`seed: reusing ${BIG_REPO}:1 (${(marker.totalSize / 1e6).toFixed(0)} MB, ${marker.layers} layers) under --root`);
    return marker;
  }
  const t = Date.now();
  const created = '2024-06-01T00:00:00Z';
  const layers = LAYER_MB.map((mb, i) => {
    const layer = makeLayer(mb * 1e6, `bench-huge#${i}`, Math.floor(Date.parse(created) / 1000));
    writeBlob(store, layer.digest, { data: layer.blob });
    return { digest: layer.digest, size: layer.size, diffId: layer.diffId };
  });
  const config = Buffer.from(JSON.stringify({
    created, architecture: 'amd64', os: 'linux',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((_, i) => ({ created, created_by: `bench huge layer ${i}` })),
  }));
  const configBlob = { digest: sha256(config), size: config.length };
  writeBlob(store, configBlob.digest, { data: config });
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', ...configBlob },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: l.digest, size: l.size })),
  }));
  const digest = sha256(manifest);
  writeBlob(store, digest, { data: manifest });
  const blobs = [configBlob, ...layers.map(({ digest: d, size }) => ({ digest: d, size }))];
  writeImage(store, BIG_REPO, { digest, bytes: manifest, blobs }, ['1'], { blobsWritten: true });
  marker = { version: BIG_SEED_VERSION, digest, manifestSize: manifest.length, blobs, layers: layers.length, totalSize: blobs.reduce((n, b) => n + b.size, 0) };
  fs.writeFileSync(markerFile, JSON.stringify(marker));
  log(`seed: ${BIG_REPO}:1, ${layers.length} layers, ${(marker.totalSize / 1e6).toFixed(0)} MB (${((Date.now() - t) / 1000).toFixed(0)} s)`);
  return marker;
}

// ------------------------------------------------------------------------------------------ in flight

/** The pid of the registry serving `configFile` (test/services/start.mjs runs `docker-registry serve CONFIG`). */
function registryPid(configFile) {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline;
    try { cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8'); } catch { continue; }
    const argv = cmdline.split('\0');
    if (argv.includes('serve') && argv.includes(configFile)) return Number(entry);
  }
  throw new Error(`no registry process serves ${configFile}`);
}

const UPLOAD_FILE = /\/_uploads\/[^/]+\/data$/;
const BLOB_FILE = /\/blobs\/sha256\/[0-9a-f]{2}\/[0-9a-f]{64}\/data$/;

/**
 * Blob transfers in flight, seen from the registries: the distinct upload files a registry holds open
 * (one per blob being written) and the distinct blob files it holds open (one per blob being served),
 * from /proc/<pid>/fd every 10 ms. A registry opens such a file for the body of a transfer and closes
 * it at its end, so this counts transfers, not connections.
 */
class FlightMonitor {
  constructor(pids) {
    this.pids = pids;
  }

  start() {
    this.samples = [];
    this.timer = setInterval(() => this.sample(), 10);
  }

  sample() {
    const uploads = new Set();
    const reads = new Set();
    for (const pid of this.pids) {
      let fds;
      try { fds = fs.readdirSync(`/proc/${pid}/fd`); } catch { continue; }
      for (const fd of fds) {
        let target;
        try { target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { continue; }
        if (UPLOAD_FILE.test(target)) uploads.add(target);
        else if (BLOB_FILE.test(target)) reads.add(target);
      }
    }
    this.samples.push({ uploads: uploads.size, reads: reads.size });
  }

  /** Peak and mean (over samples with any transfer) of uploads and reads in flight. */
  stop() {
    clearInterval(this.timer);
    const stats = (key) => {
      const busy = this.samples.map((s) => s[key]).filter((n) => n > 0);
      return { peak: Math.max(0, ...busy), mean: busy.length ? Number((busy.reduce((a, b) => a + b, 0) / busy.length).toFixed(1)) : 0 };
    };
    return { uploads: stats('uploads'), reads: stats('reads'), samples: this.samples.length };
  }
}

// ------------------------------------------------------------------------------------------ rows

/**
 * ctx: { opts, services, env, runs, timed, measureRow, check, headDigest, log, regx, skopeo } from run.mjs.
 * Returns { seeded, rows: { copy?, pull?, push? } }, each row the measureRow summary plus throughput and
 * in-flight figures per tool.
 */
export async function bigImageRows(ctx, wanted) {
  const { services, env, timed, measureRow, check, headDigest, log, regx, skopeo } = ctx;
  const sourceStore = path.join(services.root, 'open', 'data');
  const targetStore = path.join(services.root, 'openNoDelete', 'data');
  const seeded = seedBigImage(sourceStore, log);
  const OPEN = services.open.host;
  const TARGET = services.openNoDelete.host;
  const source = `${OPEN}/${BIG_REPO}:1`;
  const digests = seeded.blobs.map((b) => b.digest);
  const monitor = new FlightMonitor([
    registryPid(path.join(services.root, 'open', 'config.yml')),
    registryPid(path.join(services.root, 'openNoDelete', 'config.yml')),
  ]);
  const scratch = path.join(ctx.opts.root, 'big-scratch');
  const rows = {};

  // Every tool's run under the monitor; its figures kept by tool for the summary.
  const flights = {};
  const watched = (name, run) => async (i) => {
    monitor.start();
    try {
      return await run(i);
    } finally {
      (flights[name] ??= []).push(monitor.stop());
    }
  };
  const measure = async (label, tools) => {
    for (const key of Object.keys(flights)) delete flights[key];
    const summary = await measureRow(label, tools.map((t) => ({ ...t, run: watched(t.name, t.run) })), { runs: ctx.runs, warmup: 0 });
    for (const [name, s] of Object.entries(summary)) {
      s.mbPerSecond = Number((seeded.totalSize / 1e6 / (s.wallMs / 1000)).toFixed(1));
      s.inFlight = flights[name];
    }
    log(`${label}: every run, in s: ${Object.entries(summary).map(([name, s]) => `${name} ${s.wallMsAll.map((ms) => (ms / 1000).toFixed(1)).join('/')}`).join('  ')}`);
    return summary;
  };
  const raw = (...args) => timed('sh', [RAW, ...args], env);
  const targetHas = (d) => fs.statSync(blobPath(targetStore, d), { throwIfNoEntry: false })?.size === seeded.blobs.find((b) => b.digest === d).size;
  const allBlobsLanded = (what) => () => check(digests.every(targetHas), `${what}: every blob in the target store with its size`);

  if (wanted.copy) {
    const copyTool = (name, run, validate) => ({ name, prepare: () => wipeStore(targetStore), run, validate });
    const landed = (name) => async (r, i) => {
      check((await headDigest(TARGET, `copies/huge-${name}-${i}`, '1')) === seeded.digest, `${name} copy landed with the source digest`);
      // What a user sees: the digest and nothing else (20 layers once made Node warn about listeners).
      if (name === 'regx') check(r.stderr() === '', `regx copy wrote nothing to stderr (it wrote ${JSON.stringify(r.stderr().slice(0, 200))})`);
    };
    rows.copy = await measure('row 8a copy 1 GB, 20 layers, to a second registry', [
      copyTool('regx', (i) => regx('copy', source, `${TARGET}/copies/huge-regx-${i}:1`), landed('regx')),
      copyTool('skopeo', (i) => skopeo('copy', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${source}`, `docker://${TARGET}/copies/huge-skopeo-${i}:1`), landed('skopeo')),
      copyTool('raw', () => raw('copy', `${OPEN}/${BIG_REPO}`, `${TARGET}/copies/huge-raw`, String(SKOPEO_PARALLEL), ...digests), allBlobsLanded('raw copy')),
      copyTool('rawUpload', () => raw('upload', TARGET, 'copies/huge-raw', String(SKOPEO_PARALLEL), sourceStore, ...digests), allBlobsLanded('raw upload')),
      { name: 'rawRead', run: () => raw('read', OPEN, BIG_REPO, String(SKOPEO_PARALLEL), ...digests) },
    ]);
  }

  const docker = (...args) => timed('docker', args, env);
  const quiet = (...args) => spawnSync('docker', args, { env, stdio: 'ignore' });
  const imageThere = (ref) => spawnSync('docker', ['image', 'inspect', ref], { env, stdio: 'ignore' }).status === 0;
  const pushRef = `${TARGET}/pushed/huge:1`;
  const layerDigests = digests.slice(1); // the config is not a layer
  const unpackLayers = () => {
    fs.mkdirSync(scratch, { recursive: true });
    return raw('unpack', OPEN, BIG_REPO, String(DOCKER_DOWNLOADS), scratch, ...layerDigests);
  };
  if (wanted.pull) {
    // Untimed: the engine's first pull from a registry also probes it (https first, then http).
    quiet('pull', source);
    const clean = () => { quiet('rmi', '-f', source); quiet('rmi', '-f', pushRef); fs.rmSync(scratch, { recursive: true, force: true }); };
    const pulled = (name) => () => check(imageThere(source), `${name} pull left ${source} in the engine`);
    rows.pull = await measure('row 8b pull 1 GB, 20 layers, through the engine', [
      { name: 'regx', prepare: clean, run: () => regx('pull', source), validate: pulled('regx') },
      { name: 'docker', prepare: clean, run: () => docker('pull', source), validate: pulled('docker') },
      // What the engine has to do at the least: fetch each layer and unpack it to disk, 3 at a time.
      { name: 'raw', prepare: clean, run: unpackLayers },
    ]);
  }
  if (wanted.push) {
    if (!imageThere(source)) quiet('pull', source);
    quiet('tag', source, pushRef);
    // The layers' files, for the raw limit that tars and compresses them as the engine does.
    const layerDirs = layerDigests.map((d) => path.join(scratch, d.slice(7, 19)));
    if (!layerDirs.every((d) => fs.existsSync(d))) {
      fs.rmSync(scratch, { recursive: true, force: true });
      const r = await unpackLayers();
      check(r.code === 0, `raw unpack for the push row: ${r.stderr()}`);
    }
    const pushed = (name) => async () => check((await headDigest(TARGET, 'pushed/huge', '1')) !== null, `${name} push landed`);
    rows.push = await measure('row 8c push 1 GB, 20 layers, through the engine (to an empty registry)', [
      { name: 'regx', prepare: () => wipeStore(targetStore), run: () => regx('push', pushRef), validate: pushed('regx') },
      { name: 'docker', prepare: () => wipeStore(targetStore), run: () => docker('push', pushRef), validate: pushed('docker') },
      // What the engine has to do at the least: tar each layer's files, gzip them, upload, 5 at a time.
      { name: 'raw', prepare: () => wipeStore(targetStore), run: () => raw('pack', TARGET, 'pushed/huge', String(DOCKER_UPLOADS), ...layerDirs) },
      // The upload half alone: the compressed blob files PUT 5 at a time.
      { name: 'rawUpload', prepare: () => wipeStore(targetStore), run: () => raw('upload', TARGET, 'pushed/huge', String(DOCKER_UPLOADS), sourceStore, ...digests), validate: allBlobsLanded('raw upload') },
    ]);
    fs.rmSync(scratch, { recursive: true, force: true });
    quiet('rmi', '-f', source);
    quiet('rmi', '-f', pushRef);
  }
  wipeStore(targetStore);
  return { seeded: { digest: seeded.digest, totalSize: seeded.totalSize, layers: seeded.layers }, rows };
}

// ------------------------------------------------------------------------------------------ table

const mb = (kb) => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MB` : '–');
const x = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '–');
const flightText = (runs, key) => (runs?.length ? `${Math.max(...runs.map((f) => f[key].peak))} (mean ${runs.map((f) => f[key].mean).join('/')})` : '–');

/** The big-image table: throughput, time ratios against the peer and the raw limit, RSS, transfers in flight. */
export function bigImageTable(big) {
  const lines = [];
  const R = big.rows;
  const row = (id, what, s, peerName, rawName, inFlightKeys) => {
    const regx = s.regx;
    const peer = s[peerName];
    const raw = s[rawName];
    lines.push([
      id, what,
      `${regx.mbPerSecond} MB/s`, `${peer.mbPerSecond} MB/s ${peerName}`, `${raw.mbPerSecond} MB/s`,
      x(regx.wallMs, peer.wallMs), x(regx.wallMs, raw.wallMs),
      `${mb(regx.rssKB)} / ${mb(peer.rssKB)}`,
      inFlightKeys.map((k) => `${k} ${flightText(regx.inFlight, k)} vs ${flightText(peer.inFlight, k)}`).join('; '),
    ]);
  };
  if (R.copy) row('8a', 'copy to a second registry', R.copy, 'skopeo', 'raw', ['uploads']);
  if (R.pull) row('8b', 'pull through the engine', R.pull, 'docker', 'raw', ['reads']);
  if (R.push) row('8c', 'push through the engine', R.push, 'docker', 'raw', ['uploads']);
  const head = ['row', `operation (${(big.seeded.totalSize / 1e6).toFixed(0)} MB, ${big.seeded.layers} layers)`, 'regx', 'peer', 'raw limit', 'time regx/peer', 'time regx/raw', 'peak RSS regx / peer', 'blobs in flight, peak (mean per run): regx vs peer'];
  const extra = [];
  if (R.copy) extra.push(`8a raw limits: curl GET | curl PUT ${R.copy.raw.mbPerSecond} MB/s, curl -T of the blob files ${R.copy.rawUpload.mbPerSecond} MB/s, curl GET to /dev/null ${R.copy.rawRead.mbPerSecond} MB/s (${SKOPEO_PARALLEL} at a time)`);
  if (R.pull) extra.push(`8b raw limit: curl GET | tar -xz, ${DOCKER_DOWNLOADS} at a time (dockerd's max-concurrent-downloads)`);
  if (R.push) extra.push(`8c raw limit: tar -c | gzip | curl PATCH + PUT ${R.push.raw.mbPerSecond} MB/s, ${DOCKER_UPLOADS} at a time (dockerd's max-concurrent-uploads); curl -T of the compressed blob files alone ${R.push.rawUpload.mbPerSecond} MB/s`);
  return { head, lines, extra };
}
