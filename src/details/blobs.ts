// Blobs the details read whole (SBOMs, attestations, signature payloads): streamed through the
// client's verified getBlob with a size cap, so a hostile blob can neither fill memory nor pass
// bytes that do not hash to its digest.
import { ProtocolError, ResponseTooLargeError } from '../errors/errors';
import type { RegistryClient } from '../distribution/client';
import type { Descriptor } from '../distribution/types';

/** SBOMs of large images run to tens of MiB (a distro image's SPDX with file lists). */
export const SBOM_MAX_BYTES = 64 * 1024 * 1024;
/** Attestations, signature payloads and envelopes: small JSON documents. */
export const SMALL_BLOB_MAX_BYTES = 4 * 1024 * 1024;

/** A blob over the cap this layer reads it with: refused before (declared size) or while (unknown size) it streams. */
export class BlobTooLargeError extends ResponseTooLargeError {
  constructor(
    where: string,
    limitBytes: number,
    /** The descriptor's size, when it owned up to it. */
    readonly declaredBytes?: number,
  ) {
    super(where, limitBytes);
  }
}

/** The bytes of a blob, at most `maxBytes`, verified against the descriptor's digest and size. */
export async function readBlob(
  client: RegistryClient,
  repository: string,
  descriptor: Descriptor,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<Buffer> {
  const where = `${client.registry}/${repository}@${descriptor.digest}`;
  // A descriptor that owns up to its size is refused before any request.
  if (descriptor.size > maxBytes) throw new BlobTooLargeError(where, maxBytes, descriptor.size);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of client.getBlob(repository, descriptor, { signal })) {
    total += chunk.byteLength;
    // Only reached when the size is unknown (-1): the verified stream itself stops at a declared size.
    if (total > maxBytes) throw new BlobTooLargeError(where, maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** readBlob, parsed as JSON; broken JSON is a ProtocolError naming the blob. */
export async function readJsonBlob(
  client: RegistryClient,
  repository: string,
  descriptor: Descriptor,
  maxBytes: number,
  what: string,
  signal?: AbortSignal,
): Promise<unknown> {
  const bytes = await readBlob(client, repository, descriptor, maxBytes, signal);
  return parseJsonBytes(bytes, `${client.registry}/${repository}@${descriptor.digest}`, what);
}

export function parseJsonBytes(bytes: Uint8Array, where: string, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    throw new ProtocolError(where, `${what} is not valid JSON`);
  }
}
