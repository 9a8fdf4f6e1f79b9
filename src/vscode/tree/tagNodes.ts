// A tag row and what hangs under it: the platform images of a multi-platform tag and the Referrers
// group; and the tag details (digest, size, age, platforms) that fill a row in after first paint, a
// few at a time, each arrival redrawing only its own row (the vulnerability badge of registries that
// scan arrives the same way: scans.ts). Every text a tag row shows is decided in tagItem, so anything
// new on a tag row belongs there.
import * as vscode from 'vscode';
import type { Limiter } from '../../distribution/concurrency';
import type { ImageSummary, IndexEntry } from '../../distribution/types';
import { describeError } from '../../errors/describe';
import { formatReference } from '../../reference';
import type { TagSummary } from '../../registries';
import * as settings from '../settings';
import { contextValue } from './contextValues';
import { formatAge, formatSize, shortDigest } from './format';
import { ids, tagReference, type NodeCache, type PlatformNode, type RepositoryNode, type TagNode, type TreeNode } from './nodes';
import { finishedReferrers, referrerKinds, referrersRows, scheduleReferrers, type ReferrerContext } from './referrerNodes';
import { keepsScans, scanBadge, scansOnRequest, scanTooltip, type ScanContext, type ScanState } from './scans';

export type TagDetails = { summary: ImageSummary; error?: undefined } | { summary?: undefined; error: unknown };

/** What the vendor's tag list said and what the registry's manifests said, both by tag node id. */
export interface TagState {
  readonly details: Map<string, TagDetails>;
  readonly vendorTags: Map<string, TagSummary>;
  /** A scan overview the vendor's tag list carried (Harbor) is the row's badge without another request. */
  readonly scans: Map<string, ScanState>;
}

export interface TagContext extends ReferrerContext, TagState, ScanContext {
  /**
   * Tags whose details are queued or in flight, with the generation that asked: a refresh drops them
   * so late answers are ignored, and an answer to an older request never clears a newer one's entry.
   */
  readonly pendingDetails: Map<string, number>;
  readonly detailLimiter: Limiter;
  /** By repository node id: the pending re-sort of a newest-first list. */
  readonly resortTimers: Map<string, NodeJS.Timeout>;
  isVendor(host: string): boolean;
}

export function tagNode(nodes: NodeCache, repository: RepositoryNode, tag: string): TagNode {
  const id = ids.tag(repository.registry.root.host, repository.name, tag, repository.scope);
  return nodes.cached<TagNode>(id, () => ({ kind: 'tag', id, repository, tag }));
}

export async function tagChildren(ctx: TagContext, node: TagNode): Promise<TreeNode[]> {
  const repo = node.repository;
  const vendorTag = ctx.vendorTags.get(node.id);
  const platforms = vendorTag?.platforms;
  if (platforms?.length && platforms.every((p) => p.digest)) {
    // The vendor's tag list named the platform images: no manifest GET (a pull on Docker Hub). Details
    // read from a config name platforms without their images: those rows come from the index itself.
    const group = await referrersRows(ctx, node, vendorTag?.digest);
    const rows = platforms.map((p, i) => {
      const entry: IndexEntry = { mediaType: '', digest: p.digest ?? '', size: p.size ?? 0, platformText: p.platform, isAttestation: false };
      const id = ids.platform(node.id, entry.digest, i);
      const platformNode = ctx.cached<PlatformNode>(id, () => ({ kind: 'platform', id, tag: node, entry, fromVendor: true }));
      platformNode.entry = entry;
      return platformNode;
    });
    return [...rows, ...group];
  }
  const client = ctx.service.client(repo.registry.root.host);
  // The digest from the details starts the referrers lookup beside the manifest GET.
  const known = ctx.details.get(node.id)?.summary?.digest;
  const early = known ? referrersRows(ctx, node, known) : undefined;
  const manifest = await client.getManifest(repo.name, node.tag);
  const entries = client.indexEntries(manifest).filter((e) => !e.isAttestation);
  const rows: TreeNode[] = entries.map((entry, i) => {
    const id = ids.platform(node.id, entry.digest, i);
    return ctx.cached<PlatformNode>(id, () => ({ kind: 'platform', id, tag: node, entry }));
  });
  // Re-pushed since the details loaded: the referrers of what the tag names now.
  const group = known === manifest.digest && early ? await early : await referrersRows(ctx, node, manifest.digest);
  return [...rows, ...group];
}

export function tagItem(ctx: TagContext, node: TagNode): vscode.TreeItem {
  const details = ctx.details.get(node.id);
  const summary = details?.summary;
  const vendorTag = ctx.vendorTags.get(node.id);
  const multiPlatform = !!summary && summary.platforms.length > 1;
  const digest = summary?.digest ?? vendorTag?.digest;
  const referrers = digest ? finishedReferrers(ctx, node, digest) : undefined;
  const referrerCount = referrers?.descriptors?.length ?? 0;
  const expandable = multiPlatform || referrerCount > 0 || !!referrers?.error;
  const item = new vscode.TreeItem(node.tag, expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  const provider = ctx.service.provider(node.repository.registry.root.host);
  const scan = ctx.scans.get(node.id);
  item.iconPath = new vscode.ThemeIcon(multiPlatform ? 'layers' : 'tag');
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown('**');
  tooltip.appendText(tagReference(node));
  tooltip.appendMarkdown('**');
  // Docker Hub and GHCR date a tag by its last push; registries and GitLab by the image's creation.
  const pushedDate = !!vendorTag?.lastPushed && !vendorTag.created;
  if (summary) {
    const age = formatAge(summary.created);
    const size = vendorTag && vendorTag.size === undefined ? '' : formatSize(summary.totalSize);
    item.description = [
      shortDigest(summary.digest),
      size,
      multiPlatform ? vscode.l10n.t('{0} platforms', summary.platforms.length) : '',
      age,
      referrerCount ? (referrerCount === 1 ? vscode.l10n.t('1 referrer') : vscode.l10n.t('{0} referrers', referrerCount)) : '',
      vendorTag?.expires ? vscode.l10n.t('expires {0}', vendorTag.expires.slice(0, 10)) : '',
      lockBadge(vendorTag?.locked),
      scanBadge(scan),
    ]
      .filter(Boolean)
      .join(' · ');
    const lines = [vscode.l10n.t('Digest: {0}', summary.digest)];
    if (summary.mediaType) lines.push(vscode.l10n.t('Media type: {0}', summary.mediaType));
    if (!vendorTag || vendorTag.size !== undefined) lines.push(vscode.l10n.t('Size: {0}', formatSize(summary.totalSize)));
    if (summary.platforms.length) lines.push(summary.platforms.length > 1 ? vscode.l10n.t('Platforms: {0}', summary.platforms.join(', ')) : vscode.l10n.t('Platform: {0}', summary.platforms.join(', ')));
    if (summary.created) {
      const when = age ? vscode.l10n.t('{0} ({1})', summary.created, age) : summary.created;
      lines.push(pushedDate ? vscode.l10n.t('Last pushed: {0}', when) : vscode.l10n.t('Created: {0}', when));
    }
    if (referrerCount) lines.push(vscode.l10n.t('Referrers: {0}', referrerKinds(referrers!.descriptors!).join(', ')));
    if (vendorTag?.expires) lines.push(vscode.l10n.t('Expires: {0}', vendorTag.expires));
    if (vendorTag?.locked && lockBadge(vendorTag.locked)) lines.push(vscode.l10n.t('Lock: {0}', lockTooltip(vendorTag.locked)));
    for (const line of lines) {
      tooltip.appendMarkdown('  \n');
      tooltip.appendText(line);
    }
  } else if (details?.error) {
    item.description = [vscode.l10n.t('details unavailable'), scanBadge(scan)].filter(Boolean).join(' · ');
    tooltip.appendMarkdown('  \n');
    tooltip.appendText(describeError(details.error));
  } else {
    item.description = scanBadge(scan);
  }
  scanTooltip(tooltip, scan);
  item.tooltip = tooltip;
  item.contextValue = contextValue('tag', [multiPlatform && 'multiPlatform', keepsScans(provider) && 'scannable', scansOnRequest(provider) && 'scanTrigger']);
  return item;
}

export function platformItem(ctx: TagContext, node: PlatformNode): vscode.TreeItem {
  const provider = ctx.service.provider(node.tag.repository.registry.root.host);
  const item = new vscode.TreeItem(node.entry.platformText, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  item.iconPath = new vscode.ThemeIcon('vm');
  item.description = node.fromVendor
    ? [node.entry.digest ? shortDigest(node.entry.digest) : '', node.entry.size ? formatSize(node.entry.size) : ''].filter(Boolean).join(' · ')
    : vscode.l10n.t('{0} · {1} manifest', shortDigest(node.entry.digest), formatSize(node.entry.size));
  const tooltip = new vscode.MarkdownString();
  tooltip.appendText(`${tagReference(node.tag)} (${node.entry.platformText})`);
  tooltip.appendMarkdown('  \n');
  tooltip.appendText(vscode.l10n.t('Digest: {0}', node.entry.digest));
  if (node.entry.mediaType) {
    tooltip.appendMarkdown('  \n');
    tooltip.appendText(vscode.l10n.t('Media type: {0}', node.entry.mediaType));
  }
  item.tooltip = tooltip;
  item.contextValue = contextValue('platform', [keepsScans(provider) && 'scannable', scansOnRequest(provider) && 'scanTrigger']);
  return item;
}

// ---- details after first paint ---------------------------------------------------------------

export function scheduleDetails(ctx: TagContext, tags: TagNode[]): void {
  const generation = ctx.generation;
  for (const tag of tags) {
    const repo = tag.repository;
    // A vendor row has details from its tag list already; the caller asks for more only where they fall short.
    const known = !ctx.isVendor(repo.registry.root.host) && ctx.details.has(tag.id);
    if (known || ctx.pendingDetails.has(tag.id)) continue;
    ctx.pendingDetails.set(tag.id, generation);
    void ctx.detailLimiter
      .run(async () => {
        // Skip work for a tree that was refreshed while this waited for a slot.
        if (generation !== ctx.generation || ctx.pendingDetails.get(tag.id) !== generation) return undefined;
        const host = repo.registry.root.host;
        if (ctx.isVendor(host)) {
          // GitLab: the tag detail endpoint (digest, size, created), not the registry.
          const details = await ctx.service.provider(host).tagDetails!(repo.name, tag.tag);
          return { vendor: details };
        }
        return { summary: await ctx.service.client(host).summarize(repo.name, tag.tag) };
      })
      .then(
        (got) => got,
        (error: unknown) => ({ error }),
      )
      .then((got: { summary: ImageSummary } | { vendor: TagSummary } | { error: unknown } | undefined) => {
        if (ctx.pendingDetails.get(tag.id) !== generation) return;
        ctx.pendingDetails.delete(tag.id);
        if (!got || generation !== ctx.generation) return;
        if ('vendor' in got) {
          recordVendorTag(ctx, repo, got.vendor);
          if (!ctx.details.has(tag.id)) ctx.details.set(tag.id, { error: new Error(vscode.l10n.t('the registry did not say which image this tag names')) });
        } else {
          ctx.details.set(tag.id, 'summary' in got ? { summary: got.summary } : { error: got.error });
          // Only registries whose details come from the registry itself (not a vendor's tag API).
          if ('summary' in got) scheduleReferrers(ctx, tag, got.summary.digest);
        }
        ctx.changed(tag);
        if (settings.tagSort() === 'newest') resortSoon(ctx, repo);
      });
  }
}

/** ACR's locks on a tag (changeableAttributes): a write lock also refuses deletes. */
function lockBadge(locked: TagSummary['locked']): string {
  if (locked?.write) return vscode.l10n.t('locked');
  return locked?.delete ? vscode.l10n.t('delete-locked') : '';
}

function lockTooltip(locked: NonNullable<TagSummary['locked']>): string {
  return locked.write ? vscode.l10n.t('writeEnabled is off: no push over this tag, no retag onto it, no delete') : vscode.l10n.t('deleteEnabled is off: the tag cannot be deleted');
}

/** Newest-first order changes as dates arrive: re-sort the repository once things settle. */
function resortSoon(ctx: TagContext, repo: RepositoryNode): void {
  clearTimeout(ctx.resortTimers.get(repo.id));
  ctx.resortTimers.set(
    repo.id,
    setTimeout(() => {
      ctx.resortTimers.delete(repo.id);
      ctx.changed(repo);
    }, 400),
  );
}

/** Keep what the vendor said about a tag, and show it the way details from the registry are shown. */
export function recordVendorTag(state: TagState, repo: RepositoryNode, tag: TagSummary): void {
  const id = ids.tag(repo.registry.root.host, repo.name, tag.name, repo.scope);
  const merged = { ...state.vendorTags.get(id), ...tag };
  state.vendorTags.set(id, merged);
  if (tag.scan) state.scans.set(id, { report: tag.scan });
  if (merged.digest) {
    state.details.set(id, {
      summary: {
        reference: formatReference({ registry: repo.registry.root.host, repository: repo.name, tag: tag.name }),
        digest: merged.digest,
        mediaType: '',
        totalSize: merged.size ?? 0,
        platforms: (merged.platforms ?? []).map((p) => p.platform),
        ...((merged.created ?? merged.lastPushed) ? { created: merged.created ?? merged.lastPushed } : {}),
      },
    });
  }
}

/** For sorting newest first: the tag's creation time, once its details say. */
export function createdTime(state: TagState, repo: RepositoryNode, tag: string): number | undefined {
  const created = state.details.get(ids.tag(repo.registry.root.host, repo.name, tag, repo.scope))?.summary?.created;
  const t = created ? Date.parse(created) : NaN;
  return Number.isFinite(t) ? t : undefined;
}
