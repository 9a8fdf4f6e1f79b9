// What a referrer is, in words, from its artifactType (the referrers list gives it, falling back to
// the manifest's config media type). Pure, so the table can be unit-tested. The words are looked up
// when asked, not when the module loads: @vscode/l10n gets the display language's bundle at activation.
import * as l10n from '@vscode/l10n';

/** Groups the tree can tell apart (icon, contextValue flag); 'other' is anything else. */
export type ArtifactFamily = 'signature' | 'sbom' | 'attestation' | 'other';

export interface ArtifactKind {
  /** Shown as the referrer's label: "SPDX SBOM", "cosign signature", or the media type itself. */
  label: string;
  family: ArtifactFamily;
}

// First match wins; patterns are tested against the lower-cased type without parameters.
const KINDS: [RegExp, () => string, ArtifactFamily][] = [
  [/spdx/, () => l10n.t('SPDX SBOM'), 'sbom'],
  [/cyclonedx/, () => l10n.t('CycloneDX SBOM'), 'sbom'],
  [/syft/, () => l10n.t('Syft SBOM'), 'sbom'],
  [/^application\/vnd\.dev\.cosign\.artifact\.sbom\b/, () => l10n.t('SBOM (cosign)'), 'sbom'],
  [/^application\/vnd\.dev\.cosign\.(artifact\.sig|simplesigning)\b/, () => l10n.t('cosign signature'), 'signature'],
  [/^application\/vnd\.cncf\.notary\.(v2\.)?signature\b/, () => l10n.t('Notation signature'), 'signature'],
  [/^application\/vnd\.dev\.sigstore\.bundle\b/, () => l10n.t('Sigstore bundle'), 'signature'],
  [/in-toto|^application\/vnd\.dsse\.envelope\b/, () => l10n.t('in-toto attestation'), 'attestation'],
  [/openvex/, () => l10n.t('OpenVEX document'), 'attestation'],
  [/^application\/sarif\+json$/, () => l10n.t('SARIF report'), 'other'],
  [/^application\/vnd\.aquasec\.trivy\b|trivy/, () => l10n.t('Trivy report'), 'other'],
  [/^application\/vnd\.oci\.image\.config\.v1\+json$|^application\/vnd\.docker\.container\.image\.v1\+json$/, () => l10n.t('image'), 'other'],
];

export function artifactKind(artifactType: string | undefined, mediaType?: string): ArtifactKind {
  const type = (artifactType || mediaType || '').split(';')[0]!.trim();
  const key = type.toLowerCase();
  for (const [pattern, label, family] of KINDS) if (pattern.test(key)) return { label: label(), family };
  return { label: type || l10n.t('unknown artifact'), family: 'other' };
}

/** The annotation OCI tools stamp on artifacts (oras, cosign, notation): when it was made. */
export const CREATED_ANNOTATION = 'org.opencontainers.image.created';
