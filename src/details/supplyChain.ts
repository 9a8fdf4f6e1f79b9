// readSupplyChain: an image's signatures, SBOMs and attestations. Found as OCI 1.1 referrers
// (client.referrers, which falls back to the `sha256-<hex>` tag), cosign's legacy `sha256-<hex>.sig`
// and `.att` tags, and, for an index, buildx's attestation manifests inside it (in-toto layers:
// https://github.com/moby/buildkit/blob/master/docs/attestations/attestation-storage.md). Each
// referrer is classified by its artifactType (or config media type, for older tools) and layers.
// sbomPage: one page of an SBOM's packages, the parsed SBOM kept (by digest) for the next page.
import { mapLimit } from '../distribution/concurrency';
import { referrersTagFor, type RegistryClient } from '../distribution/client';
import { DistributionError, InvalidInputError, ProtocolError } from '../errors/errors';
import { LruCache } from '../distribution/lru';
import type { ImageManifestJson } from '../distribution/manifests';
import type { Descriptor, ManifestResult } from '../distribution/types';
import { SBOM_MAX_BYTES, SMALL_BLOB_MAX_BYTES, parseJsonBytes, readBlob, readJsonBlob } from './blobs';
import type { AttestationInfo, SbomInfo, SbomPage, SupplyChain } from './model';
import { attempt } from './problems';
import { isProvenance, readProvenance } from './provenance';
import { filterPackages, isInTotoStatement, parseSbom, unwrapDsse, type ParsedSbom } from './sbom';
import { SignatureTypes, readCosignSignature, readNotationSignature, type PublicKeyInput } from './signatures';

export interface SupplyChainOptions {
  signal?: AbortSignal;
  /** For an index: the platform image shown, whose referrers and attestations are read too (only its attestations, then). */
  platform?: string;
  /** Public keys to check key-signed cosign signatures with. */
  publicKeys?: PublicKeyInput[];
}

export const ArtifactTypes = {
  spdx: ['application/spdx+json', 'text/spdx+json', 'application/vnd.spdx+json'],
  cyclonedx: ['application/vnd.cyclonedx+json', 'application/cyclonedx+json'],
  inToto: 'application/vnd.in-toto+json',
  dsse: 'application/vnd.dsse.envelope.v1+json',
} as const;

const SBOM_TYPES: readonly string[] = [...ArtifactTypes.spdx, ...ArtifactTypes.cyclonedx];
/** Referrers read at once. */
const FAN_OUT = 4;

// Parsed SBOMs by blob: paging and filtering cost no request, and a handful of large SBOMs is what
// one person looks at in a session.
const parsedSboms = new LruCache<string, ParsedSbom>(8);
// The descriptors of SBOM blobs seen by readSupplyChain, so sbomPage knows their size without a HEAD.
const sbomDescriptors = new LruCache<string, Descriptor>(500);

const blobKey = (client: RegistryClient, repository: string, digest: string) => `${client.registry}/${repository}@${digest}`;

function emptyChain(): SupplyChain {
  return { signatures: [], sboms: [], attestations: [], other: [], problems: [] };
}

export async function readSupplyChain(client: RegistryClient, repository: string, digest: string, options: SupplyChainOptions = {}): Promise<SupplyChain> {
  const { signal } = options;
  const chain = emptyChain();
  const subjects = [digest, ...(options.platform && options.platform !== digest ? [options.platform] : [])];
  const reader = new ChainReader(client, repository, chain, options);

  const root = await attempt(chain.problems, 'manifest', signal, () => client.getManifest(repository, digest, { signal }));
  for (const subject of subjects) {
    const referrers = await attempt(chain.problems, `referrers of ${subject}`, signal, () => client.referrers(repository, subject, { signal }));
    await mapLimit(referrers ?? [], FAN_OUT, (descriptor) => reader.referrer(descriptor, subject));
    await reader.legacyCosignTags(subject);
  }
  if (root?.kind === 'index') {
    const attestations = client.indexEntries(root).filter((e) => e.isAttestation);
    const wanted = options.platform && options.platform !== digest ? attestations.filter((e) => e.annotations?.['vnd.docker.reference.digest'] === options.platform) : attestations;
    await mapLimit(wanted, FAN_OUT, (entry) => reader.buildxAttestation(entry, entry.annotations?.['vnd.docker.reference.digest'] ?? digest));
  }
  return chain;
}

/** Reads and classifies, pushing into one SupplyChain; a part that fails is a problem row. */
class ChainReader {
  constructor(
    private readonly client: RegistryClient,
    private readonly repository: string,
    private readonly chain: SupplyChain,
    private readonly options: SupplyChainOptions,
  ) {}

  private get signal(): AbortSignal | undefined {
    return this.options.signal;
  }

  private try<T>(what: string, read: () => Promise<T>): Promise<T | undefined> {
    return attempt(this.chain.problems, what, this.signal, read);
  }

  private manifest(digest: string, what: string): Promise<ManifestResult | undefined> {
    return this.try(what, () => this.client.getManifest(this.repository, digest, { signal: this.signal }));
  }

  async referrer(descriptor: Descriptor, subject: string): Promise<void> {
    const manifest = await this.manifest(descriptor.digest, `referrer ${descriptor.digest}`);
    if (!manifest) return;
    const parsed = manifest.parsed as Partial<ImageManifestJson> & { blobs?: Descriptor[] };
    const layers = Array.isArray(parsed.layers) ? parsed.layers : Array.isArray(parsed.blobs) ? parsed.blobs : [];
    const type = parsed.artifactType ?? descriptor.artifactType ?? parsed.config?.mediaType ?? manifest.mediaType;
    const created = parsed.annotations?.['org.opencontainers.image.created'];
    if (type === SignatureTypes.cosignArtifact || layers.some((l) => l.mediaType === SignatureTypes.simpleSigning)) {
      await this.cosignLayers(manifest.digest, layers, subject, created);
    } else if (type === SignatureTypes.notary) {
      await this.notationLayers(manifest.digest, layers, subject);
    } else if (SBOM_TYPES.includes(type) || layers.some((l) => SBOM_TYPES.includes(l.mediaType))) {
      for (const layer of layers) await this.sbomLayer(layer, subject, 'referrer');
    } else if (type === ArtifactTypes.inToto || type === ArtifactTypes.dsse || layers.some((l) => l.mediaType === ArtifactTypes.inToto || l.mediaType === ArtifactTypes.dsse)) {
      for (const layer of layers) await this.statementLayer(layer, subject, 'referrer');
    } else {
      this.chain.other.push({ digest: manifest.digest, artifactType: type, size: descriptor.size });
    }
  }

  /** cosign without OCI 1.1 keeps signatures under `sha256-<hex>.sig` and attestations under `.att`. */
  async legacyCosignTags(subject: string): Promise<void> {
    for (const suffix of ['sig', 'att'] as const) {
      const tag = `${referrersTagFor(subject)}.${suffix}`;
      const manifest = await this.try(`cosign ${suffix} tag ${tag}`, async () => {
        try {
          return await this.client.getManifest(this.repository, tag, { signal: this.signal });
        } catch (error) {
          // Most images have neither tag: a 404 (not a missing repository) just means none.
          if (error instanceof DistributionError && error.status === 404 && !error.hasCode('NAME_UNKNOWN')) return undefined;
          throw error;
        }
      });
      if (!manifest) continue;
      const layers = (manifest.parsed as Partial<ImageManifestJson>).layers ?? [];
      if (suffix === 'sig') await this.cosignLayers(manifest.digest, layers, subject, undefined);
      else for (const layer of layers) await this.statementLayer(layer, subject, 'referrer');
    }
  }

  async buildxAttestation(entry: Descriptor, subject: string): Promise<void> {
    const manifest = await this.manifest(entry.digest, `attestation ${entry.digest}`);
    if (!manifest) return;
    for (const layer of (manifest.parsed as Partial<ImageManifestJson>).layers ?? []) {
      if (layer.mediaType === ArtifactTypes.inToto || layer.annotations?.['in-toto.io/predicate-type']) await this.statementLayer(layer, subject, 'attestation');
    }
  }

  private async cosignLayers(manifestDigest: string, layers: Descriptor[], subject: string, created: string | undefined): Promise<void> {
    for (const layer of layers.filter((l) => l.mediaType === SignatureTypes.simpleSigning)) {
      const payload = await this.try(`cosign signature ${manifestDigest}`, () => readBlob(this.client, this.repository, layer, SMALL_BLOB_MAX_BYTES, this.signal));
      if (!payload) continue;
      const info = readCosignSignature({ manifestDigest, annotations: layer.annotations ?? {}, payload, subjectDigest: subject, publicKeys: this.options.publicKeys, ...(created ? { created } : {}) });
      this.chain.signatures.push({ ...info, subject });
    }
  }

  private async notationLayers(manifestDigest: string, layers: Descriptor[], subject: string): Promise<void> {
    for (const layer of layers.filter((l) => l.mediaType === SignatureTypes.jws || l.mediaType === SignatureTypes.cose)) {
      const envelope = await this.try(`notation signature ${manifestDigest}`, () => readBlob(this.client, this.repository, layer, SMALL_BLOB_MAX_BYTES, this.signal));
      if (!envelope) continue;
      this.chain.signatures.push({ ...readNotationSignature({ manifestDigest, mediaType: layer.mediaType, envelope, subjectDigest: subject }), subject });
    }
  }

  private async sbomLayer(layer: Descriptor, subject: string, source: SbomInfo['source']): Promise<void> {
    const sbom = await this.try(`SBOM ${layer.digest}`, () => loadSbom(this.client, this.repository, layer, this.signal));
    if (sbom) this.chain.sboms.push(sbomInfo(sbom, layer.digest, source, subject));
  }

  /** An in-toto statement (bare or in DSSE): an SBOM predicate is an SBOM, the rest attestations. */
  private async statementLayer(layer: Descriptor, subject: string, source: NonNullable<AttestationInfo['source']>): Promise<void> {
    const claimed = layer.annotations?.['in-toto.io/predicate-type'] ?? '';
    const mayBeSbom = claimed === '' || claimed.startsWith('https://spdx.dev/') || claimed.startsWith('https://cyclonedx.org/');
    // An SBOM statement may be as large as any SBOM; provenance and the rest are small documents.
    const json = await this.try(`attestation ${layer.digest}`, async () => {
      const cached = parsedSboms.get(blobKey(this.client, this.repository, layer.digest));
      if (cached) return { sbom: cached };
      const value = await readJsonBlob(this.client, this.repository, layer, mayBeSbom ? SBOM_MAX_BYTES : SMALL_BLOB_MAX_BYTES, 'the attestation', this.signal);
      return { value };
    });
    if (!json) return;
    const sbom = json.sbom ?? parseSbom(json.value);
    if (sbom) {
      remember(this.client, this.repository, layer, sbom);
      this.chain.sboms.push(sbomInfo(sbom, layer.digest, source, subject));
      return;
    }
    const statement = unwrapDsse(json.value);
    if (!isInTotoStatement(statement)) {
      this.chain.problems.push({ what: `attestation ${layer.digest}`, message: 'This layer is not an in-toto statement.' });
      return;
    }
    const info: AttestationInfo = isProvenance(statement.predicateType)
      ? readProvenance(statement.predicateType, statement.predicate, layer.digest)
      : { predicateType: statement.predicateType, digest: layer.digest };
    this.chain.attestations.push({ ...info, source, subject });
  }
}

function sbomInfo(sbom: ParsedSbom, digest: string, source: SbomInfo['source'], subject: string): SbomInfo {
  const info: SbomInfo = { format: sbom.format, digest, source, packageCount: sbom.packages.length, subject };
  if (sbom.name) info.name = sbom.name;
  if (sbom.created) info.created = sbom.created;
  if (sbom.tool) info.tool = sbom.tool;
  return info;
}

function remember(client: RegistryClient, repository: string, descriptor: Descriptor, sbom: ParsedSbom): void {
  const key = blobKey(client, repository, descriptor.digest);
  parsedSboms.set(key, sbom);
  sbomDescriptors.set(key, { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size });
}

/** The SBOM in a blob (bare or in an in-toto statement), read once and kept. */
async function loadSbom(client: RegistryClient, repository: string, descriptor: Descriptor, signal?: AbortSignal): Promise<ParsedSbom> {
  const key = blobKey(client, repository, descriptor.digest);
  const cached = parsedSboms.get(key);
  if (cached) return cached;
  const bytes = await readBlob(client, repository, descriptor, SBOM_MAX_BYTES, signal);
  const sbom = parseSbom(parseJsonBytes(bytes, key, 'the SBOM'));
  if (!sbom) throw new ProtocolError(key, 'the blob is neither an SPDX nor a CycloneDX JSON document');
  remember(client, repository, descriptor, sbom);
  return sbom;
}

/** The packages of an SBOM blob by digest, parsed once (later pages and queries cost no request). */
export async function sbomPackagesOf(client: RegistryClient, repository: string, sbomDigest: string, options: { signal?: AbortSignal } = {}): Promise<ParsedSbom> {
  const key = blobKey(client, repository, sbomDigest);
  const cached = parsedSboms.get(key);
  if (cached) return cached;
  let descriptor = sbomDescriptors.get(key);
  if (!descriptor) {
    const head = await client.headBlob(repository, sbomDigest, options);
    if (!head) throw new InvalidInputError('digest', sbomDigest, `${client.registry}/${repository} has no such blob`);
    descriptor = { mediaType: 'application/json', digest: sbomDigest, size: head.size };
  }
  return loadSbom(client, repository, descriptor, options.signal);
}

const MAX_PAGE = 1000;

export async function sbomPage(
  client: RegistryClient,
  repository: string,
  sbomDigest: string,
  query: string,
  offset: number,
  limit: number,
  options: { signal?: AbortSignal } = {},
): Promise<SbomPage> {
  const sbom = await sbomPackagesOf(client, repository, sbomDigest, options);
  const start = Number.isInteger(offset) && offset > 0 ? offset : 0;
  const size = Number.isInteger(limit) && limit > 0 ? Math.min(limit, MAX_PAGE) : MAX_PAGE;
  const { total, items } = filterPackages(sbom.packages, query, start, size);
  return { sbom: sbomDigest, query, offset: start, total, items };
}

/** For tests: forget the parsed SBOMs (so a test can see what a fresh process fetches). */
export function forgetParsedSboms(): void {
  parsedSboms.clear();
  sbomDescriptors.clear();
}
