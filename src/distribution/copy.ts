// Copy an image (or a whole multi-platform index) between repositories or registries without pulling
// it into an engine. The manifest bytes are pushed unchanged, so the digest is preserved.

import { DigestMismatchError } from '../errors/errors';
import { pullScope, pushScopes, type BlobHead, type RegistryClient } from './client';
import { Limiter, mapLimit } from './concurrency';
import { isDigest } from './digest';
import { assertPushable, manifestBlobs, type IndexJson } from './manifests';
import { isNondistributableLayer } from './mediaTypes';
import type { Descriptor, ManifestResult } from './types';

export interface CopyEvent {
  kind: 'blob' | 'manifest';
  digest: string;
  size: number;
  /** exists: already in the target; mounted: linked from the source repository of the same registry. */
  action: 'exists' | 'mounted' | 'uploaded' | 'pushed';
}

export interface CopyOptions {
  source: { client: RegistryClient; repository: string; reference: string };
  /** Without a tag, the source's tag is used (or, for a source digest, the digest alone). */
  target: { client: RegistryClient; repository: string; tag?: string };
  signal?: AbortSignal;
  onProgress?: (event: CopyEvent) => void;
  /** Blob transfers in flight at once (and child manifests handled at once). Default 4. */
  concurrency?: number;
  /**
   * Also copy the referrers (signatures, SBOMs, attestations attached by `subject`) of the image, of
   * an index's children, and of the referrers themselves, by digest.
   */
  referrers?: boolean;
}

export interface CopyResult {
  digest: string;
  mediaType: string;
  /** Where it landed: "repo:tag" or "repo@digest". */
  target: string;
  manifestsPushed: number;
  manifestsSkipped: number;
  blobsUploaded: number;
  blobsMounted: number;
  blobsSkipped: number;
  bytesUploaded: number;
  /**
   * Referrers copied (options.referrers), or false when they were not asked for: signatures, SBOMs
   * and attestations attached by `subject` then stay behind, and callers should say so.
   */
  referrersCopied: number | false;
}

export async function copyImage(options: CopyOptions): Promise<CopyResult> {
  const { source, target, signal } = options;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const sameRegistry = source.client.registry === target.client.registry;
  const canMount = sameRegistry && source.repository !== target.repository;
  const result: CopyResult = {
    digest: '',
    mediaType: '',
    target: '',
    manifestsPushed: 0,
    manifestsSkipped: 0,
    blobsUploaded: 0,
    blobsMounted: 0,
    blobsSkipped: 0,
    bytesUploaded: 0,
    referrersCopied: false,
  };
  const report = (event: CopyEvent) => options.onProgress?.(event);
  // Only blob transfers take limiter slots (leaf work), so nested index levels cannot deadlock.
  const blobLimiter = new Limiter(concurrency);
  // Platforms of one index share layers: transfer each digest once.
  const blobJobs = new Map<string, Promise<void>>();

  // HEADs of the target's blobs asked ahead (see below), by digest; each is used once.
  const earlyHeads = new Map<string, Promise<BlobHead | undefined>>();
  const headBlob = (digest: string): Promise<BlobHead | undefined> => {
    const early = earlyHeads.get(digest);
    earlyHeads.delete(digest);
    return early ?? target.client.headBlob(target.repository, digest, { signal });
  };

  const copyBlob = async (descriptor: Descriptor): Promise<void> => {
    // Inside one registry the mount itself says whether the blob is there: 201 (linked, or already
    // present) means done, 202 opens the upload we need anyway. A HEAD first would only add a request.
    if (!canMount && (await headBlob(descriptor.digest))) {
      result.blobsSkipped++;
      report({ kind: 'blob', digest: descriptor.digest, size: descriptor.size, action: 'exists' });
      return;
    }
    const outcome = await target.client.uploadBlob(
      target.repository,
      descriptor,
      () => source.client.getBlob(source.repository, descriptor, { signal }),
      // A mount is only possible inside one registry; uploadBlob falls back to a real upload.
      { signal, mountFrom: canMount ? source.repository : undefined },
    );
    if (outcome === 'mounted') result.blobsMounted++;
    else {
      result.blobsUploaded++;
      result.bytesUploaded += descriptor.size;
    }
    report({ kind: 'blob', digest: descriptor.digest, size: descriptor.size, action: outcome });
  };

  const copyBlobOnce = (descriptor: Descriptor): Promise<void> => {
    let job = blobJobs.get(descriptor.digest);
    if (!job) {
      job = blobLimiter.run(() => copyBlob(descriptor));
      blobJobs.set(descriptor.digest, job);
    }
    return job;
  };

  /** Resolves to whether the target indexed the manifest's subject for its referrers API. */
  const pushManifest = async (manifest: ManifestResult, reference: string): Promise<boolean> => {
    const { digest, subjectIndexed } = await target.client.pushManifest(target.repository, reference, manifest.bytes, manifest.mediaType, { signal });
    if (digest !== manifest.digest) throw new DigestMismatchError(`${target.client.registry}/${target.repository}:${reference}`, manifest.digest, digest);
    result.manifestsPushed++;
    report({ kind: 'manifest', digest, size: manifest.bytes.byteLength, action: 'pushed' });
    return subjectIndexed;
  };

  /** Everything a manifest needs in the target (children, blobs), then the manifest itself (pushManifest's answer). */
  const copyTree = async (manifest: ManifestResult, reference: string): Promise<boolean> => {
    assertPushable(manifest.mediaType, `${source.client.registry}/${source.repository}@${manifest.digest}`);
    if (manifest.kind === 'index') {
      // Children first, by digest: the target refuses an index whose manifests it does not have.
      await mapLimit((manifest.parsed as IndexJson).manifests, concurrency, async (child) => {
        const present = await target.client.headManifest(target.repository, child.digest, { signal });
        if (present) {
          result.manifestsSkipped++;
          report({ kind: 'manifest', digest: child.digest, size: child.size, action: 'exists' });
          return;
        }
        const childManifest = await source.client.getManifest(source.repository, child.digest, { signal });
        await copyTree(childManifest, child.digest);
      });
    } else {
      // Config and layers before the manifest. Largest first: with more blobs than slots, the longest
      // transfers should not start last.
      await Promise.all(distributableBlobs(manifest).sort((a, b) => b.size - a.size).map(copyBlobOnce));
    }
    return pushManifest(manifest, reference);
  };

  /** The image's referrers, an index's children's, and theirs (a signature on an SBOM), each by digest. */
  const copyReferrers = async (top: ManifestResult): Promise<number> => {
    const subjects = [top.digest, ...(top.kind === 'index' ? (top.parsed as IndexJson).manifests.map((m) => m.digest) : [])];
    const done = new Set<string>();
    for (let i = 0; i < subjects.length; i++) {
      const subject = subjects[i];
      const unindexed: Descriptor[] = [];
      for (const referrer of await source.client.referrers(source.repository, subject, { signal })) {
        if (done.has(referrer.digest)) continue;
        done.add(referrer.digest);
        const manifest = await source.client.getManifest(source.repository, referrer.digest, { signal });
        if (!(await copyTree(manifest, manifest.digest))) unindexed.push(referrer);
        subjects.push(referrer.digest);
      }
      // A target without the referrers API finds them through the subject's fallback tag.
      if (unindexed.length) await target.client.addToReferrersTag(target.repository, subject, unindexed, { signal });
    }
    return done.size;
  };

  // One token for the whole copy, asked once: within one registry it covers the source's pull and
  // the target's pull,push (mounts need both); across registries each side gets one token.
  const targetScopes = pushScopes(target.repository);
  const sharedSession = source.client.session === target.client.session;
  await Promise.all([
    target.client.session.authorizeAhead?.(sameRegistry ? [pullScope(source.repository), ...targetScopes] : targetScopes, signal),
    sharedSession ? undefined : source.client.session.authorizeAhead?.([pullScope(source.repository)], signal),
  ]);

  if (!sharedSession) {
    // The target's first requests are existence checks (HEADs whose 404 is an answer), which cannot
    // stand in for its /v2/ ping: ping it while the source manifest is fetched, one round trip less.
    // A failure here is met again, and reported, by the requests that need the target.
    void target.client.session.baseUrl(signal).catch(() => undefined);
  }
  const top = await source.client.getManifest(source.repository, source.reference, { signal });
  const reference = target.tag ?? (isDigest(source.reference) ? top.digest : source.reference);
  result.digest = top.digest;
  result.mediaType = top.mediaType;
  result.target = `${target.client.registry}/${target.repository}${isDigest(reference) ? '@' : ':'}${reference}`;

  if (!canMount && top.kind !== 'index') {
    // Unless the image is already there, each blob is HEADed next: ask while the manifest is asked
    // about, one round trip less before any bytes move (wasted only when the image is there).
    for (const d of distributableBlobs(top)) {
      if (earlyHeads.has(d.digest)) continue;
      const head = target.client.headBlob(target.repository, d.digest, { signal });
      head.catch(() => undefined); // an unused one must not fail the process; a used one is awaited
      earlyHeads.set(d.digest, head);
    }
  }
  // Within one registry the mounts cost what the HEAD that could spare them costs, and answer the
  // same question (201 when the blob is already linked): a single image goes straight to them, one
  // round trip less. An index still asks first, since it can spare a whole tree of requests.
  const alreadyThere = canMount && top.kind !== 'index' ? undefined : await target.client.headManifest(target.repository, top.digest, { signal });
  if (alreadyThere) {
    // Content is complete in the target; only the tag may need to point at it.
    result.manifestsSkipped++;
    report({ kind: 'manifest', digest: top.digest, size: top.bytes.byteLength, action: 'exists' });
    if (!isDigest(reference)) await pushManifest(top, reference);
  } else {
    await copyTree(top, reference);
  }
  if (options.referrers) result.referrersCopied = await copyReferrers(top);
  return result;
}

/** Config and layers (or an artifact's blobs); non-distributable (foreign) layers live elsewhere by design. */
function distributableBlobs(manifest: ManifestResult): Descriptor[] {
  return manifestBlobs(manifest).filter((d) => !isNondistributableLayer(d.mediaType));
}
