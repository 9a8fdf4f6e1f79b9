// The image config blob (OCI image config / Docker container image v1), read field by field so a
// malformed or hostile config cannot put unexpected shapes into the UI.

import { isRecord } from './json';

export interface ImageHistoryEntry {
  created?: string;
  createdBy?: string;
  comment?: string;
  emptyLayer: boolean;
}

export interface ImageConfig {
  created?: string;
  author?: string;
  os?: string;
  architecture?: string;
  variant?: string;
  osVersion?: string;
  labels: Record<string, string>;
  env: string[];
  entrypoint?: string[];
  cmd?: string[];
  exposedPorts: string[];
  /** config.Volumes: the mount points, sorted. */
  volumes: string[];
  stopSignal?: string;
  workingDir?: string;
  user?: string;
  history: ImageHistoryEntry[];
  /** rootfs.diff_ids: uncompressed layer digests. */
  diffIds: string[];
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(value)) for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Undefined when the JSON is not an object at all; missing fields become empty values. */
export function readImageConfig(json: unknown): ImageConfig | undefined {
  if (!isRecord(json)) return undefined;
  const inner = isRecord(json.config) ? json.config : {};
  const config: ImageConfig = {
    labels: stringMap(inner.Labels),
    env: strings(inner.Env) ?? [],
    exposedPorts: isRecord(inner.ExposedPorts) ? Object.keys(inner.ExposedPorts).sort() : [],
    volumes: isRecord(inner.Volumes) ? Object.keys(inner.Volumes).sort() : [],
    history: Array.isArray(json.history)
      ? json.history.filter(isRecord).map((h) => ({
          created: str(h.created),
          createdBy: str(h.created_by),
          comment: str(h.comment),
          emptyLayer: h.empty_layer === true,
        }))
      : [],
    diffIds: isRecord(json.rootfs) ? strings(json.rootfs.diff_ids) ?? [] : [],
  };
  const optional = {
    created: str(json.created),
    author: str(json.author),
    os: str(json.os),
    architecture: str(json.architecture),
    variant: str(json.variant),
    osVersion: str(json['os.version']),
    entrypoint: strings(inner.Entrypoint),
    cmd: strings(inner.Cmd),
    workingDir: str(inner.WorkingDir) || undefined,
    user: str(inner.User) || undefined,
    stopSignal: str(inner.StopSignal) || undefined,
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (config as unknown as Record<string, unknown>)[key] = value;
  }
  return config;
}
