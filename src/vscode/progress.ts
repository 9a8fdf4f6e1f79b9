// Progress, in two sizes. A short request (a listing page, a HEAD, a sign-in check) shows in the
// status bar: withProgress. Long work (pull, push, copy, deleting many tags) runs in a notification
// with a Cancel button that really stops it: Cancel aborts the AbortSignal the work was given, and
// the engine / registry requests end with it. Progress is given as an absolute percent; VS Code
// wants increments, so the conversion lives here once.
import * as vscode from 'vscode';
import { CancelledError } from '../errors/errors';
import type { RegistryClient } from '../distribution/client';
import type { PlaceholderLog } from '../distribution/untag';
import type { OperationJournal } from './operationJournal';

export interface ProgressUpdate {
  /** 0..100 of the whole operation; omitted = unchanged. */
  percent?: number;
  message?: string;
}

export type ReportProgress = (update: ProgressUpdate) => void;

/** Operations running now, so tests (and deactivate) can cancel them as the Cancel button would. */
const running = new Set<AbortController>();

/** Cancel every operation in progress; returns how many there were. */
export function cancelRunningOperations(): number {
  const n = running.size;
  for (const controller of running) controller.abort();
  return n;
}

export function runningOperationCount(): number {
  return running.size;
}

let journal: OperationJournal | undefined;

/** Where work that changes something is written down while it runs (activation sets it). */
export function recordOperationsIn(operations: OperationJournal | undefined): void {
  journal = operations;
}

/** Where "Remove Only Selected Tags" on `host` notes its placeholders, so the next host can finish a removal cut off. */
export function placeholdersOn(host: string): PlaceholderLog | undefined {
  return journal?.placeholders(host);
}

/**
 * Finishes what a dead extension host left half-done and says which operations did not finish (their
 * notification vanished with it): run at activation, in the host VS Code started next. A tag left on
 * a placeholder by a cut-off "Remove Only Selected Tags" is removed, as was asked; a placeholder no
 * tag names is deleted without a word.
 */
export async function reportInterruptedOperations(operations: OperationJournal, client: (host: string) => Pick<RegistryClient, 'headManifest' | 'deleteManifest'>): Promise<void> {
  for (const p of await operations.strandedPlaceholders()) {
    const registry = client(p.host);
    const onTag = p.tag !== undefined && (await registry.headManifest(p.repository, p.tag).catch(() => undefined))?.digest === p.digest;
    try {
      await registry.deleteManifest(p.repository, p.digest);
      if (onTag) void vscode.window.showInformationMessage(vscode.l10n.t('Finished removing {0}:{1} from {2}: the extension host removing it had stopped with the tag on a placeholder.', p.repository, p.tag!, p.host));
    } catch {
      if (onTag) {
        void vscode.window.showWarningMessage(
          vscode.l10n.t('{0}:{1} on {2} still names a placeholder ({3}) left by an extension host that stopped while removing the tag: delete the tag to finish.', p.repository, p.tag!, p.host, p.digest),
        );
      }
    }
  }
  for (const entry of await operations.interrupted()) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t('"{0}" did not finish: the extension host running it stopped. Run it again to finish it.', entry.title),
    );
  }
}

/** Runs `work` written down in the journal when it changes something (see operationJournal.ts). */
async function recorded<T>(title: string, changes: boolean | undefined, work: () => Promise<T>): Promise<T> {
  // The journal is a courtesy: failing to write it must not fail (or, crossing out, undo) the work.
  const done = changes && journal ? await journal.begin(title).catch(() => undefined) : undefined;
  try {
    return await work();
  } finally {
    await done?.().catch(() => undefined);
  }
}

/** A short request, shown in the status bar while it runs (not cancellable: it ends on its own). */
export function withProgress<T>(title: string, task: () => Promise<T>, options: Pick<ProgressOptions, 'changes'> = {}): Promise<T> {
  return recorded(title, options.changes, () => Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, task)));
}

export interface ProgressOptions {
  /**
   * Show the notification only if the work takes longer than this (ms): quick checks then do not
   * flash a toast, which would otherwise linger behind the dialog that follows. Default 0.
   */
  delayMs?: number;
  /**
   * The work changes a registry or the engine: it is written down while it runs, so that when the
   * extension host dies meanwhile, the next one says it did not finish.
   */
  changes?: boolean;
}

/**
 * Run `task` with a cancellable notification. A cancelled task rejects with CancelledError (which the
 * command wrapper keeps silent), even if the task itself swallowed the abort.
 */
export async function withCancellableProgress<T>(
  title: string,
  task: (report: ReportProgress, signal: AbortSignal) => Promise<T>,
  options: ProgressOptions = {},
): Promise<T> {
  return recorded(title, options.changes, () => runCancellable(title, task, options));
}

async function runCancellable<T>(
  title: string,
  task: (report: ReportProgress, signal: AbortSignal) => Promise<T>,
  options: ProgressOptions,
): Promise<T> {
  const controller = new AbortController();
  running.add(controller);
  // Updates are kept until a notification exists to show them (it may start late, or never).
  let latest: ProgressUpdate = {};
  let sink: ReportProgress | undefined;
  const report: ReportProgress = (update) => {
    latest = { percent: update.percent ?? latest.percent, message: update.message ?? latest.message };
    sink?.(latest);
  };
  const finish = async (work: Promise<T>): Promise<T> => {
    try {
      const result = await work;
      if (controller.signal.aborted) throw new CancelledError();
      return result;
    } catch (error) {
      // Whatever the task threw after an abort (a closed socket, a half-read stream) is the cancel.
      if (controller.signal.aborted) throw new CancelledError();
      throw error;
    }
  };
  try {
    const work = task(report, controller.signal);
    if (options.delayMs) {
      let timer: NodeJS.Timeout | undefined;
      const quick = await Promise.race([
        work.then(
          () => true,
          () => true,
        ),
        new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), options.delayMs);
        }),
      ]);
      clearTimeout(timer);
      if (quick) return await finish(work);
    }
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const subscription = token.onCancellationRequested(() => controller.abort());
      let shown = 0;
      let lastMessage: string | undefined;
      let lastAt = 0;
      sink = (update) => {
        const target = update.percent === undefined ? shown : Math.max(shown, Math.min(100, update.percent));
        const now = Date.now();
        // The engine sends many events a second; redraw at most every 100 ms unless the figure moved.
        if (target === shown && update.message === lastMessage) return;
        if (target === shown && now - lastAt < 100) return;
        lastAt = now;
        const increment = target - shown;
        shown = target;
        lastMessage = update.message ?? lastMessage;
        progress.report({ ...(increment > 0 ? { increment } : {}), ...(lastMessage !== undefined ? { message: lastMessage } : {}) });
      };
      sink(latest);
      try {
        return await finish(work);
      } finally {
        sink = undefined;
        subscription.dispose();
      }
    });
  } finally {
    running.delete(controller);
  }
}
