// Operations that change a registry or the engine (copy, retag, push, pull, delete) are written down
// in globalState while they run, with the process that runs them. When that extension host dies
// mid-way (killed, crashed, out of memory), its notification just vanishes and nothing says what
// became of the work; the host VS Code starts next finds the entry of a process that is gone and says
// which operation did not finish (progress.ts shows it). globalState is shared by every window, so
// an entry of a host that still runs (another window) or of another machine (a remote's host) is
// left alone; one older than a day is dropped (its process id may have been reused).

import os from 'node:os';
import type * as vscode from 'vscode';

export interface JournalEntry {
  id: string;
  /** The progress title the person saw ("Copying a to b"). */
  title: string;
  pid: number;
  hostname: string;
  /** Epoch ms. */
  started: number;
}

export interface JournalProcess {
  pid: number;
  hostname: string;
  now(): number;
  alive(pid: number): boolean;
}

const KEY = 'registryExplorer.runningOperations';
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

  private entries(): JournalEntry[] {
    const value = this.state.get<unknown>(KEY);
    return Array.isArray(value) ? value.filter(isEntry) : [];
  }

  /** Writes the operation down; the function returned crosses it out (call it however the work ended). */
  async begin(title: string): Promise<() => Promise<void>> {
    const entry: JournalEntry = { id: `${this.self.pid}-${this.self.now()}-${this.serial++}`, title, pid: this.self.pid, hostname: this.self.hostname, started: this.self.now() };
    await this.state.update(KEY, [...this.entries(), entry]);
    return () => Promise.resolve(this.state.update(KEY, this.entries().filter((e) => e.id !== entry.id)));
  }

  /** The operations whose host died before they ended, crossed out as they are returned (so each is told once). */
  async interrupted(): Promise<JournalEntry[]> {
    const all = this.entries();
    const stale = (e: JournalEntry) => this.self.now() - e.started > FORGET_AFTER_MS;
    const dead = all.filter((e) => !stale(e) && e.hostname === this.self.hostname && e.pid !== this.self.pid && !this.self.alive(e.pid));
    const keep = all.filter((e) => !stale(e) && !dead.includes(e));
    if (keep.length !== all.length) await this.state.update(KEY, keep);
    return dead;
  }
}

function isEntry(v: unknown): v is JournalEntry {
  const e = v as Partial<JournalEntry> | null;
  return !!e && typeof e.id === 'string' && typeof e.title === 'string' && typeof e.pid === 'number' && typeof e.hostname === 'string' && typeof e.started === 'number';
}
