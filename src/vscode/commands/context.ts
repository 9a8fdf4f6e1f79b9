// What every command handler gets: the services and the tree, created once in extension.ts.
import type * as vscode from 'vscode';
import type { ImageDetailsPanels } from '../details/imageDetailsPanels';
import type { InspectDocuments } from '../inspectDocuments';
import type { DockerHubRateLimit } from '../rateLimitStatus';
import type { RegistryService } from '../registryService';
import type { ScanDocuments } from '../scanDocuments';
import type { TreeNode } from '../tree/nodes';
import type { RegistriesTreeProvider } from '../tree/registriesProvider';

export interface CommandContext {
  service: RegistryService;
  tree: RegistriesTreeProvider;
  view: vscode.TreeView<TreeNode>;
  inspect: InspectDocuments;
  /** Show Image Details' panels. */
  details: ImageDetailsPanels;
  /** Show Vulnerabilities' documents. */
  scans: ScanDocuments;
  /** Docker Hub's pull rate limit in the status bar. */
  rateLimit?: DockerHubRateLimit;
}

/**
 * A command handler: the first argument is the tree node (menus) or absent (palette). `C` is the
 * context it needs (the image operations take a wider one).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- arguments come from VS Code untyped; each handler checks its own
export type CommandHandler<C extends CommandContext = CommandContext> = (ctx: C, ...args: any[]) => unknown;
