// A language pack for the pseudo-locale qps-ploc, made at test time for the UI tier and never shipped,
// so that code-server can be switched to a second display language and the extension's own qps-ploc
// bundles (package.nls.qps-ploc.json, l10n/bundle.l10n.qps-ploc.json) are what it shows.
//
// How VS Code 1.100 / code-server 4.100 picks the display language (read in its server-main.js):
// the page's locale is `--locale`, else argv.json's "locale" (User/argv.json, the file Configure Display
// Language writes, read again on every page load), else English. A locale other than English is used only
// when <user-data-dir>/languagepacks.json names an installed pack for it whose "vscode" translations file
// exists; otherwise the workbench, and with it the extension host (vscode.env.language,
// vscode.l10n.bundle, package.nls.<locale>.json), falls back to English. That file is written by the
// language-pack service when the running workbench installs a pack; neither `--install-extension` nor a
// folder in the extensions dir writes it, so this writes it as that service would (hash = md5 of each
// extension id and version). The pack's core translations are empty: VS Code's own words stay English,
// ours are the only pseudo-localised ones on the screen.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const PSEUDO_LOCALE = 'qps-ploc';
const PACK = { publisher: 'regx-test', name: 'pseudo-language-pack', version: '0.0.1' };

/** Puts the pack into `extensionsDir` (before code-server starts, which registers it) and records it in languagepacks.json. */
export function installPseudoLanguagePack(extensionsDir: string, userDataDir: string): void {
  const id = `${PACK.publisher}.${PACK.name}`;
  const dir = path.join(extensionsDir, `${id}-${PACK.version}`);
  const translations = path.join(dir, 'translations', 'main.i18n.json');
  fs.mkdirSync(path.dirname(translations), { recursive: true });
  fs.writeFileSync(translations, JSON.stringify({ version: '1.0.0', contents: {} }));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    ...PACK,
    displayName: 'Pseudo-locale language pack (UI tests only)',
    engines: { vscode: '^1.90.0' },
    categories: ['Language Packs'],
    contributes: {
      localizations: [{ languageId: PSEUDO_LOCALE, languageName: 'Pseudo', localizedLanguageName: 'Pseudo', translations: [{ id: 'vscode', path: './translations/main.i18n.json' }] }],
    },
  }, null, 2));
  fs.mkdirSync(userDataDir, { recursive: true });
  const hash = createHash('md5').update(id).update(PACK.version).digest('hex');
  fs.writeFileSync(path.join(userDataDir, 'languagepacks.json'), JSON.stringify({
    [PSEUDO_LOCALE]: { hash, extensions: [{ extensionIdentifier: { id }, version: PACK.version }], translations: { vscode: translations }, label: 'Pseudo' },
  }));
}
