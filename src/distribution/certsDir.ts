// Docker's per-registry certificate directory (docker/docker registry.ReadCertsDirectory), read the
// way docker reads it, so a registry docker already trusts works here without more set-up:
//   /etc/docker/certs.d/<host[:port]>/*.crt         extra CA certificates for that registry
//   /etc/docker/certs.d/<host[:port]>/NAME.cert     a client certificate (mutual TLS), with NAME.key
import { readdir, readFile } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { InvalidInputError } from '../errors/errors';

export const DEFAULT_CERTS_ROOT = '/etc/docker/certs.d';

// The callback API: every registry a run reaches looks here first, and fs.promises would load
// node:fs/promises (with readline and the file watchers) on every `regx` start for it.
const readNames = promisify(readdir);
const readText = (file: string): Promise<string> => promisify(readFile)(file, 'utf8');

export interface CertsDirContents {
  /** PEM text of every *.crt, in name order. */
  ca?: string;
  /** The client certificate and its key (PEM); the first pair in name order when there are several. */
  cert?: string;
  key?: string;
}

/** The directory docker would read for this registry under `root`. */
export function certsDirFor(root: string, host: string): string {
  return path.join(root, host);
}

/**
 * What the directory holds; undefined when it does not exist (the common case). A client certificate
 * without its key, a key without its certificate, or a file that cannot be read is an error naming it,
 * as docker makes it one.
 */
export async function readCertsDir(dir: string): Promise<CertsDirContents | undefined> {
  let names: string[];
  try {
    names = (await readNames(dir)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw unreadable(dir, err);
  }
  const read = async (name: string): Promise<string> => {
    try {
      return await readText(path.join(dir, name));
    } catch (err) {
      throw unreadable(path.join(dir, name), err);
    }
  };
  const has = new Set(names);
  const out: CertsDirContents = {};
  const cas: string[] = [];
  for (const name of names) {
    if (name.endsWith('.crt')) cas.push(await read(name));
    else if (name.endsWith('.cert')) {
      const keyName = `${name.slice(0, -'.cert'.length)}.key`;
      if (!has.has(keyName)) {
        throw new InvalidInputError('setting', path.join(dir, name), `the client certificate has no ${keyName} beside it (CA certificates must end in .crt)`);
      }
      if (out.cert === undefined) {
        out.cert = await read(name);
        out.key = await read(keyName);
      }
    } else if (name.endsWith('.key') && !has.has(`${name.slice(0, -'.key'.length)}.cert`)) {
      throw new InvalidInputError('setting', path.join(dir, name), `the key has no ${name.slice(0, -'.key'.length)}.cert beside it`);
    }
  }
  if (cas.length) out.ca = cas.join('\n');
  return out;
}

function unreadable(file: string, err: unknown): InvalidInputError {
  return new InvalidInputError('setting', file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
}
