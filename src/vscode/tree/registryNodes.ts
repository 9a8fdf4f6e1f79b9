// The registry rows (the view's roots) and the namespace level under them. A generic registry's
// namespaces are only groups of its catalog (the first path segment), so they have no list of their
// own; a vendor registry (Docker Hub, GHCR, GitLab) lists namespaces through its API, each with its
// own paged list of repositories. Everything vendor-specific about these levels is in the "vendor
// registries" part below; the vendor endpoints themselves are called from pagedLists' fetchPage.
import * as vscode from 'vscode';
import type { NamespaceSummary } from '../../registries';
import type { CredentialOrigin } from '../registryService';
import { contextValue } from './contextValues';
import { errorNodes, infoNode } from './messageNodes';
import { ids, type NamespaceNode, type RegistryNode, type TreeNode } from './nodes';
import { expandedList, filtered, listFooter, type ListContext } from './pagedLists';
import { repositoryNode } from './repositoryNodes';

export interface RegistryContext extends ListContext {
  /** By host: whether the registry's credentials come from SecretStorage or docker login, or none. */
  readonly origins: Map<string, CredentialOrigin>;
  changed(node: TreeNode): void;
}

// ---- registries ------------------------------------------------------------------------------

export async function rootChildren(ctx: RegistryContext): Promise<RegistryNode[]> {
  const roots = await ctx.service.roots();
  // Each registry's credential origin (its row says "signed in") is a SecretStorage read, a round trip
  // to the workbench, and a config.json read: all at once, not one registry after another, before the
  // view's first paint.
  return Promise.all(
    roots.map(async (root) => {
      const node = ctx.cached<RegistryNode>(ids.registry(root.host), () => ({ kind: 'registry', id: ids.registry(root.host), root }));
      node.root = root; // the label or options may have changed in settings
      if (!ctx.origins.has(root.host)) {
        const origin = await ctx.service.credentialOrigin(root.host);
        if (!ctx.origins.has(root.host)) ctx.origins.set(root.host, origin);
      }
      return node;
    }),
  );
}

export async function registryChildren(ctx: RegistryContext, node: RegistryNode): Promise<TreeNode[]> {
  if (ctx.isVendor(node.root.host)) return vendorRegistryChildren(ctx, node);
  const state = await expandedList(ctx, node);
  const host = node.root.host;
  const added = ctx.service.addedRepositories(host);

  if (state.error && !state.catalogUnsupported && state.items.length === 0 && added.length === 0) {
    return errorNodes(ctx, node, state.error);
  }

  const children: TreeNode[] = [];
  if (state.catalogUnsupported) {
    children.push(
      infoNode(ctx, node, 'no-catalog', vscode.l10n.t('This registry does not list its repositories: add one by name…'), 'info', {
        command: 'registryExplorer.addRepository',
        title: vscode.l10n.t('Add Repository by Name…'),
        arguments: [node],
      }, vscode.l10n.t('The registry does not offer /v2/_catalog (Docker Hub, GHCR and most cloud registries do not). Add the repositories you use by name.')),
    );
  }

  const names = filtered(state, [...new Set([...state.items, ...added])]).sort();
  // Group by the first path segment only when the registry has namespaces at all.
  const grouped = names.some((n) => n.includes('/'));
  const namespaces = new Set<string>();
  for (const name of names) {
    const slash = name.indexOf('/');
    if (grouped && slash > 0) {
      const ns = name.slice(0, slash);
      if (!namespaces.has(ns)) {
        namespaces.add(ns);
        children.push(ctx.cached<NamespaceNode>(ids.namespace(host, ns), () => ({ kind: 'namespace', id: ids.namespace(host, ns), registry: node, name: ns })));
      }
    } else {
      children.push(repositoryNode(ctx, node, node, name));
    }
  }
  // Namespaces first, then top-level repositories, each alphabetical.
  children.sort((a, b) => rank(a) - rank(b));
  // (No "No repositories" under the "add one by name" row of a registry without a catalog.)
  children.push(...listFooter(ctx, node, state, children.length, 'repository', vscode.l10n.t('No repositories')));
  return children;
}

export function registryItem(ctx: RegistryContext, node: RegistryNode): vscode.TreeItem {
  const { root } = node;
  const item = new vscode.TreeItem(root.label, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = node.id;
  item.iconPath = new vscode.ThemeIcon(root.source === 'docker' ? 'key' : 'server');
  const origin = ctx.origins.get(root.host);
  // Credentials can change between listing the roots and drawing them (a sign-in in another window):
  // look again and redraw this node when the answer arrives.
  if (!ctx.origins.has(root.host)) lookUpOrigin(ctx, node);
  const filter = ctx.filterOf(node);
  const parts: string[] = [];
  // "Harbor (harbor.example.com)" names its host already.
  if (!root.label.includes(root.host)) parts.push(root.host);
  if (root.source === 'docker') parts.push(vscode.l10n.t('docker login'));
  else if (origin === 'secret') parts.push(vscode.l10n.t('signed in'));
  else if (origin === 'docker') parts.push(vscode.l10n.t('signed in with docker login'));
  if (filter) parts.push(vscode.l10n.t('filter: "{0}"', filter));
  item.description = parts.join(' · ');
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown(`**${escapeMd(root.label)}**  \n`);
  tooltip.appendText(`${root.endpoint.allowHttp ? 'http' : 'https'}://${root.host}`);
  const provider = ctx.service.provider(root.host);
  if (provider.kind !== 'generic' && root.label !== provider.displayName) {
    tooltip.appendMarkdown('  \n');
    tooltip.appendText(provider.displayName);
  }
  tooltip.appendMarkdown('  \n');
  tooltip.appendText(
    root.source === 'docker'
      ? vscode.l10n.t('From your docker logins (registryExplorer.useDockerConfig)')
      : origin === 'docker'
        ? vscode.l10n.t('Signed in with docker login')
        : origin
          ? vscode.l10n.t('Signed in')
          : vscode.l10n.t('Anonymous'),
  );
  if (root.endpoint.skipTlsVerify) {
    tooltip.appendMarkdown('  \n$(warning) ');
    tooltip.appendText(vscode.l10n.t('TLS verification is off for this registry'));
  }
  if (filter) {
    tooltip.appendMarkdown('  \n$(filter) ');
    tooltip.appendText(vscode.l10n.t('Filter: "{0}"', filter));
  }
  tooltip.supportThemeIcons = true;
  item.tooltip = tooltip;
  const creatable = !!provider.capabilities.manageRepositories && !!provider.createRepository;
  item.contextValue = contextValue('registry', ['browsable', origin === 'secret' && 'signedIn', root.source === 'docker' && 'docker', !!filter && 'filtered', creatable && 'creatable']);
  return item;
}

function lookUpOrigin(ctx: RegistryContext, node: RegistryNode): void {
  const host = node.root.host;
  void ctx.service.credentialOrigin(host).then((origin) => {
    if (ctx.origins.has(host)) return;
    ctx.origins.set(host, origin);
    ctx.changed(node);
  });
}

// ---- namespaces ------------------------------------------------------------------------------

export async function namespaceChildren(ctx: RegistryContext, node: NamespaceNode): Promise<TreeNode[]> {
  if (node.vendor) return vendorNamespaceChildren(ctx, node);
  return namespaceRepositories(ctx, node).map((name) => repositoryNode(ctx, node.registry, node, name));
}

export function namespaceItem(ctx: RegistryContext, node: NamespaceNode): vscode.TreeItem {
  if (node.vendor) return vendorNamespaceItem(ctx, node, node.vendor);
  const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = node.id;
  item.iconPath = new vscode.ThemeIcon('folder');
  item.contextValue = contextValue('namespace');
  const count = namespaceRepositories(ctx, node).length;
  // "12+ repositories" while the registry's list has more pages.
  const more = !!ctx.listOf(node.registry).cursor;
  item.description = more ? vscode.l10n.t('{0}+ repositories', count) : count === 1 ? vscode.l10n.t('1 repository') : vscode.l10n.t('{0} repositories', count);
  item.tooltip = `${node.registry.root.host}/${node.name}/…`;
  return item;
}

/** A generic namespace: the loaded catalog's repositories under its path segment. */
function namespaceRepositories(ctx: RegistryContext, node: NamespaceNode): string[] {
  const state = ctx.listOf(node.registry);
  const all = [...new Set([...state.items, ...ctx.service.addedRepositories(node.registry.root.host)])];
  return filtered(state, all)
    .filter((n) => n.startsWith(`${node.name}/`))
    .sort();
}

// ---- vendor registries -----------------------------------------------------------------------

/**
 * A vendor registry: "add by name" (official images and other accounts' public repositories are not
 * listed to you), the repositories added by name, then the namespaces the API lists, in its order.
 */
async function vendorRegistryChildren(ctx: RegistryContext, node: RegistryNode): Promise<TreeNode[]> {
  const state = await expandedList(ctx, node);
  const host = node.root.host;
  const provider = ctx.service.provider(host);
  const added = filtered(state, ctx.service.addedRepositories(host)).sort();
  // A registry whose API lists every repository at its root (ACR's catalog): repositories, no namespace level.
  if (!provider.listNamespaces) {
    if (state.error && state.items.length === 0) return errorNodes(ctx, node, state.error);
    const names = [...new Set([...filtered(state, state.items), ...added])];
    const children: TreeNode[] = names.map((name) => repositoryNode(ctx, node, node, name));
    children.push(...listFooter(ctx, node, state, names.length, 'repository', vscode.l10n.t('No repositories')));
    return children;
  }
  const children: TreeNode[] = [
    infoNode(ctx, node, 'add-by-name', vscode.l10n.t('Add a repository by name…'), 'add', { command: 'registryExplorer.addRepository', title: vscode.l10n.t('Add Repository by Name…'), arguments: [node] },
      provider.kind === 'docker-hub'
        ? vscode.l10n.t('Any public repository, e.g. library/alpine (official images) or another account\'s image; no sign-in needed.')
        : vscode.l10n.t('{0} lists only the namespaces you belong to: add any other repository you can read by name.', provider.displayName)),
  ];
  children.push(...added.map((name) => repositoryNode(ctx, node, node, name)));
  if (state.error && state.items.length === 0) {
    children.push(...errorNodes(ctx, node, state.error));
    return children;
  }
  const names = filtered(state, state.items);
  for (const name of names) {
    const id = ids.namespace(host, name);
    const ns = ctx.cached<NamespaceNode>(id, () => ({ kind: 'namespace', id, registry: node, name }));
    const summary = ctx.namespaceSummaries.get(id);
    ns.vendor = summary ?? { name, kind: 'organization' };
    children.push(ns);
  }
  children.push(...listFooter(ctx, node, state, names.length + added.length, 'namespace'));
  return children;
}

async function vendorNamespaceChildren(ctx: RegistryContext, node: NamespaceNode): Promise<TreeNode[]> {
  const state = await expandedList(ctx, node);
  if (state.error && state.items.length === 0) return errorNodes(ctx, node, state.error);
  const names = filtered(state, state.items);
  const children: TreeNode[] = names.map((name) => repositoryNode(ctx, node.registry, node, name, node.name));
  children.push(...listFooter(ctx, node, state, names.length, 'repository', vscode.l10n.t('No repositories')));
  return children;
}

/** How each kind of vendor namespace looks; a kind a provider adds later shows as a folder named by its kind. */
const NAMESPACE_LOOKS: Partial<Record<string, { icon: string; text: () => string }>> = {
  official: { icon: 'verified', text: () => vscode.l10n.t('official images') },
  user: { icon: 'account', text: () => vscode.l10n.t('your account') },
  organization: { icon: 'organization', text: () => vscode.l10n.t('organization') },
  group: { icon: 'organization', text: () => vscode.l10n.t('group') },
  project: { icon: 'project', text: () => vscode.l10n.t('project') },
};

/** Artifactory's Docker repositories, by type: images pushed there, a cache of another registry, or several in one. */
const REPOSITORY_TYPE_LOOKS: Record<NonNullable<NamespaceSummary['repositoryType']>, { icon: string; text: () => string }> = {
  local: { icon: 'database', text: () => vscode.l10n.t('local repository') },
  remote: { icon: 'cloud', text: () => vscode.l10n.t('remote repository') },
  virtual: { icon: 'layers', text: () => vscode.l10n.t('virtual repository') },
  federated: { icon: 'globe', text: () => vscode.l10n.t('federated repository') },
};

function vendorNamespaceItem(ctx: RegistryContext, node: NamespaceNode, summary: NamespaceSummary): vscode.TreeItem {
  const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = node.id;
  const looks = (summary.repositoryType && REPOSITORY_TYPE_LOOKS[summary.repositoryType]) ?? NAMESPACE_LOOKS[summary.kind];
  const look = { icon: looks?.icon ?? 'folder', text: looks?.text() ?? String(summary.kind) };
  item.iconPath = new vscode.ThemeIcon(look.icon);
  const filter = ctx.filterOf(node);
  const said = summary.description && summary.description !== node.name ? summary.description : '';
  // A vendor's description that already says what the namespace is ("Local repository: …") says it once.
  const kindText = said.toLowerCase().startsWith(look.text) ? '' : look.text;
  item.description = [kindText, said, filter ? vscode.l10n.t('filter: "{0}"', filter) : '']
    .filter(Boolean)
    .join(' · ');
  item.tooltip = `${node.registry.root.label}: ${node.name} (${summary.description ?? look.text})`;
  const provider = ctx.service.provider(node.registry.root.host);
  // Quay creates repositories in a namespace; Harbor's namespaces are its projects, created on the registry and deleted here.
  const creatable = provider.capabilities.manageRepositories === 'repository' && !!provider.createRepository;
  const manageable = provider.capabilities.manageRepositories === 'project' && !!provider.deleteRepository;
  item.contextValue = contextValue('namespace', ['browsable', !!filter && 'filtered', creatable && 'creatable', manageable && 'manageable']);
  return item;
}

function rank(node: TreeNode): number {
  if (node.kind === 'info') return 0;
  if (node.kind === 'namespace') return 1;
  return 2;
}

function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
