// `regx inspect --details REF [--platform P] [--key FILE]... [--compare REF2]`: what the Image Details
// panel shows, as text for people or JSON ({details, supplyChain, vulnerabilities}, or the comparison)
// for scripts. The data comes from src/details/; this file runs it and lays it out.
import fs from 'node:fs';
import path from 'node:path';
import { compareImages, readImageDetails, readSupplyChain, vulnerabilitiesView } from '../details';
import type { ImageComparison, ImageDetails, LabelRow, PublicKeyInput, SupplyChain, VulnerabilitiesView } from '../details';
import { InvalidInputError } from '../errors/errors';
import { formatReference, type ImageReference } from '../reference';
import { SEVERITIES, totalFindings } from '../registries/vulnerabilities';
import { clientFor, providerForCli } from './context';
import { formatBytes, formatKeyValues, jsonText } from './output';
import type { CliContext } from './types';

export interface DetailsArguments {
  ref: ImageReference;
  platform?: string;
  keyFiles: string[];
  compare?: ImageReference;
}

const referenceOf = (ref: ImageReference) => ref.digest ?? ref.tag ?? 'latest';

function readKeys(files: string[]): PublicKeyInput[] {
  return files.map((file) => {
    try {
      return { name: path.basename(file), pem: fs.readFileSync(file, 'utf8') };
    } catch (error) {
      throw new InvalidInputError('argument', file, `cannot read the key file (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
  });
}

export async function runDetails(ctx: CliContext, args: DetailsArguments): Promise<void> {
  const publicKeys = readKeys(args.keyFiles);
  const { ref } = args;
  const client = clientFor(ctx, ref.registry);
  const request = { repository: ref.repository, reference: referenceOf(ref), ...(args.platform ? { platform: args.platform } : {}) };
  if (args.compare) {
    const other = args.compare;
    const comparison = await compareImages(client, request, clientFor(ctx, other.registry), { repository: other.repository, reference: referenceOf(other) }, { signal: ctx.signal });
    ctx.out(ctx.json ? jsonText(comparison) : comparisonText(comparison));
    return;
  }
  const details = await readImageDetails(client, request, { signal: ctx.signal });
  details.reference = formatReference({ ...ref, tag: ref.digest ? ref.tag : referenceOf(ref) });
  const platform = details.kind === 'index' ? details.image?.digest : undefined;
  const supplyChain = await readSupplyChain(client, ref.repository, details.digest, { signal: ctx.signal, publicKeys, ...(platform ? { platform } : {}) });
  const vulnerabilities = await vulnerabilitiesView(await providerForCli(ctx, ref.registry), ref.repository, details.digest, ctx.signal);
  ctx.out(ctx.json ? jsonText({ details, supplyChain, vulnerabilities }) : detailsText(details, supplyChain, vulnerabilities));
  // The details were printed; a part of the image that could not be read still makes it a failure.
  const unread = [...details.problems, ...(details.image?.problems ?? [])].filter((p) => p.what !== 'history');
  if (unread.length) throw new Error(`${unread.map((p) => p.what).join(', ')} of ${details.reference} could not be read`);
}

// ---------------------------------------------------------------------------------------------
// Text

const short = (digest: string) => digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/, '$1');

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  return rows.map((row) => `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')}`.trimEnd());
}

function section(title: string, lines: string[]): string {
  return [title, ...(lines.length ? lines : ['  -'])].join('\n');
}

function labelLines(rows: LabelRow[]): string[] {
  return rows.map((row) => `  ${row.key}=${row.value}${row.link && row.link !== row.value ? `  <${row.link}>` : ''}`);
}

const list = (value: string[] | undefined) => (value?.length ? JSON.stringify(value) : '-');

export function detailsText(details: ImageDetails, chain: SupplyChain, vulnerabilities: VulnerabilitiesView): string {
  const image = details.image;
  const blocks: string[] = [];
  blocks.push(formatKeyValues([
    ['Reference', details.reference],
    ['Digest', details.digest],
    ['Media type', details.mediaType],
    ['Kind', details.kind],
    ['Size', `${formatBytes(details.totalSize)} (${details.totalSize} bytes${details.kind === 'index' ? ', every platform' : ''})`],
    ['Platform', image?.platform ?? '-'],
    ['Created', image?.created ?? '-'],
  ]));
  if (details.platforms.length) {
    blocks.push(section('Platforms', table(details.platforms.map((p) => [p.platform, p.digest, p.digest === image?.digest ? '(shown)' : '']))));
  }
  if (image) {
    const header = `Layers (${image.platform ?? 'image'} ${short(image.digest)}, ${image.layers.filter((l) => l.layer).length} layers, ${formatBytes(image.compressedSize)} compressed)`;
    const rows = [['STEP', 'SIZE', 'DIGEST', 'CREATED BY'], ...image.layers.map((l) => [
      String(l.step),
      l.layer ? formatBytes(l.layer.size) : '-',
      l.layer ? short(l.layer.digest) : l.emptyLayer ? '(empty)' : '(missing)',
      (l.createdBy ?? '').replace(/\s+/g, ' ').trim(),
    ])];
    blocks.push(section(header, table(rows)));
    const config = image.config;
    if (config) {
      blocks.push(section('Config', formatKeyValues([
        ['Entrypoint', list(config.entrypoint)],
        ['Cmd', list(config.cmd)],
        ['Env', config.env.length ? config.env.map((e) => `${e.name}=${e.value}`) : '-'],
        ['WorkingDir', config.workingDir ?? '-'],
        ['User', config.user ?? '-'],
        ['ExposedPorts', config.exposedPorts.join(', ') || '-'],
        ['Volumes', config.volumes.join(', ') || '-'],
        ['StopSignal', config.stopSignal ?? '-'],
        ...(config.author ? ([['Author', config.author]] as Array<[string, string]>) : []),
      ]).split('\n').map((line) => `  ${line}`)));
      blocks.push(section('Labels', labelLines(config.labels)));
    }
    if (image.annotations.length) blocks.push(section('Annotations', labelLines(image.annotations)));
  }
  if (details.annotations.length) blocks.push(section(details.kind === 'index' ? 'Index annotations' : 'Manifest annotations', labelLines(details.annotations)));
  blocks.push(supplyChainText(chain));
  blocks.push(section('Vulnerabilities', [vulnerabilitiesLine(vulnerabilities)]));
  const problems = [...details.problems, ...(image?.problems ?? []), ...chain.problems];
  if (problems.length) blocks.push(section('Problems', problems.map((p) => `  ${p.what}: ${p.message}`)));
  return blocks.join('\n\n');
}

function supplyChainText(chain: SupplyChain): string {
  const lines: string[] = [];
  lines.push(`  Signatures (${chain.signatures.length})`);
  for (const s of chain.signatures) {
    const who = [s.signer, s.issuer ? `issuer ${s.issuer}` : undefined, s.signedAt ? `signed ${s.signedAt}` : undefined].filter(Boolean).join(', ');
    lines.push(`    ${s.format.padEnd(8)}  ${s.verification.status.padEnd(11)}  ${who || '-'}  ${short(s.digest)}`);
    lines.push(`              ${s.verification.detail}`);
  }
  lines.push(`  SBOMs (${chain.sboms.length})`);
  for (const s of chain.sboms) {
    const about = [s.tool, s.created, s.source === 'attestation' ? 'buildx attestation' : 'referrer'].filter(Boolean).join(', ');
    lines.push(`    ${s.format.padEnd(9)}  ${String(s.packageCount).padStart(6)} packages  ${about}  ${short(s.digest)}`);
  }
  lines.push(`  Attestations (${chain.attestations.length})`);
  for (const a of chain.attestations) {
    lines.push(`    ${a.predicateType}  ${short(a.digest)}`);
    const facts = formatKeyValues([
      ...(a.builder ? ([['builder', a.builder]] as Array<[string, string]>) : []),
      ...(a.buildType ? ([['build type', a.buildType]] as Array<[string, string]>) : []),
      ...(a.sourceRepository ? ([['source', a.sourceRepository + (a.sourceRevision ? ` @ ${a.sourceRevision}` : '')]] as Array<[string, string]>) : []),
      ...(a.entryPoint ? ([['entry point', a.entryPoint]] as Array<[string, string]>) : []),
    ]);
    if (facts) lines.push(...facts.split('\n').map((line) => `      ${line}`));
  }
  if (chain.other.length) {
    lines.push(`  Other referrers (${chain.other.length})`);
    for (const o of chain.other) lines.push(`    ${o.artifactType}  ${short(o.digest)}  ${formatBytes(o.size)}`);
  }
  return ['Supply chain', ...lines].join('\n');
}

function vulnerabilitiesLine(view: VulnerabilitiesView): string {
  if (!view.available) return `  ${view.reason}`;
  const { report } = view;
  if (report.status !== 'success') return `  ${report.status}${report.message ? ` (${report.message})` : ''}`;
  return `  ${totalFindings(report.counts)} findings (${SEVERITIES.map((s) => `${s} ${report.counts[s]}`).join(', ')})${report.scanner ? `, ${report.scanner}` : ''}: regx scan REF lists them`;
}

export function comparisonText(c: ImageComparison): string {
  const sign = c.sizeDelta > 0 ? '+' : c.sizeDelta < 0 ? '-' : '±';
  const blocks: string[] = [formatKeyValues([
    ['Base', c.base],
    ['Other', c.other],
    ['Size', `${sign}${formatBytes(Math.abs(c.sizeDelta))} (${c.sizeDelta} bytes)`],
    ['Layers', `${c.layersAdded.length} added, ${c.layersRemoved.length} removed, ${c.layersShared} shared`],
  ])];
  const layerLines = [
    ...c.layersAdded.map((l) => `  + ${short(l.digest)}  ${formatBytes(l.size).padStart(8)}  ${(l.createdBy ?? '').trim()}`.trimEnd()),
    ...c.layersRemoved.map((l) => `  - ${short(l.digest)}  ${formatBytes(l.size).padStart(8)}  ${(l.createdBy ?? '').trim()}`.trimEnd()),
  ];
  if (layerLines.length) blocks.push(section('Layers', layerLines));
  const changeLine = (f: { field: string; before?: string; after?: string }) =>
    f.before === undefined ? `  + ${f.field}: ${f.after}` : f.after === undefined ? `  - ${f.field}: ${f.before}` : `  ~ ${f.field}: ${f.before} → ${f.after}`;
  blocks.push(section('Config', c.config.map(changeLine)));
  blocks.push(section('Labels', c.labels.map(changeLine)));
  if ('unavailable' in c.packages) {
    blocks.push(section('Packages', [`  ${c.packages.unavailable}`]));
  } else {
    const p = c.packages;
    blocks.push(section(`Packages (${p.added.length} added, ${p.removed.length} removed, ${p.upgraded.length} upgraded)`, [
      ...p.added.map((x) => `  + ${x.name} ${x.version ?? ''}`.trimEnd()),
      ...p.removed.map((x) => `  - ${x.name} ${x.version ?? ''}`.trimEnd()),
      ...p.upgraded.map((x) => `  ~ ${x.name} ${x.from ?? '?'} → ${x.to ?? '?'}`),
    ]));
  }
  if (c.problems.length) blocks.push(section('Problems', c.problems.map((p) => `  ${p.what}: ${p.message}`)));
  return blocks.join('\n\n');
}
