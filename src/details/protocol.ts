// The messages between the Image Details panel (src/vscode/details/) and its webview
// (src/webview/details/): the one place both sides' shapes are written down. The webview holds no
// credentials and fetches nothing: it asks, and the extension answers through the Distribution client.
import type {
  ImageComparison,
  ImageDetails,
  SbomPage,
  SupplyChain,
  VulnerabilitiesView,
} from './model';

/** What a panel shows, and what the WebviewPanelSerializer restores after a window reload. */
export interface DetailsTarget {
  host: string;
  repository: string;
  /** A tag or a digest. */
  reference: string;
  /** The index entry selected in the platform switcher, if the user picked one. */
  platform?: string;
}

/** The theme kind the webview styles for (it also follows VS Code's CSS variables). */
export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export type ToWebview =
  /** Sent first and after every platform switch: the overview, layers and config. */
  | { type: 'details'; target: DetailsTarget; details: ImageDetails }
  /** Sent once the referrers are read (they may come after the details). */
  | { type: 'supplyChain'; digest: string; supplyChain: SupplyChain }
  | { type: 'vulnerabilities'; digest: string; vulnerabilities: VulnerabilitiesView }
  /** The answer to sbomQuery. */
  | { type: 'sbomPage'; requestId: number; page: SbomPage }
  /** The answer to listTags (for the compare picker). */
  | { type: 'tags'; requestId: number; tags: string[]; more: boolean }
  /** The answer to compare. */
  | { type: 'comparison'; requestId: number; comparison: ImageComparison }
  /** A request could not be answered; words from describeError. */
  | { type: 'failed'; requestId?: number; what: string; message: string }
  | { type: 'loading'; what: string };

export type FromWebview =
  /** The webview's script is running and listening: send it the state. */
  | { type: 'ready' }
  | { type: 'selectPlatform'; digest: string }
  | { type: 'sbomQuery'; requestId: number; sbom: string; query: string; offset: number; limit: number }
  | { type: 'listTags'; requestId: number; filter: string }
  | { type: 'compare'; requestId: number; reference: string }
  | { type: 'copy'; text: string }
  /** Open a link from a label (https only; the extension checks again). */
  | { type: 'openLink'; url: string }
  | { type: 'refresh' };

/** Rows of an SBOM sent per page: enough to fill a screen, small enough never to hold a 10 MB SBOM in the DOM. */
export const SBOM_PAGE_SIZE = 200;

/** A narrow check at the boundary: the extension never trusts a message's shape blindly. */
export function isFromWebview(value: unknown): value is FromWebview {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
    case 'refresh':
      return true;
    case 'selectPlatform':
      return typeof m.digest === 'string';
    case 'sbomQuery':
      return typeof m.requestId === 'number' && typeof m.sbom === 'string' && typeof m.query === 'string' && Number.isInteger(m.offset) && Number.isInteger(m.limit);
    case 'listTags':
      return typeof m.requestId === 'number' && typeof m.filter === 'string';
    case 'compare':
      return typeof m.requestId === 'number' && typeof m.reference === 'string';
    case 'copy':
      return typeof m.text === 'string';
    case 'openLink':
      return typeof m.url === 'string';
    default:
      return false;
  }
}
