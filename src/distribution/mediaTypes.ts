// Media types the client understands, and the one Accept list used for every manifest request.

export const MediaTypes = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  /** Short-lived ORAS artifact manifest (never standardised); read-only. */
  ociArtifactManifest: 'application/vnd.oci.artifact.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  ociLayerTar: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociNondistributableLayer: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  ociNondistributableLayerGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  ociNondistributableLayerZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
} as const;

/**
 * Every manifest type we can show. Indexes/lists come first and all are always sent: without the list
 * types a registry may down-convert a multi-arch tag to one platform (a different digest), and without
 * the OCI types some registries fall back to schema1. The same list is used for HEAD and GET so both
 * resolve a tag to the same digest.
 */
export const MANIFEST_ACCEPT: readonly string[] = [
  MediaTypes.ociIndex,
  MediaTypes.ociManifest,
  MediaTypes.dockerManifestList,
  MediaTypes.dockerManifest,
  MediaTypes.dockerSchema1Signed,
  MediaTypes.dockerSchema1,
];

export const MANIFEST_ACCEPT_HEADER = MANIFEST_ACCEPT.join(', ');

/** The digest of the OCI empty descriptor body `{}`. */
export const EMPTY_JSON_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

/** "Application/JSON; charset=utf-8" → "application/json". Registries sometimes add parameters. */
export function stripMediaTypeParameters(contentType: string | string[] | undefined): string {
  const value = Array.isArray(contentType) ? contentType[0] : contentType;
  if (!value) return '';
  return value.split(';')[0].trim().toLowerCase();
}

export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === MediaTypes.ociIndex || mediaType === MediaTypes.dockerManifestList;
}

export function isImageManifestMediaType(mediaType: string): boolean {
  return mediaType === MediaTypes.ociManifest || mediaType === MediaTypes.dockerManifest;
}

export function isSchema1MediaType(mediaType: string): boolean {
  return mediaType === MediaTypes.dockerSchema1 || mediaType === MediaTypes.dockerSchema1Signed;
}

/** Any of the manifest types above (including the legacy artifact manifest). */
export function isManifestMediaType(mediaType: string): boolean {
  return (
    isIndexMediaType(mediaType) ||
    isImageManifestMediaType(mediaType) ||
    isSchema1MediaType(mediaType) ||
    mediaType === MediaTypes.ociArtifactManifest
  );
}

/** Configs we parse as image configs; anything else (empty, Helm, SBOM…) makes the manifest an artifact. */
export function isImageConfigMediaType(mediaType: string): boolean {
  return mediaType === MediaTypes.ociConfig || mediaType === MediaTypes.dockerConfig;
}

/** Layers registries must not be asked for (Windows base layers served from elsewhere). */
export function isNondistributableLayer(mediaType: string): boolean {
  return (
    mediaType === MediaTypes.dockerForeignLayer ||
    mediaType === MediaTypes.ociNondistributableLayer ||
    mediaType === MediaTypes.ociNondistributableLayerGzip ||
    mediaType === MediaTypes.ociNondistributableLayerZstd
  );
}
