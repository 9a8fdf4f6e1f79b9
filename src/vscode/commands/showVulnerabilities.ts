// Show Vulnerabilities: the registry's own scan of a tag or a platform image (Harbor, Quay), in full,
// as a read-only Markdown document (scanDocuments.ts): scanner, time, counts and every finding worst
// first. From a tag or platform row of a registry that scans, or the palette. A registry that keeps no
// scans says so in describeError's words; a report's own status (not scanned, failed) is in the text.
import * as vscode from 'vscode';
import { UnsupportedError } from '../../errors/errors';
import type { RegistryProvider, VulnerabilityReport } from '../../registries';
import { withProgress } from '../progress';
import { scanTargetLabel, type ScanTarget } from '../scanDocuments';
import { isNode } from '../tree/nodes';
import { keepsScans } from '../tree/scans';
import { registryLabel } from '../tree/format';
import type { CommandContext } from './context';
import { imageTarget, targetReference } from './pickers';

export interface ShowVulnerabilitiesOutcome {
  target: ScanTarget;
  report: VulnerabilityReport;
  document: vscode.TextDocument;
}

export async function showVulnerabilities(ctx: CommandContext, arg?: unknown): Promise<ShowVulnerabilitiesOutcome | undefined> {
  const target = await scanTarget(ctx, arg, 'Show vulnerabilities', keepsScans, 'vulnerability scans');
  if (!target) return undefined;
  const provider = ctx.service.provider(target.host);
  const report = await withProgress(vscode.l10n.t('Reading the scan of {0}', scanTargetLabel(target)), () => provider.vulnerabilities!(target.repository, target.reference));
  if (!target.reference.includes(':')) ctx.tree.setScan(target.host, target.repository, target.reference, report);
  const document = await ctx.scans.open(target, report);
  return { target, report, document };
}

/**
 * The image a scan command acts on: a tag or platform row (or a ScanTarget, from a message's button),
 * else picked from the registries whose provider can (`can`); a registry that cannot is an
 * UnsupportedError naming `feature`.
 */
export async function scanTarget(
  ctx: CommandContext,
  arg: unknown,
  title: string,
  can: (provider: RegistryProvider) => boolean,
  feature: string,
): Promise<ScanTarget | undefined> {
  let target: ScanTarget;
  if (isScanTarget(arg)) {
    target = arg;
  } else {
    const image = await imageTarget(ctx, arg, title, { only: can });
    if (!image) return undefined;
    target = { host: image.host, repository: image.repository, reference: targetReference(image) };
  }
  const provider = ctx.service.provider(target.host);
  if (!can(provider)) throw new UnsupportedError(registryLabel(provider), feature);
  return target;
}

function isScanTarget(value: unknown): value is ScanTarget {
  const v = value as ScanTarget | undefined;
  return !!v && typeof v === 'object' && !isNode(v) && typeof v.host === 'string' && typeof v.repository === 'string' && typeof v.reference === 'string';
}
