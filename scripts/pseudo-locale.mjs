// Writes the pseudo-locale (qps-ploc) bundle from package.nls.json: every string with its letters
// accented and wrapped in ⟦ ⟧, so a string that was never localised stands out in plain ASCII, and a
// cut-off one loses its closing bracket. What must stay as it is stays: placeholders ({0}, ${…}),
// code spans, link targets (command: URIs), setting ids. `node scripts/pseudo-locale.mjs --check`
// fails when the committed bundle is out of date (the unit tier runs it).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ACCENTS = Object.fromEntries(
  [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((c, i) => [c, [...'àƀçđéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÀƁÇĐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ'][i]]),
);
// Kept verbatim: code spans, link targets, placeholders, dotted ids (registryExplorer.pageSize), URLs.
const KEEP = /(`[^`]*`|\]\([^)]*\)|\$\{[^}]*\}|\{\d+\}|\$\([a-z0-9-]+\)|https?:\/\/\S+|\b[a-zA-Z]+(?:\.[a-zA-Z][\w-]*)+\b)/g;

export function pseudo(text) {
  return `⟦${text
    .split(KEEP)
    .map((part, i) => (i % 2 === 1 ? part : [...part].map((c) => ACCENTS[c] ?? c).join('')))
    .join('')}⟧`;
}

export function pseudoBundle(source) {
  return Object.fromEntries(Object.entries(source).map(([k, v]) => [k, pseudo(v)]));
}

const pairs = [[path.join(repo, 'package.nls.json'), path.join(repo, 'package.nls.qps-ploc.json')]];
if (fs.existsSync(path.join(repo, 'l10n', 'bundle.l10n.json'))) {
  pairs.push([path.join(repo, 'l10n', 'bundle.l10n.json'), path.join(repo, 'l10n', 'bundle.l10n.qps-ploc.json')]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [from, to] of pairs) {
    const text = `${JSON.stringify(pseudoBundle(JSON.parse(fs.readFileSync(from, 'utf8'))), null, 2)}\n`;
    if (check) {
      if (!fs.existsSync(to) || fs.readFileSync(to, 'utf8') !== text) {
        console.error(`${path.relative(repo, to)} is out of date: run node scripts/pseudo-locale.mjs`);
        stale++;
      }
    } else {
      fs.writeFileSync(to, text);
      console.log(`wrote ${path.relative(repo, to)}`);
    }
  }
  process.exit(stale ? 1 : 0);
}
