// Scan Now: ask a registry that scans on request (Harbor) to scan a tag or platform image, then wait
// for the scanner in a notification with Cancel, reading the report until its status leaves
// "scanning" (a bounded number of times), and show the result on the tag's badge, in a message and in
// its Show Vulnerabilities document when that is open. Cancel stops the waiting, not the registry's
// scan: the badge shows its result on the next refresh.
import * as vscode from 'vscode';
import { CancelledError } from '../../errors/errors';
import { emptyCounts, type VulnerabilityReport } from '../../registries';
import { withCancellableProgress } from '../progress';
import { scanTargetLabel } from '../scanDocuments';
import { reportSummary, scansOnRequest } from '../tree/scans';
import type { CommandContext } from './context';
import { scanTarget } from './showVulnerabilities';

/** Scripted use (tests): how often and how long to wait for the scanner. */
export interface ScanNowArgs {
  pollMs?: number;
  maxPolls?: number;
}

/** A registry's scanner takes seconds to minutes: look every 2 s, for up to 3 minutes. */
const POLL_MS = 2_000;
const MAX_POLLS = 90;
/** Right after the request the registry may not have queued the scan yet, and still says "not scanned". */
const QUEUE_POLLS = 3;

export interface ScanNowOutcome {
  report: VulnerabilityReport;
  /** The scanner had not finished when the polls ran out. */
  stillScanning: boolean;
  polls: number;
}

export async function scanNow(ctx: CommandContext, arg?: unknown, _selected?: unknown, args: ScanNowArgs = {}): Promise<ScanNowOutcome | undefined> {
  const target = await scanTarget(ctx, arg, 'Scan an image now', scansOnRequest, 'scans on request');
  if (!target) return undefined;
  const provider = ctx.service.provider(target.host);
  const label = scanTargetLabel(target);
  const pollMs = args.pollMs ?? POLL_MS;
  const maxPolls = args.maxPolls ?? MAX_POLLS;
  const isTag = !target.reference.includes(':');
  const show = (report: VulnerabilityReport) => {
    if (isTag) ctx.tree.setScan(target.host, target.repository, target.reference, report);
  };

  const outcome = await withCancellableProgress(vscode.l10n.t('Scanning {0}', label), async (progress, signal) => {
    progress({ message: `asking ${provider.displayName} to scan it` });
    await provider.scanNow!(target.repository, target.reference, signal);
    show({ status: 'scanning', counts: emptyCounts() });
    let report: VulnerabilityReport = { status: 'scanning', counts: emptyCounts() };
    for (let poll = 1; poll <= maxPolls; poll++) {
      await sleep(pollMs, signal);
      report = await provider.vulnerabilities!(target.repository, target.reference, signal);
      const pending = report.status === 'scanning' || (report.status === 'not-scanned' && poll <= QUEUE_POLLS);
      if (!pending) return { report, stillScanning: false, polls: poll };
      progress({ percent: (100 * poll) / maxPolls, message: `waiting for the scanner (${Math.round((poll * pollMs) / 1000)} s)` });
    }
    return { report, stillScanning: true, polls: maxPolls };
  });

  show(outcome.report);
  await ctx.scans.update(target, outcome.report);
  ctx.service.log.info(`scan of ${label}: ${outcome.stillScanning ? 'still running' : reportSummary(outcome.report)}`);
  const SHOW = vscode.l10n.t('Show Vulnerabilities');
  const message = outcome.stillScanning
    ? vscode.l10n.t('{0} is still scanning {1}; its badge shows the result after a refresh.', provider.displayName, label)
    : vscode.l10n.t('Scanned {0}: {1}.', label, reportSummary(outcome.report));
  void vscode.window.showInformationMessage(message, ...(outcome.stillScanning ? [] : [SHOW])).then((choice) => {
    if (choice === SHOW) void vscode.commands.executeCommand('registryExplorer.showVulnerabilities', target);
  });
  return outcome;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new CancelledError());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
