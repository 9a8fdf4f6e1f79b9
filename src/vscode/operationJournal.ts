// Operations that change a registry or the engine (copy, retag, push, pull, delete) are written down
// in globalState while they run, with the process that runs them. When that extension host dies
// mid-way (killed, crashed, out of memory), its notification just vanishes and nothing says what
// became of the work; the host VS Code starts next finds the entry of a process that is gone and says
// which operation did not finish (progress.ts shows it). globalState is shared by every window, so
// an entry of a host that still runs (another window) or of another machine (a remote's host) is
// left alone; one older than a day is dropped (its process id may have been reused).
// It also keeps the placeholders "Remove Only Selected Tags" puts up (distribution/untag.ts): one a
// dead host left behind — the tag on a placeholder — is deleted by the next host, finishing the removal.

import os from 'node:os';
import type * as vscode from 'vscode';
import type { Placeholder, PlaceholderLog } from '../distribution/untag';

export interface JournalEntry extends Written {
  /** The progress title the person saw ("Copying a to b"). */
  title: string;
}

/** Who wrote an entry, and when. */
interface Written {
  id: string;
  pid: number;
  hostname: string;
  /** Epoch ms. */
  started: number;
}

export interface PlaceholderEntry extends Placeholder {
  /** The registry. */
  host: string;
}

export interface JournalProcess {
  pid: number;
  hostname: string;
  now(): number;
  alive(pid: number): boolean;
}

const KEY = 'registryExplorer.runningOperations';
const PLACEHOLDERS = 'registryExplorer.placeholders';
const FORGET_AFTER_MS = 24 * 3600_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const thisProcess: JournalProcess = { pid: process.pid, hostname: os.hostname(), now: Date.now, alive };

export class OperationJournal {
  private serial = 0;

  constructor(
    private readonly state: Pick<vscode.Memento, 'get' | 'update'>,
    private readonly self: JournalProcess = thisProcess,
  ) {}

  private read<T extends Written>(key: string, valid: (v: unknown) => v is T): T[] {
    const value = this.state.get<unknown>(key);
    return Array.isArray(value) ? value.filter(valid) : [];
  }

  private async add<T extends Written>(key: string, valid: (v: unknown) => v is T, what: Omit<T, keyof Written>): Promise<T> {
    const entry = { ...what, id: `${this.self.pid}-${this.self.now()}-${this.serial++}`, pid: this.self.pid, hostname: this.self.hostname, started: this.self.now() } as T;
    await this.state.update(key, [...this.read(key, valid), entry]);
    return entry;
  }

  private async remove<T extends Written>(key: string, valid: (v: unknown) => v is T, gone: (e: T) => boolean): Promise<void> {
    await this.state.update(key, this.read(key, valid).filter((e) => !gone(e)));
  }

  /** Entries of this machine's hosts that died, crossed out as they are returned (so each is handled once). */
  private async orphans<T extends Written>(key: string, valid: (v: unknown) => v is T): Promise<T[]> {
    const all = this.read(key, valid);
    const stale = (e: T) => this.self.now() - e.started > FORGET_AFTER_MS;
    const dead = all.filter((e) => !stale(e) && e.hostname === this.self.hostname && e.pid !== this.self.pid && !this.self.alive(e.pid));
    const keep = all.filter((e) => !stale(e) && !dead.includes(e));
    if (keep.length !== all.length) await this.state.update(key, keep);
    return dead;
  }

  /** Writes the operation down; the function returned crosses it out (call it however the work ended). */
  async begin(title: string): Promise<() => Promise<void>> {
    const entry = await this.add<JournalEntry>(KEY, isEntry, { title });
    return () => this.remove(KEY, isEntry, (e) => e.id === entry.id);
  }

  /** The operations whose host died before they ended. */
  interrupted(): Promise<JournalEntry[]> {
    return this.orphans(KEY, isEntry);
  }

  /** Where untagOnly reports the placeholders it puts up on `host` (a failed write is let go: the removal goes on). */
  placeholders(host: string): PlaceholderLog {
    return {
      put: (p) => this.add<PlaceholderEntry & Written>(PLACEHOLDERS, isPlaceholder, { host, ...p }).then(() => undefined, () => undefined),
      gone: (digest) => this.remove(PLACEHOLDERS, isPlaceholder, (e) => e.host === host && e.digest === digest && e.pid === this.self.pid).catch(() => undefined),
    };
  }

  /** Placeholders a dead host put up and did not delete. */
  strandedPlaceholders(): Promise<(PlaceholderEntry & Written)[]> {
    return this.orphans(PLACEHOLDERS, isPlaceholder);
  }
}

function isPlaceholder(v: unknown): v is PlaceholderEntry & Written {
  const e = v as Partial<PlaceholderEntry & Written> | null;
  return !!e && isWritten(e) && typeof e.host === 'string' && typeof e.repository === 'string' && typeof e.digest === 'string' && (e.tag === undefined || typeof e.tag === 'string');
}

function isWritten(e: Partial<Written>): boolean {
  return typeof e.id === 'string' && typeof e.pid === 'number' && typeof e.hostname === 'string' && typeof e.started === 'number';
}

function isEntry(v: unknown): v is JournalEntry {
  const e = v as Partial<JournalEntry> | null;
  return !!e && isWritten(e) && typeof e.title === 'string';
}
