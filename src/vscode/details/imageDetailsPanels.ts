// Show Image Details: one webview panel per image (reused by digest: a second Show reveals it),
// restored after a window reload by a WebviewPanelSerializer from the target the webview keeps with
// setState. The panel is thin: the pure layer (src/details/) reads through the host's Distribution
// client, and every read of a panel shares the panel's AbortController, aborted when it closes.
// That layer is a bundle of its own in the extension (dist/imageDetails.js, scripts/bundles.mjs),
// required when the first panel reads: most sessions never open one.
/* eslint-disable @typescript-eslint/no-require-imports */
import * as vscode from 'vscode';
import type { ImageDetails, SupplyChain, VulnerabilitiesView } from '../../details/model';
import { isFromWebview, SBOM_PAGE_SIZE, type DetailsTarget, type FromWebview, type ToWebview } from '../../details/protocol';
import { isDigest } from '../../distribution/digest';
import { describeError } from '../../errors/describe';
import { CancelledError, InvalidInputError } from '../../errors/errors';
import { parseReference } from '../../reference';
import type { RegistryService } from '../registryService';
import { shortDigest } from '../tree/format';
import { tagNamesPage } from '../commands/pickers';
import { detailsHtml } from './html';

export const IMAGE_DETAILS_VIEW_TYPE = 'registryExplorer.imageDetails';

let loadedLayer: typeof import('../../details') | undefined;

function detailsLayer(): typeof import('../../details') {
  loadedLayer ??= require('../../details') as typeof import('../../details');
  return loadedLayer;
}

/** Tag pages read at most to answer one tag filter of the compare picker (never the whole list). */
const TAG_PAGES_PER_FILTER = 3;
const TAG_PAGE_SIZE = 100;
/** Longest text the webview may put on the clipboard (a digest or a reference is far shorter). */
const MAX_COPY = 4096;

/** What a panel posted, for the extension-host tests (TEST-ONLY observation; no listener in use). */
export interface PostedMessage {
  panel: ImageDetailsPanel;
  message: ToWebview;
}

export function isDetailsTarget(value: unknown): value is DetailsTarget {
  const v = value as DetailsTarget | undefined;
  return (
    !!v &&
    typeof v === 'object' &&
    typeof v.host === 'string' &&
    typeof v.repository === 'string' &&
    typeof v.reference === 'string' &&
    (v.platform === undefined || typeof v.platform === 'string')
  );
}

export function targetTitle(target: DetailsTarget): string {
  const name = target.repository.split('/').pop() ?? target.repository;
  return isDigest(target.reference) ? `${name}@${shortDigest(target.reference)}` : `${name}:${target.reference}`;
}

export class ImageDetailsPanels implements vscode.Disposable, vscode.WebviewPanelSerializer<unknown> {
  private readonly panels = new Set<ImageDetailsPanel>();
  private readonly posted = new vscode.EventEmitter<PostedMessage>();
  /** Fires for every message a panel posts to its webview (the extension-host tests listen). */
  readonly onDidPost = this.posted.event;
  private readonly disposables: vscode.Disposable[] = [this.posted];

  constructor(
    private readonly service: RegistryService,
    private readonly extensionUri: vscode.Uri,
  ) {
    this.disposables.push(vscode.window.registerWebviewPanelSerializer(IMAGE_DETAILS_VIEW_TYPE, this));
  }

  /** The open panels, oldest first. */
  list(): ImageDetailsPanel[] {
    return [...this.panels];
  }

  /**
   * Reveals the panel already showing this image (same digest, or the same reference while its
   * digest is not known yet), else opens one. A tag's digest is asked with one HEAD first, so two
   * tags of one image share a panel.
   */
  async show(target: DetailsTarget): Promise<ImageDetailsPanel> {
    const digest = isDigest(target.reference) ? target.reference : await this.digestOf(target);
    const existing = this.list().find((p) => p.shows(target, digest));
    if (existing) {
      existing.reveal();
      // A platform row of an index already open: show that platform there.
      if (target.platform && target.platform !== existing.currentTarget.platform) await existing.receive({ type: 'selectPlatform', digest: target.platform });
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(IMAGE_DETAILS_VIEW_TYPE, targetTitle(target), vscode.ViewColumn.Active, this.options());
    return this.adopt(panel, target, digest);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const target = (state as { target?: unknown } | undefined)?.target;
    panel.webview.options = this.options();
    if (!isDetailsTarget(target)) {
      // A state from nowhere we know: say so rather than leave a blank panel.
      panel.webview.html = '<!DOCTYPE html><html><body><p>This panel cannot be restored: run Show Image Details again.</p></body></html>';
      return;
    }
    this.adopt(panel, target, isDigest(target.reference) ? target.reference : undefined);
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    // No retainContextWhenHidden: a shown-again webview says 'ready' and gets the panel's last data back.
    return { enableScripts: true, localResourceRoots: [this.webviewRoot()], enableFindWidget: true };
  }

  private webviewRoot(): vscode.Uri {
    return vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
  }

  private adopt(webviewPanel: vscode.WebviewPanel, target: DetailsTarget, digest: string | undefined): ImageDetailsPanel {
    const panel = new ImageDetailsPanel(webviewPanel, target, digest, this.service, (message) => this.posted.fire({ panel, message }));
    this.panels.add(panel);
    panel.onDidDispose(() => this.panels.delete(panel));
    webviewPanel.webview.html = detailsHtml(webviewPanel.webview, this.webviewRoot(), (root, file) => vscode.Uri.joinPath(root, file), { language: vscode.env.language, bundle: vscode.l10n.bundle });
    panel.start();
    return panel;
  }

  private async digestOf(target: DetailsTarget): Promise<string | undefined> {
    try {
      return (await this.service.client(target.host).headManifest(target.repository, target.reference))?.digest;
    } catch {
      // The panel reads (and reports) the reference itself; the HEAD only decides reuse.
      return undefined;
    }
  }

  dispose(): void {
    for (const panel of this.list()) panel.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

export class ImageDetailsPanel implements vscode.Disposable {
  /** Aborted when the panel closes: every read of this panel stops with it. */
  private readonly abort = new AbortController();
  private readonly disposed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private details: ImageDetails | undefined;
  private supplyChain: { digest: string; value: SupplyChain } | undefined;
  private vulnerabilities: { digest: string; value: VulnerabilitiesView } | undefined;
  /** Bumped by each load: an answer to an older one (a platform picked, then another) is dropped. */
  private generation = 0;
  private loading = false;
  private closed = false;

  constructor(
    readonly webviewPanel: vscode.WebviewPanel,
    private target: DetailsTarget,
    private digest: string | undefined,
    private readonly service: RegistryService,
    private readonly observe: (message: ToWebview) => void,
  ) {
    this.disposables.push(
      this.disposed,
      webviewPanel.onDidDispose(() => this.dispose()),
      webviewPanel.webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
    );
  }

  /** The AbortSignal of this panel's reads (aborted once it is closed). */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get currentTarget(): DetailsTarget {
    return { ...this.target };
  }

  /** Whether this panel shows the image `target` names (by digest when known). */
  shows(target: DetailsTarget, digest: string | undefined): boolean {
    if (target.host !== this.target.host || target.repository !== this.target.repository) return false;
    const mine = this.details?.digest ?? this.digest;
    return (!!digest && digest === mine) || target.reference === this.target.reference;
  }

  reveal(): void {
    this.webviewPanel.reveal();
  }

  /**
   * A message from the webview, checked before anything is done with it. Public for the extension-host
   * tests, which ask the panel what its webview would (the same path as onDidReceiveMessage).
   */
  async receive(message: unknown): Promise<void> {
    if (this.closed || !isFromWebview(message)) return;
    try {
      await this.handle(message);
    } catch (error) {
      if (this.closed || error instanceof CancelledError) return;
      const requestId = 'requestId' in message ? message.requestId : undefined;
      this.post({ type: 'failed', ...(requestId !== undefined ? { requestId } : {}), what: whatOf(message), message: describeError(error) });
    }
  }

  private async handle(message: FromWebview): Promise<void> {
    const client = this.service.client(this.target.host);
    const signal = this.abort.signal;
    const repository = this.target.repository;
    switch (message.type) {
      case 'ready':
        // The reads started with the panel (a webview's first messages may come before its script
        // listens): a webview that starts, or is shown again, gets what was read; after a failure, a new try.
        if (this.details) return this.resend();
        if (!this.loading) return this.load();
        return;
      case 'refresh':
        this.details = undefined;
        this.supplyChain = undefined;
        this.vulnerabilities = undefined;
        return this.load();
      case 'selectPlatform': {
        const entry = this.details?.platforms.find((p) => p.digest === message.digest);
        if (!entry) throw new InvalidInputError('digest', message.digest, 'not a platform of this index');
        this.target = { ...this.target, platform: message.digest };
        return this.load();
      }
      case 'sbomQuery': {
        // Only an SBOM this image's supply chain listed: the webview cannot ask for any other blob.
        if (!this.supplyChain?.value.sboms.some((s) => s.digest === message.sbom)) throw new InvalidInputError('digest', message.sbom, 'not an SBOM of this image');
        const limit = Math.min(Math.max(1, message.limit), SBOM_PAGE_SIZE);
        const page = await detailsLayer().sbomPage(client, repository, message.sbom, message.query, Math.max(0, message.offset), limit, { signal });
        return this.post({ type: 'sbomPage', requestId: message.requestId, page });
      }
      case 'listTags': {
        const { tags, more } = await this.tagsMatching(message.filter, signal);
        return this.post({ type: 'tags', requestId: message.requestId, tags, more });
      }
      case 'compare': {
        const other = this.otherReference(message.reference);
        // The base as the panel shows it: the reference asked for, on the platform shown.
        const platform = this.details?.kind === 'index' ? this.details.image?.digest : undefined;
        const base = { repository, reference: this.target.reference, ...(platform ? { platform } : {}) };
        const comparison = await detailsLayer().compareImages(client, base, client, { repository, reference: other }, { signal });
        return this.post({ type: 'comparison', requestId: message.requestId, comparison });
      }
      case 'copy':
        await vscode.env.clipboard.writeText(message.text.slice(0, MAX_COPY));
        return;
      case 'openLink':
        return this.openLink(message.url);
    }
  }

  /** Starts the first read, as the panel opens (not when its webview says 'ready'). */
  start(): void {
    void this.receive({ type: 'refresh' });
  }

  /** The overview first, then the supply chain and the scan, each as soon as it is read. */
  private async load(): Promise<void> {
    this.loading = true;
    try {
      await this.read();
    } finally {
      this.loading = false;
    }
  }

  private async read(): Promise<void> {
    const generation = ++this.generation;
    const signal = this.abort.signal;
    const { host, repository, reference, platform } = this.target;
    const client = this.service.client(host);
    this.post({ type: 'loading', what: 'details' });
    const details = await detailsLayer().readImageDetails(client, { repository, reference, ...(platform ? { platform } : {}) }, { signal });
    if (generation !== this.generation || this.closed) return;
    this.details = details;
    this.digest = details.digest;
    this.webviewPanel.title = targetTitle(this.target);
    this.post({ type: 'details', target: this.currentTarget, details });
    const shown = details.image?.digest ?? details.digest;
    await Promise.all([
      this.readPart('supplyChain', generation, () => this.readSupplyChain(details)),
      this.readPart('vulnerabilities', generation, () => this.readVulnerabilities(shown)),
    ]);
  }

  /** The image's referrers; for an index, the index's and the shown platform's (its buildx attestations too). */
  private async readSupplyChain(details: ImageDetails): Promise<void> {
    const platform = details.kind === 'index' ? details.image?.digest : undefined;
    const value = await detailsLayer().readSupplyChain(this.service.client(this.target.host), this.target.repository, details.digest, { signal: this.abort.signal, ...(platform ? { platform } : {}) });
    this.supplyChain = { digest: platform ?? details.digest, value };
    this.post({ type: 'supplyChain', digest: platform ?? details.digest, supplyChain: value });
  }

  private async readVulnerabilities(digest: string): Promise<void> {
    const value = await detailsLayer().vulnerabilitiesView(this.service.provider(this.target.host), this.target.repository, digest, this.abort.signal);
    this.vulnerabilities = { digest, value };
    this.post({ type: 'vulnerabilities', digest, vulnerabilities: value });
  }

  /** One part of the panel: its failure is that part's error row, never the whole panel's. */
  private async readPart(what: string, generation: number, read: () => Promise<void>): Promise<void> {
    this.post({ type: 'loading', what });
    try {
      if (generation === this.generation) await read();
    } catch (error) {
      if (this.closed || error instanceof CancelledError || generation !== this.generation) return;
      this.post({ type: 'failed', what, message: describeError(error) });
    }
  }

  private resend(): void {
    if (this.details) this.post({ type: 'details', target: this.currentTarget, details: this.details });
    if (this.supplyChain) this.post({ type: 'supplyChain', digest: this.supplyChain.digest, supplyChain: this.supplyChain.value });
    if (this.vulnerabilities) this.post({ type: 'vulnerabilities', digest: this.vulnerabilities.digest, vulnerabilities: this.vulnerabilities.value });
  }

  /** Tags of the repository that contain `filter`, from a few pages at most; `more` when pages remain. */
  private async tagsMatching(filter: string, signal: AbortSignal): Promise<{ tags: string[]; more: boolean }> {
    const listPage = tagNamesPage(this.service.provider(this.target.host), this.target.repository);
    const needle = filter.trim().toLowerCase();
    const tags: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < TAG_PAGES_PER_FILTER; pages++) {
      if (signal.aborted) throw new CancelledError();
      const page = await listPage(cursor ? { pageSize: TAG_PAGE_SIZE, cursor } : { pageSize: TAG_PAGE_SIZE });
      // The referrers fallback tags (sha256-<hex>) are not images to compare with.
      tags.push(...page.items.filter((t) => !/^sha256-[0-9a-f]{64}/.test(t) && t.toLowerCase().includes(needle)));
      cursor = page.next;
      if (!cursor || tags.length >= TAG_PAGE_SIZE) break;
    }
    return { tags, more: !!cursor };
  }

  /** A tag or digest of this repository, checked with the reference parser's rules. */
  private otherReference(reference: string): string {
    const text = reference.trim();
    const parsed = parseReference(`${this.target.host}/${this.target.repository}${isDigest(text) ? '@' : ':'}${text}`);
    return parsed.digest ?? parsed.tag ?? text;
  }

  private async openLink(url: string): Promise<void> {
    let uri: vscode.Uri;
    try {
      uri = vscode.Uri.parse(url, true);
    } catch {
      throw new InvalidInputError('url', url, 'not a link');
    }
    if (uri.scheme !== 'https') throw new InvalidInputError('url', url, 'only https links are opened');
    await vscode.env.openExternal(uri);
  }

  private post(message: ToWebview): void {
    if (this.closed) return;
    this.observe(message);
    void this.webviewPanel.webview.postMessage(message);
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort(new CancelledError('the Image Details panel was closed'));
    this.disposed.fire();
    this.webviewPanel.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function whatOf(message: FromWebview): string {
  switch (message.type) {
    case 'sbomQuery':
      return 'SBOM';
    case 'listTags':
      return 'tags';
    case 'compare':
      return 'comparison';
    case 'copy':
      return 'clipboard';
    case 'openLink':
      return 'link';
    default:
      return 'details';
  }
}
