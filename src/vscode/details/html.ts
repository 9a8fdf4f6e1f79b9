// The Image Details page: a strict Content-Security-Policy (nothing but our own bundle, by nonce,
// and our own styles and font from dist/webview/), then the bundle. The webview builds the rest.
import { randomBytes } from 'node:crypto';
import type * as vscode from 'vscode';

export function detailsHtml(webview: vscode.Webview, root: vscode.Uri, asUri: (root: vscode.Uri, file: string) => vscode.Uri): string {
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
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${file('codicon.css')}" nonce="${nonce}">
<link rel="stylesheet" href="${file('details.css')}" nonce="${nonce}">
<title>Image details</title>
</head>
<body>
<main id="app" aria-label="Image details"></main>
<script nonce="${nonce}" src="${file('details.js')}"></script>
</body>
</html>`;
}
