// What a referrer is, in words, from its artifactType (the referrers list gives it, falling back to
// the manifest's config media type). Pure, so the table can be unit-tested.

/** Groups the tree can tell apart (icon, contextValue flag); 'other' is anything else. */
export type ArtifactFamily = 'signature' | 'sbom' | 'attestation' | 'other';

export interface ArtifactKind {
  /** Shown as the referrer's label: "SPDX SBOM", "cosign signature", or the media type itself. */
  label: string;
  family: ArtifactFamily;
}

// First match wins; patterns are tested against the lower-cased type without parameters.
const KINDS: [RegExp, string, ArtifactFamily][] = [
  [/spdx/, 'SPDX SBOM', 'sbom'],
  [/cyclonedx/, 'CycloneDX SBOM', 'sbom'],
  [/syft/, 'Syft SBOM', 'sbom'],
  [/^application\/vnd\.dev\.cosign\.artifact\.sbom\b/, 'SBOM (cosign)', 'sbom'],
  [/^application\/vnd\.dev\.cosign\.(artifact\.sig|simplesigning)\b/, 'cosign signature', 'signature'],
  [/^application\/vnd\.cncf\.notary\.(v2\.)?signature\b/, 'Notation signature', 'signature'],
  [/^application\/vnd\.dev\.sigstore\.bundle\b/, 'Sigstore bundle', 'signature'],
  [/in-toto|^application\/vnd\.dsse\.envelope\b/, 'in-toto attestation', 'attestation'],
  [/openvex/, 'OpenVEX document', 'attestation'],
  [/^application\/sarif\+json$/, 'SARIF report', 'other'],
  [/^application\/vnd\.aquasec\.trivy\b|trivy/, 'Trivy report', 'other'],
  [/^application\/vnd\.oci\.image\.config\.v1\+json$|^application\/vnd\.docker\.container\.image\.v1\+json$/, 'image', 'other'],
];

export function artifactKind(artifactType: string | undefined, mediaType?: string): ArtifactKind {
  const type = (artifactType || mediaType || '').split(';')[0]!.trim();
  const key = type.toLowerCase();
  for (const [pattern, label, family] of KINDS) if (pattern.test(key)) return { label, family };
  return { label: type || 'unknown artifact', family: 'other' };
}

/** The annotation OCI tools stamp on artifacts (oras, cosign, notation): when it was made. */
export const CREATED_ANNOTATION = 'org.opencontainers.image.created';
