// readImageDetails: what Show Image Details and `regx inspect --details` show about one tag or
// digest: the overview, an index's platforms (attestations marked), and one image's layers with the
// history steps that made them, its config and labels. Only the reference itself failing is an
// error; any part that cannot be read (a config blob missing, too big, broken JSON) is a problem row.
import { mapLimit } from '../distribution/concurrency';
import type { RegistryClient } from '../distribution/client';
import type { ImageConfig, ImageHistoryEntry } from '../distribution/imageConfig';
import { isDigest } from '../distribution/digest';
import { manifestBlobs, manifestConfig, type ImageManifestJson } from '../distribution/manifests';
import { isImageConfigMediaType } from '../distribution/mediaTypes';
import { formatPlatform, parsePlatform, pickRepresentative } from '../distribution/platform';
import type { Descriptor, IndexEntry, ManifestResult } from '../distribution/types';
import { labelRows } from './labels';
import type { ConfigView, DetailsProblem, ImageDetails, ImageView, LayerRow, PlatformChoice } from './model';
import { attempt } from './problems';

export interface DetailsRequest {
  repository: string;
  /** A tag or a digest. */
  reference: string;
  /** For an index: the entry to show, by digest or as "linux/arm64" (default linux/amd64, else the first image). */
  platform?: string;
}

export interface ReadOptions {
  signal?: AbortSignal;
}

/** Index children read at once for the total size. */
const FAN_OUT = 4;

export async function readImageDetails(client: RegistryClient, request: DetailsRequest, options: ReadOptions = {}): Promise<ImageDetails> {
  const { repository, reference } = request;
  const { signal } = options;
  const manifest = await client.getManifest(repository, reference, { signal });
  const byDigest = isDigest(reference);
  const details: ImageDetails = {
    reference: `${client.registry}/${repository}${byDigest ? '@' : ':'}${reference}`,
    host: client.host,
    repository,
    ...(byDigest ? {} : { tag: reference }),
    digest: manifest.digest,
    mediaType: manifest.mediaType,
    kind: manifest.kind,
    totalSize: 0,
    platforms: [],
    annotations: labelRows((manifest.parsed as { annotations?: Record<string, string> }).annotations),
    problems: [],
  };

  if (manifest.kind === 'index') {
    const entries = client.indexEntries(manifest);
    details.platforms = platformChoices(entries);
    const images = entries.filter((e) => !e.isAttestation);
    const selected = selectEntry(images, entries, request.platform, details.problems);
    const children = await mapLimit(images, FAN_OUT, (entry) =>
      attempt(details.problems, `platform ${entry.platformText} (${entry.digest})`, signal, () => client.getManifest(repository, entry.digest, { signal })),
    );
    details.totalSize = children.reduce((sum, child) => sum + (child ? blobTotal(child) : 0), 0);
    const child = selected ? children[images.indexOf(selected)] : undefined;
    if (selected && child) details.image = await readImageView(client, repository, child, selected, signal);
    else if (!images.length) details.problems.push({ what: 'platforms', message: 'This index lists no runnable image (only attestations or nothing).' });
    return details;
  }
  if (manifest.kind === 'schema1') {
    details.problems.push({ what: 'manifest', message: 'This is a Docker schema 1 manifest: its layers and config are shown only as raw JSON (Inspect).' });
    return details;
  }
  if (manifest.kind === 'unknown') {
    details.problems.push({ what: 'manifest', message: `${manifest.mediaType} is not a manifest type Registry Explorer can show in detail.` });
    return details;
  }
  details.image = await readImageView(client, repository, manifest, undefined, signal);
  details.totalSize = details.image.compressedSize;
  return details;
}

/** The switcher's rows: images in index order, then attestations, each naming the platform it attests. */
export function platformChoices(entries: IndexEntry[]): PlatformChoice[] {
  const platformByDigest = new Map(entries.filter((e) => !e.isAttestation).map((e) => [e.digest, e.platformText]));
  const choice = (entry: IndexEntry): PlatformChoice => {
    if (!entry.isAttestation) return { digest: entry.digest, mediaType: entry.mediaType, size: entry.size, platform: entry.platformText, isAttestation: false };
    const attests = entry.annotations?.['vnd.docker.reference.digest'];
    const attested = attests ? platformByDigest.get(attests) : undefined;
    return {
      digest: entry.digest,
      mediaType: entry.mediaType,
      size: entry.size,
      platform: attested ? `attestation for ${attested}` : attests ? `attestation for ${attests}` : 'attestation',
      isAttestation: true,
      ...(attests ? { attests } : {}),
    };
  };
  return [...entries.filter((e) => !e.isAttestation), ...entries.filter((e) => e.isAttestation)].map(choice);
}

/** The entry asked for (by digest or platform text), else linux/amd64, else the first image. */
function selectEntry(images: IndexEntry[], entries: IndexEntry[], wanted: string | undefined, problems: DetailsProblem[]): IndexEntry | undefined {
  const fallback = pickRepresentative(images);
  if (wanted) {
    const parsed = isDigest(wanted) ? undefined : parsePlatform(wanted);
    const found = isDigest(wanted) ? images.find((e) => e.digest === wanted) : parsed && images.find((e) => e.platformText === formatPlatform(parsed));
    if (found) return found;
    const instead = fallback?.platformText ?? 'none';
    const attestation = isDigest(wanted) && entries.some((e) => e.digest === wanted && e.isAttestation);
    problems.push({
      what: 'platform',
      message: attestation ? `${wanted} is an attestation (its SBOM and provenance are under Supply chain), not a platform image; showing ${instead}.` : `This index has no image for ${wanted}; showing ${instead} instead.`,
    });
  }
  return fallback;
}

function blobTotal(manifest: ManifestResult): number {
  return manifestBlobs(manifest).reduce((sum, d) => sum + d.size, 0);
}

/** One image manifest (or an image-shaped artifact): sizes, layers with history, config, annotations. */
export async function readImageView(
  client: RegistryClient,
  repository: string,
  manifest: ManifestResult,
  entry: IndexEntry | undefined,
  signal: AbortSignal | undefined,
): Promise<ImageView> {
  const parsed = manifest.parsed as ImageManifestJson;
  const layers: Descriptor[] = Array.isArray(parsed.layers) ? parsed.layers : [];
  const configDescriptor = manifestConfig(manifest);
  const view: ImageView = {
    digest: manifest.digest,
    mediaType: manifest.mediaType,
    compressedSize: blobTotal(manifest),
    layers: [],
    annotations: labelRows(parsed.annotations),
    problems: [],
  };
  if (entry?.platform) {
    view.platform = entry.platformText;
    view.os = entry.platform.os;
    view.architecture = entry.platform.architecture;
    if (entry.platform.variant) view.variant = entry.platform.variant;
  }
  let config: ImageConfig | undefined;
  if (configDescriptor) {
    view.configDigest = configDescriptor.digest;
    view.configSize = configDescriptor.size;
    if (isImageConfigMediaType(configDescriptor.mediaType)) {
      config = await attempt(view.problems, 'config', signal, () => client.getImageConfig(repository, configDescriptor, { signal }));
    }
  }
  if (config) {
    if (config.os && config.architecture) {
      view.os = config.os;
      view.architecture = config.architecture;
      if (config.variant) view.variant = config.variant;
      view.platform = formatPlatform({ os: config.os, architecture: config.architecture, variant: config.variant });
    }
    if (config.created) view.created = config.created;
    view.config = configView(config);
  }
  view.layers = layerRows(config?.history ?? [], layers, view.problems);
  return view;
}

/**
 * One row per history step, layer i going with the i-th step that is not an empty layer (the image
 * spec's rule). Without a history (or a broken config), one row per layer.
 */
export function layerRows(history: ImageHistoryEntry[], layers: Descriptor[], problems: DetailsProblem[]): LayerRow[] {
  const rows: LayerRow[] = [];
  let next = 0;
  history.forEach((step, i) => {
    const row: LayerRow = { step: i, emptyLayer: step.emptyLayer };
    if (step.createdBy !== undefined) row.createdBy = step.createdBy;
    if (step.created !== undefined) row.created = step.created;
    if (step.comment !== undefined) row.comment = step.comment;
    if (!step.emptyLayer && next < layers.length) {
      const layer = layers[next++];
      row.layer = { digest: layer.digest, mediaType: layer.mediaType, size: layer.size };
    }
    rows.push(row);
  });
  const nonEmpty = history.filter((h) => !h.emptyLayer).length;
  if (history.length && nonEmpty !== layers.length) {
    problems.push({ what: 'history', message: `The config's history names ${nonEmpty} layer${nonEmpty === 1 ? '' : 's'}, the manifest has ${layers.length}: steps and layers may not line up.` });
  }
  for (; next < layers.length; next++) {
    const layer = layers[next];
    rows.push({ step: rows.length, emptyLayer: false, layer: { digest: layer.digest, mediaType: layer.mediaType, size: layer.size } });
  }
  return rows;
}

/** "NAME=value" split at the first "="; an entry without one keeps an empty value. */
export function splitEnv(env: string[]): { name: string; value: string }[] {
  return env.map((entry) => {
    const at = entry.indexOf('=');
    return at < 0 ? { name: entry, value: '' } : { name: entry.slice(0, at), value: entry.slice(at + 1) };
  });
}

export function configView(config: ImageConfig): ConfigView {
  const view: ConfigView = {
    env: splitEnv(config.env),
    exposedPorts: config.exposedPorts,
    volumes: config.volumes,
    labels: labelRows(config.labels),
  };
  if (config.entrypoint) view.entrypoint = config.entrypoint;
  if (config.cmd) view.cmd = config.cmd;
  if (config.workingDir) view.workingDir = config.workingDir;
  if (config.user) view.user = config.user;
  if (config.stopSignal) view.stopSignal = config.stopSignal;
  if (config.author) view.author = config.author;
  return view;
}

