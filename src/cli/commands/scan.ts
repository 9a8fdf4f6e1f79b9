// `regx scan REF [--json]`: the registry's own vulnerability scan of a tag or digest (Harbor, Quay):
// scanner, time, counts per severity, then every finding worst first. Registries without scans say so.
import { UnsupportedError } from '../../errors/errors';
import { formatReference, parseReference } from '../../reference';
import { ACR_SCAN_NOTE, type RegistryKind } from '../../registries';
import { SEVERITIES, sortVulnerabilities, totalFindings, type VulnerabilityReport } from '../../registries/vulnerabilities';
import { expectPositionals } from '../args';
import { providerForCli } from '../context';
import { formatKeyValues, jsonText } from '../output';
import type { CliCommand } from '../types';

/** Where a registry without scans of its own keeps them, if anywhere. */
const NO_SCANS_HINT: Partial<Record<RegistryKind, string>> = {
  generic: 'Harbor and Quay keep scan results; a plain Distribution registry has none.',
  artifactory: "Artifactory's scans live in JFrog Xray, a separate product that Registry Explorer does not read.",
  acr: ACR_SCAN_NOTE,
};

export const command: CliCommand = {
  name: 'scan',
  synopsis: 'regx scan REF',
  summary: "Show the registry's vulnerability scan of an image (Harbor, Quay).",
  async run(args, ctx) {
    const [refText] = expectPositionals(args, ['REF'], 'scan');
    const ref = parseReference(refText);
    const reference = ref.digest ?? ref.tag ?? 'latest';
    const provider = await providerForCli(ctx, ref.registry);
    if (!provider.vulnerabilities) throw new UnsupportedError(provider.displayName, 'vulnerability scans', NO_SCANS_HINT[provider.kind] ?? NO_SCANS_HINT.generic);
    const report = await provider.vulnerabilities(ref.repository, reference, ctx.signal);
    const shown = formatReference({ ...ref, tag: ref.digest ? ref.tag : reference });
    if (ctx.json) ctx.out(jsonText({ reference: shown, ...report, vulnerabilities: sortVulnerabilities(report.vulnerabilities ?? []) }));
    else ctx.out(scanText(shown, report));
  },
};

const STATUS_TEXT: Record<VulnerabilityReport['status'], string> = {
  'not-scanned': 'not scanned yet',
  scanning: 'scan in progress',
  success: 'scanned',
  error: 'the scan failed',
  unsupported: 'this image cannot be scanned',
};

export function scanText(reference: string, report: VulnerabilityReport): string {
  const rows: Array<[string, string]> = [
    ['Reference', reference],
    ...(report.digest ? ([['Digest', report.digest]] as Array<[string, string]>) : []),
    ['Status', STATUS_TEXT[report.status] + (report.message ? ` (${report.message})` : '')],
    ...(report.scanner ? ([['Scanner', report.scanner]] as Array<[string, string]>) : []),
    ...(report.scannedAt ? ([['Scanned', report.scannedAt]] as Array<[string, string]>) : []),
  ];
  if (report.status === 'success') {
    rows.push(['Findings', `${totalFindings(report.counts)} (${SEVERITIES.map((s) => `${s} ${report.counts[s]}`).join(', ')})`]);
  }
  const lines = [formatKeyValues(rows)];
  const findings = sortVulnerabilities(report.vulnerabilities ?? []);
  if (findings.length) {
    lines.push('');
    const table = [['SEVERITY', 'ID', 'PACKAGE', 'VERSION', 'FIXED IN']].concat(
      findings.map((v) => [v.severity.toUpperCase(), v.id, v.package, v.version, v.fixVersion ?? '']),
    );
    const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
    for (const row of table) lines.push(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
  }
  return lines.join('\n');
}
