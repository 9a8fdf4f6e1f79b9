// Writes content straight into a Distribution 2.8 registry's filesystem storage, the layout its
// filesystem driver reads (docker/registry/v2/...). Seeding 100,000 tags over HTTP would take minutes;
// written to disk it takes seconds, and the registry serves it exactly as if it had been pushed:
//   blobs/sha256/<2 hex>/<hex>/data                                   blob (and manifest) bytes
//   repositories/<name>/_layers/sha256/<hex>/link                     "this repo has that blob"
//   repositories/<name>/_manifests/revisions/sha256/<hex>/link        "this repo has that manifest"
//   repositories/<name>/_manifests/tags/<tag>/current/link            the tag -> digest
//   repositories/<name>/_manifests/tags/<tag>/index/sha256/<hex>/link the tag's history
// The registries run without a blob descriptor cache, so what is written is seen on the next request.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { makeLayer } from '../../test/support/seed.mjs';

export const sha256 = (buf) => `sha256:${crypto.createHash('sha256').update(buf).digest('hex')}`;
const hexOf = (digest) => digest.slice('sha256:'.length);
const v2 = (root) => path.join(root, 'docker', 'registry', 'v2');

function writeFile(file, data) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
}

export function blobPath(root, digest) {
  const hex = hexOf(digest);
  return path.join(v2(root), 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
}

/** A blob into a registry's store: bytes, or a hard link to the same blob in another store. */
export function writeBlob(root, digest, { data, linkFrom } = {}) {
  const file = blobPath(root, digest);
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (linkFrom) fs.linkSync(blobPath(linkFrom, digest), file);
  else fs.writeFileSync(file, data);
}

/**
 * An image (as built by makeImage) into repository `repo` of the store at `root`, under `tags`.
 * `linkFrom`: a store that already holds the blobs (hard links instead of copies).
 * `tagIndex: true` also writes the per-tag history link (only tag deletion reads it).
 * `blobsWritten: true` skips the blob checks (the caller already wrote this image's blobs to this store).
 */
export function writeImage(root, repo, image, tags = [], { linkFrom, tagIndex = false, blobsWritten = false } = {}) {
  if (!blobsWritten) {
    for (const blob of image.blobs) writeBlob(root, blob.digest, linkFrom ? { linkFrom } : { data: blob.data });
    writeBlob(root, image.digest, linkFrom ? { linkFrom } : { data: image.bytes });
  }
  const repoDir = path.join(v2(root), 'repositories', repo);
  for (const blob of image.blobs) writeFile(path.join(repoDir, '_layers', 'sha256', hexOf(blob.digest), 'link'), blob.digest);
  writeFile(path.join(repoDir, '_manifests', 'revisions', 'sha256', hexOf(image.digest), 'link'), image.digest);
  writeTags(root, repo, image.digest, tags, { tagIndex });
}

/** Tags pointing at a manifest the repository already holds. */
export function writeTags(root, repo, digest, tags, { tagIndex = false } = {}) {
  const tagsDir = path.join(v2(root), 'repositories', repo, '_manifests', 'tags');
  fs.mkdirSync(tagsDir, { recursive: true });
  for (const tag of tags) {
    // Two plain mkdirs and one write per tag: this loop runs 100,000 times.
    const tagDir = path.join(tagsDir, tag);
    const current = path.join(tagDir, 'current');
    try { fs.mkdirSync(tagDir); } catch (err) { if (err.code !== 'EEXIST') throw err; }
    try { fs.mkdirSync(current); } catch (err) { if (err.code !== 'EEXIST') throw err; }
    fs.writeFileSync(path.join(current, 'link'), digest);
    if (tagIndex) writeFile(path.join(tagsDir, tag, 'index', 'sha256', hexOf(digest), 'link'), digest);
  }
}

/** Removes everything a store holds (the registry recreates its folders as it needs them). */
export function wipeStore(root) {
  fs.rmSync(v2(root), { recursive: true, force: true });
}

const MT = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
};

/**
 * A runnable linux/amd64 image (Docker schema 2): gzip'd tar layers of the given uncompressed
 * sizes with incompressible content, and a config whose diff_ids match, so `docker pull` accepts it.
 * Returns { digest, bytes, mediaType, blobs: [{digest, data, size}], totalSize }.
 */
export function makeImage({ layerSizes = [64], seed = 'bench', created = '2024-01-01T00:00:00Z', labels = {} } = {}) {
  const createdSeconds = Math.floor(Date.parse(created) / 1000);
  const layers = layerSizes.map((size, i) => makeLayer(size, `${seed}#${i}`, createdSeconds));
  const config = Buffer.from(JSON.stringify({
    created, architecture: 'amd64', os: 'linux',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['/bin/sh'], Labels: labels },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((_, i) => ({ created, created_by: `bench layer ${i}` })),
  }));
  const configDigest = sha256(config);
  const manifest = {
    schemaVersion: 2,
    mediaType: MT.dockerManifest,
    config: { mediaType: MT.dockerConfig, digest: configDigest, size: config.length },
    layers: layers.map((l) => ({ mediaType: MT.dockerLayer, digest: l.digest, size: l.size })),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const blobs = [{ digest: configDigest, data: config, size: config.length }, ...layers.map((l) => ({ digest: l.digest, data: l.blob, size: l.size }))];
  return {
    digest: sha256(bytes), bytes, mediaType: MT.dockerManifest, blobs,
    totalSize: blobs.reduce((n, b) => n + b.size, 0),
  };
}
