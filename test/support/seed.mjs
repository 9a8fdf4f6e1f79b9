// Pushes sample content into a registry over plain HTTP with Node's fetch and the raw Distribution API.
// It deliberately does not use our client (src/distribution), so what it writes is an independent
// cross-check of what our client reads. TypeScript tests load it through ./seeding.ts.
//
//   seedImage(host, repository, tag, { layers: [sizes], platform, labels, created, format, auth })
//   seedIndex(host, repository, tag, { platforms, attestation, format, auth, ... })
//   seedArtifact(host, repository, subject, { artifactType, payload, tag, auth })
//   seedManyTags(host, repository, count, { prefix, concurrency, auth })
// `host` is `127.0.0.1:port`; `auth` is { username, password } for Basic or token registries.
import crypto from 'node:crypto';
import zlib from 'node:zlib';

export const MediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  inToto: 'application/vnd.in-toto+json',
};

const ACCEPT_ALL = [MediaTypes.ociManifest, MediaTypes.ociIndex, MediaTypes.dockerManifest, MediaTypes.dockerList].join(', ');

export const sha256 = (buf) => `sha256:${crypto.createHash('sha256').update(buf).digest('hex')}`;

// ---------------------------------------------------------------------------------------------
// Auth: try without credentials, answer the registry's challenge (Basic or Bearer), retry once.

const authCache = new Map(); // `${host}|${repository}|${username}` -> Authorization header value

function parseChallenge(header) {
  const m = /^\s*(\w+)\s+(.*)$/.exec(header ?? '');
  if (!m) return undefined;
  const params = {};
  for (const p of m[2].matchAll(/(\w+)="([^"]*)"/g)) params[p[1].toLowerCase()] = p[2];
  return { scheme: m[1].toLowerCase(), params };
}

async function authorize(host, repository, auth, challengeHeader) {
  const challenge = parseChallenge(challengeHeader);
  if (!challenge) throw new Error(`seed: ${host} answered 401 without a challenge`);
  const basic = auth ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` : undefined;
  if (challenge.scheme === 'basic') {
    if (!basic) throw new Error(`seed: ${host} wants Basic credentials and none were given`);
    return basic;
  }
  if (challenge.scheme !== 'bearer') throw new Error(`seed: unsupported challenge scheme ${challenge.scheme}`);
  const url = new URL(challenge.params.realm);
  if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
  const scopes = new Set(repository ? [`repository:${repository}:pull,push`] : []);
  if (challenge.params.scope) scopes.add(challenge.params.scope);
  for (const s of scopes) url.searchParams.append('scope', s);
  const res = await fetch(url, { headers: basic ? { authorization: basic } : {} });
  if (!res.ok) throw new Error(`seed: token request to ${url.origin} answered ${res.status}`);
  const body = await res.json();
  return `Bearer ${body.token ?? body.access_token}`;
}

/**
 * One registry request with the auth dance. `body` must be replayable (a Buffer or string).
 * Resolves with the fetch Response; throws when the status is not in `expect`.
 */
export async function registryRequest(host, repository, method, pathOrUrl, { headers = {}, body, auth, expect = [200] } = {}) {
  const url = new URL(pathOrUrl, `http://${host}`);
  const key = `${host}|${repository ?? ''}|${auth?.username ?? ''}`;
  const send = (authorization) => fetch(url, {
    method, body, redirect: 'follow',
    headers: { ...headers, ...(authorization ? { authorization } : {}) },
  });
  let res = await send(authCache.get(key));
  if (res.status === 401) {
    await res.arrayBuffer();
    const authorization = await authorize(host, repository, auth, res.headers.get('www-authenticate'));
    authCache.set(key, authorization);
    res = await send(authorization);
  }
  if (!expect.includes(res.status)) {
    const text = await res.text().catch(() => '');
    throw new Error(`seed: ${method} ${url.pathname} on ${host} answered ${res.status}: ${text.slice(0, 300)}`);
  }
  return res;
}

// ---------------------------------------------------------------------------------------------
// Content: deterministic pseudo-random bytes, a one-file tar, gzip.

function pseudoRandomBytes(size, seed) {
  // AES-CTR over zeros: fast, deterministic for a seed, and incompressible so sizes stay meaningful.
  const key = crypto.createHash('sha256').update(seed).digest();
  const cipher = crypto.createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

function tarOneFile(name, data, mtime) {
  const header = Buffer.alloc(512);
  const put = (offset, length, value) => header.write(value, offset, length, 'ascii');
  const octal = (n, length) => n.toString(8).padStart(length - 1, '0') + '\0';
  put(0, 100, name);
  put(100, 8, octal(0o644, 8));
  put(108, 8, octal(0, 8));
  put(116, 8, octal(0, 8));
  put(124, 12, octal(data.length, 12));
  put(136, 12, octal(mtime, 12));
  put(148, 8, '        '); // checksum is computed with its own field as spaces
  put(156, 1, '0');
  put(257, 6, 'ustar\0');
  put(263, 2, '00');
  let sum = 0;
  for (const b of header) sum += b;
  put(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, padding, Buffer.alloc(1024)]);
}

/** A real gzip'd tar layer holding one file of `size` bytes. */
export function makeLayer(size, seed, mtime = 0) {
  const tar = tarOneFile(`seed/file-${crypto.createHash('sha1').update(seed).digest('hex').slice(0, 8)}.bin`, pseudoRandomBytes(size, seed), mtime);
  const gz = zlib.gzipSync(tar);
  return { blob: gz, digest: sha256(gz), size: gz.length, diffId: sha256(tar) };
}

// ---------------------------------------------------------------------------------------------
// Pushing.

export async function pushBlob(host, repository, blob, { auth, digest = sha256(blob) } = {}) {
  const head = await registryRequest(host, repository, 'HEAD', `/v2/${repository}/blobs/${digest}`, { auth, expect: [200, 404] });
  if (head.status === 200) return digest;
  const start = await registryRequest(host, repository, 'POST', `/v2/${repository}/blobs/uploads/`, { auth, expect: [202] });
  const location = new URL(start.headers.get('location'), `http://${host}`);
  location.searchParams.set('digest', digest);
  await registryRequest(host, repository, 'PUT', location.href, {
    auth, body: blob, expect: [201],
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.length) },
  });
  return digest;
}

/** PUTs a manifest object under `reference` (tag or digest); checks the registry's digest against ours. */
export async function pushManifest(host, repository, reference, manifest, { auth } = {}) {
  const bytes = Buffer.from(JSON.stringify(manifest));
  const digest = sha256(bytes);
  const res = await registryRequest(host, repository, 'PUT', `/v2/${repository}/manifests/${reference}`, {
    auth, body: bytes, expect: [201], headers: { 'content-type': manifest.mediaType },
  });
  const answered = res.headers.get('docker-content-digest');
  if (answered && answered !== digest) throw new Error(`seed: registry computed ${answered} for a manifest we hashed as ${digest}`);
  return { digest, size: bytes.length, mediaType: manifest.mediaType, bytes };
}

/** GETs a manifest (any type) and returns { status, digest, mediaType, manifest } or { status: 404 }. */
export async function getManifest(host, repository, reference, { auth } = {}) {
  const res = await registryRequest(host, repository, 'GET', `/v2/${repository}/manifests/${reference}`, {
    auth, expect: [200, 404], headers: { accept: ACCEPT_ALL },
  });
  if (res.status === 404) { await res.arrayBuffer(); return { status: 404 }; }
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: 200, digest: sha256(bytes), mediaType: res.headers.get('content-type'), manifest: JSON.parse(bytes.toString('utf8')) };
}

/**
 * Pushes one image: `layers` gzip'd tar layers of roughly the given sizes, a config, and the manifest.
 * `tag` may be undefined to push by digest only (as index children are).
 * options: layers (default [1024]), platform ({os, architecture, variant}), labels, created (ISO string),
 *          format ('oci' | 'docker', default 'oci'), seed (content seed; default repository:tag), auth.
 */
export async function seedImage(host, repository, tag, options = {}) {
  const {
    layers: sizes = [1024], platform = { os: 'linux', architecture: 'amd64' }, labels = {},
    created = '2024-01-01T00:00:00Z', format = 'oci', auth,
  } = options;
  const seed = options.seed ?? `${repository}:${tag ?? ''}:${platform.os}/${platform.architecture}${platform.variant ?? ''}`;
  const docker = format === 'docker';
  const createdSeconds = Math.floor(Date.parse(created) / 1000);

  const layers = sizes.map((size, i) => makeLayer(size, `${seed}#${i}`, createdSeconds));
  const config = {
    created,
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['/bin/sh'], Labels: labels },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((_, i) => ({ created, created_by: `seed layer ${i}` })),
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDigest = sha256(configBytes);

  // Blobs in parallel: they are independent, and the config goes up with them.
  await Promise.all([
    ...layers.map((l) => pushBlob(host, repository, l.blob, { auth, digest: l.digest })),
    pushBlob(host, repository, configBytes, { auth, digest: configDigest }),
  ]);

  const manifest = {
    schemaVersion: 2,
    mediaType: docker ? MediaTypes.dockerManifest : MediaTypes.ociManifest,
    config: { mediaType: docker ? MediaTypes.dockerConfig : MediaTypes.ociConfig, digest: configDigest, size: configBytes.length },
    layers: layers.map((l) => ({ mediaType: docker ? MediaTypes.dockerLayer : MediaTypes.ociLayer, digest: l.digest, size: l.size })),
  };
  const pushed = await pushManifest(host, repository, tag ?? sha256(Buffer.from(JSON.stringify(manifest))), manifest, { auth });
  return {
    reference: tag ? `${host}/${repository}:${tag}` : `${host}/${repository}@${pushed.digest}`,
    digest: pushed.digest, mediaType: pushed.mediaType, size: pushed.size,
    configDigest, config, manifest, platform,
    layers: layers.map(({ digest, size, diffId }) => ({ digest, size, diffId })),
    totalSize: configBytes.length + layers.reduce((n, l) => n + l.size, 0),
  };
}

/** A buildx-style attestation manifest for `imageDigest` (in-toto layers, platform unknown/unknown). */
async function seedAttestation(host, repository, imageDigest, { auth, created }) {
  const statement = Buffer.from(JSON.stringify({
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://slsa.dev/provenance/v0.2',
    subject: [{ name: repository, digest: { sha256: imageDigest.slice('sha256:'.length) } }],
    predicate: { builder: { id: 'regx-seed' }, metadata: { buildStartedOn: created } },
  }));
  const config = Buffer.from(JSON.stringify({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [sha256(statement)] } }));
  await Promise.all([pushBlob(host, repository, statement, { auth }), pushBlob(host, repository, config, { auth })]);
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { mediaType: MediaTypes.ociConfig, digest: sha256(config), size: config.length },
    layers: [{
      mediaType: MediaTypes.inToto, digest: sha256(statement), size: statement.length,
      annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' },
    }],
  };
  const digestRef = sha256(Buffer.from(JSON.stringify(manifest)));
  return pushManifest(host, repository, digestRef, manifest, { auth });
}

/**
 * Pushes a multi-platform index under `tag`: one image per platform (by digest) and, for OCI,
 * a buildx-style attestation manifest per image (set attestation: false to leave them out).
 * options: platforms (default linux/amd64 and linux/arm64/v8), layers, labels, created, format, auth.
 */
export async function seedIndex(host, repository, tag, options = {}) {
  const {
    platforms = [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    format = 'oci', auth, created = '2024-01-01T00:00:00Z',
  } = options;
  const attestation = options.attestation ?? format === 'oci';
  const images = [];
  for (const platform of platforms) {
    images.push(await seedImage(host, repository, undefined, { ...options, platform, created, seed: `${repository}:${tag}:${platform.architecture}${platform.variant ?? ''}` }));
  }
  const manifests = images.map((img) => ({ mediaType: img.mediaType, digest: img.digest, size: img.size, platform: img.platform }));
  const attestations = [];
  if (attestation) {
    for (const img of images) {
      const att = await seedAttestation(host, repository, img.digest, { auth, created });
      attestations.push({ digest: att.digest, size: att.size, for: img.digest });
      manifests.push({
        mediaType: MediaTypes.ociManifest, digest: att.digest, size: att.size,
        platform: { architecture: 'unknown', os: 'unknown' },
        annotations: { 'vnd.docker.reference.digest': img.digest, 'vnd.docker.reference.type': 'attestation-manifest' },
      });
    }
  }
  const index = { schemaVersion: 2, mediaType: format === 'docker' ? MediaTypes.dockerList : MediaTypes.ociIndex, manifests };
  const pushed = await pushManifest(host, repository, tag, index, { auth });
  return {
    reference: `${host}/${repository}:${tag}`,
    digest: pushed.digest, mediaType: pushed.mediaType, size: pushed.size,
    index, images, attestations,
  };
}

/**
 * Pushes an OCI 1.1 artifact whose `subject` is `subject` ({ digest, mediaType, size }, e.g. what
 * seedImage returned), and maintains the referrers tag fallback `sha256-<hex>` (an index of referrers),
 * because Distribution 2.8 has no referrers API.
 * options: artifactType (default application/vnd.example.sbom.v1+json), payload (string or object),
 *          annotations, tag (also tag the artifact itself), auth.
 */
export async function seedArtifact(host, repository, subject, options = {}) {
  const { artifactType = 'application/vnd.example.sbom.v1+json', auth, tag } = options;
  const annotations = { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z', ...(options.annotations ?? {}) };
  const payload = Buffer.from(typeof options.payload === 'string' ? options.payload
    : JSON.stringify(options.payload ?? { spdxVersion: 'SPDX-2.3', name: repository, for: subject.digest }));
  const empty = Buffer.from('{}');
  await Promise.all([pushBlob(host, repository, payload, { auth }), pushBlob(host, repository, empty, { auth })]);
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    artifactType,
    config: { mediaType: MediaTypes.ociEmpty, digest: sha256(empty), size: empty.length },
    layers: [{ mediaType: artifactType, digest: sha256(payload), size: payload.length }],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations,
  };
  const pushed = await pushManifest(host, repository, tag ?? sha256(Buffer.from(JSON.stringify(manifest))), manifest, { auth });

  // The fallback tag holds an index of every referrer of the subject: merge with what is there.
  const fallbackTag = `sha256-${subject.digest.slice('sha256:'.length)}`;
  const existing = await getManifest(host, repository, fallbackTag, { auth });
  const previous = existing.status === 200 && Array.isArray(existing.manifest.manifests) ? existing.manifest.manifests : [];
  const entry = { mediaType: MediaTypes.ociManifest, digest: pushed.digest, size: pushed.size, artifactType, annotations };
  const index = {
    schemaVersion: 2, mediaType: MediaTypes.ociIndex,
    manifests: [...previous.filter((m) => m.digest !== pushed.digest), entry],
  };
  const indexPushed = await pushManifest(host, repository, fallbackTag, index, { auth });
  return {
    digest: pushed.digest, mediaType: pushed.mediaType, size: pushed.size, artifactType, manifest,
    fallbackTag, fallbackIndexDigest: indexPushed.digest,
  };
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function eachLimited(items, limit, fn) {
  let next = 0;
  const worker = async () => { while (next < items.length) { const i = next++; await fn(items[i], i); } };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Puts one small image under `count` tags: `${prefix}${i}` with i zero-padded to the width of count-1
 * (prefix default 'tag-'), so name order equals number order. Returns { digest, tags }.
 */
export async function seedManyTags(host, repository, count, options = {}) {
  const { prefix = 'tag-', concurrency = 8, auth } = options;
  const width = String(Math.max(count - 1, 0)).length;
  const tags = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(width, '0')}`);
  const image = await seedImage(host, repository, undefined, { layers: [64], auth, seed: `${repository}:many` });
  await eachLimited(tags, concurrency, (t) => pushManifest(host, repository, t, image.manifest, { auth }));
  return { digest: image.digest, mediaType: image.mediaType, size: image.size, tags };
}
