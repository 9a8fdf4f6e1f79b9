// The image-operation commands by id (Local Images view, and tag/pull/copy/delete on the Registries
// view). commands/index.ts registers them next to the Registries view's own commands, with the same
// error handling.
import { buildAndPush } from '../commands/buildAndPush';
import { buildImage } from '../commands/buildImage';
import { copyImage } from '../commands/copyImage';
import { deleteImages } from '../commands/delete';
import { pull } from '../commands/pull';
import { push } from '../commands/push';
import { refreshImages } from '../commands/refreshImages';
import { retag } from '../commands/retag';
import { search } from '../commands/search';
import { tag } from '../commands/tag';
import type { OperationHandler } from './context';

export const operationHandlers: Record<string, OperationHandler> = {
  'registryExplorer.pull': pull,
  'registryExplorer.push': push,
  'registryExplorer.tag': tag,
  'registryExplorer.retag': retag,
  'registryExplorer.copyImage': copyImage,
  'registryExplorer.delete': deleteImages,
  'registryExplorer.search': search,
  'registryExplorer.refreshImages': refreshImages,
  'registryExplorer.buildImage': buildImage,
  'registryExplorer.buildAndPush': buildAndPush,
};
