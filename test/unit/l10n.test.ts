// Nothing the editor shows is left out of localisation: describeError's sentences go through @vscode/l10n,
// and in src/vscode every message, progress title, quick-pick item label and description,
// input prompt, quick-pick title, placeholder and detail, and every tree row's description and
// tooltip given as text goes through vscode.l10n.t (so it lands in l10n/bundle.l10n.json), and the
// bundles are current: the exported English one and the pseudo-locale (qps-ploc) made from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const root = path.join(__dirname, '..', '..', '..');
const SHOWN_PROPERTIES = new Set(['title', 'prompt', 'placeHolder', 'detail', 'label', 'description']);
const SHOWN_ASSIGNMENTS = new Set(['description', 'tooltip', 'label']);
const SHOWING_CALLS = /(^|\.)(show(Information|Warning|Error)Message|withCancellableProgress|withProgress)$/;

function sources(dir: string): string[] {
  return fs.readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return fs.statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Text in a shown position, given as a literal rather than through vscode.l10n.t. */
function unlocalised(file: string): string[] {
  const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const words = (n: ts.Node): boolean => {
    if (ts.isParenthesizedExpression(n)) return words(n.expression);
    if (ts.isConditionalExpression(n)) return words(n.whenTrue) || words(n.whenFalse);
    if (!(ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateExpression(n))) return false;
    const text = ts.isTemplateExpression(n) ? n.head.text + n.templateSpans.map((s) => s.literal.text).join(' ') : n.text;
    return /[A-Za-z]{2}/.test(text);
  };
  const flag = (n: ts.Node) => found.push(`${path.relative(root, file)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}: ${n.getText(sf).slice(0, 70)}`);
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && SHOWING_CALLS.test(node.expression.getText(sf)) && node.arguments[0] && words(node.arguments[0])) flag(node.arguments[0]);
    else if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && SHOWN_PROPERTIES.has(node.name.text) && words(node.initializer)) flag(node.initializer);
    else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left) && SHOWN_ASSIGNMENTS.has(node.left.name.text) && words(node.right)) flag(node.right);
    // `const title = '…'`, later given as { title }.
    else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && SHOWN_PROPERTIES.has(node.name.text) && node.initializer && words(node.initializer)) flag(node.initializer);
    // What an input box's validateInput returns is shown under the box: every sentence in it.
    else if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && node.name.text === 'validateInput') flagSentences(node.initializer);
    ts.forEachChild(node, visit);
  };
  const flagSentences = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && /(^|\.)l10n\.t$/.test(n.expression.getText(sf))) return;
    if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && /[A-Za-z]{2}/.test(n.text) && /\s/.test(n.text)) flag(n);
    ts.forEachChild(n, flagSentences);
  };
  visit(sf);
  return found;
}

test('every message, prompt, title, placeholder, validation message, description and tooltip in src/vscode goes through vscode.l10n.t', () => {
  assert.deepEqual(sources(path.join(root, 'src', 'vscode')).flatMap(unlocalised), []);
});

// Tree rows and the status bar are built from parts (a tag's digest · size · age, a registry's host ·
// "signed in", a tooltip's "Size: 12 MB" lines, the fix rows under an error), and so is the Image Details
// webview's page: every word of them, wherever it is assembled, goes through l10n.t (vscode.l10n.t, or
// @vscode/l10n where the code is pure or runs in the webview, which gets the same bundle). Any literal
// outside an l10n.t call that reads as words (has a space, or starts with a capitalised word) is
// flagged, and so is the text of an html`` template (what is left between its tags) and a static
// aria-label, label, title or placeholder in one. Ids (command and setting ids, icons, contextValue
// tokens, tab ids) have no spaces; a literal compared against (=== or a case) is an id; output channel
// lines are not shown words.
const WORD_BUILDERS = [
  path.join('src', 'vscode', 'tree'),
  path.join('src', 'vscode', 'images'),
  path.join('src', 'vscode', 'rateLimitStatus.ts'),
  path.join('src', 'vscode', 'vulnerabilityReport.ts'),
  path.join('src', 'webview', 'details'),
];
const LOGGING_CALLS = /(^|\.)(log|console)\.(trace|debug|info|warn|error|appendLine|append)$/;
const SHOWN_ATTRIBUTES = /\b(aria-label|label|title|placeholder)="[^"]*[A-Za-z]{2}/;

function wordsOutsideL10n(file: string): string[] {
  const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const flag = (node: ts.Node) => found.push(`${path.relative(root, file)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${node.getText(sf).slice(0, 70)}`);
  const readsAsWords = (text: string) => /[A-Za-z]{2}/.test(text) && (/\s/.test(text) || /^\W*[A-Z][\w/]*[a-z]/.test(text));
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return;
    if (ts.isCallExpression(node) && (/(^|\.)l10n\.t$/.test(node.expression.getText(sf)) || LOGGING_CALLS.test(node.expression.getText(sf)))) return;
    if (ts.isBinaryExpression(node) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(node.operatorToken.kind)) return;
    if (ts.isCaseClause(node)) return node.statements.forEach(visit);
    if (ts.isTaggedTemplateExpression(node) && node.tag.getText(sf) === 'html') {
      const t = node.template;
      const markup = ts.isNoSubstitutionTemplateLiteral(t) ? t.text : [t.head.text, ...t.templateSpans.map((s) => s.literal.text)].join('\u0001');
      const text = markup.replace(/<[^>]*>/g, ' ').replace(/&[a-z]+;/g, ' ');
      if (/[A-Za-z]{2}/.test(text) || SHOWN_ATTRIBUTES.test(markup)) flag(node);
      if (!ts.isNoSubstitutionTemplateLiteral(t)) t.templateSpans.forEach((s) => visit(s.expression));
      return;
    }
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) {
      // A template reads with the literal words it splices in (`${n} ${n === 1 ? 'tag' : 'tags'}`).
      const spliced = (e: ts.Expression): string =>
        ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) ? e.text : ts.isConditionalExpression(e) ? spliced(e.whenTrue) || spliced(e.whenFalse) : ts.isParenthesizedExpression(e) ? spliced(e.expression) : '';
      const text = (ts.isTemplateExpression(node) ? [node.head.text, ...node.templateSpans.map((s) => spliced(s.expression) + s.literal.text)].join('') : node.text).replace(/\$\([a-z0-9-~]+\)/g, '');
      if (readsAsWords(text)) flag(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

test('every word of a tree row (label, description, tooltip, fix row), of the status bar and of the Image Details page goes through l10n.t, however it is assembled', () => {
  const files = WORD_BUILDERS.flatMap((p) => (p.endsWith('.ts') ? [path.join(root, p)] : sources(path.join(root, p))));
  assert.deepEqual(files.flatMap(wordsOutsideL10n), []);
});

/** The sentences describeError returns (a returned or declared phrase) given as a literal rather than through l10n.t. */
function unlocalisedSentences(file: string): string[] {
  const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const phrase = (n: ts.Node): boolean => {
    if (!(ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateExpression(n))) return false;
    const text = ts.isTemplateExpression(n) ? n.head.text + n.templateSpans.map((s) => ` ${s.literal.text}`).join('') : n.text;
    return /[A-Za-z]{2,}\s+[A-Za-z]/.test(text) && !/[{}]/.test(text);
  };
  const returned = (e: ts.Expression | undefined): void => {
    if (!e) return;
    if (ts.isParenthesizedExpression(e)) return returned(e.expression);
    if (ts.isConditionalExpression(e)) {
      returned(e.whenTrue);
      returned(e.whenFalse);
    } else if (phrase(e)) {
      found.push(`${path.relative(root, file)}:${sf.getLineAndCharacterOfPosition(e.getStart()).line + 1}: ${e.getText(sf).slice(0, 70)}`);
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isReturnStatement(node)) returned(node.expression);
    else if (ts.isVariableDeclaration(node) && node.initializer) returned(node.initializer);
    else if (ts.isArrowFunction(node) && !ts.isBlock(node.body)) returned(node.body);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

test('every sentence describeError returns goes through @vscode/l10n', () => {
  assert.deepEqual(unlocalisedSentences(path.join(root, 'src', 'errors', 'words.ts')), []);
});

test('l10n/bundle.l10n.json holds every vscode.l10n.t string, and the pseudo-locale bundles are current', () => {
  const out = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'regx-l10n-'));
  const cli = path.join(root, 'node_modules', '@vscode', 'l10n-dev', 'dist', 'cli.js');
  const exported = spawnSync(process.execPath, [cli, 'export', '--outDir', out, path.join(root, 'src', 'vscode'), path.join(root, 'src', 'errors'), path.join(root, 'src', 'webview')], { encoding: 'utf8' });
  assert.equal(exported.status, 0, exported.stderr);
  const fresh = JSON.parse(fs.readFileSync(path.join(out, 'bundle.l10n.json'), 'utf8')) as Record<string, string>;
  const committed = JSON.parse(fs.readFileSync(path.join(root, 'l10n', 'bundle.l10n.json'), 'utf8')) as Record<string, string>;
  assert.deepEqual(Object.keys(committed).sort(), Object.keys(fresh).sort(), 'run npm run l10n to export the strings again');
  fs.rmSync(out, { recursive: true, force: true });
  const check = spawnSync(process.execPath, [path.join(root, 'scripts', 'pseudo-locale.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
});

test('the pseudo-locale bundle loads and answers the same keys vscode.l10n.t asks with (@vscode/l10n reads the bundle format VS Code does)', async () => {
  const l10n = await import('@vscode/l10n');
  const bundle = JSON.parse(fs.readFileSync(path.join(root, 'l10n', 'bundle.l10n.qps-ploc.json'), 'utf8')) as Record<string, string>;
  l10n.config({ contents: bundle });
  try {
    assert.equal(l10n.t('Pushing {0}', 'team/app:1.0'), bundle['Pushing {0}'].replace('{0}', 'team/app:1.0'));
    assert.match(l10n.t('Pushing {0}', 'team/app:1.0'), /^⟦Þûšĥîñĝ team\/app:1\.0⟧$/);
    // A string without a translation falls back to English, as VS Code does.
    assert.equal(l10n.t('not in any bundle {0}', 1), 'not in any bundle 1');
  } finally {
    l10n.config({ contents: {} });
  }
});
