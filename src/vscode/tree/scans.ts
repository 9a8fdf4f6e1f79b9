// Vulnerability badges on tag rows, for registries that keep scans of their images (a provider with
// capabilities.scan: Harbor, Quay). A tag row paints first; its report is asked for afterwards, a few
// at a time, and each answer redraws only that row: the severity counts as a compact badge
// (severityBadge) at the end of its description, the scanner and the time of the scan in its tooltip.
import type * as vscode from 'vscode';
import type { Limiter } from '../../distribution/concurrency';
import { describeError } from '../../errors/describe';
import { SEVERITIES, severityBadge, type RegistryProvider, type VulnerabilityReport } from '../../registries';
import type { RegistryService } from '../registryService';
import { formatAge } from './format';
import type { TagNode, TreeNode } from './nodes';

export type ScanState = { report: VulnerabilityReport; error?: undefined } | { report?: undefined; error: unknown };

export interface ScanContext {
  readonly service: RegistryService;
  /** By tag node id: the report, or why it could not be read. */
  readonly scans: Map<string, ScanState>;
  /** Tags whose report is queued or in flight, with the generation that asked (as TagContext.pendingDetails). */
  readonly pendingScans: Map<string, number>;
  readonly scanLimiter: Limiter;
  /** Bumped on every refresh. */
  readonly generation: number;
  changed(node: TreeNode): void;
}

/** The provider keeps scans: tag and platform rows get a badge and Show Vulnerabilities. */
export function keepsScans(provider: RegistryProvider): boolean {
  return !!provider.capabilities.scan && !!provider.vulnerabilities;
}

/** …and scans on request (Scan Now). */
export function scansOnRequest(provider: RegistryProvider): boolean {
  return keepsScans(provider) && !!provider.capabilities.scan?.trigger && !!provider.scanNow;
}

/** Ask for the reports of tags just shown, a few at a time, unless known or already asked for. */
export function scheduleScans(ctx: ScanContext, tags: TagNode[]): void {
  const generation = ctx.generation;
  for (const tag of tags) {
    if (ctx.scans.has(tag.id) || ctx.pendingScans.has(tag.id)) continue;
    ctx.pendingScans.set(tag.id, generation);
    const repo = tag.repository;
    void ctx.scanLimiter
      .run(async () => {
        // Skip work for a tree that was refreshed while this waited for a slot.
        if (generation !== ctx.generation || ctx.pendingScans.get(tag.id) !== generation) return undefined;
        return { report: await ctx.service.provider(repo.registry.root.host).vulnerabilities!(repo.name, tag.tag) };
      })
      .then(
        (got) => got,
        (error: unknown) => ({ error }),
      )
      .then((got: ScanState | undefined) => {
        if (ctx.pendingScans.get(tag.id) !== generation) return;
        ctx.pendingScans.delete(tag.id);
        if (!got || generation !== ctx.generation) return;
        ctx.scans.set(tag.id, got);
        ctx.changed(tag);
      });
  }
}

/** The badge at the end of a tag row's description; '' while the report is on its way. */
export function scanBadge(state: ScanState | undefined): string {
  if (!state) return '';
  return state.report ? severityBadge(state.report) : 'scan unavailable';
}

/** The tooltip's lines about the scan: counts in words, scanner and time, or why there is none. */
export function scanTooltip(tooltip: vscode.MarkdownString, state: ScanState | undefined): void {
  if (!state) return;
  tooltip.appendMarkdown('  \nVulnerabilities: ');
  const report = state.report;
  if (!report) {
    tooltip.appendText(`could not be read: ${describeError(state.error)}`);
    return;
  }
  tooltip.appendText(reportSummary(report));
  const by = [report.scanner, report.scannedAt ? `${report.scannedAt}${formatAge(report.scannedAt) ? ` (${formatAge(report.scannedAt)})` : ''}` : '']
    .filter(Boolean)
    .join(', ');
  if (by) {
    tooltip.appendMarkdown(`  \n${report.status === 'scanning' ? 'Scan started' : 'Scanned by'}: `);
    tooltip.appendText(by);
  }
}

/** "2 critical, 5 high, 1 medium", "no findings", or what the status means, in words. */
export function reportSummary(report: VulnerabilityReport): string {
  switch (report.status) {
    case 'not-scanned':
      return 'not scanned yet';
    case 'scanning':
      return 'a scan is running';
    case 'error':
      return `the scan failed${report.message ? `: ${report.message}` : ''}`;
    case 'unsupported':
      return `the registry cannot scan this image${report.message ? `: ${report.message}` : ''}`;
    default: {
      const parts = SEVERITIES.filter((s) => report.counts[s] > 0).map((s) => `${report.counts[s]} ${s}`);
      return parts.length ? parts.join(', ') : 'no findings';
    }
  }
}
