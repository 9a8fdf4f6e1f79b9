// Turning a non-ok registry answer into a DistributionError: the OCI error body
// `{"errors":[{code,message,detail}]}`, the legacy `{"details": …}`, HTML/plain text from proxies,
// and the empty bodies of HEAD answers.

import { DistributionError, redactUrl, type Operation, type RegistryErrorDetail } from '../errors/errors';
import { parseChallenges } from './challenge';
import { headerValue, parseRetryAfter, type TransportResponse } from './transport';

/** Error bodies are small; a proxy's HTML page is not worth more than this. */
const ERROR_BODY_LIMIT = 64 * 1024;

export interface ParsedErrorBody {
  codes: RegistryErrorDetail[];
  /** Readable text when the body was not an OCI error list (trimmed, tags stripped). */
  snippet?: string;
}

export function parseErrorBody(text: string): ParsedErrorBody {
  const trimmed = text.trim();
  if (!trimmed) return { codes: [] };
  try {
    const json = JSON.parse(trimmed) as unknown;
    if (json && typeof json === 'object') {
      const obj = json as Record<string, unknown>;
      const codes: RegistryErrorDetail[] = [];
      if (Array.isArray(obj['errors'])) {
        for (const e of obj['errors']) {
          if (e && typeof e === 'object' && typeof (e as Record<string, unknown>)['code'] === 'string') {
            const item = e as Record<string, unknown>;
            codes.push({
              code: String(item['code']).toUpperCase(),
              ...(typeof item['message'] === 'string' ? { message: item['message'] } : {}),
              ...(item['detail'] !== undefined ? { detail: item['detail'] } : {}),
            });
          }
        }
      }
      if (codes.length) return { codes };
      // Artifactory: {"errors":[{"status":401,"message":"Bad credentials"}]}, a list without codes.
      const listed = Array.isArray(obj['errors']) ? (obj['errors'] as unknown[]).find((e) => isMessage(e)) : undefined;
      if (listed) return { codes: [], snippet: clip((listed as { message: string }).message) };
      // Legacy / vendor shapes: {"details": "..."}, {"message": "..."}, OAuth {"error_description": "..."}.
      for (const key of ['details', 'detail', 'message', 'error_description', 'error']) {
        const v = obj[key];
        if (typeof v === 'string' && v) return { codes: [], snippet: clip(v) };
      }
      return { codes: [] };
    }
  } catch {
    // Not JSON: fall through to text.
  }
  const plain = trimmed
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return { codes: [], ...(plain ? { snippet: clip(plain) } : {}) };
}

function isMessage(item: unknown): boolean {
  return !!item && typeof item === 'object' && typeof (item as Record<string, unknown>)['message'] === 'string' && (item as Record<string, string>)['message'] !== '';
}

function clip(s: string): string {
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}

/** Read (a bounded part of) the body and build the error. Always consumes the body. */
export async function distributionErrorFrom(
  res: TransportResponse,
  method: string,
  operation: Operation = 'other',
  overrides: { status?: number; url?: string } = {},
): Promise<DistributionError> {
  let parsed: ParsedErrorBody = { codes: [] };
  if (method.toUpperCase() === 'HEAD') {
    await res.dump();
  } else {
    try {
      const bytes = await readBounded(res, ERROR_BODY_LIMIT);
      parsed = parseErrorBody(Buffer.from(bytes).toString('utf8'));
    } catch {
      // An unreadable error body still leaves us the status.
    }
  }
  const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
  const authError = parseChallenges(res.headers['www-authenticate']).find((c) => c.params['error'])?.params['error'];
  const extra: DistributionError['extra'] = {};
  if (retryAfterMs !== undefined) extra.retryAfterSeconds = Math.ceil(retryAfterMs / 1000);
  if (res.attempt > 1) extra.attempts = res.attempt;
  if (authError) extra.authError = authError;
  if (parsed.snippet) extra.bodySnippet = parsed.snippet;
  if (res.proxy) extra.proxy = { ...res.proxy };
  return new DistributionError(
    overrides.status ?? res.status,
    parsed.codes,
    method.toUpperCase(),
    redactUrl(overrides.url ?? res.url),
    operation,
    extra,
  );
}

/** Read at most `limit` bytes of the body, then drop the rest. */
async function readBounded(res: TransportResponse, limit: number): Promise<Uint8Array> {
  const declared = Number(headerValue(res.headers['content-length']));
  if (Number.isFinite(declared) && declared > limit) {
    await res.dump();
    return new Uint8Array();
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const it = res.stream()[Symbol.asyncIterator]();
  try {
    for (;;) {
      const { value, done } = await it.next();
      if (done) break;
      chunks.push(value);
      total += value.length;
      if (total >= limit) break;
    }
  } finally {
    await it.return?.();
  }
  return Buffer.concat(chunks).subarray(0, limit);
}
