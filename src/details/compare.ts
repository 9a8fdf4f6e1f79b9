// compareImages: what changed from one image to another (two tags of a repository, or images on two
// registries): size, layers by digest, config fields, labels, and packages from the two SBOMs.
import type { RegistryClient } from '../distribution/client';
import type { ConfigView, DetailsProblem, FieldChange, ImageComparison, ImageDetails, LabelRow, PackageChange, SbomInfo, SbomPackage } from './model';
import { attempt } from './problems';
import { readImageDetails, type DetailsRequest } from './read';
import { readSupplyChain, sbomPackagesOf } from './supplyChain';

export interface CompareOptions {
  signal?: AbortSignal;
}

export async function compareImages(
  baseClient: RegistryClient,
  base: DetailsRequest,
  otherClient: RegistryClient,
  other: DetailsRequest,
  options: CompareOptions = {},
): Promise<ImageComparison> {
  const { signal } = options;
  const baseDetails = await readImageDetails(baseClient, base, { signal });
  // Like with like: the other index's image for the platform the base shows.
  const otherDetails = await readImageDetails(otherClient, { ...other, platform: other.platform ?? baseDetails.image?.platform }, { signal });
  const problems: DetailsProblem[] = [
    ...baseDetails.problems.map((p) => ({ ...p, what: `${baseDetails.reference}: ${p.what}` })),
    ...otherDetails.problems.map((p) => ({ ...p, what: `${otherDetails.reference}: ${p.what}` })),
    ...(baseDetails.image?.problems ?? []).map((p) => ({ ...p, what: `${baseDetails.reference}: ${p.what}` })),
    ...(otherDetails.image?.problems ?? []).map((p) => ({ ...p, what: `${otherDetails.reference}: ${p.what}` })),
  ];
  const baseLayers = layersOf(baseDetails);
  const otherLayers = layersOf(otherDetails);
  const baseDigests = new Set(baseLayers.map((l) => l.digest));
  const otherDigests = new Set(otherLayers.map((l) => l.digest));
  const comparison: ImageComparison = {
    base: baseDetails.reference,
    other: otherDetails.reference,
    sizeDelta: sizeOf(otherDetails) - sizeOf(baseDetails),
    layersAdded: otherLayers.filter((l) => !baseDigests.has(l.digest)),
    layersRemoved: baseLayers.filter((l) => !otherDigests.has(l.digest)),
    layersShared: [...otherDigests].filter((d) => baseDigests.has(d)).length,
    config: configChanges(baseDetails.image?.config, otherDetails.image?.config),
    labels: labelChanges(baseDetails.image?.config?.labels ?? [], otherDetails.image?.config?.labels ?? []),
    packages: { unavailable: '' },
    problems,
  };
  comparison.packages = await packageChanges(baseClient, baseDetails, otherClient, otherDetails, problems, signal);
  return comparison;
}

function sizeOf(details: ImageDetails): number {
  return details.image?.compressedSize ?? details.totalSize;
}

function layersOf(details: ImageDetails): { digest: string; size: number; createdBy?: string }[] {
  const seen = new Set<string>();
  const out: { digest: string; size: number; createdBy?: string }[] = [];
  for (const row of details.image?.layers ?? []) {
    if (!row.layer || seen.has(row.layer.digest)) continue;
    seen.add(row.layer.digest);
    out.push({ digest: row.layer.digest, size: row.layer.size, ...(row.createdBy !== undefined ? { createdBy: row.createdBy } : {}) });
  }
  return out;
}

function change(field: string, before: string | undefined, after: string | undefined): FieldChange[] {
  if (before === after) return [];
  return [{ field, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) }];
}

const list = (value: string[] | undefined) => (value === undefined ? undefined : JSON.stringify(value));

/** Items of a set that came or went, one change each ("ExposedPorts 9443/tcp": added). */
function setChanges(field: string, before: string[], after: string[]): FieldChange[] {
  const b = new Set(before);
  const a = new Set(after);
  return [
    ...before.filter((x) => !a.has(x)).map((x) => ({ field: `${field} ${x}`, before: x })),
    ...after.filter((x) => !b.has(x)).map((x) => ({ field: `${field} ${x}`, after: x })),
  ];
}

/** Config fields by Docker's names; env by variable name, ports and volumes item by item. */
export function configChanges(before: ConfigView | undefined, after: ConfigView | undefined): FieldChange[] {
  const envBefore = new Map((before?.env ?? []).map((e) => [e.name, e.value]));
  const envAfter = new Map((after?.env ?? []).map((e) => [e.name, e.value]));
  const envNames = [...new Set([...envBefore.keys(), ...envAfter.keys()])];
  return [
    ...change('Entrypoint', list(before?.entrypoint), list(after?.entrypoint)),
    ...change('Cmd', list(before?.cmd), list(after?.cmd)),
    ...envNames.flatMap((name) => change(`Env ${name}`, envBefore.get(name), envAfter.get(name))),
    ...change('WorkingDir', before?.workingDir, after?.workingDir),
    ...change('User', before?.user, after?.user),
    ...setChanges('ExposedPorts', before?.exposedPorts ?? [], after?.exposedPorts ?? []),
    ...setChanges('Volumes', before?.volumes ?? [], after?.volumes ?? []),
    ...change('StopSignal', before?.stopSignal, after?.stopSignal),
  ];
}

export function labelChanges(before: LabelRow[], after: LabelRow[]): FieldChange[] {
  const b = new Map(before.map((l) => [l.key, l.value]));
  const a = new Map(after.map((l) => [l.key, l.value]));
  const keys = [...new Set([...b.keys(), ...a.keys()])].sort();
  return keys.flatMap((key) => change(key, b.get(key), a.get(key)));
}

/** Versions of each package name (an SBOM may list a name more than once: several versions installed). */
function versionsByName(packages: readonly SbomPackage[]): Map<string, { first: SbomPackage; versions: string[] }> {
  const map = new Map<string, { first: SbomPackage; versions: string[] }>();
  for (const p of packages) {
    const entry = map.get(p.name) ?? { first: p, versions: [] };
    if (p.version !== undefined && !entry.versions.includes(p.version)) entry.versions.push(p.version);
    map.set(p.name, entry);
  }
  for (const entry of map.values()) entry.versions.sort();
  return map;
}

export function diffPackages(before: readonly SbomPackage[], after: readonly SbomPackage[]): { added: SbomPackage[]; removed: SbomPackage[]; upgraded: PackageChange[] } {
  const b = versionsByName(before);
  const a = versionsByName(after);
  const byName = (x: { name: string }, y: { name: string }) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0);
  const added = [...a].filter(([name]) => !b.has(name)).map(([, e]) => e.first).sort(byName);
  const removed = [...b].filter(([name]) => !a.has(name)).map(([, e]) => e.first).sort(byName);
  const upgraded: PackageChange[] = [];
  for (const [name, was] of b) {
    const now = a.get(name);
    if (!now || was.versions.join(', ') === now.versions.join(', ')) continue;
    upgraded.push({ name, ...(was.versions.length ? { from: was.versions.join(', ') } : {}), ...(now.versions.length ? { to: now.versions.join(', ') } : {}) });
  }
  return { added, removed, upgraded: upgraded.sort(byName) };
}

async function sbomsOf(client: RegistryClient, details: ImageDetails, problems: DetailsProblem[], signal?: AbortSignal): Promise<SbomInfo[]> {
  const platform = details.kind === 'index' ? details.image?.digest : undefined;
  const chain = await readSupplyChain(client, details.repository, details.digest, { signal, ...(platform ? { platform } : {}) });
  problems.push(...chain.problems.map((p) => ({ ...p, what: `${details.reference}: ${p.what}` })));
  // The index's own SBOMs only when the platform image has none.
  const own = chain.sboms.filter((s) => s.subject === (platform ?? details.digest));
  return own.length ? own : chain.sboms;
}

async function packageChanges(
  baseClient: RegistryClient,
  base: ImageDetails,
  otherClient: RegistryClient,
  other: ImageDetails,
  problems: DetailsProblem[],
  signal?: AbortSignal,
): Promise<ImageComparison['packages']> {
  const [baseSboms, otherSboms] = [await sbomsOf(baseClient, base, problems, signal), await sbomsOf(otherClient, other, problems, signal)];
  if (!baseSboms.length || !otherSboms.length) {
    const missing = [!baseSboms.length ? base.reference : undefined, !otherSboms.length ? other.reference : undefined].filter(Boolean);
    return { unavailable: `No SBOM found for ${missing.join(' nor for ')}: packages cannot be compared.` };
  }
  // The same format on both sides, SPDX first; else whatever each has.
  const format = (['spdx', 'cyclonedx'] as const).find((f) => baseSboms.some((s) => s.format === f) && otherSboms.some((s) => s.format === f));
  const baseSbom = baseSboms.find((s) => !format || s.format === format) as SbomInfo;
  const otherSbom = otherSboms.find((s) => !format || s.format === format) as SbomInfo;
  const [before, after] = [
    await attempt(problems, `SBOM ${baseSbom.digest}`, signal, () => sbomPackagesOf(baseClient, base.repository, baseSbom.digest, { signal })),
    await attempt(problems, `SBOM ${otherSbom.digest}`, signal, () => sbomPackagesOf(otherClient, other.repository, otherSbom.digest, { signal })),
  ];
  if (!before || !after) return { unavailable: 'An SBOM could not be read: packages cannot be compared (see the problems).' };
  return diffPackages(before.packages, after.packages);
}
