// Platform names as registries write them, normalised so "linux/aarch64", "linux/arm64/v8" and
// "linux/arm64" are one platform (containerd's rules, which buildx and regclient follow).

import type { Descriptor, Platform } from './types';

const ARCH_ALIASES: Record<string, { architecture: string; variant?: string }> = {
  aarch64: { architecture: 'arm64' },
  x86_64: { architecture: 'amd64' },
  'x86-64': { architecture: 'amd64' },
  i386: { architecture: '386' },
  i686: { architecture: '386' },
  x86: { architecture: '386' },
  armhf: { architecture: 'arm', variant: 'v7' },
  armel: { architecture: 'arm', variant: 'v6' },
};

export function normalizePlatform(platform: Platform): Platform {
  const os = platform.os.trim().toLowerCase();
  let architecture = platform.architecture.trim().toLowerCase();
  let variant = platform.variant?.trim().toLowerCase() || undefined;
  const alias = ARCH_ALIASES[architecture];
  if (alias) {
    architecture = alias.architecture;
    variant = variant ?? alias.variant;
  }
  if (architecture === 'arm64' && variant === 'v8') variant = undefined; // v8 is the only arm64 baseline
  if (architecture === 'arm' && !variant) variant = 'v7'; // what docker assumes for plain "arm"
  if (architecture === 'arm' && variant === '8') variant = 'v8';
  if (architecture === 'amd64' && variant === 'v1') variant = undefined; // v1 is plain amd64
  const result: Platform = { os, architecture };
  if (variant) result.variant = variant;
  if (platform.osVersion) result.osVersion = platform.osVersion;
  if (platform.osFeatures && platform.osFeatures.length > 0) result.osFeatures = [...platform.osFeatures];
  return result;
}

/** "linux/arm64", "linux/arm/v7", "windows/amd64". Always of a normalised platform. */
export function formatPlatform(platform: Platform): string {
  const p = normalizePlatform(platform);
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}

/** "linux/arm64/v8" → { os: 'linux', architecture: 'arm64' }; undefined when not os/arch[/variant]. */
export function parsePlatform(text: string): Platform | undefined {
  const parts = text.trim().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) return undefined;
  return normalizePlatform({ os: parts[0], architecture: parts[1], variant: parts[2] });
}

export function samePlatform(a: Platform, b: Platform): boolean {
  return formatPlatform(a) === formatPlatform(b);
}

/**
 * Buildx stores provenance/SBOM attestations as index entries with platform unknown/unknown and
 * this annotation; they are not runnable images and are hidden from platform lists.
 */
export function isAttestationDescriptor(descriptor: Pick<Descriptor, 'platform' | 'annotations'>): boolean {
  if (descriptor.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') return true;
  const p = descriptor.platform;
  return p !== undefined && p.os === 'unknown' && p.architecture === 'unknown';
}

/**
 * The child whose config stands for the whole index (dates, labels): linux/amd64 first, as the most
 * common build host, then any linux, then the first runnable entry.
 */
export function pickRepresentative<T extends Pick<Descriptor, 'platform' | 'annotations'>>(entries: readonly T[]): T | undefined {
  const runnable = entries.filter((e) => !isAttestationDescriptor(e));
  return (
    runnable.find((e) => e.platform && formatPlatform(e.platform) === 'linux/amd64') ??
    runnable.find((e) => e.platform?.os === 'linux') ??
    runnable[0]
  );
}
