// Which process is the extension host that runs Registry Explorer, found from the outside: the
// fault proxy hands over each client's socket as it connects, and the process holding the other end
// of that TCP connection (looked up in /proc/net/tcp and the candidates' /proc/<pid>/fd) is the one
// that sent registry requests — our code. It must be code-server's forked extension host
// (`bootstrap-fork --type=extensionHost`), never code-server itself; connections from anyone else
// (dockerd pushing) are ignored. Linux only, like the rest of the UI tier.

import fs from 'node:fs';
import type { Socket } from 'node:net';

export interface ExtensionHostProcess {
  pid: number;
  /** code-server's server process that forked it. */
  parent: number;
  /** When it started (clock ticks since boot), to tell a replacement from an older host still closing. */
  started: number;
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** ppid and start time from /proc/<pid>/stat (undefined when it is gone). */
function statOf(pid: number): { parent: number; started: number } | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name, which is in parentheses and may hold spaces: state (3), ppid (4), … starttime (22).
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { parent: Number(f[1]), started: Number(f[19]) };
}

function described(pid: number): ExtensionHostProcess | undefined {
  const s = statOf(pid);
  return s && { pid, ...s };
}

const isExtensionHost = (pid: number) => /bootstrap-fork .*--type=extensionHost/.test(cmdline(pid));

/** Processes now running as an extension host. */
function extensionHosts(): number[] {
  return fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number).filter(isExtensionHost);
}

/** The inode of the TCP connection whose local end is 127.0.0.1:clientPort and remote end port serverPort. */
function connectionInode(clientPort: number, serverPort: number): string | undefined {
  const hex = (port: number) => port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[1]!.endsWith(`:${hex(clientPort)}`) && f[2]!.endsWith(`:${hex(serverPort)}`)) return f[9];
    }
  }
  return undefined;
}

function holds(pid: number, inode: string): boolean {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/**
 * Watches a fault proxy's connections (pass `see` as its onConnection) and remembers the extension
 * host that made the latest one.
 */
export class ExtensionHostWatch {
  private latest: ExtensionHostProcess | undefined;

  readonly see = (socket: Socket): void => {
    if (socket.remotePort === undefined || socket.localPort === undefined) return;
    const inode = connectionInode(socket.remotePort, socket.localPort);
    if (!inode) return;
    const pid = extensionHosts().find((p) => holds(p, inode));
    const host = pid === undefined ? undefined : described(pid);
    if (host) this.latest = host;
  };

  /** The extension host that last connected to the registry, if any did. */
  current(): ExtensionHostProcess | undefined {
    return this.latest;
  }

  /** Forget it (after a kill: the next connection must come from its replacement). */
  forget(): void {
    this.latest = undefined;
  }
}

/** SIGKILLs `host` after checking it still is an extension host forked by code-server. */
export function killExtensionHost(host: ExtensionHostProcess): void {
  if (!isExtensionHost(host.pid)) throw new Error(`process ${host.pid} is no longer an extension host: ${cmdline(host.pid) || 'gone'}`);
  const server = cmdline(host.parent);
  if (!/code-server/.test(server) || isExtensionHost(host.parent)) throw new Error(`process ${host.pid}'s parent ${host.parent} is not code-server: ${server}`);
  process.kill(host.pid, 'SIGKILL');
}

/** Waits until `killed` is gone and code-server (the same parent) runs another extension host; returns it. */
export async function replacementOf(killed: ExtensionHostProcess, timeoutMs = 30_000): Promise<ExtensionHostProcess> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = isExtensionHost(killed.pid);
    const next = extensionHosts().map(described).find((h) => h && h.pid !== killed.pid && h.parent === killed.parent && h.started >= killed.started);
    if (!alive && next) return next;
    if (Date.now() > deadline) throw new Error(`no new extension host under code-server ${killed.parent} within ${timeoutMs} ms (the killed one ${alive ? 'still runs' : 'is gone'})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
