// A tar writer for build contexts: ustar headers, with a PAX header for what ustar cannot hold (a
// path over 100 bytes, a file over 8 GiB, a long link target). That is all `POST /build` needs; the
// engine reads it with Go's archive/tar, which accepts exactly this.

const BLOCK = 512;

export interface TarEntry {
  /** Path inside the archive, "/"-separated, no leading "/"; a directory without its trailing "/". */
  name: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  size: number;
  mtime: Date;
  linkTarget?: string;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function paxRecord(key: string, value: string): string {
  // Each record is "<length> <key>=<value>\n", where length counts its own digits.
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length++;
  return `${length}${body}`;
}

function header(name: string, typeflag: string, size: number, mode: number, mtime: number, linkname = ''): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode & 0o7777, 8), 100, 8, 'ascii');
  h.write(octal(0, 8), 108, 8, 'ascii');
  h.write(octal(0, 8), 116, 8, 'ascii');
  h.write(octal(size, 12), 124, 12, 'ascii');
  h.write(octal(mtime, 12), 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii');
  h.write(typeflag, 156, 1, 'ascii');
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 8, 'ascii');
  return h;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** The header block(s) of one entry: a PAX header first when a field does not fit ustar. */
export function entryHeader(entry: TarEntry): Buffer {
  const name = entry.type === 'directory' ? `${entry.name}/` : entry.name;
  const link = entry.linkTarget ?? '';
  const size = entry.type === 'file' ? entry.size : 0;
  const mtime = Math.max(0, Math.floor(entry.mtime.getTime() / 1000));
  const typeflag = entry.type === 'file' ? '0' : entry.type === 'directory' ? '5' : '2';
  const records: string[] = [];
  if (Buffer.byteLength(name) > 100) records.push(paxRecord('path', name));
  if (Buffer.byteLength(link) > 100) records.push(paxRecord('linkpath', link));
  if (size > 0o77777777777) records.push(paxRecord('size', String(size)));
  const main = header(
    records.some((r) => r.includes(' path=')) ? name.slice(-100).replace(/^\/+/, '') : name,
    typeflag,
    size > 0o77777777777 ? 0 : size,
    entry.mode,
    mtime,
    Buffer.byteLength(link) > 100 ? '' : link,
  );
  if (records.length === 0) return main;
  const pax = Buffer.from(records.join(''), 'utf8');
  return Buffer.concat([header('PaxHeader', 'x', pax.length, 0o644, mtime), pax, padding(pax.length), main]);
}

/** After a file's bytes: zeros up to the next block. */
export function entryPadding(size: number): Buffer {
  return padding(size);
}

/** Two zero blocks end an archive. */
export const END_OF_ARCHIVE = Buffer.alloc(BLOCK * 2);
