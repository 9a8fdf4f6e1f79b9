// The pure layer behind Show Image Details and `regx inspect --details` (never imports vscode).
export * from './model';
export { readImageDetails, type DetailsRequest, type ReadOptions } from './read';
export { labelRows, commitLink, httpsLink } from './labels';
export { SBOM_MAX_BYTES, SMALL_BLOB_MAX_BYTES } from './blobs';
