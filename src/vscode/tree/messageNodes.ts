// The rows of the Registries view that are not registry content: an error with the row that fixes it
// under it, and info messages ("No tags", "add one by name…"). Every kind of node can have them as
// children, so they live apart from any one kind.
import * as vscode from 'vscode';
import { contextValue } from './contextValues';
import { errorTreeItem } from './errorItem';
import { errorFix } from './errorFix';
import { hostOf, ids, type ErrorNode, type InfoNode, type NodeCache, type TreeNode } from './nodes';

const openRegistrySettings = { command: 'workbench.action.openSettings', title: vscode.l10n.t('Open Settings'), arguments: ['registryExplorer.registries'] };

/**
 * The error (its words from describeError) and, under it, the action that fixes it as its own row,
 * so "Sign in…" / "Retry" stay visible in a narrow side bar however long the message is.
 */
export function errorNodes(nodes: NodeCache, parent: ErrorNode['parent'], error: unknown): TreeNode[] {
  const node = errorNode(nodes, parent, error);
  const host = hostOf(parent);
  switch (node.fix) {
    case 'signIn':
      return [node, infoNode(nodes, parent, 'fix', vscode.l10n.t('Sign in…'), 'sign-in', { command: 'registryExplorer.login', title: vscode.l10n.t('Sign In…'), arguments: [node] }, host ? vscode.l10n.t('Sign in to {0}', host) : undefined)];
    case 'tlsSetting':
      return [node, infoNode(nodes, parent, 'fix', vscode.l10n.t('Set "skipTlsVerify" or "caFile" for this registry…'), 'settings-gear', openRegistrySettings, vscode.l10n.t('registryExplorer.registries: skipTlsVerify (test registries only) or caFile (the PEM of the CA that signed its certificate)'))];
    case 'httpSetting':
      return [node, infoNode(nodes, parent, 'fix', vscode.l10n.t('Set "allowHttp" for this registry…'), 'settings-gear', openRegistrySettings, vscode.l10n.t('registryExplorer.registries: allowHttp lets Registry Explorer talk plain HTTP to this registry'))];
    default:
      return [node, infoNode(nodes, parent, 'fix', vscode.l10n.t('Retry'), 'refresh', { command: 'registryExplorer.refresh', title: vscode.l10n.t('Retry'), arguments: [node] })];
  }
}

function errorNode(nodes: NodeCache, parent: ErrorNode['parent'], error: unknown): ErrorNode {
  const id = ids.error(parent.id);
  const node = nodes.cached<ErrorNode>(id, () => ({ kind: 'error', id, parent, error, fix: 'retry' }));
  node.error = error;
  node.fix = errorFix(error);
  return node;
}

export function infoNode(nodes: NodeCache, parent: TreeNode, what: string, message: string, icon: string, action?: InfoNode['action'], tooltip?: string): InfoNode {
  const id = ids.info(parent.id, what);
  const node = nodes.cached<InfoNode>(id, () => ({ kind: 'info', id, parent, message, icon }));
  Object.assign(node, { message, icon, action, tooltip });
  return node;
}

export function errorItem(node: ErrorNode): vscode.TreeItem {
  const item = errorTreeItem(node.id, node.error);
  // Clicking the message does what the action row under it does.
  if (node.fix === 'signIn') {
    item.command = { command: 'registryExplorer.login', title: vscode.l10n.t('Sign In…'), arguments: [node] };
    item.contextValue = contextValue('error', ['unauthorized', 'retry']);
  } else if (node.fix === 'tlsSetting' || node.fix === 'httpSetting') {
    item.command = openRegistrySettings;
    item.contextValue = contextValue('error', ['settings', 'retry']);
  } else {
    item.command = { command: 'registryExplorer.refresh', title: vscode.l10n.t('Retry'), arguments: [node] };
    item.contextValue = contextValue('error', ['retry']);
  }
  return item;
}

export function infoItem(node: InfoNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.message, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  item.iconPath = new vscode.ThemeIcon(node.icon);
  item.contextValue = contextValue('info');
  if (node.tooltip) item.tooltip = node.tooltip;
  if (node.action) item.command = node.action;
  return item;
}
