// Vulnerability badges on tag rows, for registries that keep scans of their images (a provider with
// capabilities.scan: Harbor, Quay). A tag row paints first; its report is asked for afterwards, a few
// at a time, and each answer redraws only that row: the severity counts as a compact badge
// (severityBadge) at the end of its description, the scanner and the time of the scan in its tooltip.
import * as l10n from '@vscode/l10n';
import type * as vscode from 'vscode';
import type { Limiter } from '../../distribution/concurrency';
import { describeError } from '../../errors/describe';
import { SEVERITIES, severityBadge, type RegistryProvider, type Severity, type VulnerabilityReport } from '../../registries';
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
  return state.report ? severityBadge(state.report) : l10n.t('scan unavailable');
}

/** The tooltip's lines about the scan: counts in words, scanner and time, or why there is none. */
export function scanTooltip(tooltip: vscode.MarkdownString, state: ScanState | undefined): void {
  if (!state) return;
  tooltip.appendMarkdown('  \n');
  const report = state.report;
  if (!report) {
    tooltip.appendText(l10n.t('Vulnerabilities: could not be read: {0}', describeError(state.error)));
    return;
  }
  tooltip.appendText(l10n.t('Vulnerabilities: {0}', reportSummary(report)));
  const age = report.scannedAt ? formatAge(report.scannedAt) : '';
  const when = report.scannedAt ? (age ? l10n.t('{0} ({1})', report.scannedAt, age) : report.scannedAt) : '';
  const by = [report.scanner, when].filter(Boolean).join(', ');
  if (by) {
    tooltip.appendMarkdown('  \n');
    tooltip.appendText(report.status === 'scanning' ? l10n.t('Scan started: {0}', by) : l10n.t('Scanned by: {0}', by));
  }
}

/** "2 critical": a count and its severity as one phrase per severity (the words through @vscode/l10n, when asked). */
export const SEVERITY_COUNT: Record<Severity, (count: number | string) => string> = {
  critical: (n) => l10n.t('{0} critical', n),
  high: (n) => l10n.t('{0} high', n),
  medium: (n) => l10n.t('{0} medium', n),
  low: (n) => l10n.t('{0} low', n),
  negligible: (n) => l10n.t('{0} negligible', n),
  unknown: (n) => l10n.t('{0} unknown', n),
};

/** "2 critical, 5 high, 1 medium", "no findings", or what the status means, in words. */
export function reportSummary(report: VulnerabilityReport): string {
  switch (report.status) {
    case 'not-scanned':
      return l10n.t('not scanned yet');
    case 'scanning':
      return l10n.t('a scan is running');
    case 'error':
      return report.message ? l10n.t('the scan failed: {0}', report.message) : l10n.t('the scan failed');
    case 'unsupported':
      return report.message ? l10n.t('the registry cannot scan this image: {0}', report.message) : l10n.t('the registry cannot scan this image');
    default: {
      const parts = SEVERITIES.filter((s) => report.counts[s] > 0).map((s) => SEVERITY_COUNT[s](report.counts[s]));
      return parts.length ? parts.join(', ') : l10n.t('no findings');
    }
  }
}
