// The Image Details page: a strict Content-Security-Policy (nothing but our own bundle, by nonce,
// and our own styles and font from dist/webview/), then the bundle. The webview builds the rest, in
// the display language: its bundle goes into the page as a JSON block that src/webview/details/l10n.ts
// hands @vscode/l10n (a data block runs nothing, so the CSP needs no change).
import * as l10n from '@vscode/l10n';
import { randomBytes } from 'node:crypto';
import type * as vscode from 'vscode';

/** The display language and its translations (vscode.env.language, vscode.l10n.bundle; none in English). */
export interface PageWords {
  language: string;
  bundle?: Record<string, string>;
}

export function detailsHtml(webview: vscode.Webview, root: vscode.Uri, asUri: (root: vscode.Uri, file: string) => vscode.Uri, words: PageWords = { language: 'en' }): string {
  const nonce = randomBytes(18).toString('base64');
  const source = webview.cspSource;
  // Lit and the toolkit style their shadow roots with adopted (constructed) stylesheets, which the
  // style-src list does not govern; nothing needs 'unsafe-inline'.
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${source} 'nonce-${nonce}'`,
    `font-src ${source}`,
    `img-src ${source} data:`,
  ].join('; ');
  const file = (name: string) => webview.asWebviewUri(asUri(root, name)).toString();
  // "<" escaped, so no translation can end the block early (</script>).
  const bundle = words.bundle ? `<script type="application/json" id="regx-l10n">${JSON.stringify(words.bundle).replace(/</g, '\\u003c')}</script>\n` : '';
  const language = words.language.replace(/[^A-Za-z0-9-]/g, '') || 'en';
  return `<!DOCTYPE html>
<html lang="${language}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${file('codicon.css')}" nonce="${nonce}">
<link rel="stylesheet" href="${file('details.css')}" nonce="${nonce}">
<title>${escapeHtml(l10n.t('Image details'))}</title>
</head>
<body>
<main id="app" aria-label="${escapeHtml(l10n.t('Image details'))}"></main>
${bundle}<script nonce="${nonce}" src="${file('details.js')}"></script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
