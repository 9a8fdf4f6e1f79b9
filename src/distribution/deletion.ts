// Deleting in the Distribution API is by digest, which removes every tag pointing at that digest.
// So a tag delete is planned first (which other tags share the digest?), the caller shows the plan,
// and nothing here removes a tag the caller was not told about.

import { DistributionError, RefusedError } from '../errors/errors';
import type { CallOptions, RegistryClient } from './client';
import { mapLimit } from './concurrency';

export interface TagDeletePlan {
  repository: string;
  tag: string;
  digest: string;
  /** Other tags of the repository pointing at the same digest: a delete removes them too. */
  sharedWith: string[];
}

export interface PlanOptions extends CallOptions {
  /** HEAD requests in flight while checking the other tags. Default 4. */
  concurrency?: number;
}

export async function planTagDelete(client: RegistryClient, repository: string, tag: string, opts: PlanOptions = {}): Promise<TagDeletePlan> {
  const head = await client.headManifest(repository, tag, opts);
  if (!head) {
    const url = `${await client.session.baseUrl()}/v2/${repository}/manifests/${tag}`;
    throw new DistributionError(404, [{ code: 'MANIFEST_UNKNOWN', message: `tag ${tag} not found` }], 'HEAD', url, 'delete');
  }
  const others = (await client.listAllTags(repository, opts)).filter((t) => t !== tag);
  const digests = await mapLimit(others, Math.max(1, opts.concurrency ?? 4), async (other) => (await client.headManifest(repository, other, opts))?.digest);
  return { repository, tag, digest: head.digest, sharedWith: others.filter((_, i) => digests[i] === head.digest) };
}

export interface ExecuteOptions extends PlanOptions {
  /** The user confirmed that the tags in plan.sharedWith go too. */
  confirmShared?: boolean;
}

/**
 * Carry out a plan. Planned again first: if the tag moved, or a tag the user was not shown now shares
 * the digest, refuse (RefusedError) rather than remove it silently.
 */
export async function executeTagDelete(client: RegistryClient, plan: TagDeletePlan, opts: ExecuteOptions = {}): Promise<void> {
  if (plan.sharedWith.length > 0 && !opts.confirmShared) {
    throw new RefusedError(`deleting ${plan.repository}:${plan.tag} would also remove ${plan.sharedWith.join(', ')} (same image ${plan.digest})`);
  }
  const fresh = await planTagDelete(client, plan.repository, plan.tag, opts);
  if (fresh.digest !== plan.digest) {
    throw new RefusedError(`${plan.repository}:${plan.tag} now points at ${fresh.digest}, not ${plan.digest}: check again before deleting`);
  }
  const unexpected = fresh.sharedWith.filter((t) => !plan.sharedWith.includes(t));
  if (unexpected.length > 0) {
    throw new RefusedError(`since the check, ${unexpected.join(', ')} also point at ${plan.digest}: check again before deleting`);
  }
  await client.deleteManifest(plan.repository, plan.digest, opts);
}

/** Delete a manifest by digest: every tag pointing at it goes with it (say so before calling). */
export async function deleteManifestByDigest(client: RegistryClient, repository: string, digest: string, opts: CallOptions = {}): Promise<void> {
  await client.deleteManifest(repository, digest, opts);
}
