// The Image Details webview: renders what the extension sends (src/details/protocol.ts) and asks it
// for more (an SBOM page, the tags to compare with, a comparison). It holds no credentials and
// fetches nothing itself. Its state (the target and the tab) is kept with vscode.setState, which the
// WebviewPanelSerializer hands back after a window reload.
import './l10n';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-table/index.js';
import '@vscode-elements/elements/dist/vscode-table-body/index.js';
import '@vscode-elements/elements/dist/vscode-table-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-header/index.js';
import '@vscode-elements/elements/dist/vscode-table-header-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-row/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import * as l10n from '@vscode/l10n';
import { html, nothing, render } from 'lit';
import { SBOM_PAGE_SIZE, type FromWebview, type ToWebview } from '../../details/protocol';
import { totalFindings } from '../../registries/vulnerabilities';
import { initialState, partName, TAB_NAMES, TABS, type PersistedState, type ViewState } from './state';
import { compareTab, configTab, iconButton, layersTab, overviewTab, problemRows, supplyChainTab, vulnerabilitiesTab, type Actions } from './views';
import './details.css';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): PersistedState | undefined;
  setState(state: PersistedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const state: ViewState = initialState(vscode.getState());
const root = document.getElementById('app')!;
let nextRequest = 1;
let searchTimer: ReturnType<typeof setTimeout> | undefined;
let filterTimer: ReturnType<typeof setTimeout> | undefined;

/** Typing settles for this long before a query goes to the extension. */
const TYPING_PAUSE_MS = 250;

function post(message: FromWebview): void {
  vscode.postMessage(message);
}

function persist(): void {
  vscode.setState({ ...(state.target ? { target: state.target } : {}), tab: state.tab });
}

function announce(text: string): void {
  state.announcement = text;
}

function requestSbomPage(sbom: string, query: string, offset: number): void {
  const requestId = nextRequest++;
  state.sbom = { ...state.sbom, selected: sbom, query, offset, requestId, pending: true };
  delete state.sbom.failure;
  post({ type: 'sbomQuery', requestId, sbom, query, offset, limit: SBOM_PAGE_SIZE });
}

function requestTags(filter: string): void {
  const requestId = nextRequest++;
  state.compare = { ...state.compare, filter, tagsRequest: requestId, tagsPending: true };
  post({ type: 'listTags', requestId, filter });
}

/** The SBOM shown first: the one picked, else the first listed. */
function currentSbom(): string | undefined {
  const sboms = state.supplyChain?.value.sboms ?? [];
  return sboms.find((s) => s.digest === state.sbom.selected)?.digest ?? sboms[0]?.digest;
}

/** The data a tab needs that is fetched on demand: the first SBOM page, the tags to compare with. */
function loadForTab(): void {
  const tab = TABS[state.tab];
  if (tab === 'supplyChain') {
    const sbom = currentSbom();
    if (sbom && !state.sbom.pending && state.sbom.page?.sbom !== sbom) requestSbomPage(sbom, state.sbom.query, 0);
  }
  if (tab === 'compare' && !state.compare.tags && !state.compare.tagsPending) requestTags(state.compare.filter);
}

const actions: Actions = {
  copy(text, what) {
    post({ type: 'copy', text });
    announce(l10n.t('Copied the {0}.', what));
    update();
  },
  openLink(url) {
    post({ type: 'openLink', url });
  },
  selectPlatform(digest) {
    if (!digest || digest === state.details?.image?.digest) return;
    state.loading.add('details');
    announce(l10n.t('Loading the platform…'));
    post({ type: 'selectPlatform', digest });
    update();
  },
  setLargestFirst(on) {
    state.largestFirst = on;
    update();
  },
  selectSbom(digest) {
    requestSbomPage(digest, state.sbom.query, 0);
    update();
  },
  searchSbom(query) {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      const sbom = currentSbom();
      if (!sbom) return;
      requestSbomPage(sbom, query, 0);
      update();
    }, TYPING_PAUSE_MS);
  },
  sbomPage(offset) {
    const sbom = currentSbom();
    if (sbom) requestSbomPage(sbom, state.sbom.query, offset);
    update();
  },
  sortFindings(column) {
    const sort = state.vulnerabilitySort;
    state.vulnerabilitySort = { column, descending: sort.column === column ? !sort.descending : false };
    update();
  },
  filterTags(filter) {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => {
      requestTags(filter);
      update();
    }, TYPING_PAUSE_MS);
  },
  pickCompare(reference) {
    state.compare = { ...state.compare, reference };
    update();
  },
  compare() {
    if (!state.compare.reference) return;
    const requestId = nextRequest++;
    state.compare = { ...state.compare, compareRequest: requestId, pending: true };
    delete state.compare.failure;
    announce(l10n.t('Comparing with {0}…', state.compare.reference));
    post({ type: 'compare', requestId, reference: state.compare.reference });
    update();
  },
  refresh() {
    state.loading.add('details');
    state.failures = [];
    delete state.supplyChain;
    delete state.vulnerabilities;
    state.sbom = { ...state.sbom, offset: 0, requestId: 0, pending: false };
    delete state.sbom.page;
    announce(l10n.t('Refreshing…'));
    post({ type: 'refresh' });
    update();
  },
};

function receive(message: ToWebview): void {
  switch (message.type) {
    case 'details': {
      const switched = state.details && state.details.digest === message.details.digest;
      state.target = message.target;
      state.details = message.details;
      state.loading.delete('details');
      state.failures = state.failures.filter((f) => f.what !== 'details');
      persist();
      const problems = message.details.problems.length + (message.details.image?.problems.length ?? 0);
      const shown = switched ? message.details.image?.platform ?? l10n.t('the platform') : message.details.reference;
      announce(
        switched
          ? problems === 0 ? l10n.t('Showing {0}.', shown) : problems === 1 ? l10n.t('Showing {0}, with 1 problem.', shown) : l10n.t('Showing {0}, with {1} problems.', shown, problems)
          : problems === 0 ? l10n.t('Loaded {0}.', shown) : problems === 1 ? l10n.t('Loaded {0}, with 1 problem.', shown) : l10n.t('Loaded {0}, with {1} problems.', shown, problems),
      );
      break;
    }
    case 'supplyChain':
      state.supplyChain = { digest: message.digest, value: message.supplyChain };
      state.loading.delete('supplyChain');
      if (!message.supplyChain.sboms.some((s) => s.digest === state.sbom.selected)) {
        state.sbom = { query: state.sbom.query, offset: 0, requestId: 0, pending: false };
      }
      loadForTab();
      break;
    case 'vulnerabilities':
      state.vulnerabilities = { digest: message.digest, value: message.vulnerabilities };
      state.loading.delete('vulnerabilities');
      break;
    case 'sbomPage':
      if (message.requestId !== state.sbom.requestId) return;
      state.sbom = { ...state.sbom, page: message.page, pending: false };
      const { total, query } = message.page;
      announce(query
        ? total === 1 ? l10n.t('1 package matches “{0}”.', query) : l10n.t('{0} packages match “{1}”.', total, query)
        : total === 1 ? l10n.t('1 package.') : l10n.t('{0} packages.', total));
      break;
    case 'tags':
      if (message.requestId !== state.compare.tagsRequest) return;
      state.compare = { ...state.compare, tags: message.tags.filter((t) => t !== state.details?.tag), more: message.more, tagsPending: false };
      break;
    case 'comparison':
      if (message.requestId !== state.compare.compareRequest) return;
      state.compare = { ...state.compare, result: message.comparison, pending: false };
      announce(l10n.t('Compared with {0}.', message.comparison.other));
      break;
    case 'failed':
      if (message.requestId !== undefined && message.requestId === state.sbom.requestId) {
        state.sbom = { ...state.sbom, pending: false, failure: message.message };
      } else if (message.requestId !== undefined && message.requestId === state.compare.tagsRequest) {
        state.compare = { ...state.compare, tagsPending: false, tags: [], failure: message.message };
      } else if (message.requestId !== undefined && message.requestId === state.compare.compareRequest) {
        state.compare = { ...state.compare, pending: false, failure: message.message };
      } else if (message.requestId === undefined) {
        state.loading.delete(message.what);
        state.failures = [...state.failures.filter((f) => f.what !== message.what), { what: message.what, message: message.message }];
      }
      announce(l10n.t('Could not read the {0}: {1}', partName(message.what), message.message));
      break;
    case 'loading':
      state.loading.add(message.what);
      break;
  }
  update();
}

function selectTab(index: number): void {
  if (index === state.tab || index < 0 || index >= TABS.length) return;
  state.tab = index;
  persist();
  loadForTab();
  update();
}

/** vscode-tabs selects on click and Enter; Space selects the focused tab too. */
function onTabsKey(e: KeyboardEvent): void {
  if (e.key !== ' ') return;
  const header = e.composedPath().find((t): t is HTMLElement & { tabId: number } => t instanceof HTMLElement && t.tagName === 'VSCODE-TAB-HEADER');
  if (!header) return;
  e.preventDefault();
  selectTab(header.tabId);
}

function tabBadge(index: number): unknown {
  const tab = TABS[index];
  if (tab === 'supplyChain' && state.supplyChain) {
    const c = state.supplyChain.value;
    const n = c.signatures.length + c.sboms.length + c.attestations.length;
    return n ? html` <vscode-badge variant="counter" aria-label=${l10n.t('{0} items', n)}>${n}</vscode-badge>` : nothing;
  }
  if (tab === 'vulnerabilities' && state.vulnerabilities?.value.available) {
    const n = totalFindings(state.vulnerabilities.value.report.counts);
    return html` <vscode-badge variant="counter" aria-label=${l10n.t('{0} findings', n)}>${n}</vscode-badge>`;
  }
  return nothing;
}

function tabContent(index: number): unknown {
  if (index !== state.tab) return nothing;
  switch (TABS[index]) {
    case 'overview':
      return overviewTab(state, actions);
    case 'layers':
      return layersTab(state, actions);
    case 'config':
      return configTab(state, actions);
    case 'supplyChain':
      return supplyChainTab(state, actions);
    case 'vulnerabilities':
      return vulnerabilitiesTab(state, actions);
    default:
      return compareTab(state, actions);
  }
}

function update(): void {
  const d = state.details;
  const title = d?.reference ?? (state.target ? `${state.target.host}/${state.target.repository}${state.target.reference.includes(':') ? '@' : ':'}${state.target.reference}` : l10n.t('Image details'));
  // The supply chain's and the scan's failures are rows of their own tabs; any other is shown on top.
  const detailsFailure = state.failures.filter((f) => f.what !== 'supplyChain' && f.what !== 'vulnerabilities');
  render(
    html`
      <header class="title">
        <vscode-icon name=${d?.kind === 'index' ? 'layers' : 'package'} size="20"></vscode-icon>
        <h1>${title}</h1>
        ${d ? html`<vscode-badge variant="default">${d.kind === 'index' ? l10n.t('index · {0} platforms', d.platforms.filter((p) => !p.isAttestation).length) : d.kind}</vscode-badge>` : nothing}
        <span class="spacer"></span>
        ${state.loading.size ? html`<vscode-progress-ring aria-label=${l10n.t('Loading')}></vscode-progress-ring>` : nothing}
        ${iconButton('refresh', l10n.t('Refresh'), () => actions.refresh())}
      </header>
      <div class="sr-only" role="status" aria-live="polite" aria-atomic="true">${state.announcement}</div>
      <div role="alert">${problemRows(detailsFailure)}</div>
      <vscode-tabs selected-index=${state.tab} @vsc-tabs-select=${(e: CustomEvent<{ selectedIndex: number }>) => selectTab(e.detail.selectedIndex)} @keydown=${onTabsKey}>
        ${TABS.map((tab, i) => html`<vscode-tab-header slot="header">${TAB_NAMES[tab]()}${tabBadge(i)}</vscode-tab-header>`)}
        ${TABS.map((tab, i) => html`<vscode-tab-panel aria-label=${TAB_NAMES[tab]()}><div class="panel">${tabContent(i)}</div></vscode-tab-panel>`)}
      </vscode-tabs>
    `,
    root,
  );
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const message = event.data;
  if (message && typeof message === 'object' && typeof message.type === 'string') receive(message);
});
update();
post({ type: 'ready' });
