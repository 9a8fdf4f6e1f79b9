// A tag's "Referrers" group and its rows (signatures, SBOMs, attestations), and the lookups behind
// them. Lookups are cached by digest, since a digest's referrers are the same under every tag that
// names it; background ones (after a tag's details arrive) queue behind a small limiter so they never
// compete with the list's first paint, while an expansion asks at once.
import * as vscode from 'vscode';
import type { Limiter } from '../../distribution/concurrency';
import type { Descriptor } from '../../distribution/types';
import { CancelledError } from '../../errors/errors';
import type { RegistryService } from '../registryService';
import { artifactKind, CREATED_ANNOTATION } from './artifactKinds';
import { contextValue } from './contextValues';
import { formatAge, formatSize, shortDigest } from './format';
import { errorNodes, infoNode } from './messageNodes';
import { ids, tagReference, type NodeCache, type ReferrerNode, type ReferrersNode, type TagNode, type TreeNode } from './nodes';

/** What a referrers lookup found for one digest: the descriptors, or why it failed. */
export interface ReferrersState {
  descriptors?: Descriptor[];
  error?: unknown;
  loading?: Promise<ReferrersState>;
  /** While a Refresh looks again: the last answer, so the tag keeps its group until the new one. */
  previous?: ReferrersState;
}

export interface ReferrerContext extends NodeCache {
  readonly service: RegistryService;
  /** By referrersKey(). */
  readonly referrers: Map<string, ReferrersState>;
  readonly referrersLimiter: Limiter;
  /** Bumped on every refresh: an answer for an older tree is not kept. */
  readonly generation: number;
  changed(node: TreeNode): void;
}

/** The cache key of a digest's referrers: per registry and repository, as the API answers. */
export function referrersKey(tag: TagNode, digest: string): string {
  return `${tag.repository.registry.root.host}/${tag.repository.name}@${digest}`;
}

/** Whether referrers are looked up at all: Docker Hub counts a manifest GET (the tag fallback) as a pull. */
function referrersAllowed(ctx: ReferrerContext, tag: TagNode): boolean {
  return ctx.service.kindOf(tag.repository.registry.root.host) !== 'docker-hub';
}

/**
 * The referrers of `digest`, from the cache or the registry. `background` lookups queue behind a
 * small limiter; an expansion asks at once (sharing a lookup already in flight).
 */
export function lookUpReferrers(ctx: ReferrerContext, tag: TagNode, digest: string, background: boolean, fresh = false): Promise<ReferrersState> {
  const key = referrersKey(tag, digest);
  const known = ctx.referrers.get(key);
  if (known?.loading) return known.loading;
  if (known && !fresh) return Promise.resolve(known);
  const generation = ctx.generation;
  const repo = tag.repository;
  const ask = () => ctx.service.client(repo.registry.root.host).referrers(repo.name, digest);
  const state: ReferrersState = known ? { previous: known } : {};
  state.loading = (background ? ctx.referrersLimiter.run(ask) : ask()).then(
    (descriptors) => ({ descriptors: uniqueByDigest(descriptors) }),
    (error: unknown) => ({ error }),
  ).then((done: ReferrersState) => {
    // A refresh while this was in flight dropped the entry: keep the answer only for the current tree.
    if (ctx.referrers.get(key) === state && generation === ctx.generation) ctx.referrers.set(key, done);
    else if (ctx.referrers.get(key) === state) ctx.referrers.delete(key);
    return done;
  });
  ctx.referrers.set(key, state);
  return state.loading;
}

/** After a tag's details arrive: look its referrers up in the background and redraw it if it has any. */
export function scheduleReferrers(ctx: ReferrerContext, tag: TagNode, digest: string): void {
  if (!referrersAllowed(ctx, tag) || ctx.referrers.has(referrersKey(tag, digest))) return;
  void lookUpReferrers(ctx, tag, digest, true).then((state) => {
    if (state.error instanceof CancelledError) return;
    if (state.error || state.descriptors?.length) ctx.changed(tag);
  });
}

/** The last finished lookup for `digest`: while a Refresh looks again, the answer before it. */
export function finishedReferrers(ctx: ReferrerContext, tag: TagNode, digest: string): ReferrersState | undefined {
  const state = ctx.referrers.get(referrersKey(tag, digest));
  return state?.loading ? state.previous : state;
}

/** [the Referrers group] when `digest` has referrers or the lookup failed; [] otherwise. */
export async function referrersRows(ctx: ReferrerContext, tag: TagNode, digest: string | undefined): Promise<TreeNode[]> {
  if (!digest || !referrersAllowed(ctx, tag)) return [];
  const state = await lookUpReferrers(ctx, tag, digest, false);
  if (state.error instanceof CancelledError) return [];
  if (!state.error && !state.descriptors?.length) return [];
  const id = ids.referrers(tag.id);
  const group = ctx.cached<ReferrersNode>(id, () => ({ kind: 'referrers', id, tag, subject: digest }));
  group.subject = digest;
  return [group];
}

export async function referrersChildren(ctx: ReferrerContext, group: ReferrersNode): Promise<TreeNode[]> {
  const state = await lookUpReferrers(ctx, group.tag, group.subject, false);
  if (state.error) return errorNodes(ctx, group, state.error);
  const descriptors = state.descriptors ?? [];
  if (descriptors.length === 0) return [infoNode(ctx, group, 'empty', vscode.l10n.t('No referrers'), 'info')];
  // Newest first (the created annotation), then by kind: the latest signature or SBOM on top.
  const sorted = [...descriptors].sort(
    (a, b) =>
      (createdOf(b) ?? '').localeCompare(createdOf(a) ?? '') ||
      artifactKind(a.artifactType, a.mediaType).label.localeCompare(artifactKind(b.artifactType, b.mediaType).label) ||
      a.digest.localeCompare(b.digest),
  );
  return sorted.map((descriptor) => {
    const id = ids.referrer(group.tag.id, descriptor.digest);
    const node = ctx.cached<ReferrerNode>(id, () => ({ kind: 'referrer', id, group, descriptor }));
    node.descriptor = descriptor;
    node.group = group;
    return node;
  });
}

/** The artifact kinds among `descriptors`, once each, for a description or tooltip. */
export function referrerKinds(descriptors: Descriptor[]): string[] {
  return [...new Set(descriptors.map((d) => artifactKind(d.artifactType, d.mediaType).label))];
}

export function referrersItem(ctx: ReferrerContext, node: ReferrersNode): vscode.TreeItem {
  const item = new vscode.TreeItem(vscode.l10n.t('Referrers'), vscode.TreeItemCollapsibleState.Collapsed);
  item.id = node.id;
  item.iconPath = new vscode.ThemeIcon('references');
  const state = finishedReferrers(ctx, node.tag, node.subject);
  const descriptors = state?.descriptors ?? [];
  item.description = state?.error ? vscode.l10n.t('could not be listed') : [String(descriptors.length), referrerKinds(descriptors).join(', ')].filter(Boolean).join(' · ');
  const tooltip = new vscode.MarkdownString();
  tooltip.appendText(vscode.l10n.t('Signatures, SBOMs, attestations and other artifacts that refer to {0}', tagReference(node.tag)));
  tooltip.appendMarkdown('  \n');
  tooltip.appendText(vscode.l10n.t('Subject: {0}', node.subject));
  item.tooltip = tooltip;
  item.contextValue = contextValue('referrers');
  return item;
}

export function referrerItem(node: ReferrerNode): vscode.TreeItem {
  const { descriptor } = node;
  const kind = artifactKind(descriptor.artifactType, descriptor.mediaType);
  const item = new vscode.TreeItem(kind.label, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  const icons: Record<typeof kind.family, string> = { signature: 'verified', sbom: 'checklist', attestation: 'law', other: 'file-binary' };
  item.iconPath = new vscode.ThemeIcon(icons[kind.family]);
  const created = createdOf(descriptor);
  item.description = [shortDigest(descriptor.digest), formatSize(descriptor.size), formatAge(created)].filter(Boolean).join(' · ');
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown('**');
  tooltip.appendText(kind.label);
  tooltip.appendMarkdown('**  \n');
  tooltip.appendText(vscode.l10n.t('Refers to {0} ({1})', tagReference(node.group.tag), node.group.subject));
  if (created) {
    tooltip.appendMarkdown('  \n');
    tooltip.appendText(formatAge(created) ? vscode.l10n.t('Created: {0} ({1})', created, formatAge(created)) : vscode.l10n.t('Created: {0}', created));
  }
  tooltip.appendCodeblock(JSON.stringify(descriptor, null, 2), 'json');
  item.tooltip = tooltip;
  item.contextValue = contextValue('referrer', [kind.family !== 'other' && kind.family]);
  return item;
}

function createdOf(descriptor: Descriptor): string | undefined {
  return descriptor.annotations?.[CREATED_ANNOTATION];
}

/** A fallback index merged by several tools can list one manifest twice: show it once. */
function uniqueByDigest(descriptors: Descriptor[]): Descriptor[] {
  const seen = new Set<string>();
  return descriptors.filter((d) => !seen.has(d.digest) && !!seen.add(d.digest));
}
