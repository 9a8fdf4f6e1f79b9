// Read-only JSON documents for Inspect: the manifest (or index) and the image config of a tag,
// digest or platform. A custom URI scheme means VS Code treats them as read-only, names the tab
// after the image, and re-fetches when the document is opened again after being closed.
import * as vscode from 'vscode';
import { manifestConfig } from '../distribution/manifests';
import { isImageConfigMediaType } from '../distribution/mediaTypes';
import { describeError } from '../errors/describe';
import { formatReference } from '../reference';
import type { RegistryService } from './registryService';

const INSPECT_SCHEME = 'registry-explorer';

/** Most image configs are a few kB; a cap keeps a hostile registry from filling memory. */
const CONFIG_MAX_BYTES = 16 * 1024 * 1024;

export interface InspectTarget {
  host: string;
  repository: string;
  /** A tag or a digest. */
  reference: string;
  what: 'manifest' | 'config';
}

function inspectUri(target: InspectTarget): vscode.Uri {
  const ref = target.reference.startsWith('sha256:') ? `@${target.reference.slice(7, 19)}` : `:${target.reference}`;
  const query = new URLSearchParams({ host: target.host, repository: target.repository, reference: target.reference, what: target.what });
  // The path is only for the tab title; the query carries the exact target.
  return vscode.Uri.from({
    scheme: INSPECT_SCHEME,
    path: `/${target.host}/${target.repository}${ref}.${target.what}.json`,
    query: query.toString(),
  });
}

function targetOf(uri: vscode.Uri): InspectTarget {
  const q = new URLSearchParams(uri.query);
  const what = q.get('what') === 'config' ? 'config' : 'manifest';
  return { host: q.get('host') ?? '', repository: q.get('repository') ?? '', reference: q.get('reference') ?? '', what };
}

export class InspectDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly registration: vscode.Disposable;

  constructor(private readonly service: RegistryService) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(INSPECT_SCHEME, this);
  }

  dispose(): void {
    this.registration.dispose();
  }

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const target = targetOf(uri);
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    try {
      const client = this.service.client(target.host);
      const manifest = await client.getManifest(target.repository, target.reference, { signal: abort.signal });
      if (target.what === 'manifest') return pretty(manifest.bytes);
      const config = manifestConfig(manifest);
      if (!config) {
        const ref = formatReference({ registry: target.host, repository: target.repository, ...refPart(target.reference) });
        return JSON.stringify({ note: `${ref} is ${manifest.kind === 'index' ? 'an index (multi-platform): inspect one of its platforms for a config' : `a ${manifest.kind} manifest without an image config`}` }, null, 2);
      }
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of client.getBlob(target.repository, config, { signal: abort.signal })) {
        size += chunk.byteLength;
        if (size > CONFIG_MAX_BYTES) throw new Error(`config larger than ${CONFIG_MAX_BYTES} bytes`);
        chunks.push(chunk);
      }
      return pretty(Buffer.concat(chunks));
    } catch (error) {
      // The document says what went wrong rather than failing to open.
      return JSON.stringify({ error: describeError(error) }, null, 2);
    } finally {
      sub.dispose();
    }
  }

  /** Open the manifest, and beside it the config when the target is a single image (not an index or an artifact). */
  async open(target: Omit<InspectTarget, 'what'>): Promise<vscode.TextEditor[]> {
    const manifestDoc = await vscode.workspace.openTextDocument(inspectUri({ ...target, what: 'manifest' }));
    const docs = [await setJson(manifestDoc)];
    const editors = [await vscode.window.showTextDocument(docs[0]!, { preview: false })];
    let hasImageConfig = false;
    try {
      const parsed = JSON.parse(manifestDoc.getText());
      // An index has no config; an artifact (signature, SBOM) has an empty or tool-specific one.
      hasImageConfig = parsed?.manifests === undefined && (parsed?.config?.mediaType === undefined || isImageConfigMediaType(parsed.config.mediaType));
    } catch {
      // An error document: nothing more to open.
      return editors;
    }
    if (hasImageConfig) {
      const configDoc = await setJson(await vscode.workspace.openTextDocument(inspectUri({ ...target, what: 'config' })));
      editors.push(await vscode.window.showTextDocument(configDoc, { preview: false, viewColumn: vscode.ViewColumn.Beside }));
    }
    return editors;
  }
}

async function setJson(doc: vscode.TextDocument): Promise<vscode.TextDocument> {
  return doc.languageId === 'json' ? doc : vscode.languages.setTextDocumentLanguage(doc, 'json');
}

function refPart(reference: string): { tag?: string; digest?: string } {
  return reference.includes(':') ? { digest: reference } : { tag: reference };
}

/** Pretty-print JSON bytes; bytes that are not JSON are shown as they came. */
function pretty(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
