// The Image Details panel's tabs as lit templates over ViewState. Every table has column headers,
// every icon button an aria-label, and every failure an error row: a tab is never blank.
import { html, nothing, type TemplateResult } from 'lit';
import type { ConfigView, DetailsProblem, ImageView, LabelRow, PlatformChoice, SbomInfo } from '../../details/model';
import { SBOM_PAGE_SIZE } from '../../details/protocol';
import { SEVERITIES, totalFindings, type Severity } from '../../registries/vulnerabilities';
import { formatAge, formatSize, shortDigest } from '../../vscode/tree/format';
import { formatDelta, isSafeLink, orderLayers, pageRange, sortFindings, splitPlatforms, type VulnerabilityColumn } from './rows';
import type { Failure, ViewState } from './state';

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

function when(iso: string | undefined): string {
  if (!iso) return '';
  const age = formatAge(iso);
  return age ? `${shortTime(iso)} (${age})` : shortTime(iso);
}

/** "2024-05-01 10:00 UTC" from an ISO time; the text as it came when it is not one. */
function shortTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC` : iso;
}

/** A codicon that acts like a button: focusable, named for screen readers, run by click, Enter or Space. */
export function iconButton(name: string, label: string, run: () => void): TemplateResult {
  return html`<vscode-icon name=${name} action-icon label=${label} title=${label} @click=${run} @keydown=${(e: KeyboardEvent) => activateOnKey(e, run)}></vscode-icon>`;
}

function copyButton(actions: Actions, text: string, what: string): TemplateResult {
  return iconButton('copy', `Copy ${what}`, () => actions.copy(text, what));
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
        <vscode-icon name="error" label="Error"></vscode-icon>
        <span><strong>${p.what}:</strong> ${p.message}</span>
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
    ['Key', 'Value'],
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
  return html`<section class="platforms" aria-label="Platforms of this index">
    <div class="row">
      <label for="platform-select">Platform</label>
      <vscode-single-select
        id="platform-select"
        aria-label="Platform"
        .value=${shown ?? ''}
        @change=${(e: Event) => actions.selectPlatform((e.target as HTMLSelectElement).value)}
      >
        ${images.map(
          (p) => html`<vscode-option value=${p.digest} ?selected=${p.digest === shown} description=${formatSize(p.size)}>${p.platform}</vscode-option>`,
        )}
      </vscode-single-select>
      <span class="muted">${images.length} platform${images.length === 1 ? '' : 's'}</span>
    </div>
    ${attestations.length
      ? html`<p class="attestations" aria-label="Attestation entries of this index">
          <vscode-icon name="verified" label="Attestation"></vscode-icon>
          ${attestations.length} attestation ${attestations.length === 1 ? 'entry' : 'entries'} (not platforms):
          ${attestations.map((a) => html`<span class="chip" title=${a.digest}>${a.platform}</span>`)}
        </p>`
      : nothing}
  </section>`;
}

/** The OCI labels a reader looks for first (source, revision, version, licenses), from the config. */
const HIGHLIGHTED_LABELS: Record<string, string> = { source: 'Source', revision: 'Revision', version: 'Version', licenses: 'Licenses' };

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
      ? [by('verified') && `${by('verified')} verified`, by('failed') && `${by('failed')} failed`, by('not-checked') && `${by('not-checked')} not checked`].filter(Boolean).join(', ')
      : 'none';
    parts.push(
      field('Signatures', html`<span class=${by('failed') ? 'removed' : ''}>${chain.signatures.length ? `${chain.signatures.length}: ${signatures}` : signatures}</span>`),
      field('SBOMs', chain.sboms.length ? chain.sboms.map((b) => html`<span class="chip">${b.format === 'spdx' ? 'SPDX' : 'CycloneDX'} · ${b.packageCount} packages</span>`) : 'none'),
      field('Provenance', chain.attestations.length ? chain.attestations.map((a) => html`<span class="chip">${a.builder ?? a.predicateType}</span>`) : 'none'),
    );
  } else if (state.loading.has('supply chain')) {
    parts.push(field('Supply chain', 'reading…'));
  }
  if (scan) parts.push(field('Vulnerabilities', scan.available ? `${totalFindings(scan.report.counts)} findings (${scan.report.status})` : scan.reason));
  return parts;
}

export function overviewTab(state: ViewState, actions: Actions): TemplateResult {
  const d = state.details;
  if (!d) {
    if (state.loading.has('details')) return loadingRow('Reading the manifest…');
    // A failure to read the reference is shown above the tabs (role alert), not again here.
    return state.failures.length ? html`` : empty('Nothing to show.');
  }
  const image = d.image;
  return html`
    ${problemRows([...d.problems, ...(image?.problems ?? [])])}
    ${d.platforms.length ? platformSwitcher(state, d.platforms, actions) : nothing}
    <dl class="fields">
      ${field('Reference', code(d.reference), copyButton(actions, d.reference, 'reference'))}
      ${field('Digest', code(d.digest), copyButton(actions, d.digest, 'digest'))}
      ${field('Media type', code(d.mediaType))}
      ${field('Kind', d.kind)}
      ${field('Total size', `${formatSize(d.totalSize)} (${d.totalSize.toLocaleString('en-US')} bytes)`)}
      ${image && d.kind === 'index' ? field('Image digest', code(image.digest), copyButton(actions, image.digest, 'image digest')) : nothing}
      ${image ? field('Compressed size', `${formatSize(image.compressedSize)} (${image.compressedSize.toLocaleString('en-US')} bytes)`) : nothing}
      ${image ? field('Created', when(image.created)) : nothing}
      ${image ? field('OS/architecture', image.platform ?? [image.os, image.architecture, image.variant].filter(Boolean).join('/')) : nothing}
      ${image?.configDigest ? field('Config', code(image.configDigest), image.configSize !== undefined ? html` <span class="muted">${formatSize(image.configSize)}</span>` : nothing) : nothing}
      ${image ? field('Layers', `${image.layers.filter((r) => r.layer).length} layers from ${image.layers.length} history steps`) : nothing}
      ${labelHighlights(image, actions)} ${supplyChainSummary(state)}
    </dl>
    ${d.annotations.length ? html`<h2>Annotations</h2>${labelTable('Annotations', d.annotations, actions)}` : nothing}
  `;
}

// ---- Layers ----

function noImage(state: ViewState): TemplateResult {
  if (state.loading.has('details')) return loadingRow('Reading the image…');
  if (!state.details && state.failures.length) return html``;
  if (state.details?.kind === 'index') return empty('Pick a platform on the Overview tab.');
  return empty(state.details ? `A ${state.details.kind} has no image config.` : 'Nothing to show.');
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
      <vscode-checkbox ?checked=${state.largestFirst} @change=${(e: Event) => actions.setLargestFirst((e.target as HTMLInputElement).checked)} label="Largest first"
        >Largest first</vscode-checkbox
      >
      <span class="muted">${layerCount} layer${layerCount === 1 ? '' : 's'}, ${formatSize(layerBytes)} compressed, ${image.layers.length} history steps</span>
    </div>
    ${rows.length
      ? table(
          'Layers',
          ['6%', '12%', '18%', 'auto'],
          ['Step', 'Size', 'Digest', 'Created by'],
          rows.map(
            (r) => html`<vscode-table-row class=${r.emptyLayer ? 'empty-step' : ''}>
              <vscode-table-cell>${r.step + 1}</vscode-table-cell>
              <vscode-table-cell>${r.layer ? formatSize(r.layer.size) : html`<vscode-badge variant="default">empty</vscode-badge>`}</vscode-table-cell>
              <vscode-table-cell>${r.layer ? html`<code title=${r.layer.digest}>${shortDigest(r.layer.digest)}</code>${copyButton(actions, r.layer.digest, `layer ${r.step + 1} digest`)}` : '—'}</vscode-table-cell>
              <vscode-table-cell class="wrap"><code class="created-by">${r.createdBy ?? ''}</code>${r.comment ? html` <span class="muted">${r.comment}</span>` : nothing}</vscode-table-cell>
            </vscode-table-row>`,
          ),
        )
      : empty('This image has no layers.')}
  `;
}

// ---- Config ----

function configFields(config: ConfigView): TemplateResult {
  return html`<dl class="fields">
    ${field('Entrypoint', argv(config.entrypoint))}
    ${field('Cmd', argv(config.cmd))}
    ${field('Working dir', config.workingDir && code(config.workingDir))}
    ${field('User', config.user && code(config.user))}
    ${field('Exposed ports', config.exposedPorts.length ? config.exposedPorts.map((p) => html`<span class="chip">${p}</span>`) : undefined)}
    ${field('Volumes', config.volumes.length ? config.volumes.map((v) => html`<span class="chip">${v}</span>`) : undefined)}
    ${field('Stop signal', config.stopSignal)}
    ${field('Author', config.author)}
  </dl>`;
}

export function configTab(state: ViewState, actions: Actions): TemplateResult {
  const image: ImageView | undefined = state.details?.image;
  if (!image) return noImage(state);
  const config = image.config;
  if (!config) return html`${problemRows(image.problems)}${image.problems.length ? nothing : empty('This image has no config.')}`;
  return html`
    ${problemRows(image.problems)}
    ${configFields(config)}
    <h2>Environment</h2>
    ${config.env.length
      ? table(
          'Environment',
          ['30%', 'auto'],
          ['Name', 'Value'],
          config.env.map((e) => html`<vscode-table-row><vscode-table-cell><code>${e.name}</code></vscode-table-cell><vscode-table-cell class="wrap"><code>${e.value}</code></vscode-table-cell></vscode-table-row>`),
        )
      : empty('No environment variables.')}
    <h2>Labels</h2>
    ${config.labels.length ? labelTable('Labels', config.labels, actions) : empty('No labels.')}
  `;
}

// ---- Supply chain ----

const VERIFICATION_ICON = { verified: 'pass', failed: 'error', 'not-checked': 'circle-large-outline' } as const;
const VERIFICATION_TEXT = { verified: 'Verified', failed: 'Failed', 'not-checked': 'Not checked' } as const;

function sbomLabel(s: SbomInfo): string {
  return `${s.format === 'spdx' ? 'SPDX' : 'CycloneDX'}${s.name ? ` ${s.name}` : ''} (${s.packageCount} packages${s.tool ? `, ${s.tool}` : ''})`;
}

function sbomSection(state: ViewState, sboms: readonly SbomInfo[], actions: Actions): TemplateResult {
  const view = state.sbom;
  const selected = sboms.find((s) => s.digest === view.selected) ?? sboms[0]!;
  const page = view.page?.sbom === selected.digest ? view.page : undefined;
  return html`
    <div class="row toolbar">
      ${sboms.length > 1
        ? html`<vscode-single-select aria-label="SBOM" .value=${selected.digest} @change=${(e: Event) => actions.selectSbom((e.target as HTMLSelectElement).value)}>
            ${sboms.map((s) => html`<vscode-option value=${s.digest} ?selected=${s.digest === selected.digest}>${sbomLabel(s)}</vscode-option>`)}
          </vscode-single-select>`
        : html`<span>${sbomLabel(selected)}</span>`}
      <vscode-textfield
        id="sbom-search"
        type="search"
        placeholder="Search packages (name, version, license)"
        label="Search the SBOM's packages"
        aria-label="Search the SBOM's packages"
        .value=${view.query}
        @input=${(e: Event) => actions.searchSbom((e.target as HTMLInputElement).value)}
      >
        <vscode-icon slot="content-before" name="search" label="Search"></vscode-icon>
      </vscode-textfield>
      ${view.pending ? html`<vscode-progress-ring aria-label="Loading packages"></vscode-progress-ring>` : nothing}
      ${page ? html`<span class="sbom-range muted">${pageRange(page.offset, page.items.length, page.total)}</span>` : nothing}
    </div>
    ${view.failure ? problemRows([{ what: 'SBOM', message: view.failure }]) : nothing}
    ${page
      ? html`${page.items.length
            ? table(
                'SBOM packages',
                ['22%', '14%', '14%', 'auto'],
                ['Name', 'Version', 'License', 'Package URL'],
                page.items.map(
                  (p) => html`<vscode-table-row>
                    <vscode-table-cell>${p.name}</vscode-table-cell>
                    <vscode-table-cell><code>${p.version ?? ''}</code></vscode-table-cell>
                    <vscode-table-cell>${p.license ?? ''}</vscode-table-cell>
                    <vscode-table-cell class="wrap"><code class="purl">${p.purl ?? ''}</code></vscode-table-cell>
                  </vscode-table-row>`,
                ),
              )
            : empty(page.query ? `No package matches “${page.query}”.` : 'This SBOM lists no packages.')}
          <div class="row pager" role="navigation" aria-label="SBOM pages">
            <vscode-button secondary icon="chevron-left" ?disabled=${page.offset === 0 || view.pending} @click=${() => actions.sbomPage(Math.max(0, page.offset - SBOM_PAGE_SIZE))}
              >Previous</vscode-button
            >
            <span class="muted">${pageRange(page.offset, page.items.length, page.total)}</span>
            <vscode-button secondary icon-after="chevron-right" ?disabled=${page.offset + page.items.length >= page.total || view.pending} @click=${() => actions.sbomPage(page.offset + SBOM_PAGE_SIZE)}
              >Next</vscode-button
            >
          </div>`
      : view.pending
        ? loadingRow('Reading the SBOM…')
        : nothing}
  `;
}

export function supplyChainTab(state: ViewState, actions: Actions): TemplateResult {
  const chain = state.supplyChain?.value;
  const failures = state.failures.filter((f) => f.what === 'supply chain');
  if (!chain) return html`${problemRows(failures)}${state.loading.has('supply chain') ? loadingRow('Reading signatures, SBOMs and attestations…') : failures.length ? nothing : empty('Not read yet.')}`;
  return html`
    ${problemRows([...failures, ...chain.problems])}
    <h2>Signatures</h2>
    ${chain.signatures.length
      ? table(
          'Signatures',
          ['9%', '22%', '22%', '15%', 'auto'],
          ['Format', 'Signer', 'Issuer', 'Signed', 'Verification'],
          chain.signatures.map(
            (s) => html`<vscode-table-row>
              <vscode-table-cell>${s.format}</vscode-table-cell>
              <vscode-table-cell class="wrap">${s.signer ?? html`<span class="muted">unknown</span>`}</vscode-table-cell>
              <vscode-table-cell class="wrap">${s.issuer ?? ''}</vscode-table-cell>
              <vscode-table-cell class="wrap">${s.signedAt ? shortTime(s.signedAt) : ''}</vscode-table-cell>
              <vscode-table-cell class="wrap verification ${s.verification.status}"
                ><vscode-icon name=${VERIFICATION_ICON[s.verification.status]} label=${VERIFICATION_TEXT[s.verification.status]}></vscode-icon>
                <strong>${VERIFICATION_TEXT[s.verification.status]}</strong> <span class="detail">${s.verification.detail}</span></vscode-table-cell
              >
            </vscode-table-row>`,
          ),
        )
      : empty('No signatures (cosign or notation) refer to this image.')}
    <h2>SBOMs</h2>
    ${chain.sboms.length ? sbomSection(state, chain.sboms, actions) : empty('No SBOM (SPDX or CycloneDX) refers to this image.')}
    <h2>Attestations</h2>
    ${chain.attestations.length
      ? table(
          'Attestations',
          ['22%', '22%', '24%', '16%', 'auto'],
          ['Predicate', 'Builder', 'Source', 'Revision', 'Entry point'],
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
      : empty('No attestations (SLSA provenance, in-toto statements).')}
    ${chain.other.length
      ? html`<h2>Other referrers</h2>
          ${table(
            'Other referrers',
            ['40%', '40%', 'auto'],
            ['Artifact type', 'Digest', 'Size'],
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
  return html`<button
    class="sort"
    aria-sort=${direction}
    aria-label=${`Sort by ${text}${active ? ` (${direction})` : ''}`}
    @click=${() => actions.sortFindings(column)}
  >
    ${text}${active ? html`<vscode-icon name=${state.vulnerabilitySort.descending ? 'arrow-up' : 'arrow-down'}></vscode-icon>` : nothing}
  </button>`;
}

export function vulnerabilitiesTab(state: ViewState, actions: Actions): TemplateResult {
  const view = state.vulnerabilities?.value;
  const failures = state.failures.filter((f) => f.what === 'vulnerabilities');
  if (!view) return html`${problemRows(failures)}${state.loading.has('vulnerabilities') ? loadingRow('Reading the registry’s scan…') : failures.length ? nothing : empty('Not read yet.')}`;
  if (!view.available) return html`${problemRows(failures)}<p class="reason"><vscode-icon name="info" label="Information"></vscode-icon> ${view.reason}</p>`;
  const report = view.report;
  const findings = report.vulnerabilities ?? [];
  return html`
    ${problemRows(failures)}
    <dl class="fields">
      ${field('Status', report.status)} ${field('Scanner', report.scanner)} ${field('Scanned', when(report.scannedAt))}
      ${field('Message', report.message)}
    </dl>
    <div class="severities" role="list" aria-label="Findings by severity">
      ${SEVERITIES.map(
        (s: Severity) => html`<span role="listitem" class="severity ${s}"><vscode-badge variant="counter">${report.counts[s]}</vscode-badge> ${s}</span>`,
      )}
      <span class="muted">${totalFindings(report.counts)} in all</span>
    </div>
    ${findings.length
      ? table(
          'Vulnerabilities',
          ['12%', '18%', '24%', '18%', 'auto'],
          [
            sortHeader(state, 'severity', 'Severity', actions),
            sortHeader(state, 'id', 'ID', actions),
            sortHeader(state, 'package', 'Package', actions),
            sortHeader(state, 'version', 'Installed', actions),
            sortHeader(state, 'fixVersion', 'Fixed in', actions),
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
      : empty(totalFindings(report.counts) ? 'The registry gave counts only, not the findings.' : 'No findings.')}
  `;
}

// ---- Compare ----

function changes(label: string, rows: readonly { field: string; before?: string; after?: string }[]): TemplateResult {
  return rows.length
    ? table(
        label,
        ['26%', '37%', 'auto'],
        ['Field', 'Before', 'After'],
        rows.map(
          (c) => html`<vscode-table-row>
            <vscode-table-cell><code>${c.field}</code></vscode-table-cell>
            <vscode-table-cell class="wrap removed">${c.before ?? html`<span class="muted">(none)</span>`}</vscode-table-cell>
            <vscode-table-cell class="wrap added">${c.after ?? html`<span class="muted">(none)</span>`}</vscode-table-cell>
          </vscode-table-row>`,
        ),
      )
    : empty('No differences.');
}

function layerList(label: string, layers: readonly { digest: string; size: number; createdBy?: string }[], sign: '+' | '−'): TemplateResult {
  return layers.length
    ? table(
        label,
        ['12%', '18%', 'auto'],
        ['Size', 'Digest', 'Created by'],
        layers.map(
          (l) => html`<vscode-table-row class=${sign === '+' ? 'added' : 'removed'}>
            <vscode-table-cell>${sign}${formatSize(l.size)}</vscode-table-cell>
            <vscode-table-cell><code title=${l.digest}>${shortDigest(l.digest)}</code></vscode-table-cell>
            <vscode-table-cell class="wrap"><code class="created-by">${l.createdBy ?? ''}</code></vscode-table-cell>
          </vscode-table-row>`,
        ),
      )
    : empty('None.');
}

function comparisonView(state: ViewState): TemplateResult | typeof nothing {
  const c = state.compare.result;
  if (!c) return nothing;
  const packages = c.packages;
  return html`
    ${problemRows(c.problems)}
    <dl class="fields">
      ${field('Base', code(c.base))} ${field('Compared with', code(c.other))}
      ${field('Size', html`<strong class=${c.sizeDelta > 0 ? 'removed' : c.sizeDelta < 0 ? 'added' : ''}>${formatDelta(c.sizeDelta, formatSize)}</strong>`)}
      ${field('Layers', `${c.layersAdded.length} added, ${c.layersRemoved.length} removed, ${c.layersShared} shared`)}
    </dl>
    <h2>Layers added</h2>
    ${layerList('Layers added', c.layersAdded, '+')}
    <h2>Layers removed</h2>
    ${layerList('Layers removed', c.layersRemoved, '−')}
    <h2>Config</h2>
    ${changes('Config changes', c.config)}
    <h2>Labels</h2>
    ${changes('Label changes', c.labels)}
    <h2>Packages</h2>
    ${'unavailable' in packages
      ? html`<p class="reason"><vscode-icon name="info" label="Information"></vscode-icon> ${packages.unavailable}</p>`
      : html`<p class="muted">${packages.added.length} added, ${packages.removed.length} removed, ${packages.upgraded.length} changed version</p>
          ${packages.added.length + packages.removed.length + packages.upgraded.length
            ? table(
                'Package changes',
                ['14%', '36%', '25%', 'auto'],
                ['Change', 'Package', 'Before', 'After'],
                [
                  ...packages.upgraded.map(
                    (p) => html`<vscode-table-row
                      ><vscode-table-cell>changed</vscode-table-cell><vscode-table-cell>${p.name}</vscode-table-cell
                      ><vscode-table-cell class="removed"><code>${p.from ?? ''}</code></vscode-table-cell
                      ><vscode-table-cell class="added"><code>${p.to ?? ''}</code></vscode-table-cell></vscode-table-row
                    >`,
                  ),
                  ...packages.added.map(
                    (p) => html`<vscode-table-row class="added"
                      ><vscode-table-cell>added</vscode-table-cell><vscode-table-cell>${p.name}</vscode-table-cell><vscode-table-cell></vscode-table-cell
                      ><vscode-table-cell><code>${p.version ?? ''}</code></vscode-table-cell></vscode-table-row
                    >`,
                  ),
                  ...packages.removed.map(
                    (p) => html`<vscode-table-row class="removed"
                      ><vscode-table-cell>removed</vscode-table-cell><vscode-table-cell>${p.name}</vscode-table-cell
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
    <p>Compare ${state.details ? code(state.details.reference) : 'this image'} with another tag of the repository.</p>
    <div class="row toolbar">
      <vscode-textfield
        id="compare-filter"
        placeholder="Filter tags"
        label="Filter the repository's tags"
        aria-label="Filter the repository's tags"
        .value=${view.filter}
        @input=${(e: Event) => actions.filterTags((e.target as HTMLInputElement).value)}
      ></vscode-textfield>
      <vscode-single-select
        id="compare-tag"
        aria-label="Tag to compare with"
        .value=${view.reference}
        ?disabled=${!tags.length}
        @change=${(e: Event) => actions.pickCompare((e.target as HTMLSelectElement).value)}
      >
        <vscode-option value="" ?selected=${!view.reference}>${view.tagsPending ? 'Listing tags…' : tags.length ? 'Pick a tag' : 'No tags'}</vscode-option>
        ${tags.map((t) => html`<vscode-option value=${t} ?selected=${t === view.reference}>${t}</vscode-option>`)}
      </vscode-single-select>
      <vscode-button icon="git-compare" ?disabled=${!view.reference || view.pending} @click=${() => actions.compare()}>Compare</vscode-button>
      ${view.more ? html`<span class="muted">more tags: filter to find them</span>` : nothing}
    </div>
    ${view.failure ? problemRows([{ what: 'Compare', message: view.failure }]) : nothing}
    ${view.pending ? loadingRow('Comparing…') : comparisonView(state)}
  `;
}
