// Every command of the Registries view, by id. Each handler lives in its own file and takes the
// tree node as its first argument (menus) or nothing (palette, where it asks).
import * as vscode from 'vscode';
import { addRepository } from './addRepository';
import { checkRateLimit } from './checkRateLimit';
import { clearFilter } from './clearFilter';
import { connectRegistry } from './connectRegistry';
import type { CommandContext, CommandHandler } from './context';
import { createRepository } from './createRepository';
import { deleteRepository } from './deleteRepository';
import { editDescription } from './editDescription';
import { copyDigest } from './copyDigest';
import { copyPullCommand } from './copyPullCommand';
import { copyReference } from './copyReference';
import { disconnectRegistry } from './disconnectRegistry';
import { filter } from './filter';
import { inspect } from './inspect';
import { loadMore } from './loadMore';
import { login } from './login';
import { logout } from './logout';
import { refresh } from './refresh';
import { reportError } from './reportError';
import { scanNow } from './scanNow';
import { showImageDetails } from './showImageDetails';
import { showVulnerabilities } from './showVulnerabilities';
import { useDockerLogins } from './useDockerLogins';

const handlers: Record<string, CommandHandler> = {
  'registryExplorer.connectRegistry': connectRegistry,
  'registryExplorer.disconnectRegistry': disconnectRegistry,
  'registryExplorer.login': login,
  'registryExplorer.logout': logout,
  'registryExplorer.refresh': refresh,
  'registryExplorer.loadMore': loadMore,
  'registryExplorer.filter': filter,
  'registryExplorer.clearFilter': clearFilter,
  'registryExplorer.addRepository': addRepository,
  'registryExplorer.useDockerLogins': useDockerLogins,
  'registryExplorer.inspect': inspect,
  'registryExplorer.showImageDetails': showImageDetails,
  'registryExplorer.copyReference': copyReference,
  'registryExplorer.copyDigest': copyDigest,
  'registryExplorer.copyPullCommand': copyPullCommand,
  'registryExplorer.checkRateLimit': checkRateLimit,
  'registryExplorer.showVulnerabilities': showVulnerabilities,
  'registryExplorer.scanNow': scanNow,
  'registryExplorer.createRepository': createRepository,
  'registryExplorer.deleteRepository': deleteRepository,
  'registryExplorer.editDescription': editDescription,
};

/**
 * `extra`: more handlers on a wider context (the image operations, src/vscode/images/operations.ts),
 * registered with the same error handling.
 */
export function registerCommands<C extends CommandContext>(ctx: C, extra: Record<string, CommandHandler<C>> = {}): vscode.Disposable[] {
  return Object.entries({ ...handlers, ...extra }).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        // Multi-select views pass (node, selectedNodes) from menus; these commands act on one node.
        if (id in handlers && Array.isArray(args[1])) args.splice(1, 1);
        return await handler(ctx, ...args);
      } catch (error) {
        // Commands are user-initiated, so a failure is a message (cancellation stays silent).
        reportError(ctx, id, error);
        return undefined;
      }
    }),
  );
}
