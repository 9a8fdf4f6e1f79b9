// The Image Details panel's tabs as lit templates over ViewState. Every table has column headers,
// every icon button an aria-label, and every failure an error row: a tab is never blank.
import * as l10n from '@vscode/l10n';
import { html, nothing, type TemplateResult } from 'lit';
import type { ConfigView, DetailsProblem, ImageView, LabelRow, PlatformChoice, SbomInfo } from '../../details/model';
import { SBOM_PAGE_SIZE } from '../../details/protocol';
import { SEVERITIES, totalFindings, type Severity } from '../../registries/vulnerabilities';
import { formatAge, formatSize, shortDigest } from '../../vscode/tree/format';
import { formatDelta, isSafeLink, orderLayers, pageRange, sortFindings, splitPlatforms, type VulnerabilityColumn } from './rows';
import { partName, type Failure, type ViewState } from './state';

/** What the templates can ask for; main.ts implements it (state changes and messages to the extension). */
export interface Actions {
  copy(text: string, what: string): void;
  openLink(url: string): void;
  selectPlatform(digest: string): void;
  setLargestFirst(on: boolean): void;
  selectSbom(digest: string): void;
  searchSbom(query: string): void;
  sbomPage(offset: number): void;
  sortFindings(column: VulnerabilityColumn): void;
  filterTags(filter: string): void;
  pickCompare(reference: string): void;
  compare(): void;
  refresh(): void;
}

// ---- small pieces ----

/** Stands for a part rendered as markup (a code span) in a translated sentence: l10n.t('Compare {0} …', PLACE). */
const PLACE = '\u0000';

/** The sentence with `part` rendered where its translation put PLACE, so the word order is the language's own. */
function around(sentence: string, part: TemplateResult): TemplateResult {
  const [before, after = ''] = sentence.split(PLACE);
  return html`${before}${part}${after}`;
}

function when(iso: string | undefined): string {
  if (!iso) return '';
  const age = formatAge(iso);
  return age ? `${shortTime(iso)} (${age})` : shortTime(iso);
}

/** "2024-05-01 10:00 UTC" from an ISO time; the text as it came when it is not one. */
function shortTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? l10n.t('{0} UTC', new Date(t).toISOString().slice(0, 16).replace('T', ' ')) : iso;
}

/** A codicon that acts like a button: focusable, named for screen readers, run by click, Enter or Space. */
export function iconButton(name: string, label: string, run: () => void): TemplateResult {
  return html`<vscode-icon name=${name} action-icon label=${label} title=${label} @click=${run} @keydown=${(e: KeyboardEvent) => activateOnKey(e, run)}></vscode-icon>`;
}

function copyButton(actions: Actions, text: string, what: string): TemplateResult {
  return iconButton('copy', l10n.t('Copy {0}', what), () => actions.copy(text, what));
}

/** Enter or Space runs an action of a focusable element that is not a native button. */
function activateOnKey(e: KeyboardEvent, run: () => void): void {
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    run();
  }
}

function field(label: string, value: unknown, extra: unknown = nothing): TemplateResult | typeof nothing {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return nothing;
  return html`<dt>${label}</dt>
    <dd>${value}${extra}</dd>`;
}

function code(value: string): TemplateResult {
  return html`<code>${value}</code>`;
}

function argv(value: string[] | undefined): TemplateResult | undefined {
  return value?.length ? html`<code>${JSON.stringify(value)}</code>` : undefined;
}

export function problemRows(problems: readonly (DetailsProblem | Failure)[]): TemplateResult | typeof nothing {
  if (!problems.length) return nothing;
  return html`<ul class="problems" role="list">
    ${problems.map(
      (p) => html`<li class="problem" role="listitem">
        <vscode-icon name="error" label=${l10n.t('Error')}></vscode-icon>
        <span><strong>${partName(p.what)}:</strong> ${p.message}</span>
      </li>`,
    )}
  </ul>`;
}

function loadingRow(text: string): TemplateResult {
  return html`<p class="loading"><vscode-progress-ring aria-label=${text}></vscode-progress-ring><span>${text}</span></p>`;
}

function empty(text: string): TemplateResult {
  return html`<p class="empty">${text}</p>`;
}

function table(label: string, columns: string[], headers: (TemplateResult | string)[], rows: TemplateResult[]): TemplateResult {
  return html`<vscode-table aria-label=${label} zebra bordered-columns resizable .columns=${columns}>
    <vscode-table-header slot="header">
      ${headers.map((h) => html`<vscode-table-header-cell>${h}</vscode-table-header-cell>`)}
    </vscode-table-header>
    <vscode-table-body slot="body">${rows}</vscode-table-body>
  </vscode-table>`;
}

function labelTable(label: string, rows: readonly LabelRow[], actions: Actions): TemplateResult {
  return table(
    label,
    ['35%', 'auto'],
    [l10n.t('Key'), l10n.t('Value')],
    rows.map(
      (row) => html`<vscode-table-row>
        <vscode-table-cell><code>${row.key}</code>${row.known ? html` <vscode-badge variant="default">${row.known}</vscode-badge>` : nothing}</vscode-table-cell>
        <vscode-table-cell class="wrap">${isSafeLink(row.link) ? linkTo(row.link, row.value, actions) : row.value}</vscode-table-cell>
      </vscode-table-row>`,
    ),
  );
}

function linkTo(url: string, text: string, actions: Actions): TemplateResult {
  return html`<a
    href="#"
    title=${url}
    @click=${(e: Event) => {
      e.preventDefault();
      actions.openLink(url);
    }}
    >${text}</a
  >`;
}

// ---- Overview ----

function platformSwitcher(state: ViewState, platforms: readonly PlatformChoice[], actions: Actions): TemplateResult {
  const { images, attestations } = splitPlatforms(platforms);
  const shown = state.details?.image?.digest;
  return html`<section class="platforms" aria-label=${l10n.t('Platforms of this index')}>
    <div class="row">
      <label for="platform-select">${l10n.t('Platform')}</label>
      <vscode-single-select
        id="platform-select"
        aria-label=${l10n.t('Platform')}
        .value=${shown ?? ''}
        @change=${(e: Event) => actions.selectPlatform((e.target as HTMLSelectElement).value)}
      >
        ${images.map(
          (p) => html`<vscode-option value=${p.digest} ?selected=${p.digest === shown} description=${formatSize(p.size)}>${p.platform}</vscode-option>`,
        )}
      </vscode-single-select>
      <span class="muted">${images.length === 1 ? l10n.t('1 platform') : l10n.t('{0} platforms', images.length)}</span>
    </div>
    ${attestations.length
      ? html`<p class="attestations" aria-label=${l10n.t('Attestation entries of this index')}>
          <vscode-icon name="verified" label=${l10n.t('Attestation')}></vscode-icon>
          ${attestations.length === 1 ? l10n.t('1 attestation entry (not platforms):') : l10n.t('{0} attestation entries (not platforms):', attestations.length)}
          ${attestations.map((a) => html`<span class="chip" title=${a.digest}>${a.platform}</span>`)}
        </p>`
      : nothing}
  </section>`;
}

/** The OCI labels a reader looks for first (source, revision, version, licenses), from the config. */
const HIGHLIGHTED_LABELS: Record<string, string> = { source: l10n.t('Source'), revision: l10n.t('Revision'), version: l10n.t('Version'), licenses: l10n.t('Licenses') };

function labelHighlights(image: ImageView | undefined, actions: Actions): unknown[] {
  const labels = image?.config?.labels ?? [];
  return Object.entries(HIGHLIGHTED_LABELS).map(([known, title]) => {
    const row = labels.find((l) => l.known === known);
    return row ? field(title, isSafeLink(row.link) ? linkTo(row.link, row.value, actions) : row.value) : nothing;
  });
}

/** One line each for the signatures, SBOMs and attestations, and the scan: what the other tabs hold. */
function supplyChainSummary(state: ViewState): unknown {
  const chain = state.supplyChain?.value;
  const scan = state.vulnerabilities?.value;
  const parts: unknown[] = [];
  if (chain) {
    const by = (status: string) => chain.signatures.filter((s) => s.verification.status === status).length;
    const signatures = chain.signatures.length
      ? [by('verified') && l10n.t('{0} verified', by('verified')), by('failed') && l10n.t('{0} failed', by('failed')), by('not-checked') && l10n.t('{0} not checked', by('not-checked'))].filter(Boolean).join(', ')
      : 'none';
    parts.push(
      field(l10n.t('Signatures'), html`<span class=${by('failed') ? 'removed' : ''}>${chain.signatures.length ? `${chain.signatures.length}: ${signatures}` : signatures}</span>`),
      field(l10n.t('SBOMs'), chain.sboms.length ? chain.sboms.map((b) => html`<span class="chip">${b.format === 'spdx' ? 'SPDX' : l10n.t('CycloneDX')} · ${l10n.t('{0} packages', b.packageCount)}</span>`) : 'none'),
      field(l10n.t('Provenance'), chain.attestations.length ? chain.attestations.map((a) => html`<span class="chip">${a.builder ?? a.predicateType}</span>`) : 'none'),
    );
  } else if (state.loading.has('supplyChain')) {
    parts.push(field(l10n.t('Supply chain'), 'reading…'));
  }
  if (scan) parts.push(field(l10n.t('Vulnerabilities'), scan.available ? l10n.t('{0} findings ({1})', totalFindings(scan.report.counts), scan.report.status) : scan.reason));
  return parts;
}

export function overviewTab(state: ViewState, actions: Actions): TemplateResult {
  const d = state.details;
  if (!d) {
    if (state.loading.has('details')) return loadingRow(l10n.t('Reading the manifest…'));
    // A failure to read the reference is shown above the tabs (role alert), not again here.
    return state.failures.length ? html`` : empty(l10n.t('Nothing to show.'));
  }
  const image = d.image;
  return html`
    ${problemRows([...d.problems, ...(image?.problems ?? [])])}
    ${d.platforms.length ? platformSwitcher(state, d.platforms, actions) : nothing}
    <dl class="fields">
      ${field(l10n.t('Reference'), code(d.reference), copyButton(actions, d.reference, 'reference'))}
      ${field(l10n.t('Digest'), code(d.digest), copyButton(actions, d.digest, 'digest'))}
      ${field(l10n.t('Media type'), code(d.mediaType))}
      ${field(l10n.t('Kind'), d.kind)}
      ${field(l10n.t('Total size'), l10n.t('{0} ({1} bytes)', formatSize(d.totalSize), d.totalSize.toLocaleString('en-US')))}
      ${image && d.kind === 'index' ? field(l10n.t('Image digest'), code(image.digest), copyButton(actions, image.digest, l10n.t('image digest'))) : nothing}
      ${image ? field(l10n.t('Compressed size'), l10n.t('{0} ({1} bytes)', formatSize(image.compressedSize), image.compressedSize.toLocaleString('en-US'))) : nothing}
      ${image ? field(l10n.t('Created'), when(image.created)) : nothing}
      ${image ? field(l10n.t('OS/architecture'), image.platform ?? [image.os, image.architecture, image.variant].filter(Boolean).join('/')) : nothing}
      ${image?.configDigest ? field(l10n.t('Config'), code(image.configDigest), image.configSize !== undefined ? html` <span class="muted">${formatSize(image.configSize)}</span>` : nothing) : nothing}
      ${image ? field(l10n.t('Layers'), l10n.t('{0} layers from {1} history steps', image.layers.filter((r) => r.layer).length, image.layers.length)) : nothing}
      ${labelHighlights(image, actions)} ${supplyChainSummary(state)}
    </dl>
    ${d.annotations.length ? html`<h2>${l10n.t('Annotations')}</h2>${labelTable(l10n.t('Annotations'), d.annotations, actions)}` : nothing}
  `;
}

// ---- Layers ----

function noImage(state: ViewState): TemplateResult {
  if (state.loading.has('details')) return loadingRow(l10n.t('Reading the image…'));
  if (!state.details && state.failures.length) return html``;
  if (state.details?.kind === 'index') return empty(l10n.t('Pick a platform on the Overview tab.'));
  return empty(state.details ? l10n.t('This {0} has no image config.', state.details.kind) : l10n.t('Nothing to show.'));
}

export function layersTab(state: ViewState, actions: Actions): TemplateResult {
  const image = state.details?.image;
  if (!image) return noImage(state);
  const rows = orderLayers(image.layers, state.largestFirst);
  const layerBytes = image.layers.reduce((sum, r) => sum + (r.layer?.size ?? 0), 0);
  const layerCount = image.layers.filter((r) => r.layer).length;
  return html`
    ${problemRows(image.problems)}
    <div class="row toolbar">
      <vscode-checkbox ?checked=${state.largestFirst} @change=${(e: Event) => actions.setLargestFirst((e.target as HTMLInputElement).checked)} label=${l10n.t('Largest first')}
        >${l10n.t('Largest first')}</vscode-checkbox
      >
      <span class="muted">${layerCount === 1
        ? l10n.t('1 layer, {0} compressed, {1} history steps', formatSize(layerBytes), image.layers.length)
        : l10n.t('{0} layers, {1} compressed, {2} history steps', layerCount, formatSize(layerBytes), image.layers.length)}</span>
    </div>
    ${rows.length
      ? table(
          l10n.t('Layers'),
          ['6%', '12%', '18%', 'auto'],
          [l10n.t('Step'), l10n.t('Size'), l10n.t('Digest'), l10n.t('Created by')],
          rows.map(
            (r) => html`<vscode-table-row class=${r.emptyLayer ? 'empty-step' : ''}>
              <vscode-table-cell>${r.step + 1}</vscode-table-cell>
              <vscode-table-cell>${r.layer ? formatSize(r.layer.size) : html`<vscode-badge variant="default">${l10n.t('empty')}</vscode-badge>`}</vscode-table-cell>
              <vscode-table-cell>${r.layer ? html`<code title=${r.layer.digest}>${shortDigest(r.layer.digest)}</code>${copyButton(actions, r.layer.digest, l10n.t('layer {0} digest', r.step + 1))}` : '—'}</vscode-table-cell>
              <vscode-table-cell class="wrap"><code class="created-by">${r.createdBy ?? ''}</code>${r.comment ? html` <span class="muted">${r.comment}</span>` : nothing}</vscode-table-cell>
            </vscode-table-row>`,
          ),
        )
      : empty(l10n.t('This image has no layers.'))}
  `;
}

// ---- Config ----

function configFields(config: ConfigView): TemplateResult {
  return html`<dl class="fields">
    ${field(l10n.t('Entrypoint'), argv(config.entrypoint))}
    ${field(l10n.t('Cmd'), argv(config.cmd))}
    ${field(l10n.t('Working dir'), config.workingDir && code(config.workingDir))}
    ${field(l10n.t('User'), config.user && code(config.user))}
    ${field(l10n.t('Exposed ports'), config.exposedPorts.length ? config.exposedPorts.map((p) => html`<span class="chip">${p}</span>`) : undefined)}
    ${field(l10n.t('Volumes'), config.volumes.length ? config.volumes.map((v) => html`<span class="chip">${v}</span>`) : undefined)}
    ${field(l10n.t('Stop signal'), config.stopSignal)}
    ${field(l10n.t('Author'), config.author)}
  </dl>`;
}

export function configTab(state: ViewState, actions: Actions): TemplateResult {
  const image: ImageView | undefined = state.details?.image;
  if (!image) return noImage(state);
  const config = image.config;
  if (!config) return html`${problemRows(image.problems)}${image.problems.length ? nothing : empty(l10n.t('This image has no config.'))}`;
  return html`
    ${problemRows(image.problems)}
    ${configFields(config)}
    <h2>${l10n.t('Environment')}</h2>
    ${config.env.length
      ? table(
          l10n.t('Environment'),
          ['30%', 'auto'],
          [l10n.t('Name'), l10n.t('Value')],
          config.env.map((e) => html`<vscode-table-row><vscode-table-cell><code>${e.name}</code></vscode-table-cell><vscode-table-cell class="wrap"><code>${e.value}</code></vscode-table-cell></vscode-table-row>`),
        )
      : empty(l10n.t('No environment variables.'))}
    <h2>${l10n.t('Labels')}</h2>
    ${config.labels.length ? labelTable(l10n.t('Labels'), config.labels, actions) : empty(l10n.t('No labels.'))}
  `;
}

// ---- Supply chain ----

const VERIFICATION_ICON = { verified: 'pass', failed: 'error', 'not-checked': 'circle-large-outline' } as const;
const VERIFICATION_TEXT = { verified: l10n.t('Verified'), failed: l10n.t('Failed'), 'not-checked': l10n.t('Not checked') } as const;

function sbomLabel(s: SbomInfo): string {
  const format = s.format === 'spdx' ? 'SPDX' : l10n.t('CycloneDX');
  const what = s.name ? `${format} ${s.name}` : format;
  return s.tool ? l10n.t('{0} ({1} packages, {2})', what, s.packageCount, s.tool) : l10n.t('{0} ({1} packages)', what, s.packageCount);
}

function sbomSection(state: ViewState, sboms: readonly SbomInfo[], actions: Actions): TemplateResult {
  const view = state.sbom;
  const selected = sboms.find((s) => s.digest === view.selected) ?? sboms[0]!;
  const page = view.page?.sbom === selected.digest ? view.page : undefined;
  return html`
    <div class="row toolbar">
      ${sboms.length > 1
        ? html`<vscode-single-select aria-label=${l10n.t('SBOM')} .value=${selected.digest} @change=${(e: Event) => actions.selectSbom((e.target as HTMLSelectElement).value)}>
            ${sboms.map((s) => html`<vscode-option value=${s.digest} ?selected=${s.digest === selected.digest}>${sbomLabel(s)}</vscode-option>`)}
          </vscode-single-select>`
        : html`<span>${sbomLabel(selected)}</span>`}
      <vscode-textfield
        id="sbom-search"
        type="search"
        placeholder=${l10n.t('Search packages (name, version, license)')}
        label=${l10n.t('Search the SBOM\'s packages')}
        aria-label=${l10n.t('Search the SBOM\'s packages')}
        .value=${view.query}
        @input=${(e: Event) => actions.searchSbom((e.target as HTMLInputElement).value)}
      >
        <vscode-icon slot="content-before" name="search" label=${l10n.t('Search')}></vscode-icon>
      </vscode-textfield>
      ${view.pending ? html`<vscode-progress-ring aria-label=${l10n.t('Loading packages')}></vscode-progress-ring>` : nothing}
      ${page ? html`<span class="sbom-range muted">${pageRange(page.offset, page.items.length, page.total)}</span>` : nothing}
    </div>
    ${view.failure ? problemRows([{ what: 'SBOM', message: view.failure }]) : nothing}
    ${page
      ? html`${page.items.length
            ? table(
                l10n.t('SBOM packages'),
                ['22%', '14%', '14%', 'auto'],
                [l10n.t('Name'), l10n.t('Version'), l10n.t('License'), l10n.t('Package URL')],
                page.items.map(
                  (p) => html`<vscode-table-row>
                    <vscode-table-cell>${p.name}</vscode-table-cell>
                    <vscode-table-cell><code>${p.version ?? ''}</code></vscode-table-cell>
                    <vscode-table-cell>${p.license ?? ''}</vscode-table-cell>
                    <vscode-table-cell class="wrap"><code class="purl">${p.purl ?? ''}</code></vscode-table-cell>
                  </vscode-table-row>`,
                ),
              )
            : empty(page.query ? l10n.t('No package matches “{0}”.', page.query) : l10n.t('This SBOM lists no packages.'))}
          <div class="row pager" role="navigation" aria-label=${l10n.t('SBOM pages')}>
            <vscode-button secondary icon="chevron-left" ?disabled=${page.offset === 0 || view.pending} @click=${() => actions.sbomPage(Math.max(0, page.offset - SBOM_PAGE_SIZE))}
              >${l10n.t('Previous')}</vscode-button
            >
            <span class="muted">${pageRange(page.offset, page.items.length, page.total)}</span>
            <vscode-button secondary icon-after="chevron-right" ?disabled=${page.offset + page.items.length >= page.total || view.pending} @click=${() => actions.sbomPage(page.offset + SBOM_PAGE_SIZE)}
              >${l10n.t('Next')}</vscode-button
            >
          </div>`
      : view.pending
        ? loadingRow(l10n.t('Reading the SBOM…'))
        : nothing}
  `;
}

export function supplyChainTab(state: ViewState, actions: Actions): TemplateResult {
  const chain = state.supplyChain?.value;
  const failures = state.failures.filter((f) => f.what === 'supplyChain');
  if (!chain) return html`${problemRows(failures)}${state.loading.has('supplyChain') ? loadingRow(l10n.t('Reading signatures, SBOMs and attestations…')) : failures.length ? nothing : empty(l10n.t('Not read yet.'))}`;
  return html`
    ${problemRows([...failures, ...chain.problems])}
    <h2>${l10n.t('Signatures')}</h2>
    ${chain.signatures.length
      ? table(
          l10n.t('Signatures'),
          ['9%', '22%', '22%', '15%', 'auto'],
          [l10n.t('Format'), l10n.t('Signer'), l10n.t('Issuer'), l10n.t('Signed'), l10n.t('Verification')],
          chain.signatures.map(
            (s) => html`<vscode-table-row>
              <vscode-table-cell>${s.format}</vscode-table-cell>
              <vscode-table-cell class="wrap">${s.signer ?? html`<span class="muted">${l10n.t('unknown')}</span>`}</vscode-table-cell>
              <vscode-table-cell class="wrap">${s.issuer ?? ''}</vscode-table-cell>
              <vscode-table-cell class="wrap">${s.signedAt ? shortTime(s.signedAt) : ''}</vscode-table-cell>
              <vscode-table-cell class="wrap verification ${s.verification.status}"
                ><vscode-icon name=${VERIFICATION_ICON[s.verification.status]} label=${VERIFICATION_TEXT[s.verification.status]}></vscode-icon>
                <strong>${VERIFICATION_TEXT[s.verification.status]}</strong> <span class="detail">${s.verification.detail}</span></vscode-table-cell
              >
            </vscode-table-row>`,
          ),
        )
      : empty(l10n.t('No signatures (cosign or notation) refer to this image.'))}
    <h2>${l10n.t('SBOMs')}</h2>
    ${chain.sboms.length ? sbomSection(state, chain.sboms, actions) : empty(l10n.t('No SBOM (SPDX or CycloneDX) refers to this image.'))}
    <h2>${l10n.t('Attestations')}</h2>
    ${chain.attestations.length
      ? table(
          l10n.t('Attestations'),
          ['22%', '22%', '24%', '16%', 'auto'],
          [l10n.t('Predicate'), l10n.t('Builder'), l10n.t('Source'), l10n.t('Revision'), l10n.t('Entry point')],
          chain.attestations.map(
            (a) => html`<vscode-table-row>
              <vscode-table-cell class="wrap">${a.predicateType}</vscode-table-cell>
              <vscode-table-cell class="wrap">${a.builder ?? ''}</vscode-table-cell>
              <vscode-table-cell class="wrap">${isSafeLink(a.sourceRepository) ? linkTo(a.sourceRepository, a.sourceRepository, actions) : (a.sourceRepository ?? '')}</vscode-table-cell>
              <vscode-table-cell><code title=${a.sourceRevision ?? ''}>${a.sourceRevision ? a.sourceRevision.slice(0, 12) : ''}</code></vscode-table-cell>
              <vscode-table-cell class="wrap">${a.entryPoint ?? ''}</vscode-table-cell>
            </vscode-table-row>`,
          ),
        )
      : empty(l10n.t('No attestations (SLSA provenance, in-toto statements).'))}
    ${chain.other.length
      ? html`<h2>${l10n.t('Other referrers')}</h2>
          ${table(
            l10n.t('Other referrers'),
            ['40%', '40%', 'auto'],
            [l10n.t('Artifact type'), l10n.t('Digest'), l10n.t('Size')],
            chain.other.map(
              (o) => html`<vscode-table-row
                ><vscode-table-cell>${o.artifactType}</vscode-table-cell><vscode-table-cell><code>${shortDigest(o.digest)}</code></vscode-table-cell
                ><vscode-table-cell>${formatSize(o.size)}</vscode-table-cell></vscode-table-row
              >`,
            ),
          )}`
      : nothing}
  `;
}

// ---- Vulnerabilities ----

function sortHeader(state: ViewState, column: VulnerabilityColumn, text: string, actions: Actions): TemplateResult {
  const active = state.vulnerabilitySort.column === column;
  const direction = active ? (state.vulnerabilitySort.descending ? 'descending' : 'ascending') : 'none';
  const sortLabel = !active ? l10n.t('Sort by {0}', text) : direction === 'descending' ? l10n.t('Sort by {0} (descending)', text) : l10n.t('Sort by {0} (ascending)', text);
  return html`<button
    class="sort"
    aria-sort=${direction}
    aria-label=${sortLabel}
    @click=${() => actions.sortFindings(column)}
  >
    ${text}${active ? html`<vscode-icon name=${state.vulnerabilitySort.descending ? 'arrow-up' : 'arrow-down'}></vscode-icon>` : nothing}
  </button>`;
}

export function vulnerabilitiesTab(state: ViewState, actions: Actions): TemplateResult {
  const view = state.vulnerabilities?.value;
  const failures = state.failures.filter((f) => f.what === 'vulnerabilities');
  if (!view) return html`${problemRows(failures)}${state.loading.has('vulnerabilities') ? loadingRow(l10n.t('Reading the registry’s scan…')) : failures.length ? nothing : empty(l10n.t('Not read yet.'))}`;
  if (!view.available) return html`${problemRows(failures)}<p class="reason"><vscode-icon name="info" label=${l10n.t('Information')}></vscode-icon> ${view.reason}</p>`;
  const report = view.report;
  const findings = report.vulnerabilities ?? [];
  return html`
    ${problemRows(failures)}
    <dl class="fields">
      ${field(l10n.t('Status'), report.status)} ${field(l10n.t('Scanner'), report.scanner)} ${field(l10n.t('Scanned'), when(report.scannedAt))}
      ${field(l10n.t('Message'), report.message)}
    </dl>
    <div class="severities" role="list" aria-label=${l10n.t('Findings by severity')}>
      ${SEVERITIES.map(
        (s: Severity) => html`<span role="listitem" class="severity ${s}"><vscode-badge variant="counter">${report.counts[s]}</vscode-badge> ${s}</span>`,
      )}
      <span class="muted">${l10n.t('{0} in all', totalFindings(report.counts))}</span>
    </div>
    ${findings.length
      ? table(
          l10n.t('Vulnerabilities'),
          ['12%', '18%', '24%', '18%', 'auto'],
          [
            sortHeader(state, 'severity', l10n.t('Severity'), actions),
            sortHeader(state, 'id', 'ID', actions),
            sortHeader(state, 'package', l10n.t('Package'), actions),
            sortHeader(state, 'version', l10n.t('Installed'), actions),
            sortHeader(state, 'fixVersion', l10n.t('Fixed in'), actions),
          ],
          sortFindings(findings, state.vulnerabilitySort).map(
            (v) => html`<vscode-table-row>
              <vscode-table-cell><span class="severity ${v.severity}">${v.severity}</span></vscode-table-cell>
              <vscode-table-cell>${isSafeLink(v.links?.[0]) ? linkTo(v.links![0]!, v.id, actions) : v.id}</vscode-table-cell>
              <vscode-table-cell>${v.package}</vscode-table-cell>
              <vscode-table-cell><code>${v.version}</code></vscode-table-cell>
              <vscode-table-cell><code>${v.fixVersion ?? ''}</code></vscode-table-cell>
            </vscode-table-row>`,
          ),
        )
      : empty(totalFindings(report.counts) ? l10n.t('The registry gave counts only, not the findings.') : l10n.t('No findings.'))}
  `;
}

// ---- Compare ----

function changes(label: string, rows: readonly { field: string; before?: string; after?: string }[]): TemplateResult {
  return rows.length
    ? table(
        label,
        ['26%', '37%', 'auto'],
        [l10n.t('Field'), l10n.t('Before'), l10n.t('After')],
        rows.map(
          (c) => html`<vscode-table-row>
            <vscode-table-cell><code>${c.field}</code></vscode-table-cell>
            <vscode-table-cell class="wrap removed">${c.before ?? html`<span class="muted">${l10n.t('(none)')}</span>`}</vscode-table-cell>
            <vscode-table-cell class="wrap added">${c.after ?? html`<span class="muted">${l10n.t('(none)')}</span>`}</vscode-table-cell>
          </vscode-table-row>`,
        ),
      )
    : empty(l10n.t('No differences.'));
}

function layerList(label: string, layers: readonly { digest: string; size: number; createdBy?: string }[], sign: '+' | '−'): TemplateResult {
  return layers.length
    ? table(
        label,
        ['12%', '18%', 'auto'],
        [l10n.t('Size'), l10n.t('Digest'), l10n.t('Created by')],
        layers.map(
          (l) => html`<vscode-table-row class=${sign === '+' ? 'added' : 'removed'}>
            <vscode-table-cell>${sign}${formatSize(l.size)}</vscode-table-cell>
            <vscode-table-cell><code title=${l.digest}>${shortDigest(l.digest)}</code></vscode-table-cell>
            <vscode-table-cell class="wrap"><code class="created-by">${l.createdBy ?? ''}</code></vscode-table-cell>
          </vscode-table-row>`,
        ),
      )
    : empty(l10n.t('None.'));
}

function comparisonView(state: ViewState): TemplateResult | typeof nothing {
  const c = state.compare.result;
  if (!c) return nothing;
  const packages = c.packages;
  return html`
    ${problemRows(c.problems)}
    <dl class="fields">
      ${field(l10n.t('Base'), code(c.base))} ${field(l10n.t('Compared with'), code(c.other))}
      ${field(l10n.t('Size'), html`<strong class=${c.sizeDelta > 0 ? 'removed' : c.sizeDelta < 0 ? 'added' : ''}>${formatDelta(c.sizeDelta, formatSize)}</strong>`)}
      ${field(l10n.t('Layers'), l10n.t('{0} added, {1} removed, {2} shared', c.layersAdded.length, c.layersRemoved.length, c.layersShared))}
    </dl>
    <h2>${l10n.t('Layers added')}</h2>
    ${layerList(l10n.t('Layers added'), c.layersAdded, '+')}
    <h2>${l10n.t('Layers removed')}</h2>
    ${layerList(l10n.t('Layers removed'), c.layersRemoved, '−')}
    <h2>${l10n.t('Config')}</h2>
    ${changes(l10n.t('Config changes'), c.config)}
    <h2>${l10n.t('Labels')}</h2>
    ${changes(l10n.t('Label changes'), c.labels)}
    <h2>${l10n.t('Packages')}</h2>
    ${'unavailable' in packages
      ? html`<p class="reason"><vscode-icon name="info" label=${l10n.t('Information')}></vscode-icon> ${packages.unavailable}</p>`
      : html`<p class="muted">${l10n.t('{0} added, {1} removed, {2} changed version', packages.added.length, packages.removed.length, packages.upgraded.length)}</p>
          ${packages.added.length + packages.removed.length + packages.upgraded.length
            ? table(
                l10n.t('Package changes'),
                ['14%', '36%', '25%', 'auto'],
                [l10n.t('Change'), l10n.t('Package'), l10n.t('Before'), l10n.t('After')],
                [
                  ...packages.upgraded.map(
                    (p) => html`<vscode-table-row
                      ><vscode-table-cell>${l10n.t('changed')}</vscode-table-cell><vscode-table-cell>${p.name}</vscode-table-cell
                      ><vscode-table-cell class="removed"><code>${p.from ?? ''}</code></vscode-table-cell
                      ><vscode-table-cell class="added"><code>${p.to ?? ''}</code></vscode-table-cell></vscode-table-row
                    >`,
                  ),
                  ...packages.added.map(
                    (p) => html`<vscode-table-row class="added"
                      ><vscode-table-cell>${l10n.t('added')}</vscode-table-cell><vscode-table-cell>${p.name}</vscode-table-cell><vscode-table-cell></vscode-table-cell
                      ><vscode-table-cell><code>${p.version ?? ''}</code></vscode-table-cell></vscode-table-row
                    >`,
                  ),
                  ...packages.removed.map(
                    (p) => html`<vscode-table-row class="removed"
                      ><vscode-table-cell>${l10n.t('removed')}</vscode-table-cell><vscode-table-cell>${p.name}</vscode-table-cell
                      ><vscode-table-cell><code>${p.version ?? ''}</code></vscode-table-cell><vscode-table-cell></vscode-table-cell></vscode-table-row
                    >`,
                  ),
                ],
              )
            : nothing}`}
  `;
}

export function compareTab(state: ViewState, actions: Actions): TemplateResult {
  const view = state.compare;
  const tags = view.tags ?? [];
  return html`
    <p>${state.details ? around(l10n.t('Compare {0} with another tag of the repository.', PLACE), code(state.details.reference)) : l10n.t('Compare this image with another tag of the repository.')}</p>
    <div class="row toolbar">
      <vscode-textfield
        id="compare-filter"
        placeholder=${l10n.t('Filter tags')}
        label=${l10n.t('Filter the repository\'s tags')}
        aria-label=${l10n.t('Filter the repository\'s tags')}
        .value=${view.filter}
        @input=${(e: Event) => actions.filterTags((e.target as HTMLInputElement).value)}
      ></vscode-textfield>
      <vscode-single-select
        id="compare-tag"
        aria-label=${l10n.t('Tag to compare with')}
        .value=${view.reference}
        ?disabled=${!tags.length}
        @change=${(e: Event) => actions.pickCompare((e.target as HTMLSelectElement).value)}
      >
        <vscode-option value="" ?selected=${!view.reference}>${view.tagsPending ? l10n.t('Listing tags…') : tags.length ? l10n.t('Pick a tag') : l10n.t('No tags')}</vscode-option>
        ${tags.map((t) => html`<vscode-option value=${t} ?selected=${t === view.reference}>${t}</vscode-option>`)}
      </vscode-single-select>
      <vscode-button icon="git-compare" ?disabled=${!view.reference || view.pending} @click=${() => actions.compare()}>${l10n.t('Compare')}</vscode-button>
      ${view.more ? html`<span class="muted">${l10n.t('more tags: filter to find them')}</span>` : nothing}
    </div>
    ${view.failure ? problemRows([{ what: l10n.t('Compare'), message: view.failure }]) : nothing}
    ${view.pending ? loadingRow(l10n.t('Comparing…')) : comparisonView(state)}
  `;
}
