// Placeholder until the editor adapter lands (issue 4): activation wires services, tree and commands.
import type * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {}

export function deactivate(): void {}
