// Remove ONE tag from a Distribution registry while the image and its other tags stay.
// The API only deletes manifests by digest, which takes every tag on that digest with it. So the tag
// is first pointed at a tiny placeholder manifest of its own (unique bytes, so no other tag shares its
// digest), and that placeholder is deleted by digest: only this tag goes. (GitLab did the same before
// the registry had a tag delete; regclient's `tag delete` does it today.)
//
// Order matters so that a registry with deletes disabled is never left with the tag moved:
//   1. upload the placeholder's config blob ("{}") and PUT the placeholder by digest, untagged;
//   2. DELETE it by digest — a 405 here means deletes are off, and nothing the user sees has changed;
//   3. check the tag still names the digest the user confirmed;
//   4. PUT the placeholder under the tag, then DELETE it by digest.
// If step 4's delete fails, the tag is put back on the original manifest bytes. A process killed
// between a placeholder's PUT and its DELETE leaves it behind (under the tag, after step 4's PUT):
// `placeholders` is told of each before it is PUT and after it is gone, so the next process can
// delete what was left (the editor keeps that log in its journal, src/vscode/operationJournal.ts).

import { RefusedError } from '../errors/errors';
import type { CallOptions, RegistryClient } from './client';
import { computeDigest } from './digest';

const EMPTY_CONFIG = new TextEncoder().encode('{}');
const EMPTY_MEDIA_TYPE = 'application/vnd.oci.empty.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

function placeholder(repository: string, tag: string): Uint8Array {
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: EMPTY_MEDIA_TYPE, digest: computeDigest(EMPTY_CONFIG, 'sha256'), size: EMPTY_CONFIG.byteLength },
    layers: [],
    // Unique bytes: the time and a random part make sure no other tag can share this digest.
    annotations: {
      'org.opencontainers.image.description': `Registry Explorer placeholder used to remove tag ${repository}:${tag}`,
      'dev.registry-explorer.untag': `${Date.now()}-${Math.random().toString(36).slice(2)}`,
    },
  };
  return new TextEncoder().encode(JSON.stringify(manifest));
}

/** A placeholder manifest that may outlive the process that PUT it: `tag` is set once it is under the tag. */
export interface Placeholder {
  repository: string;
  digest: string;
  tag?: string;
}

export interface PlaceholderLog {
  put(placeholder: Placeholder): Promise<void>;
  gone(digest: string): Promise<void>;
}

export interface UntagOptions extends CallOptions {
  placeholders?: PlaceholderLog;
}

/**
 * Remove `tag` only. `expectedDigest` is what the user confirmed the tag points at; if the tag moved
 * since, nothing is removed (RefusedError). Throws the registry's DistributionError (405 when deletes
 * are disabled) before anything visible changes.
 */
export async function untagOnly(client: RegistryClient, repository: string, tag: string, expectedDigest: string, options: UntagOptions = {}): Promise<void> {
  const { placeholders, ...opts } = options;
  const emptyDigest = computeDigest(EMPTY_CONFIG, 'sha256');
  if (!(await client.headBlob(repository, emptyDigest, opts))) {
    await client.uploadBlob(repository, { mediaType: EMPTY_MEDIA_TYPE, digest: emptyDigest, size: EMPTY_CONFIG.byteLength }, () => one(EMPTY_CONFIG), opts);
  }
  // Probe: can this registry delete at all? Done on an untagged placeholder nobody can see.
  const probe = placeholder(repository, tag);
  await placeholders?.put({ repository, digest: computeDigest(probe, 'sha256') });
  const probeDigest = await client.putManifest(repository, computeDigest(probe, 'sha256'), probe, OCI_MANIFEST, opts);
  try {
    await client.deleteManifest(repository, probeDigest, opts);
  } finally {
    // Deleted, or refused (deletes off): either way no one is left to finish it.
    await placeholders?.gone(probeDigest);
  }

  const original = await client.getManifest(repository, tag, opts);
  if (original.digest !== expectedDigest) {
    throw new RefusedError(`${repository}:${tag} now points at ${original.digest}, not ${expectedDigest}: nothing was removed; check again before deleting`);
  }
  const bytes = placeholder(repository, tag);
  await placeholders?.put({ repository, digest: computeDigest(bytes, 'sha256'), tag });
  const digest = await client.putManifest(repository, tag, bytes, OCI_MANIFEST, opts);
  try {
    await client.deleteManifest(repository, digest, opts);
    await placeholders?.gone(digest);
  } catch (error) {
    // Put the tag back where it was rather than leave it on the placeholder. Not cancellable: the
    // restore must run even when the user pressed Cancel.
    try {
      await client.putManifest(repository, tag, original.bytes, original.mediaType);
      await placeholders?.gone(digest);
    } catch {
      throw new RefusedError(
        `removing ${repository}:${tag} failed half-way (${error instanceof Error ? error.message : String(error)}) and the tag could not be put back: it now points at placeholder ${digest}; push ${original.digest} to it again`,
      );
    }
    throw error;
  }
}

async function* one(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
