// SBOM documents read into one package list: SPDX 2.x JSON (https://spdx.github.io/spdx-spec/v2.3/,
// `packages[]` with name, versionInfo, licenseConcluded/licenseDeclared, externalRefs purl) and
// CycloneDX JSON (https://cyclonedx.org/docs/1.5/json/, `components[]`, nested ones too, with name,
// version, licenses[].license.id/name or .expression, purl), whether stored bare or as the predicate
// of an in-toto statement (predicateType https://spdx.dev/Document or https://cyclonedx.org/bom),
// itself possibly in a DSSE envelope. Every field is read by shape: an SBOM is untrusted input.
import { isRecord } from '../distribution/json';
import type { SbomPackage } from './model';

export type SbomFormat = 'spdx' | 'cyclonedx';

export interface ParsedSbom {
  format: SbomFormat;
  name?: string;
  created?: string;
  tool?: string;
  packages: SbomPackage[];
}

export const PredicateTypes = {
  spdx: 'https://spdx.dev/Document',
  cyclonedx: 'https://cyclonedx.org/bom',
  slsaV02: 'https://slsa.dev/provenance/v0.2',
  slsaV1: 'https://slsa.dev/provenance/v1',
} as const;

const str = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value : undefined);

/** In-toto statement types (v0.1 and v1, https://github.com/in-toto/attestation/tree/main/spec). */
export function isInTotoStatement(json: unknown): json is Record<string, unknown> & { predicateType: string } {
  return isRecord(json) && typeof json._type === 'string' && json._type.startsWith('https://in-toto.io/Statement/') && typeof json.predicateType === 'string';
}

/**
 * The payload of a DSSE envelope (https://github.com/secure-systems-lab/dsse/blob/master/envelope.md)
 * when it carries an in-toto statement; other JSON is returned as it is.
 */
export function unwrapDsse(json: unknown): unknown {
  if (!isRecord(json) || typeof json.payload !== 'string' || typeof json.payloadType !== 'string') return json;
  if (json.payloadType !== 'application/vnd.in-toto+json') return json;
  try {
    return JSON.parse(Buffer.from(json.payload, 'base64').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** The SBOM document inside `json` (bare, in an in-toto statement, in DSSE), or undefined when it is none. */
export function findSbomDocument(json: unknown): { format: SbomFormat; document: Record<string, unknown> } | undefined {
  const unwrapped = unwrapDsse(json);
  if (isInTotoStatement(unwrapped)) {
    const predicate = unwrapped.predicate;
    if (!isRecord(predicate)) return undefined;
    if (unwrapped.predicateType === PredicateTypes.spdx || unwrapped.predicateType.startsWith('https://spdx.dev/Document')) return { format: 'spdx', document: predicate };
    if (unwrapped.predicateType.startsWith(PredicateTypes.cyclonedx)) return { format: 'cyclonedx', document: predicate };
    return undefined;
  }
  if (!isRecord(unwrapped)) return undefined;
  if (typeof unwrapped.spdxVersion === 'string') return { format: 'spdx', document: unwrapped };
  if (unwrapped.bomFormat === 'CycloneDX') return { format: 'cyclonedx', document: unwrapped };
  return undefined;
}

/** Parsed when `json` holds an SBOM, else undefined. */
export function parseSbom(json: unknown): ParsedSbom | undefined {
  const found = findSbomDocument(json);
  if (!found) return undefined;
  return found.format === 'spdx' ? parseSpdx(found.document) : parseCycloneDx(found.document);
}

/** NOASSERTION and NONE say nothing about the license: treated as absent. */
function spdxLicense(value: unknown): string | undefined {
  const text = str(value);
  return text && text !== 'NOASSERTION' && text !== 'NONE' ? text : undefined;
}

function spdxPurl(externalRefs: unknown): string | undefined {
  if (!Array.isArray(externalRefs)) return undefined;
  const ref = externalRefs.find((r) => isRecord(r) && r.referenceType === 'purl' && typeof r.referenceLocator === 'string');
  return ref ? str((ref as Record<string, unknown>).referenceLocator) : undefined;
}

export function parseSpdx(document: Record<string, unknown>): ParsedSbom {
  const creation = isRecord(document.creationInfo) ? document.creationInfo : {};
  const creators = Array.isArray(creation.creators) ? creation.creators.filter((c): c is string => typeof c === 'string') : [];
  const tool = creators.find((c) => c.startsWith('Tool:'))?.slice('Tool:'.length).trim();
  const packages: SbomPackage[] = [];
  for (const item of Array.isArray(document.packages) ? document.packages : []) {
    if (!isRecord(item)) continue;
    const name = str(item.name);
    if (!name) continue;
    const pkg: SbomPackage = { name };
    const version = str(item.versionInfo);
    const license = spdxLicense(item.licenseConcluded) ?? spdxLicense(item.licenseDeclared);
    const purl = spdxPurl(item.externalRefs);
    if (version) pkg.version = version;
    if (license) pkg.license = license;
    if (purl) pkg.purl = purl;
    packages.push(pkg);
  }
  return withOptional({ format: 'spdx', packages }, { name: str(document.name), created: str(creation.created), tool });
}

function cycloneDxLicense(licenses: unknown): string | undefined {
  if (!Array.isArray(licenses)) return undefined;
  const parts: string[] = [];
  for (const entry of licenses) {
    if (!isRecord(entry)) continue;
    const expression = str(entry.expression);
    const license = isRecord(entry.license) ? entry.license : undefined;
    const text = expression ?? (license ? str(license.id) ?? str(license.name) : undefined);
    if (text) parts.push(text);
  }
  return parts.length ? parts.join(' AND ') : undefined;
}

/** CycloneDX 1.4 lists tools as an array; 1.5 as { components, services }. */
function cycloneDxTool(metadata: Record<string, unknown>): string | undefined {
  const tools = metadata.tools;
  const list = Array.isArray(tools) ? tools : isRecord(tools) && Array.isArray(tools.components) ? tools.components : [];
  const first = list.find(isRecord);
  if (!first) return undefined;
  const name = str(first.name);
  const version = str(first.version);
  return name ? (version ? `${name}-${version}` : name) : undefined;
}

export function parseCycloneDx(document: Record<string, unknown>): ParsedSbom {
  const metadata = isRecord(document.metadata) ? document.metadata : {};
  const packages: SbomPackage[] = [];
  // Components nest (an application's own dependencies under it): walked iteratively, so a deep or
  // cyclic-looking document cannot overflow the stack.
  const pending: unknown[] = Array.isArray(document.components) ? [...document.components].reverse() : [];
  while (pending.length) {
    const item = pending.pop();
    if (!isRecord(item)) continue;
    const name = str(item.name);
    if (name) {
      const pkg: SbomPackage = { name };
      const version = str(item.version);
      const license = cycloneDxLicense(item.licenses);
      const purl = str(item.purl);
      if (version) pkg.version = version;
      if (license) pkg.license = license;
      if (purl) pkg.purl = purl;
      packages.push(pkg);
    }
    if (Array.isArray(item.components)) for (let i = item.components.length - 1; i >= 0; i--) pending.push(item.components[i]);
  }
  const component = isRecord(metadata.component) ? metadata.component : {};
  return withOptional({ format: 'cyclonedx', packages }, { name: str(component.name), created: str(metadata.timestamp), tool: cycloneDxTool(metadata) });
}

function withOptional(base: ParsedSbom, optional: Pick<ParsedSbom, 'name' | 'created' | 'tool'>): ParsedSbom {
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) (base as unknown as Record<string, unknown>)[key] = value;
  return base;
}

/** Packages whose name, version, license or purl contains `query` (case-insensitive), one page of them. */
export function filterPackages(packages: readonly SbomPackage[], query: string, offset: number, limit: number): { total: number; items: SbomPackage[] } {
  const needle = query.trim().toLowerCase();
  const matches = needle
    ? packages.filter((p) => [p.name, p.version, p.license, p.purl].some((field) => field !== undefined && field.toLowerCase().includes(needle)))
    : packages;
  const start = Math.max(0, Math.floor(offset));
  return { total: matches.length, items: matches.slice(start, start + Math.max(0, Math.floor(limit))) };
}
