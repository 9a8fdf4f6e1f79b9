// The Registries tree's nodes: plain data, one discriminated union. The provider turns them into
// TreeItems; commands receive them as arguments. Every node has a stable id (built from what it is,
// never from its position) so reveal(), selection and expansion survive refreshes.
import type { Descriptor, IndexEntry } from '../../distribution/types';
import { formatReference } from '../../reference';
import type { NamespaceSummary } from '../../registries';
import type { RegistryRoot } from '../registryService';

export interface RegistryNode {
  kind: 'registry';
  id: string;
  root: RegistryRoot;
}

/**
 * Generic registries: repositories of the catalog that share a first path segment ("library", "team-a").
 * Vendor registries (Docker Hub, GHCR, GitLab): a namespace the vendor API lists (the official images,
 * your account, an organisation, a group or project), with its own paged list of repositories.
 */
export interface NamespaceNode {
  kind: 'namespace';
  id: string;
  registry: RegistryNode;
  name: string;
  /** Set for a vendor namespace: what the vendor said about it. */
  vendor?: NamespaceSummary;
}

export interface RepositoryNode {
  kind: 'repository';
  id: string;
  registry: RegistryNode;
  parent: RegistryNode | NamespaceNode;
  /** Full repository path, e.g. "team-a/api". */
  name: string;
  /**
   * The vendor namespace it is listed under, part of its id: GitLab lists one repository under its
   * group and under its project, and VS Code needs every id once.
   */
  scope?: string;
}

export interface TagNode {
  kind: 'tag';
  id: string;
  repository: RepositoryNode;
  tag: string;
}

/** One platform image of a multi-platform tag. */
export interface PlatformNode {
  kind: 'platform';
  id: string;
  tag: TagNode;
  entry: IndexEntry;
  /** From the vendor's tag list (Docker Hub): entry.size is the image's size, not its manifest's. */
  fromVendor?: boolean;
}

/**
 * "Referrers" under a tag: the artifacts whose subject is the tag's manifest (signatures, SBOMs,
 * attestations). Shown only once a lookup found some (or failed: the error is its child).
 */
export interface ReferrersNode {
  kind: 'referrers';
  id: string;
  tag: TagNode;
  /** The digest the referrers were asked for: the tag's manifest (an index's own digest). */
  subject: string;
}

/** One referrer: a manifest whose subject is the group's digest. */
export interface ReferrerNode {
  kind: 'referrer';
  id: string;
  group: ReferrersNode;
  /** As the referrers list gave it: artifactType, size and annotations included. */
  descriptor: Descriptor;
}

/** A paged list (repositories of a registry, tags of a repository) has more to fetch. */
export interface LoadMoreNode {
  kind: 'loadMore';
  id: string;
  owner: ListOwner;
}

/** What the user can do about an error, shown as the node's action and in its contextValue. */
export type ErrorFix = 'signIn' | 'retry' | 'tlsSetting' | 'httpSetting';

/** getChildren never throws: a failure is a child of the node that failed. */
export interface ErrorNode {
  kind: 'error';
  id: string;
  parent: RegistryNode | NamespaceNode | RepositoryNode | TagNode | PlatformNode | ReferrersNode;
  error: unknown;
  fix: ErrorFix;
}

/** A message in the tree: "no tags", "no catalog: add a repository…", "no match for filter". */
export interface InfoNode {
  kind: 'info';
  id: string;
  parent: TreeNode | undefined;
  message: string;
  tooltip?: string;
  icon: string;
  /** Command run on click (e.g. Add Repository…). */
  action?: { command: string; title: string; arguments?: unknown[] };
}

export type TreeNode =
  | RegistryNode
  | NamespaceNode
  | RepositoryNode
  | TagNode
  | PlatformNode
  | ReferrersNode
  | ReferrerNode
  | LoadMoreNode
  | ErrorNode
  | InfoNode;

/** Nodes whose children are paged lists and can be filtered (a namespace only on vendor registries). */
export type ListOwner = RegistryNode | NamespaceNode | RepositoryNode;

/**
 * Where the tree's nodes come from: one object per id, kept for the provider's lifetime, because
 * VS Code matches a change event to the exact object getChildren gave it.
 */
export interface NodeCache {
  cached<T extends TreeNode>(id: string, make: () => T): T;
}

export function isNode(value: unknown): value is TreeNode {
  return !!value && typeof value === 'object' && typeof (value as TreeNode).kind === 'string' && typeof (value as TreeNode).id === 'string';
}

/** The registry host a node belongs to. */
export function hostOf(node: TreeNode): string | undefined {
  switch (node.kind) {
    case 'registry':
      return node.root.host;
    case 'namespace':
    case 'repository':
      return node.registry.root.host;
    case 'tag':
      return node.repository.registry.root.host;
    case 'platform':
    case 'referrers':
      return node.tag.repository.registry.root.host;
    case 'referrer':
      return node.group.tag.repository.registry.root.host;
    case 'loadMore':
      return hostOf(node.owner);
    case 'error':
      return hostOf(node.parent);
    case 'info':
      return node.parent ? hostOf(node.parent) : undefined;
  }
}

export function tagReference(node: TagNode): string {
  return formatReference({ registry: node.repository.registry.root.host, repository: node.repository.name, tag: node.tag });
}

export function parentOf(node: TreeNode): TreeNode | undefined {
  switch (node.kind) {
    case 'registry':
      return undefined;
    case 'namespace':
      return node.registry;
    case 'repository':
      return node.parent;
    case 'tag':
      return node.repository;
    case 'platform':
    case 'referrers':
      return node.tag;
    case 'referrer':
      return node.group;
    case 'loadMore':
      return node.owner;
    case 'error':
    case 'info':
      return node.parent;
  }
}

// Ids: a kind prefix and the node's identity. They are never shown; they only need to be unique and stable.
export const ids = {
  registry: (host: string) => `registry:${host}`,
  namespace: (host: string, ns: string) => `namespace:${host}/${ns}`,
  repository: (host: string, name: string, scope?: string) => `repository:${host}/${name}${scope ? `#${scope}` : ''}`,
  tag: (host: string, repository: string, tag: string, scope?: string) => `tag:${host}/${repository}${scope ? `#${scope}` : ''}:${tag}`,
  platform: (tagId: string, digest: string, index: number) => `platform:${tagId}@${digest}#${index}`,
  referrers: (tagId: string) => `referrers:${tagId}`,
  referrer: (tagId: string, digest: string) => `referrer:${tagId}@${digest}`,
  loadMore: (ownerId: string) => `loadMore:${ownerId}`,
  error: (parentId: string) => `error:${parentId}`,
  info: (parentId: string, what: string) => `info:${parentId}:${what}`,
};
