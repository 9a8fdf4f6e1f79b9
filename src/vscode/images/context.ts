// What the image-operation commands get on top of the Registries commands' context: the engine, the
// Local Images view and its provider. Created once in extension.ts.
import type * as vscode from 'vscode';
import type { CommandContext, CommandHandler } from '../commands/context';
import type { EngineService } from './engineService';
import type { LocalImagesProvider } from './localImagesProvider';
import type { ImageNode } from './nodes';

export interface OperationsContext extends CommandContext {
  engines: EngineService;
  images: LocalImagesProvider;
  imagesView: vscode.TreeView<ImageNode>;
}

export type OperationHandler = CommandHandler<OperationsContext>;
