// What Show Image Details (the webview panel) and `regx inspect --details` know about one image:
// plain data, built by the pure layer (src/details/) from the Distribution client, and sent as it is
// to the webview, so every field is JSON (no Dates, no Maps, no functions) and nothing here is a
// credential or a URL with one in it.
import type { VulnerabilityReport } from '../registries/vulnerabilities';

/** A failure shown in place of what could not be read (an error row, never a blank panel). */
export interface DetailsProblem {
  /** What could not be read, e.g. "config", "SBOM sha256:…", "referrers". */
  what: string;
  /** describeError's words. */
  message: string;
}

/** One entry of an index, as the platform switcher lists it. */
export interface PlatformChoice {
  digest: string;
  mediaType: string;
  size: number;
  /** "linux/amd64", "linux/arm/v7"; for an attestation entry, what it attests ("attestation for linux/amd64"). */
  platform: string;
  /** Buildx attestation manifests (vnd.docker.reference.type=attestation-manifest) and unknown/unknown. */
  isAttestation: boolean;
  /** For an attestation entry: the digest of the image it attests (vnd.docker.reference.digest). */
  attests?: string;
}

/** One step of the image's history, with the layer it made (none for an empty step, e.g. ENV). */
export interface LayerRow {
  /** 0-based position in the history. */
  step: number;
  createdBy?: string;
  created?: string;
  comment?: string;
  emptyLayer: boolean;
  layer?: { digest: string; mediaType: string; size: number };
}

/** A label or annotation, with a link where the key is a known OCI annotation holding a URL or revision. */
export interface LabelRow {
  key: string;
  value: string;
  /** https:// only; e.g. org.opencontainers.image.source, .url, .documentation, a revision on a known forge. */
  link?: string;
  /** For well-known OCI keys: "source", "revision", "licenses", "version", "created", … */
  known?: string;
}

export interface ConfigView {
  entrypoint?: string[];
  cmd?: string[];
  env: { name: string; value: string }[];
  workingDir?: string;
  user?: string;
  exposedPorts: string[];
  volumes: string[];
  labels: LabelRow[];
  stopSignal?: string;
  author?: string;
}

/** One image manifest (a platform of an index, or the image itself). */
export interface ImageView {
  digest: string;
  mediaType: string;
  /** "linux/amd64"; from the config, or the index entry. */
  platform?: string;
  os?: string;
  architecture?: string;
  variant?: string;
  created?: string;
  /** Config + layer sizes as stored (compressed). */
  compressedSize: number;
  configDigest?: string;
  configSize?: number;
  layers: LayerRow[];
  config?: ConfigView;
  annotations: LabelRow[];
  problems: DetailsProblem[];
}

/** Overview of what the reference names: an index or one image. */
export interface ImageDetails {
  /** As the user asked for it, normalised ("127.0.0.1:5000/app:1.0", "…@sha256:…"). */
  reference: string;
  host: string;
  repository: string;
  /** The tag asked for, if any. */
  tag?: string;
  /** Digest of what the reference resolves to (the index for a multi-platform tag). */
  digest: string;
  mediaType: string;
  kind: 'index' | 'image' | 'artifact' | 'schema1' | 'unknown';
  /** Sum of every platform image's compressed size (for a single image: its compressedSize). */
  totalSize: number;
  /** For an index: its entries, images first; empty for a single image. */
  platforms: PlatformChoice[];
  /** The image shown: the index's selected platform (default: linux/amd64, else the first), or the image. */
  image?: ImageView;
  annotations: LabelRow[];
  problems: DetailsProblem[];
}

// ---- Supply chain (the image's referrers, and buildx attestations in its index) ----

export type VerificationStatus = 'verified' | 'failed' | 'not-checked';

export interface SignatureInfo {
  format: 'cosign' | 'notation';
  /** The referrer (or cosign .sig tag) manifest digest. */
  digest: string;
  /** Who signed: a certificate's subject / SAN (e.g. an email or workflow URL), or the key's name. */
  signer?: string;
  /** The certificate's issuer (e.g. sigstore-intermediate, the OIDC issuer extension). */
  issuer?: string;
  signedAt?: string;
  verification: { status: VerificationStatus; detail: string };
  /** The digest it is about: the image, the index, or one platform of the index. */
  subject?: string;
}

export interface SbomInfo {
  format: 'spdx' | 'cyclonedx';
  /** The blob the SBOM was read from. */
  digest: string;
  /** Where it was found: an OCI referrer, a buildx attestation manifest, an in-toto statement. */
  source: 'referrer' | 'attestation';
  name?: string;
  created?: string;
  /** Generator, e.g. "syft-1.4.1", "BuildKit". */
  tool?: string;
  packageCount: number;
  /** The digest it is about: the image, the index, or one platform of the index. */
  subject?: string;
}

export interface SbomPackage {
  name: string;
  version?: string;
  license?: string;
  /** pkg:… purl where the SBOM gives one. */
  purl?: string;
}

/** One page of an SBOM's packages, filtered by a query (name, version or license contains it). */
export interface SbomPage {
  sbom: string;
  query: string;
  offset: number;
  /** Matches in all, not just this page. */
  total: number;
  items: SbomPackage[];
}

export interface AttestationInfo {
  /** The in-toto predicate type, e.g. "https://slsa.dev/provenance/v1". */
  predicateType: string;
  digest: string;
  builder?: string;
  buildType?: string;
  sourceRepository?: string;
  sourceRevision?: string;
  /** Entry point / build file, where the provenance names it. */
  entryPoint?: string;
  /** Where it was found: an OCI referrer (or cosign's .att tag), or a buildx attestation manifest in the index. */
  source?: 'referrer' | 'attestation';
  /** The digest it is about: the image, the index, or one platform of the index. */
  subject?: string;
}

export interface SupplyChain {
  signatures: SignatureInfo[];
  sboms: SbomInfo[];
  attestations: AttestationInfo[];
  /** Referrers of any other artifact type, listed as they are. */
  other: { digest: string; artifactType: string; size: number }[];
  problems: DetailsProblem[];
}

// ---- Vulnerabilities ----

/** Where the registry keeps scan results (issues 8, 9, 11, 12); otherwise why there are none. */
export type VulnerabilitiesView =
  | { available: true; report: VulnerabilityReport }
  | { available: false; reason: string };

// ---- Compare ----

export interface FieldChange {
  field: string;
  before?: string;
  after?: string;
}

export interface PackageChange {
  name: string;
  from?: string;
  to?: string;
}

export interface ImageComparison {
  base: string;
  other: string;
  /** other.compressedSize - base.compressedSize, bytes. */
  sizeDelta: number;
  layersAdded: { digest: string; size: number; createdBy?: string }[];
  layersRemoved: { digest: string; size: number; createdBy?: string }[];
  layersShared: number;
  config: FieldChange[];
  labels: FieldChange[];
  /** From the two images' SBOMs; absent with the reason when either has none. */
  packages: { added: SbomPackage[]; removed: SbomPackage[]; upgraded: PackageChange[] } | { unavailable: string };
  problems: DetailsProblem[];
}
