// describeError, the one way in to the error words (./words.ts). The words are a sixth of the
// extension's code and are needed only once something has failed, so the extension keeps them in a
// bundle of their own (dist/errorWords.js, scripts/bundles.mjs), required on the first error it
// describes; that bundle takes the error classes and @vscode/l10n from the main bundle, so
// `instanceof` sees the same classes and the words the display language's bundle. regx's bundle and
// the compiled tests resolve the require as an ordinary module.
/* eslint-disable @typescript-eslint/no-require-imports */

let words: typeof import('./words') | undefined;

export function describeError(err: unknown): string {
  words ??= require('./words') as typeof import('./words');
  return words.describeError(err);
}
