// Docker Hub's pull rate limit in the status bar while Docker Hub is in the Registries view:
// remaining/limit, with the window and whom it is counted for in the tooltip. Read with a HEAD on
// Docker's probe repository (HEADs are not counted), on a timer, after pulls (the service sees every
// manifest GET to Docker Hub, and the engine pulls report through notePull) and on a click.
import * as vscode from 'vscode';
import { describeError } from '../errors/describe';
import type { RateLimitStatus } from '../registries';
import type { RegistryService } from './registryService';
import * as settings from './settings';

/** How often the numbers are read again while nothing else asks (a HEAD, which is free). */
const REFRESH_MS = 5 * 60_000;
/** Pulls come in bursts (an index, then its platform manifest): read once after they settle. */
const AFTER_PULL_MS = 2_000;

export interface RateLimitReading {
  host: string;
  status?: RateLimitStatus;
  /** describeError's words when the limit could not be read. */
  error?: string;
  checkedAt: number;
}

export class DockerHubRateLimit implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly timer: NodeJS.Timeout;
  private afterPull: NodeJS.Timeout | undefined;
  /** The Docker Hub registry shown, when one is connected. */
  private host: string | undefined;
  private running: Promise<RateLimitReading | undefined> | undefined;
  /** The last reading (tests and the tooltip). */
  last: RateLimitReading | undefined;

  constructor(private readonly service: RegistryService) {
    this.item = vscode.window.createStatusBarItem('registryExplorer.dockerHubRateLimit', vscode.StatusBarAlignment.Right, 50);
    this.item.name = vscode.l10n.t('Docker Hub Pull Rate Limit');
    this.item.command = 'registryExplorer.checkRateLimit';
    this.disposables.push(
      this.item,
      service.onDidChange(() => void this.update()),
      service.onDidPull(() => this.refreshSoon()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (settings.affectsRegistries(e)) void this.update();
      }),
    );
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    void this.update();
  }

  dispose(): void {
    clearInterval(this.timer);
    clearTimeout(this.afterPull);
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  /** Show the item while a Docker Hub registry is connected (and read the limit), hide it otherwise. */
  async update(): Promise<RateLimitReading | undefined> {
    let hub: string | undefined;
    try {
      hub = (await this.service.roots()).find((r) => this.service.kindOf(r.host) === 'docker-hub')?.host;
    } catch {
      hub = undefined;
    }
    this.host = hub;
    if (!hub) {
      this.last = undefined;
      this.item.hide();
      return undefined;
    }
    return this.refresh();
  }

  /** Read the limit now (one HEAD) and show it; concurrent callers share the request. */
  refresh(): Promise<RateLimitReading | undefined> {
    this.running ??= this.read().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private refreshSoon(): void {
    clearTimeout(this.afterPull);
    this.afterPull = setTimeout(() => void this.refresh(), AFTER_PULL_MS);
  }

  private async read(): Promise<RateLimitReading | undefined> {
    const host = this.host;
    if (!host) return undefined;
    const provider = this.service.provider(host);
    let reading: RateLimitReading;
    try {
      const status = await provider.rateLimit?.();
      reading = { host, ...(status ? { status } : {}), checkedAt: Date.now() };
    } catch (error) {
      reading = { host, error: describeError(error), checkedAt: Date.now() };
    }
    // The registry may have been disconnected while the HEAD was out.
    if (this.host !== host) return undefined;
    this.last = reading;
    this.render(reading);
    return reading;
  }

  private render(reading: RateLimitReading): void {
    const { status, error } = reading;
    const time = new Date(reading.checkedAt).toLocaleTimeString();
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown('**');
    tooltip.appendText(vscode.l10n.t('Docker Hub pull rate limit'));
    tooltip.appendMarkdown('**\n\n');
    if (error) {
      this.item.text = `$(cloud-download) ${vscode.l10n.t('Docker Hub: limit unknown')}`;
      tooltip.appendText(vscode.l10n.t('Could not read it: {0}', error));
      this.item.backgroundColor = undefined;
    } else if (!status) {
      this.item.text = `$(cloud-download) ${vscode.l10n.t('Docker Hub: no pull limit')}`;
      tooltip.appendText(vscode.l10n.t('Docker Hub sent no rate-limit headers: pulls for this account are not limited.'));
      this.item.backgroundColor = undefined;
    } else {
      this.item.text = `$(cloud-download) ${status.remaining}/${status.limit}`;
      tooltip.appendText(status.windowSeconds
        ? vscode.l10n.t('{0} of {1} pulls left in the current {2} window.', status.remaining, status.limit, formatWindow(status.windowSeconds))
        : vscode.l10n.t('{0} of {1} pulls left.', status.remaining, status.limit));
      if (status.source) {
        tooltip.appendMarkdown('\n\n');
        tooltip.appendText(vscode.l10n.t('Counted for {0} (anonymous pulls count per IP address, signed-in pulls per account).', status.source));
      }
      this.item.backgroundColor = status.remaining === 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    }
    tooltip.appendMarkdown('\n\n');
    tooltip.appendText(vscode.l10n.t('Checked at {0}; click to check again (a HEAD request, which does not count as a pull).', time));
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: vscode.l10n.t('Docker Hub pull rate limit: {0}', this.item.text.replace(/\$\([^)]*\)\s*/g, '')) };
    this.item.show();
  }
}

/** 21600 → "6-hour", 86400 → "24-hour", 90 → "90-second". */
function formatWindow(seconds: number): string {
  if (seconds % 3600 === 0) return vscode.l10n.t('{0}-hour', seconds / 3600);
  if (seconds % 60 === 0) return vscode.l10n.t('{0}-minute', seconds / 60);
  return vscode.l10n.t('{0}-second', seconds);
}
