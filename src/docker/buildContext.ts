// The build context `POST /build` receives: a directory as a tar, less what its .dockerignore
// excludes, as the docker CLI sends it. The Dockerfile and .dockerignore always go (the engine needs
// the one and the CLI sends the other even when a pattern excludes them); a Dockerfile outside the
// directory is added under a name of its own. Files are listed first (so a progress message can
// say how much will be sent) and their bytes streamed, never read whole.
import ignore from '@balena/dockerignore';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidInputError } from '../errors/errors';
import { END_OF_ARCHIVE, entryHeader, entryPadding, type TarEntry } from './tar';

export interface BuildContext {
  /** The directory, absolute. */
  directory: string;
  /** The Dockerfile on disk, absolute. */
  dockerfilePath: string;
  /** Its name inside the archive: what `/build?dockerfile=` is given. */
  dockerfileName: string;
  /** What the archive holds (after .dockerignore). */
  files: number;
  bytes: number;
  /** Paths .dockerignore excluded, relative to the directory, for `--verbose`-style reporting and tests. */
  excluded: string[];
  /** The archive, generated as it is read. */
  tar(): AsyncGenerator<Uint8Array>;
}

interface Planned {
  entry: TarEntry;
  /** On disk, for files. */
  source?: string;
}

function toArchivePath(relative: string): string {
  return relative.split(path.sep).join('/');
}

function readIgnoreFile(directory: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(directory, '.dockerignore'), 'utf8');
  } catch {
    return [];
  }
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** Reads what the context holds; throws InvalidInputError for a missing directory or Dockerfile. */
export function prepareBuildContext(directory: string, options: { dockerfile?: string } = {}): BuildContext {
  const root = path.resolve(directory);
  let rootStat: fs.Stats;
  try {
    rootStat = fs.statSync(root);
  } catch {
    throw new InvalidInputError('argument', directory, 'the build context directory does not exist');
  }
  if (!rootStat.isDirectory()) throw new InvalidInputError('argument', directory, 'the build context must be a directory');

  const dockerfilePath = path.resolve(root, options.dockerfile ?? 'Dockerfile');
  if (!fs.existsSync(dockerfilePath) || !fs.statSync(dockerfilePath).isFile()) {
    throw new InvalidInputError('argument', options.dockerfile ?? path.join(directory, 'Dockerfile'), 'no Dockerfile there');
  }
  const insideRelative = path.relative(root, dockerfilePath);
  const inside = !insideRelative.startsWith('..') && !path.isAbsolute(insideRelative);

  const patterns = readIgnoreFile(root);
  const matcher = ignore().add(patterns);
  // With an exception ("!keep/this") a file can come back from inside an excluded directory, so
  // such directories are still walked; without one they are skipped whole, as the CLI does.
  const hasExceptions = patterns.some((p) => p.startsWith('!'));
  const always = new Set(['.dockerignore', ...(inside ? [toArchivePath(insideRelative)] : [])]);

  const planned: Planned[] = [];
  const excluded: string[] = [];
  let bytes = 0;
  const walk = (relativeDir: string): void => {
    const absoluteDir = path.join(root, relativeDir);
    for (const name of fs.readdirSync(absoluteDir).sort()) {
      const relative = relativeDir ? path.join(relativeDir, name) : name;
      const archivePath = toArchivePath(relative);
      const absolute = path.join(root, relative);
      const stat = fs.lstatSync(absolute);
      const ignored = !always.has(archivePath) && matcher.ignores(archivePath);
      if (stat.isDirectory()) {
        if (ignored && !hasExceptions) {
          excluded.push(archivePath);
          continue;
        }
        if (!ignored) planned.push({ entry: { name: archivePath, type: 'directory', mode: stat.mode, size: 0, mtime: stat.mtime } });
        walk(relative);
        continue;
      }
      if (ignored) {
        excluded.push(archivePath);
        continue;
      }
      if (stat.isSymbolicLink()) {
        planned.push({ entry: { name: archivePath, type: 'symlink', mode: stat.mode, size: 0, mtime: stat.mtime, linkTarget: fs.readlinkSync(absolute) } });
      } else if (stat.isFile()) {
        planned.push({ entry: { name: archivePath, type: 'file', mode: stat.mode, size: stat.size, mtime: stat.mtime }, source: absolute });
        bytes += stat.size;
      }
      // Sockets, FIFOs and devices are not sent, as the docker CLI leaves them out too.
    }
  };
  walk('');

  let dockerfileName = toArchivePath(insideRelative);
  if (!inside) {
    // The CLI's trick for a Dockerfile elsewhere: add it at the root under a name nothing else has.
    dockerfileName = `.dockerfile.${Date.now().toString(36)}`;
    const stat = fs.statSync(dockerfilePath);
    planned.push({ entry: { name: dockerfileName, type: 'file', mode: 0o644, size: stat.size, mtime: stat.mtime }, source: dockerfilePath });
    bytes += stat.size;
  }

  return {
    directory: root,
    dockerfilePath,
    dockerfileName,
    files: planned.filter((p) => p.entry.type === 'file').length,
    bytes,
    excluded,
    async *tar() {
      for (const { entry, source } of planned) {
        if (!source) {
          yield entryHeader(entry);
          continue;
        }
        // The size in the header is the one listed; a file that changed size since is sent as it
        // was listed (truncated or zero-filled) so the archive stays well-formed.
        yield entryHeader(entry);
        let sent = 0;
        for await (const chunk of fs.createReadStream(source, { highWaterMark: 1 << 20 })) {
          const piece = chunk as Buffer;
          const room = entry.size - sent;
          if (room <= 0) break;
          const part = piece.length > room ? piece.subarray(0, room) : piece;
          sent += part.length;
          yield part;
        }
        if (sent < entry.size) yield Buffer.alloc(entry.size - sent);
        yield entryPadding(entry.size);
      }
      yield END_OF_ARCHIVE;
    },
  };
}
