// Retag without pulling: the manifest's exact bytes are PUT under the new tag, so the new tag names
// the very same image (same digest) and no blob moves.

import { DigestMismatchError, InvalidInputError } from '../errors/errors';
import type { CallOptions, RegistryClient } from './client';
import { isValidTag } from './tagPages';

/** Point `newTag` at what `sourceReference` (tag or digest) names; returns the digest both now share. */
export async function retag(client: RegistryClient, repository: string, sourceReference: string, newTag: string, opts: CallOptions = {}): Promise<string> {
  if (!isValidTag(newTag)) throw new InvalidInputError('tag', newTag, 'letters, digits, _ . - (not starting with . or -), at most 128');
  const manifest = await client.getManifest(repository, sourceReference, opts);
  const digest = await client.putManifest(repository, newTag, manifest.bytes, manifest.mediaType, opts);
  // putManifest hashes the bytes it sent; a different digest would mean the bytes changed on the way.
  if (digest !== manifest.digest) throw new DigestMismatchError(`${client.registry}/${repository}:${newTag}`, manifest.digest, digest);
  return digest;
}
