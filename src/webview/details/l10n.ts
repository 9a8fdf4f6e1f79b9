// The page's words: the extension writes the display language's bundle (vscode.l10n.bundle, the same
// l10n/bundle.l10n.<locale>.json the editor uses) into the page as a JSON block (src/vscode/details/html.ts),
// since a webview cannot call vscode.l10n itself. Imported before anything else of the page, so every
// l10n.t call, even one made while a module loads, finds it; without a block (English) l10n.t answers
// with the English text it is given.
import * as l10n from '@vscode/l10n';

export const L10N_ELEMENT_ID = 'regx-l10n';

const block = document.getElementById(L10N_ELEMENT_ID)?.textContent;
if (block) l10n.config({ contents: JSON.parse(block) as Record<string, string> });
