// A repository row and its children: its tags, paged, filtered and sorted as the setting says, shown
// at once; their details (and where the registry scans, their vulnerability reports) are asked for
// after that first paint, unless the vendor's tag list already carried them. A vendor's description of
// the repository shows on its row.
import * as vscode from 'vscode';
import { formatReference } from '../../reference';
import * as settings from '../settings';
import { contextValue } from './contextValues';
import { errorNodes } from './messageNodes';
import { ids, type NamespaceNode, type NodeCache, type RegistryNode, type RepositoryNode, type TagNode, type TreeNode } from './nodes';
import { expandedList, filtered, listFooter, repositoryKey, type ListContext } from './pagedLists';
import { keepsScans, scheduleScans } from './scans';
import { isReferrersFallbackTag, sortTags } from './sortTags';
import { createdTime, scheduleDetails, tagNode, type TagContext } from './tagNodes';

export type RepositoryContext = ListContext & TagContext;

export function repositoryNode(nodes: NodeCache, registry: RegistryNode, parent: RegistryNode | NamespaceNode, name: string, scope?: string): RepositoryNode {
  const id = ids.repository(registry.root.host, name, scope);
  const node = nodes.cached<RepositoryNode>(id, () => ({ kind: 'repository', id, registry, parent, name, ...(scope ? { scope } : {}) }));
  node.parent = parent; // grouping can change when more pages arrive
  return node;
}

export async function repositoryChildren(ctx: RepositoryContext, node: RepositoryNode): Promise<TreeNode[]> {
  const state = await expandedList(ctx, node);
  if (state.error && state.items.length === 0) return errorNodes(ctx, node, state.error);

  // Referrers fallback tags show as their subject's "Referrers" group, unless asked for by a filter.
  const showFallback = !!state.filter?.toLowerCase().startsWith('sha256-');
  const visible = filtered(state, state.items).filter((t) => showFallback || !isReferrersFallbackTag(t));
  const mode = settings.tagSort();
  const sorted = sortTags(visible, mode, (tag) => createdTime(ctx, node, tag));
  const tags = sorted.map((tag) => tagNode(ctx, node, tag));
  const children: TreeNode[] = [...tags, ...listFooter(ctx, node, state, tags.length, 'tag', vscode.l10n.t('No tags'))];
  // After first paint: the tree shows the tags now, details follow — unless the vendor's tag list
  // already carried them (Docker Hub, GHCR), or the vendor has no per-tag details to offer.
  const vendor = ctx.isVendor(node.registry.root.host);
  const provider = vendor ? ctx.service.provider(node.registry.root.host) : undefined;
  // A vendor row without size or platforms may be an index its list does not describe (Quay's manifest
  // lists), and ECR's and Artifact Registry's lists say only that a tag is an index: its details say
  // which platforms, so that it expands to them.
  const vague = (t: TagNode) => {
    const listed = ctx.vendorTags.get(t.id);
    if (ctx.details.get(t.id)?.error !== undefined) return false; // asked already: a refresh asks again
    return !listed?.digest || (listed.size === undefined && !listed.platforms?.length) || (!!listed.index && !listed.platforms?.length);
  };
  const needDetails = vendor ? (provider?.tagDetails ? tags.filter(vague) : []) : tags;
  if (needDetails.length) setTimeout(() => scheduleDetails(ctx, needDetails), 0);
  if (provider && keepsScans(provider) && tags.length) setTimeout(() => scheduleScans(ctx, tags), 0);
  return children;
}

export function repositoryItem(ctx: ListContext, node: RepositoryNode): vscode.TreeItem {
  const prefix = node.parent.kind === 'namespace' ? `${node.parent.name}/` : '';
  const label = prefix && node.name.startsWith(prefix) ? node.name.slice(prefix.length) : node.name;
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = node.id;
  const host = node.registry.root.host;
  const summary = ctx.repositorySummaries.get(repositoryKey(host, node.name));
  item.iconPath = new vscode.ThemeIcon(summary?.isPrivate ? 'lock' : 'repo');
  const filter = ctx.filterOf(node);
  const description = oneLine(summary?.description);
  item.description = [filter ? vscode.l10n.t('filter: "{0}"', filter) : '', description].filter(Boolean).join(' · ');
  const tooltip = new vscode.MarkdownString();
  tooltip.appendText(formatReference({ registry: host, repository: node.name }));
  const lines: string[] = [];
  if (summary?.description) lines.push(vscode.l10n.t('Description: {0}', summary.description));
  if (summary?.isPrivate !== undefined) lines.push(summary.isPrivate ? vscode.l10n.t('Visibility: private') : vscode.l10n.t('Visibility: public'));
  if (summary?.tagCount !== undefined) lines.push(vscode.l10n.t('Tags: {0}', summary.tagCount));
  if (summary?.lastUpdated) lines.push(vscode.l10n.t('Last updated: {0}', summary.lastUpdated));
  for (const line of lines) {
    tooltip.appendMarkdown('  \n');
    tooltip.appendText(line);
  }
  item.tooltip = tooltip;
  const provider = ctx.isVendor(host) ? ctx.service.provider(host) : undefined;
  const describable = !!provider?.capabilities.editDescription && !!provider.setDescription;
  const manageable = provider?.capabilities.manageRepositories === 'repository' && !!provider.deleteRepository;
  item.contextValue = contextValue('repository', ['browsable', !!filter && 'filtered', describable && 'describable', manageable && 'manageable']);
  return item;
}

/** The first line of a description, short enough for a row (the tooltip has it whole). */
function oneLine(text: string | undefined): string {
  const first = text?.trim().split(/\r?\n/, 1)[0]?.trim() ?? '';
  return first.length > 80 ? `${first.slice(0, 79)}…` : first;
}
