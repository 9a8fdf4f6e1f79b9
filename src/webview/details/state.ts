// What the Image Details webview holds between messages. The extension sends data; nothing here
// is fetched by the webview itself.
import type { ImageComparison, ImageDetails, SbomPage, SupplyChain, VulnerabilitiesView } from '../../details/model';
import type { DetailsTarget } from '../../details/protocol';
import type { VulnerabilitySort } from './rows';

export const TABS = ['Overview', 'Layers', 'Config', 'Supply chain', 'Vulnerabilities', 'Compare'] as const;

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
