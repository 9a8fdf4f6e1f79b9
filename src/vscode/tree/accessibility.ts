// What a screen reader says for a tree row: what the row is ("Tag", "Repository"), its label, and its
// description with the visual shorthand spelled out — "·" separators become pauses, a severity badge
// "C1 H2" becomes "1 critical, 2 high", codicons are dropped. Set on every row both views draw.
import * as l10n from '@vscode/l10n';
import type * as vscode from 'vscode';
import type { Severity } from '../../registries';
import { SEVERITY_COUNT } from './scans';

const SEVERITY_LETTERS: Record<string, Severity> = { C: 'critical', H: 'high', M: 'medium', L: 'low', N: 'negligible', U: 'unknown' };

function plain(text: string | vscode.TreeItemLabel | vscode.MarkdownString | boolean | undefined): string {
  if (text === undefined || typeof text === 'boolean') return '';
  const value = typeof text === 'string' ? text : 'label' in text ? text.label : text.value;
  return value.replace(/\$\([a-z0-9-~]+\)\s*/gi, '').trim();
}

/** "C1 H2 M0" → "1 critical, 2 high, 0 medium vulnerabilities"; anything else is left as it is. */
export function spokenBadges(text: string): string {
  return text.replace(/\b(?:[CHMLNU]\d+)(?:\s+[CHMLNU]\d+)*\b/g, (badge) => {
    const parts = badge.split(/\s+/).map((p) => SEVERITY_COUNT[SEVERITY_LETTERS[p[0]!]!](p.slice(1)));
    return l10n.t('{0} vulnerabilities', parts.join(', '));
  });
}

/** The words for a row: "Tag 1.0, a1b2c3d4, 12 MB, 3 days ago"; `what` is the row's kind in words (l10n.t('Tag {0}')). */
export function accessibleLabel(what: ((label: string) => string) | undefined, item: vscode.TreeItem): string {
  const label = plain(item.label);
  const description = spokenBadges(plain(item.description).replace(/\s*·\s*/g, ', '));
  return [what ? what(label) : label, description].filter(Boolean).join(', ');
}

/** Sets the row's accessibility label (keeping one a builder set itself) and returns the item. */
export function withAccessibleLabel(what: ((label: string) => string) | undefined, item: vscode.TreeItem): vscode.TreeItem {
  if (!item.accessibilityInformation) item.accessibilityInformation = { label: accessibleLabel(what, item) };
  return item;
}
