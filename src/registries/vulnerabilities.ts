// A registry's own vulnerability scan of one image (Harbor's scan overview and report, Quay's
// security scan), in one shape for the tree badge, Show Vulnerabilities and `regx scan`.
// PURE: no vscode imports.

/** Ordered worst first; every vendor's levels map onto these. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type SeverityCounts = Record<Severity, number>;

export type ScanStatus =
  /** The registry has never scanned this image. */
  | 'not-scanned'
  /** A scan is queued or running. */
  | 'scanning'
  | 'success'
  /** The scanner failed on this image (the report's `message` says why, when the registry does). */
  | 'error'
  /** The registry cannot scan this image (an unsupported media type, or no scanner configured). */
  | 'unsupported';

export interface Vulnerability {
  /** CVE-2024-1234, GHSA-…, RHSA-… */
  id: string;
  package: string;
  version: string;
  fixVersion?: string;
  severity: Severity;
  description?: string;
  links?: string[];
}

export interface VulnerabilityReport {
  status: ScanStatus;
  /** The scanner that made the report, e.g. "Trivy 0.50.1", "Clair". */
  scanner?: string;
  /** ISO time the scan finished (or started, while it runs). */
  scannedAt?: string;
  /** The image the report is about. */
  digest?: string;
  counts: SeverityCounts;
  /** Every finding, when the registry gave them (the overview alone carries only counts). */
  vulnerabilities?: Vulnerability[];
  /** What the registry said about an error or unsupported status. */
  message?: string;
}

export function emptyCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, negligible: 0, unknown: 0 };
}

/** Vendor words for a level ("Critical", "CRITICAL", "Defcon1", "None") → ours; anything else is unknown. */
export function severityOf(text: unknown): Severity {
  const t = typeof text === 'string' ? text.trim().toLowerCase() : '';
  if (t === 'critical' || t === 'defcon1') return 'critical';
  if (t === 'high' || t === 'important') return 'high';
  if (t === 'medium' || t === 'moderate') return 'medium';
  if (t === 'low') return 'low';
  if (t === 'negligible' || t === 'none' || t === 'informational') return 'negligible';
  return 'unknown';
}

/** Counts from a list of findings. */
export function countSeverities(vulnerabilities: readonly Vulnerability[]): SeverityCounts {
  const counts = emptyCounts();
  for (const v of vulnerabilities) counts[v.severity]++;
  return counts;
}

export function totalFindings(counts: SeverityCounts): number {
  return SEVERITIES.reduce((sum, s) => sum + counts[s], 0);
}

/** Worst first, then by package and id: the order a reader triages in. */
export function sortVulnerabilities(vulnerabilities: readonly Vulnerability[]): Vulnerability[] {
  const rank = (s: Severity) => SEVERITIES.indexOf(s);
  return [...vulnerabilities].sort(
    (a, b) => rank(a.severity) - rank(b.severity) || a.package.localeCompare(b.package) || a.id.localeCompare(b.id),
  );
}

/**
 * The compact badge on a tag row: "C2 H5 M1" (only the levels present, worst first), "no findings",
 * or the status when there is no result.
 */
export function severityBadge(report: VulnerabilityReport): string {
  switch (report.status) {
    case 'not-scanned':
      return 'not scanned';
    case 'scanning':
      return 'scanning…';
    case 'error':
      return 'scan failed';
    case 'unsupported':
      return 'not scannable';
    default: {
      const parts = SEVERITIES.filter((s) => s !== 'unknown' && report.counts[s] > 0).map((s) => `${s[0]!.toUpperCase()}${report.counts[s]}`);
      if (report.counts.unknown > 0) parts.push(`?${report.counts.unknown}`);
      return parts.length ? parts.join(' ') : 'no findings';
    }
  }
}
