// The row an error is shown as, in either view: describeError's words as label and tooltip (the label
// may be cut off in a narrow side bar), the error icon in the theme's error colour. The caller adds
// the contextValue and the click action that fixes it.
import * as vscode from 'vscode';
import { describeError } from '../../errors/describe';

export function errorTreeItem(id: string, error: unknown): vscode.TreeItem {
  const message = describeError(error);
  const item = new vscode.TreeItem(message, vscode.TreeItemCollapsibleState.None);
  item.id = id;
  item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
  item.tooltip = message;
  return item;
}
