// A repository row and its children: its tags, paged, filtered and sorted as the setting says, shown
// at once; their details are asked for after that first paint, unless the vendor's tag list already
// carried them.
import * as vscode from 'vscode';
import { formatReference } from '../../reference';
import * as settings from '../settings';
import { contextValue } from './contextValues';
import { errorNodes } from './messageNodes';
import { ids, type NamespaceNode, type NodeCache, type RegistryNode, type RepositoryNode, type TreeNode } from './nodes';
import { expandedList, filtered, listFooter, type ListContext } from './pagedLists';
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
  const children: TreeNode[] = [...tags, ...listFooter(ctx, node, state, tags.length, 'tag', 'No tags')];
  // After first paint: the tree shows the tags now, details follow — unless the vendor's tag list
  // already carried them (Docker Hub, GHCR), or the vendor has no per-tag details to offer.
  const vendor = ctx.isVendor(node.registry.root.host);
  const provider = vendor ? ctx.service.provider(node.registry.root.host) : undefined;
  const needDetails = vendor ? (provider?.tagDetails ? tags.filter((t) => !ctx.vendorTags.get(t.id)?.digest) : []) : tags;
  if (needDetails.length) setTimeout(() => scheduleDetails(ctx, needDetails), 0);
  return children;
}

export function repositoryItem(ctx: ListContext, node: RepositoryNode): vscode.TreeItem {
  const prefix = node.parent.kind === 'namespace' ? `${node.parent.name}/` : '';
  const label = prefix && node.name.startsWith(prefix) ? node.name.slice(prefix.length) : node.name;
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = node.id;
  item.iconPath = new vscode.ThemeIcon('repo');
  const filter = ctx.filterOf(node);
  if (filter) item.description = `filter: "${filter}"`;
  item.tooltip = formatReference({ registry: node.registry.root.host, repository: node.name });
  item.contextValue = contextValue('repository', ['browsable', !!filter && 'filtered']);
  return item;
}
