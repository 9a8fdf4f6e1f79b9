// What a screen reader hears for a tree row (src/vscode/tree/accessibility.ts): the row's kind, its
// label and its description with the visual shorthand spelled out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { accessibleLabel, spokenBadges, withAccessibleLabel } from '../../src/vscode/tree/accessibility';

test('severity badges are spelled out; other text is left alone', () => {
  assert.equal(spokenBadges('C1 H2 M2 L1'), '1 critical, 2 high, 2 medium, 1 low vulnerabilities');
  assert.equal(spokenBadges('a1b2c3d4, 12 MB, H3'), 'a1b2c3d4, 12 MB, 3 high vulnerabilities');
  assert.equal(spokenBadges('no findings'), 'no findings');
  assert.equal(spokenBadges('linux/amd64'), 'linux/amd64');
});

test('a row reads as its kind, label and description; codicons and separators are not read out', () => {
  const tag = { label: '1.0', description: 'a1b2c3d4 · 12 MB · 3 days ago · C1 H2' } as vscode.TreeItem;
  assert.equal(accessibleLabel((label) => `Tag ${label}`, tag), 'Tag 1.0, a1b2c3d4, 12 MB, 3 days ago, 1 critical, 2 high vulnerabilities');
  const more = { label: { label: '$(ellipsis) Load more…' }, description: '100 tags loaded' } as vscode.TreeItem;
  assert.equal(accessibleLabel(undefined, more), 'Load more…, 100 tags loaded');
  // A builder that set its own words keeps them.
  const own = { label: 'x', accessibilityInformation: { label: 'custom words' } } as vscode.TreeItem;
  assert.equal(withAccessibleLabel((label) => `Tag ${label}`, own).accessibilityInformation?.label, 'custom words');
});
