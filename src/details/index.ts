// The pure layer behind Show Image Details and `regx inspect --details` (never imports vscode):
// everything it reads goes through the one Distribution client.
export * from './model';
export { readImageDetails, type DetailsRequest, type ReadOptions } from './read';
export { readSupplyChain, sbomPage, sbomPackagesOf, type SupplyChainOptions } from './supplyChain';
export { compareImages, type CompareOptions } from './compare';
export { vulnerabilitiesView, noScansReason } from './vulnerabilities';
export type { PublicKeyInput } from './signatures';
export { labelRows, commitLink, httpsLink } from './labels';
export { SBOM_MAX_BYTES, SMALL_BLOB_MAX_BYTES } from './blobs';
