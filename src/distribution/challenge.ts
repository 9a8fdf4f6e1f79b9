// WWW-Authenticate parsing (RFC 7235 §4.1). Real registries send several challenges in one line
// (Forgejo/Codeberg: `Bearer realm="…",service="…",scope="*",Basic realm="…"`) and sometimes several
// header lines, with params in any order, so this is a small tokenizer rather than a regex.

export interface Challenge {
  /** Lower-cased auth scheme: "bearer", "basic", "negotiate", … */
  scheme: string;
  /** Lower-cased parameter names → unescaped values. */
  params: Record<string, string>;
  /** The token68 form (`Negotiate abc==`), rare for registries. */
  token68?: string;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

/** Parse every challenge in one or more WWW-Authenticate header values. Never throws. */
export function parseChallenges(header: string | string[] | undefined | null): Challenge[] {
  if (header === undefined || header === null) return [];
  const lines = Array.isArray(header) ? header : [header];
  const out: Challenge[] = [];
  for (const line of lines) out.push(...parseLine(line));
  return out;
}

function parseLine(s: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const n = s.length;
  const isSpace = (c: string | undefined) => c === ' ' || c === '\t';
  const skipSpaces = () => {
    while (i < n && isSpace(s[i])) i++;
  };
  const skipSpacesAndCommas = () => {
    while (i < n && (isSpace(s[i]) || s[i] === ',')) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < n && TOKEN_CHAR.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  const readBare = (): string => {
    const start = i;
    while (i < n && s[i] !== ',' && !isSpace(s[i])) i++;
    return s.slice(start, i);
  };
  const readQuoted = (): string => {
    // s[i] === '"'
    i++;
    let value = '';
    while (i < n && s[i] !== '"') {
      if (s[i] === '\\' && i + 1 < n) i++;
      value += s[i];
      i++;
    }
    i++; // closing quote (or past the end when unterminated: keep what we have)
    return value;
  };

  while (i < n) {
    skipSpacesAndCommas();
    if (i >= n) break;
    const scheme = readToken();
    if (!scheme) {
      // Garbage we cannot read: skip one character so we always make progress.
      i++;
      continue;
    }
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    skipSpaces();

    // token68 form: `Scheme abc123==` (no "name=value").
    const t68 = tryToken68();
    if (t68 !== undefined) {
      challenge.token68 = t68;
      continue;
    }

    // auth-params, separated by commas, until we meet a token not followed by "=" (the next scheme).
    for (;;) {
      skipSpacesAndCommas();
      if (i >= n) break;
      const save = i;
      const name = readToken();
      if (!name) {
        i++;
        continue;
      }
      skipSpaces();
      if (s[i] !== '=') {
        // A new challenge starts here.
        i = save;
        break;
      }
      i++; // '='
      skipSpaces();
      // Unquoted values should be tokens, but servers do send bare URLs: read up to a comma or space.
      const value = s[i] === '"' ? readQuoted() : readBare();
      challenge.params[name.toLowerCase()] = value;
      skipSpaces();
    }
  }
  return out;

  function tryToken68(): string | undefined {
    const start = i;
    let j = i;
    while (j < n && TOKEN68_CHAR.test(s[j]!)) j++;
    if (j === start) return undefined;
    let k = j;
    while (k < n && s[k] === '=') k++;
    // After the token (and its '=' padding) comes the end, a comma or a space: that is token68,
    // unless it was "name=value" (exactly one '=' followed by a value character).
    const after = s[k];
    const endsHere = k >= n || after === ',' || isSpace(after);
    if (k === j) {
      // No '=' right after the word: token68 unless a spaced-out "name = value" follows.
      if (!endsHere) return undefined;
      let m = k;
      while (m < n && isSpace(s[m])) m++;
      if (s[m] === '=') return undefined;
      i = k;
      return s.slice(start, j);
    }
    if (endsHere) {
      i = k;
      return s.slice(start, k);
    }
    return undefined;
  }
}

/** Prefer Bearer, then Basic; other schemes (Negotiate, …) are ignored. */
export function pickChallenge(challenges: Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
}

/**
 * The token scopes named by a challenge's `scope` param (space-separated). Values that are not
 * `type:name:actions` (Forgejo's ping answers `scope="*"`) are not scopes we can ask for.
 */
export function challengeScopes(challenge: Challenge | undefined): string[] {
  const raw = challenge?.params['scope'];
  if (!raw) return [];
  return raw.split(' ').filter((s) => s.split(':').length >= 3);
}
