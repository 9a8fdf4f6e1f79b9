// Labels and annotations as rows, the well-known OCI keys named and linked
// (https://github.com/opencontainers/image-spec/blob/main/annotations.md). Only https:// links are
// ever made: a label is written by whoever built the image, so javascript:, file: or http: stay text.
import type { LabelRow } from './model';

const OCI_PREFIX = 'org.opencontainers.image.';
const LABEL_SCHEMA_PREFIX = 'org.label-schema.';

/** Keys (after the prefix) shown with their meaning; the old label-schema names map onto the OCI ones. */
const KNOWN: Record<string, string> = {
  created: 'created',
  authors: 'authors',
  url: 'url',
  documentation: 'documentation',
  source: 'source',
  version: 'version',
  revision: 'revision',
  vendor: 'vendor',
  licenses: 'licenses',
  'ref.name': 'ref.name',
  title: 'title',
  description: 'description',
  'base.digest': 'base.digest',
  'base.name': 'base.name',
  // label-schema.org 1.0-rc1
  'build-date': 'created',
  'vcs-url': 'source',
  'vcs-ref': 'revision',
  'usage': 'documentation',
  name: 'title',
};

const LINKED = new Set(['url', 'documentation', 'source']);

function knownKey(key: string): string | undefined {
  if (key.startsWith(OCI_PREFIX)) return KNOWN[key.slice(OCI_PREFIX.length)];
  if (key.startsWith(LABEL_SCHEMA_PREFIX)) return KNOWN[key.slice(LABEL_SCHEMA_PREFIX.length)];
  return undefined;
}

/** The URL when it is a well-formed https:// URL, else undefined. */
export function httpsLink(value: string): string | undefined {
  try {
    const url = new URL(value.trim());
    return url.protocol === 'https:' && !url.username && !url.password ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** git@github.com:org/repo.git, git+https://…, https://github.com/org/repo.git → https://github.com/org/repo. */
export function forgeRepository(source: string): { host: 'github.com' | 'gitlab.com'; url: string } | undefined {
  let text = source.trim().replace(/^git\+/, '');
  const scp = /^git@(github\.com|gitlab\.com):(.+)$/.exec(text);
  if (scp) text = `https://${scp[1]}/${scp[2]}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const host = url.hostname.toLowerCase();
  if ((host !== 'github.com' && host !== 'gitlab.com') || !['https:', 'http:', 'git:', 'ssh:'].includes(url.protocol)) return undefined;
  const path = url.pathname.replace(/\.git$/, '').replace(/\/+$/, '');
  // GitHub repositories are owner/name; GitLab allows subgroups (a/b/c), but never a "/-/" route.
  const parts = path.split('/').filter(Boolean);
  if (parts.length < 2 || (host === 'github.com' && parts.length !== 2) || parts.includes('-')) return undefined;
  return { host, url: `https://${host}/${parts.map(encodeURIComponent).join('/')}` };
}

/** The web page of a commit on GitHub or GitLab; undefined for other forges or a revision that is not a commit id. */
export function commitLink(source: string | undefined, revision: string): string | undefined {
  if (!source || !/^[0-9a-f]{7,64}$/i.test(revision.trim())) return undefined;
  const forge = forgeRepository(source);
  if (!forge) return undefined;
  return forge.host === 'github.com' ? `${forge.url}/commit/${revision.trim()}` : `${forge.url}/-/commit/${revision.trim()}`;
}

/** Rows sorted by key; source/url/documentation linked when https, a revision linked to its commit on GitHub/GitLab. */
export function labelRows(labels: Record<string, string> | undefined): LabelRow[] {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const source = entries.find(([key]) => knownKey(key) === 'source')?.[1];
  return entries.map(([key, value]) => {
    const row: LabelRow = { key, value };
    const known = knownKey(key);
    if (!known) return row;
    row.known = known;
    const link = LINKED.has(known) ? httpsLink(value) ?? (known === 'source' ? forgeRepository(value)?.url : undefined) : known === 'revision' ? commitLink(source, value) : undefined;
    if (link) row.link = link;
    return row;
  });
}
