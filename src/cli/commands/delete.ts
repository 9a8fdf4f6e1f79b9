// `regx delete REF [--yes]`. Distribution registries delete manifests, not tags: deleting a tag's
// manifest also removes every other tag pointing at the same digest. So by tag we first plan, and
// refuse (naming those tags) unless --yes; by digest we name every tag that goes with it. Registries
// whose API removes one tag alone (Docker Hub, GitLab, Harbor, Quay, Artifactory) do just that.
import { formatReference, parseReference } from '../../reference';
import type { RegistryClient } from '../../distribution/client';
import { mapLimit } from '../../distribution/concurrency';
import { deleteManifestByDigest, executeTagDelete, planTagDelete } from '../../distribution/deletion';
import { RefusedError, UnsupportedError } from '../../errors/errors';
import type { RegistryProvider } from '../../registries';
import { expectPositionals, flagBool } from '../args';
import { clientFor, providerForCli } from '../context';
import type { CliContext } from '../types';
import { jsonText, sortNames } from '../output';
import type { CliCommand } from '../types';

export const command: CliCommand = {
  name: 'delete',
  synopsis: 'regx delete REF [--yes]',
  summary: 'Delete a manifest from the registry, by tag or by digest.',
  flags: [{ name: 'yes', short: 'y', description: 'also delete when other tags share the digest' }],
  async run(args, ctx) {
    const [refText] = expectPositionals(args, ['REF'], 'delete');
    const ref = parseReference(refText);
    const yes = flagBool(args, 'yes');
    const client = clientFor(ctx, ref.registry);
    const repoName = formatReference({ registry: ref.registry, repository: ref.repository });
    const provider = await providerForCli(ctx, ref.registry);
    if (provider.kind !== 'generic') {
      await deleteThroughProvider(ctx, provider, ref.repository, repoName, ref.tag ?? 'latest', ref.digest, yes);
      return;
    }

    let digest: string;
    let removedTags: string[];
    if (ref.digest) {
      digest = ref.digest;
      removedTags = await tagsOf(client, ref.repository, digest, ctx.signal);
      await deleteManifestByDigest(client, ref.repository, digest, { signal: ctx.signal });
    } else {
      const tag = ref.tag ?? 'latest';
      const plan = await planTagDelete(client, ref.repository, tag, { signal: ctx.signal });
      digest = plan.digest;
      const others = sortNames(plan.sharedWith);
      if (others.length && !yes) {
        throw new RefusedError(
          `not deleting ${repoName}:${tag}: its manifest ${digest} is also tagged ${others.join(', ')}, and deleting it removes ` +
            `${others.length === 1 ? 'that tag' : 'those tags'} too; add --yes to delete all of them`,
        );
      }
      removedTags = [tag, ...others];
      // Plans again before deleting, and refuses if another tag moved onto the digest meanwhile.
      await executeTagDelete(client, plan, { confirmShared: true, signal: ctx.signal });
    }

    if (ctx.json) {
      ctx.out(jsonText({ repository: repoName, digest, deletedTags: removedTags }));
    } else {
      const tags = removedTags.length ? ` (tags: ${removedTags.join(', ')})` : ' (untagged)';
      ctx.out(`Deleted ${repoName}@${digest}${tags}`);
    }
  },
};

/** A vendor's own delete: one tag alone where it can ('untag'), else the plan-and-confirm of a manifest delete. */
async function deleteThroughProvider(ctx: CliContext, provider: RegistryProvider, repository: string, repoName: string, tag: string, digest: string | undefined, yes: boolean): Promise<void> {
  const signal = ctx.signal;
  if (digest) {
    if (!provider.deleteManifest) throw new UnsupportedError(provider.displayName, 'deleting an image by digest', 'Delete its tags instead.');
    const removedTags = await tagsOf(provider.client, repository, digest, signal);
    await provider.deleteManifest(repository, digest, signal);
    if (ctx.json) ctx.out(jsonText({ repository: repoName, digest, deletedTags: removedTags }));
    else ctx.out(`Deleted ${repoName}@${digest}${removedTags.length ? ` (tags: ${removedTags.join(', ')})` : ' (untagged)'}`);
    return;
  }
  if (!provider.deleteTag || !provider.planTagDelete) throw new UnsupportedError(provider.displayName, 'deleting tags');
  const plan = await provider.planTagDelete(repository, tag, signal);
  const others = sortNames(plan.alsoRemoves);
  if (others.length && !yes) {
    throw new RefusedError(
      `not deleting ${repoName}:${tag}: its image ${plan.digest ?? ''} is also tagged ${others.join(', ')}, and ${provider.displayName} removes ` +
        `${others.length === 1 ? 'that tag' : 'those tags'} with it; add --yes to delete all of them`,
    );
  }
  // The digest the plan saw: a tag that moved meanwhile is not deleted.
  await provider.deleteTag(repository, tag, { confirmShared: true, signal, ...(plan.digest ? { digest: plan.digest } : {}) });
  const removed = [tag, ...others];
  if (ctx.json) ctx.out(jsonText({ repository: repoName, digest: plan.digest ?? null, deletedTags: removed }));
  else if (others.length || plan.removesImage) ctx.out(`Deleted ${repoName}@${plan.digest} (tags: ${removed.join(', ')})`);
  else ctx.out(`Deleted the tag ${repoName}:${tag}${plan.digest ? ` (the image ${plan.digest} is kept)` : ''}`);
}

/** Every tag of the repository whose manifest is `digest` (HEAD per tag, four at a time). */
async function tagsOf(client: RegistryClient, repository: string, digest: string, signal: AbortSignal): Promise<string[]> {
  const tags = await client.listAllTags(repository, { signal });
  const digests = await mapLimit(tags, 4, async (tag) => (await client.headManifest(repository, tag, { signal }))?.digest);
  return tags.filter((_, i) => digests[i] === digest);
}
