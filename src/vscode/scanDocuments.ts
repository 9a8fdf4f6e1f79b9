// Show Vulnerabilities opens a read-only Markdown document: a registry's report on one image
// (vulnerabilityReport.ts). A custom URI scheme makes it read-only and names the tab after the image;
// its text is fetched when it opens, again when the command runs for it another time, and whenever
// VS Code reopens it, so it never shows an old report as new. Nothing of it is written to disk.
import * as vscode from 'vscode';
import { describeError } from '../errors/describe';
import type { VulnerabilityReport } from '../registries';
import type { RegistryService } from './registryService';
import { scansOnRequest } from './tree/scans';
import { registryLabel } from './tree/format';
import { vulnerabilityMarkdown } from './vulnerabilityReport';

const SCAN_SCHEME = 'registry-explorer-scan';

export interface ScanTarget {
  host: string;
  repository: string;
  /** A tag, or a platform's digest. */
  reference: string;
}

/** host/repository:tag or host/repository@digest. */
export function scanTargetLabel(target: ScanTarget): string {
  return `${target.host}/${target.repository}${target.reference.includes(':') ? '@' : ':'}${target.reference}`;
}

function scanUri(target: ScanTarget): vscode.Uri {
  const ref = target.reference.includes(':') ? `@${target.reference.slice(target.reference.indexOf(':') + 1, target.reference.indexOf(':') + 13)}` : `:${target.reference}`;
  // The path is only for the tab title; the query carries the exact target.
  return vscode.Uri.from({
    scheme: SCAN_SCHEME,
    path: `/${target.host}/${target.repository}${ref} vulnerabilities.md`,
    query: new URLSearchParams({ host: target.host, repository: target.repository, reference: target.reference }).toString(),
  });
}

function targetOf(uri: vscode.Uri): ScanTarget {
  const q = new URLSearchParams(uri.query);
  return { host: q.get('host') ?? '', repository: q.get('repository') ?? '', reference: q.get('reference') ?? '' };
}

export class ScanDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration: vscode.Disposable;
  /** A report the command has just read, so opening its document does not ask the registry twice. */
  private readonly fresh = new Map<string, VulnerabilityReport>();

  constructor(
    private readonly service: RegistryService,
    /** Every report read here: the tree's badge shows the same. */
    private readonly onReport: (target: ScanTarget, report: VulnerabilityReport) => void,
  ) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(SCAN_SCHEME, this);
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const target = targetOf(uri);
    const provider = this.service.provider(target.host);
    let report = this.fresh.get(uri.toString());
    this.fresh.delete(uri.toString());
    if (!report) {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      try {
        report = await provider.vulnerabilities!(target.repository, target.reference, abort.signal);
        this.onReport(target, report);
      } catch (error) {
        // The document says what went wrong rather than failing to open.
        return `# Vulnerabilities of ${scanTargetLabel(target)}\n\n${describeError(error)}\n`;
      } finally {
        sub.dispose();
      }
    }
    return this.render(target, report);
  }

  private render(target: ScanTarget, report: VulnerabilityReport): string {
    const provider = this.service.provider(target.host);
    return vulnerabilityMarkdown({ reference: scanTargetLabel(target), registry: registryLabel(provider), scanOnRequest: scansOnRequest(provider) }, report);
  }

  /** Show the report just read; a document already open for that image is brought up to date first. */
  async open(target: ScanTarget, report: VulnerabilityReport): Promise<vscode.TextDocument> {
    const uri = scanUri(target);
    this.fresh.set(uri.toString(), report);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) await this.reload(open, target, report);
    let doc = await vscode.workspace.openTextDocument(uri);
    if (doc.languageId !== 'markdown') doc = await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    await vscode.window.showTextDocument(doc, { preview: false });
    return doc;
  }

  /** Bring an open report up to date with one just read (Scan Now). */
  async update(target: ScanTarget, report: VulnerabilityReport): Promise<void> {
    const uri = scanUri(target).toString();
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
    if (!open) return;
    this.fresh.set(uri, report);
    await this.reload(open, target, report);
  }

  /** Ask VS Code to read the document again and wait (briefly) until it has, unless nothing changed. */
  private async reload(doc: vscode.TextDocument, target: ScanTarget, report: VulnerabilityReport): Promise<void> {
    if (doc.getText() === this.render(target, report)) {
      this.fresh.delete(doc.uri.toString());
      return;
    }
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(finish, 5_000);
      const sub = vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === doc) finish();
      });
      function finish(): void {
        clearTimeout(timer);
        sub.dispose();
        resolve();
      }
    });
    this.changed.fire(doc.uri);
    await done;
  }
}
