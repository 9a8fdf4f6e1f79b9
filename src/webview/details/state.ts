// What the Image Details webview holds between messages. The extension sends data; nothing here
// is fetched by the webview itself.
import * as l10n from '@vscode/l10n';
import type { ImageComparison, ImageDetails, SbomPage, SupplyChain, VulnerabilitiesView } from '../../details/model';
import type { DetailsTarget } from '../../details/protocol';
import type { VulnerabilitySort } from './rows';

export const TABS = ['overview', 'layers', 'config', 'supplyChain', 'vulnerabilities', 'compare'] as const;
export type Tab = (typeof TABS)[number];

/** The tabs' names, in the display language (asked when drawn, after src/webview/details/l10n.ts configured it). */
export const TAB_NAMES: Record<Tab, () => string> = {
  overview: () => l10n.t('Overview'),
  layers: () => l10n.t('Layers'),
  config: () => l10n.t('Config'),
  supplyChain: () => l10n.t('Supply chain'),
  vulnerabilities: () => l10n.t('Vulnerabilities'),
  compare: () => l10n.t('Compare'),
};

/** The part of the page a 'loading' or 'failed' message is about (its id on the wire), in words. */
export function partName(what: string): string {
  const names: Record<string, () => string> = {
    details: () => l10n.t('details'),
    supplyChain: () => l10n.t('supply chain'),
    vulnerabilities: () => l10n.t('vulnerabilities'),
    SBOM: () => l10n.t('SBOM'),
    tags: () => l10n.t('tags'),
    comparison: () => l10n.t('comparison'),
    clipboard: () => l10n.t('clipboard'),
    link: () => l10n.t('link'),
  };
  return names[what]?.() ?? what;
}

/** A request's failure, as the extension worded it (describeError). */
export interface Failure {
  what: string;
  message: string;
}

export interface SbomView {
  /** Digest of the SBOM shown. */
  selected?: string;
  query: string;
  offset: number;
  page?: SbomPage;
  /** The latest sbomQuery sent: older answers are dropped. */
  requestId: number;
  pending: boolean;
  failure?: string;
}

export interface CompareView {
  filter: string;
  tags?: string[];
  more: boolean;
  tagsRequest: number;
  tagsPending: boolean;
  reference: string;
  result?: ImageComparison;
  compareRequest: number;
  pending: boolean;
  failure?: string;
}

export interface ViewState {
  target?: DetailsTarget;
  details?: ImageDetails;
  supplyChain?: { digest: string; value: SupplyChain };
  vulnerabilities?: { digest: string; value: VulnerabilitiesView };
  /** What the extension said it is loading ("details", "supply chain", …), until its answer comes. */
  loading: Set<string>;
  /** Failures without a request id (the details, the referrers, the scan). */
  failures: Failure[];
  tab: number;
  largestFirst: boolean;
  sbom: SbomView;
  vulnerabilitySort: VulnerabilitySort;
  compare: CompareView;
  /** The last thing announced to screen readers. */
  announcement: string;
}

/** What survives a window reload (vscode.setState): the WebviewPanelSerializer reopens the panel on `target`. */
export interface PersistedState {
  target?: DetailsTarget;
  tab?: number;
}

export function initialState(persisted: PersistedState | undefined): ViewState {
  return {
    ...(persisted?.target ? { target: persisted.target } : {}),
    loading: new Set(['details']),
    failures: [],
    tab: persisted?.tab && persisted.tab >= 0 && persisted.tab < TABS.length ? persisted.tab : 0,
    largestFirst: false,
    sbom: { query: '', offset: 0, requestId: 0, pending: false },
    vulnerabilitySort: { column: 'severity', descending: false },
    compare: { filter: '', more: false, tagsRequest: 0, tagsPending: false, reference: '', compareRequest: 0, pending: false },
    announcement: '',
  };
}
