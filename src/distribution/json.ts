// Shape checks for JSON from the wire (manifests, configs, error bodies, vendor APIs): answers are
// `unknown` until checked here, so a registry's odd JSON becomes a typed error rather than a crash.

/** A JSON object (not null, not an array): the only shape whose fields can be read. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
