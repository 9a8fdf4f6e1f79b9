// The Local Images view: the engine's images grouped by repository, each tag with its short id, size
// and age. One GET /images/json per refresh. A refresh compares the new list with the shown one and
// redraws only the repositories that changed (the whole view only when repositories came or went).
// getChildren never throws: an engine that cannot be reached is a node naming the socket tried and
// the registryExplorer.docker.host setting, with the fix under it.
import * as vscode from 'vscode';
import { withAccessibleLabel } from '../tree/accessibility';
import type { LocalImage } from '../../docker/engine';
import { errorTreeItem } from '../tree/errorItem';
import { formatAge, formatSize, shortDigest } from '../tree/format';
import type { EngineService } from './engineService';
import {
  imageIds,
  localReference,
  splitRepoTag,
  UNTAGGED,
  type EngineErrorNode,
  type ImageNode,
  type ImageRepositoryNode,
  type ImagesInfoNode,
  type LocalImageNode,
} from './nodes';

interface Entry {
  tag?: string;
  digest?: string;
  image: LocalImage;
}

type Listing = { repositories: Map<string, Entry[]>; error?: undefined } | { repositories?: undefined; error: unknown };

export class LocalImagesProvider implements vscode.TreeDataProvider<ImageNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ImageNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly nodes = new Map<string, ImageNode>();
  private listing: Listing | undefined;
  private loading: Promise<Listing> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly engines: EngineService) {
    this.disposables.push(
      this.emitter,
      engines.onDidChange(() => {
        this.listing = undefined;
        this.emitter.fire(undefined);
      }),
    );
  }

  /** Refresh when the view comes back into sight: images may have changed outside the editor. */
  attach(view: vscode.TreeView<ImageNode>): void {
    this.disposables.push(
      view.onDidChangeVisibility((e) => {
        if (e.visible && this.listing) void this.refresh();
      }),
    );
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  // ---- TreeDataProvider ----------------------------------------------------------------------

  getParent(node: ImageNode): ImageNode | undefined {
    return node.kind === 'localImage' ? node.repository : undefined;
  }

  async getChildren(node?: ImageNode): Promise<ImageNode[]> {
    if (!node) {
      const listing = this.listing ?? (await this.load());
      if (!listing.repositories) return this.errorNodes(listing.error);
      if (listing.repositories.size === 0) {
        return [this.info('empty', vscode.l10n.t('No images in the Docker engine'), 'info', vscode.l10n.t('Engine: {0}. Pull an image from the Registries view or with "Pull Image…".', this.engines.endpointText() ?? ''), { command: 'registryExplorer.pull', title: vscode.l10n.t('Pull Image…') })];
      }
      // Named repositories alphabetically, untagged images last.
      return [...listing.repositories.keys()]
        .sort((a, b) => (a === UNTAGGED ? 1 : b === UNTAGGED ? -1 : a.localeCompare(b)))
        .map((name) => this.repositoryNode(name));
    }
    if (node.kind !== 'imageRepository') return [];
    const entries = this.listing?.repositories?.get(node.name) ?? [];
    return entries.map((entry) => this.imageNode(node, entry));
  }

  getTreeItem(node: ImageNode): vscode.TreeItem {
    switch (node.kind) {
      case 'imageRepository':
        return withAccessibleLabel((label) => vscode.l10n.t('Local repository {0}', label), this.repositoryItem(node));
      case 'localImage':
        return withAccessibleLabel((label) => vscode.l10n.t('Local image {0}', label), this.imageItem(node));
      case 'engineError': {
        const item = errorTreeItem(node.id, node.error);
        item.contextValue = 'engineError;retry';
        item.command = { command: 'registryExplorer.refreshImages', title: vscode.l10n.t('Retry') };
        return withAccessibleLabel((label) => vscode.l10n.t('Error: {0}', label), item);
      }
      case 'imagesInfo': {
        const item = new vscode.TreeItem(node.message, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.contextValue = 'imagesInfo';
        if (node.tooltip) item.tooltip = node.tooltip;
        if (node.description) item.description = node.description;
        if (node.action) item.command = node.action;
        return withAccessibleLabel(undefined, item);
      }
    }
  }

  // ---- used by commands and tests ------------------------------------------------------------

  /**
   * List the engine's images again and redraw what changed. Resolves once the new list is known
   * (commands await it before revealing a node).
   */
  async refresh(): Promise<void> {
    const before = this.listing;
    const after = await this.load();
    if (!before?.repositories || !after.repositories) {
      this.emitter.fire(undefined);
      return;
    }
    const oldNames = [...before.repositories.keys()].sort();
    const newNames = [...after.repositories.keys()].sort();
    if (oldNames.join('\n') !== newNames.join('\n')) {
      this.emitter.fire(undefined);
      return;
    }
    for (const name of newNames) {
      if (signature(before.repositories.get(name)!) !== signature(after.repositories.get(name)!)) this.emitter.fire(this.repositoryNode(name));
    }
  }

  /** The node showing `reference` (name:tag, name@digest or an image id), after a refresh if needed. */
  async find(reference: string): Promise<LocalImageNode | undefined> {
    const listing = this.listing ?? (await this.load());
    if (!listing.repositories) return undefined;
    for (const [name, entries] of listing.repositories) {
      for (const entry of entries) {
        const node = this.imageNode(this.repositoryNode(name), entry);
        if (localReference(node) === reference || node.image.id === reference) return node;
      }
    }
    return undefined;
  }

  /** Every image of the last listing (pickers: "which local image?"). */
  async allImageNodes(): Promise<LocalImageNode[]> {
    const listing = this.listing ?? (await this.load());
    const result: LocalImageNode[] = [];
    for (const [name, entries] of listing.repositories ?? []) {
      for (const entry of entries) result.push(this.imageNode(this.repositoryNode(name), entry));
    }
    return result;
  }

  /** Other names (tags, digests) of the same image id: what else a removal leaves or takes. */
  namesOf(imageId: string): string[] {
    const names: string[] = [];
    for (const [name, entries] of this.listing?.repositories ?? []) {
      for (const e of entries) {
        if (e.image.id === imageId && e.tag) names.push(`${name}:${e.tag}`);
      }
    }
    return names;
  }

  // ---- loading -------------------------------------------------------------------------------

  private load(): Promise<Listing> {
    // Concurrent callers (a refresh while the view expands) share one request.
    this.loading ??= (async (): Promise<Listing> => {
      let listing: Listing;
      try {
        listing = { repositories: group(await this.engines.engine().listImages()) };
      } catch (error) {
        listing = { error };
      }
      this.listing = listing;
      return listing;
    })().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  // ---- nodes and items -----------------------------------------------------------------------

  private cached<T extends ImageNode>(id: string, make: () => T): T {
    let node = this.nodes.get(id) as T | undefined;
    if (!node) {
      node = make();
      this.nodes.set(id, node);
    }
    return node;
  }

  private repositoryNode(name: string): ImageRepositoryNode {
    const id = imageIds.repository(name);
    return this.cached<ImageRepositoryNode>(id, () => ({ kind: 'imageRepository', id, name }));
  }

  private imageNode(repository: ImageRepositoryNode, entry: Entry): LocalImageNode {
    const id = entry.tag
      ? imageIds.tag(repository.name, entry.tag)
      : entry.digest
        ? imageIds.digest(repository.name, entry.digest)
        : imageIds.untagged(entry.image.id);
    const node = this.cached<LocalImageNode>(id, () => ({ kind: 'localImage', id, repository, image: entry.image }));
    // A tag can move to another image (a newer pull): keep the node, update what it shows.
    node.image = entry.image;
    node.tag = entry.tag;
    node.digest = entry.digest;
    return node;
  }

  private errorNodes(error: unknown): ImageNode[] {
    const node = this.cached<EngineErrorNode>(imageIds.error(), () => ({ kind: 'engineError', id: imageIds.error(), error }));
    node.error = error;
    // The message may be cut off in a narrow side bar: the fix row repeats the address tried.
    const tried = this.engines.endpointText();
    return [
      node,
      this.info('fix-setting', vscode.l10n.t('Set registryExplorer.docker.host…'), 'settings-gear', vscode.l10n.t('The Docker engine address: unix:///var/run/docker.sock, tcp://host:2375 or npipe:////./pipe/docker_engine. Empty: DOCKER_HOST, then the current docker context, then the default socket.'), {
        command: 'workbench.action.openSettings',
        title: vscode.l10n.t('Open Settings'),
        arguments: ['registryExplorer.docker.host'],
      }, tried ? vscode.l10n.t('tried {0}', tried) : undefined),
      this.info('fix-retry', vscode.l10n.t('Retry'), 'refresh', undefined, { command: 'registryExplorer.refreshImages', title: vscode.l10n.t('Retry') }),
    ];
  }

  private info(what: string, message: string, icon: string, tooltip?: string, action?: ImagesInfoNode['action'], description?: string): ImagesInfoNode {
    const id = imageIds.info(what);
    const node = this.cached<ImagesInfoNode>(id, () => ({ kind: 'imagesInfo', id, message, icon }));
    Object.assign(node, { message, icon, tooltip, action, description });
    return node;
  }

  private repositoryItem(node: ImageRepositoryNode): vscode.TreeItem {
    const entries = this.listing?.repositories?.get(node.name) ?? [];
    const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.id;
    item.iconPath = new vscode.ThemeIcon(node.name === UNTAGGED ? 'question' : 'package');
    const tags = entries.filter((e) => e.tag).length;
    const ids = new Set(entries.map((e) => e.image.id)).size;
    item.description = node.name === UNTAGGED
      ? ids === 1 ? vscode.l10n.t('1 image') : vscode.l10n.t('{0} images', ids)
      : tags === 1 ? vscode.l10n.t('1 tag') : vscode.l10n.t('{0} tags', tags);
    item.tooltip = node.name === UNTAGGED ? vscode.l10n.t('Images with neither a tag nor a digest (dangling or intermediate).') : node.name;
    item.contextValue = node.name === UNTAGGED ? 'imageRepository;untagged' : 'imageRepository';
    return item;
  }

  private imageItem(node: LocalImageNode): vscode.TreeItem {
    const { image } = node;
    const label = node.tag ?? (node.digest ? `@${shortDigest(node.digest)}` : shortDigest(image.id));
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.iconPath = new vscode.ThemeIcon(node.tag ? 'tag' : 'symbol-number');
    item.description = [shortDigest(image.id), formatSize(image.size), formatAge(image.created)].filter(Boolean).join(' · ');
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown('**');
    tooltip.appendText(localReference(node));
    tooltip.appendMarkdown('**');
    const age = formatAge(image.created);
    const lines = [
      vscode.l10n.t('Image ID: {0}', image.id),
      vscode.l10n.t('Size: {0}', formatSize(image.size)),
      vscode.l10n.t('Created: {0}', age ? vscode.l10n.t('{0} ({1})', image.created, age) : image.created),
    ];
    if (image.repoTags.length > 1) lines.push(vscode.l10n.t('Also tagged: {0}', image.repoTags.filter((t) => t !== localReference(node)).join(', ')));
    if (image.repoDigests.length) lines.push(vscode.l10n.t('Digests: {0}', image.repoDigests.join(', ')));
    for (const line of lines) {
      tooltip.appendMarkdown('  \n');
      tooltip.appendText(line);
    }
    item.tooltip = tooltip;
    // Grammar as in the Registries view: kind first, then flags. Only tagged images can be pushed.
    item.contextValue = `localImage;${node.tag ? 'tagged' : node.digest ? 'digest' : 'untagged'}`;
    return item;
  }
}

/** Images by repository name: a tag per name:tag, digest-only names for images pulled by digest. */
function group(images: LocalImage[]): Map<string, Entry[]> {
  const repositories = new Map<string, Entry[]>();
  const add = (name: string, entry: Entry) => {
    const list = repositories.get(name) ?? [];
    list.push(entry);
    repositories.set(name, list);
  };
  for (const image of images) {
    const tagged = new Set<string>();
    for (const repoTag of image.repoTags) {
      const [name, tag] = splitRepoTag(repoTag);
      tagged.add(name);
      add(name, { tag, image });
    }
    for (const repoDigest of image.repoDigests) {
      const at = repoDigest.indexOf('@');
      if (at <= 0) continue;
      const name = repoDigest.slice(0, at);
      // A repository already listing this image by tag needs no extra digest row.
      if (!tagged.has(name)) add(name, { digest: repoDigest.slice(at + 1), image });
    }
    if (image.repoTags.length === 0 && image.repoDigests.length === 0) add(UNTAGGED, { image });
  }
  for (const entries of repositories.values()) {
    entries.sort((a, b) => (a.tag ?? a.digest ?? a.image.id).localeCompare(b.tag ?? b.digest ?? b.image.id, undefined, { numeric: true }));
  }
  return repositories;
}

function signature(entries: Entry[]): string {
  return entries.map((e) => `${e.tag ?? ''}@${e.digest ?? ''}=${e.image.id}`).join('\n');
}
