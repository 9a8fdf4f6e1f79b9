// RFC 8288 (ex-5988) Link headers, as registries use them for catalog/tags/referrers paging.
// A greedy regex breaks on headers carrying several links or quoted commas, so this is a small tokenizer.

import { PolicyError, redactUrl } from '../errors/errors';

export interface LinkValue {
  /** The target exactly as written between < and >. */
  target: string;
  /** Lower-cased relation types (rel may list several, space-separated). */
  rels: string[];
  /** Other parameters, lower-cased names. */
  params: Record<string, string>;
}

/** Parse one or more Link header values. Malformed parts are skipped, never thrown on. */
export function parseLinkHeader(header: string | string[] | undefined): LinkValue[] {
  if (header === undefined) return [];
  const values = Array.isArray(header) ? header : [header];
  const links: LinkValue[] = [];
  for (const value of values) parseOne(value, links);
  return links;
}

function parseOne(text: string, out: LinkValue[]): void {
  let i = 0;
  const n = text.length;
  const skipSpace = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  while (i < n) {
    // Find the next "<"; anything before it (stray commas, garbage) is ignored.
    const open = text.indexOf('<', i);
    if (open < 0) return;
    const close = text.indexOf('>', open + 1);
    if (close < 0) return;
    const target = text.slice(open + 1, close).trim();
    i = close + 1;
    const params: Record<string, string> = {};
    // Parameters: ; name[=value|="quoted"]
    for (;;) {
      skipSpace();
      if (text[i] !== ';') break;
      i++;
      skipSpace();
      let name = '';
      while (i < n && !'=;,'.includes(text[i])) name += text[i++];
      name = name.trim().toLowerCase();
      let value = '';
      skipSpace();
      if (text[i] === '=') {
        i++;
        skipSpace();
        if (text[i] === '"') {
          i++;
          while (i < n && text[i] !== '"') {
            if (text[i] === '\\' && i + 1 < n) i++;
            value += text[i++];
          }
          i++; // closing quote
        } else {
          while (i < n && !';,'.includes(text[i])) value += text[i++];
          value = value.trim();
        }
      }
      // RFC 8288: only the first occurrence of a parameter counts.
      if (name && !(name in params)) params[name] = value;
    }
    skipSpace();
    if (text[i] === ',') i++;
    const rels = (params.rel ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    out.push({ target, rels, params });
  }
}

/**
 * The rel="next" link resolved against the URL that was requested, or undefined at the last page.
 * Refuses (PolicyError) a link to another scheme/host/port: following it would send the registry's
 * credentials elsewhere (SSRF), and a link back to the page just read (a loop).
 */
export function resolveNextLink(
  header: string | string[] | undefined,
  requestUrl: string,
  seen?: ReadonlySet<string>,
  pathPrefix?: string,
): string | undefined {
  const next = parseLinkHeader(header).find((link) => link.rels.includes('next'));
  if (!next || !next.target) return undefined;
  let resolved: URL;
  try {
    resolved = new URL(next.target, requestUrl);
  } catch {
    return undefined;
  }
  const base = new URL(requestUrl);
  if (resolved.protocol !== base.protocol || resolved.host !== base.host) {
    throw new PolicyError('cross-host-link', redactUrl(resolved.toString()), `the registry at ${base.host} sent a next-page link to another host`);
  }
  resolved.hash = '';
  const text = underPathPrefix(resolved.toString(), pathPrefix);
  if (text === base.toString() || seen?.has(text)) {
    throw new PolicyError('link-loop', redactUrl(text), 'the next-page link points at a page already read');
  }
  return text;
}

/** "/v2/…?query" part of a same-origin absolute URL (below the endpoint's path prefix): what paging cursors carry. */
export function pathAndQuery(absoluteUrl: string, pathPrefix?: string): string {
  const u = new URL(absoluteUrl);
  const path = pathPrefix && u.pathname.startsWith(`${pathPrefix}/`) ? u.pathname.slice(pathPrefix.length) : u.pathname;
  return path + u.search;
}

/**
 * A registry URL whose path is /v2/… moved below the endpoint's path prefix. On a prefixed endpoint
 * the registry lives only below the prefix, so a root-relative /v2/ target can only mean that place:
 * Artifactory's Link headers leave its repository path out (RTFACT-18971). Anything else is unchanged.
 */
export function underPathPrefix(url: string, pathPrefix: string | undefined): string {
  if (!pathPrefix) return url;
  const u = new URL(url);
  if (u.pathname !== '/v2' && !u.pathname.startsWith('/v2/')) return url;
  u.pathname = pathPrefix + u.pathname;
  return u.toString();
}
