// What the engine tests need to make local images without a network or a Dockerfile: a root
// filesystem tar generated in memory (imported with DockerEngine.importImage), and raw requests to
// the engine's socket for what DockerEngine does not offer (creating and removing containers).
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { END_OF_ARCHIVE, entryHeader, entryPadding } from '../../src/docker/tar';

function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  const octal = (n: number, length: number): string => n.toString(8).padStart(length - 1, '0') + '\0';
  h.write(name, 0, 100, 'ascii');
  h.write(octal(0o644, 8), 100, 8, 'ascii');
  h.write(octal(0, 8), 108, 8, 'ascii');
  h.write(octal(0, 8), 116, 8, 'ascii');
  h.write(octal(size, 12), 124, 12, 'ascii');
  h.write(octal(1_700_000_000, 12), 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii');
  h.write('0', 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

export type TarFile = { name: string; content: Buffer } | { name: string; randomSize: number };

/** A tar of files whose contents are given bytes or N random bytes (incompressible, streamed in 1 MiB pieces). */
export async function* tarOf(files: TarFile[]): AsyncGenerator<Uint8Array> {
  for (const f of files) {
    const size = 'content' in f ? f.content.length : f.randomSize;
    yield tarHeader(f.name, size);
    if ('content' in f) {
      yield f.content;
    } else {
      for (let left = size; left > 0; left -= 1 << 20) yield randomBytes(Math.min(left, 1 << 20));
    }
    const pad = (512 - (size % 512)) % 512;
    if (pad) yield Buffer.alloc(pad);
  }
  yield Buffer.alloc(1024);
}

/** A root filesystem of one small file (app.txt holding `text`): different texts make different images. */
export function oneFileTar(text: string): AsyncGenerator<Uint8Array> {
  return tarOf([{ name: 'app.txt', content: Buffer.from(text) }]);
}

/** One raw request to the engine at `dockerHost` (unix://…); the answer's JSON, or its text when not JSON. */
export function engineRequest(dockerHost: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const socketPath = dockerHost.replace(/^unix:\/\//, '');
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(
      { socketPath, method, path, headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {} },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          let json: unknown = text;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            // Not JSON: keep the text.
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Where Debian's busybox-static puts its one binary (.ci/run installs it). */
const BUSYBOX_PATHS = ['/usr/bin/busybox', '/bin/busybox'];
const BUSYBOX_APPLETS = ['sh', 'echo', 'cat', 'ls', 'test', 'sleep', 'true', 'false', 'mkdir', 'env'];

/** The host's static busybox, if there is one: a base image with a shell for RUN steps, no network needed. */
export function busyboxPath(): string | undefined {
  return BUSYBOX_PATHS.find((p) => {
    try {
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  });
}

/** A root filesystem tar: bin/busybox and its applets as symlinks, and an empty /tmp. */
export async function* busyboxRootfsTar(binary: string): AsyncGenerator<Uint8Array> {
  const now = new Date(1_700_000_000_000);
  const bytes = fs.readFileSync(binary);
  yield entryHeader({ name: 'bin', type: 'directory', mode: 0o755, size: 0, mtime: now });
  yield entryHeader({ name: 'tmp', type: 'directory', mode: 0o1777, size: 0, mtime: now });
  yield entryHeader({ name: 'bin/busybox', type: 'file', mode: 0o755, size: bytes.length, mtime: now });
  yield bytes;
  yield entryPadding(bytes.length);
  for (const applet of BUSYBOX_APPLETS) yield entryHeader({ name: `bin/${applet}`, type: 'symlink', mode: 0o777, size: 0, mtime: now, linkTarget: 'busybox' });
  yield END_OF_ARCHIVE;
}

/** A fresh build context under `parent`: each file (paths may have folders) written with its content. */
export function writeBuildContext(parent: string, files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(parent, 'ctx-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), content);
  }
  return root;
}
