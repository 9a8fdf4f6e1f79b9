// How a failed command reaches the person, the same for every command: the log gets the command id
// and describeError's words; the person gets the same words in an error message, with a button for
// the action that fixes it when there is one. A cancellation stays silent.
import * as vscode from 'vscode';
import { describeError } from '../../errors/describe';
import { CancelledError } from '../../errors/errors';
import type { CommandContext } from './context';

export interface ErrorAction {
  title: string;
  command: string;
  arguments?: unknown[];
}

export function reportError(ctx: CommandContext, commandId: string, error: unknown, action?: ErrorAction): void {
  if (error instanceof CancelledError) return;
  const message = describeError(error);
  ctx.service.log.error(`${commandId}: ${message}`);
  if (!action) {
    void vscode.window.showErrorMessage(message);
    return;
  }
  void vscode.window.showErrorMessage(message, action.title).then((choice) => {
    if (choice) void vscode.commands.executeCommand(action.command, ...(action.arguments ?? []));
  });
}
