// Tag Image: give a local image another name (repository:tag), checked as it is typed with the same
// grammar the engine uses. From a Local Images node or the palette (pick an image).
import * as vscode from 'vscode';
import { splitEngineRef } from '../../docker/engine';
import { InvalidInputError } from '../../errors/errors';
import type { OperationsContext } from '../images/context';
import { isImageNode, localReference, UNTAGGED, type LocalImageNode } from '../images/nodes';
import { validate } from './pickers';

export async function tag(ctx: OperationsContext, arg?: unknown, _selected?: unknown, newName?: string): Promise<string | undefined> {
  const source = isImageNode(arg) && arg.kind === 'localImage' ? arg : await pickLocalImage(ctx, 'Tag a local image');
  if (!source) return undefined;
  const prefix = source.repository.name === UNTAGGED ? '' : `${source.repository.name}:`;
  const target =
    newName ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t('Tag {0}', localReference(source)),
      prompt: vscode.l10n.t('New name: [registry/]repository:tag'),
      value: prefix,
      valueSelection: [prefix.length, prefix.length],
      ignoreFocusOut: true,
      validateInput: (v) => validate(() => checkTarget(v)),
    }));
  if (!target) return undefined;
  const name = checkTarget(target);
  await ctx.engines.engine().tagImage(source.image.id, name);
  await ctx.images.refresh();
  const node = await ctx.images.find(name);
  if (node) await ctx.imagesView.reveal(node, { select: true, focus: false });
  return name;
}

function checkTarget(text: string): string {
  const name = text.trim();
  const ref = splitEngineRef(name);
  if (ref.digest) throw new InvalidInputError('reference', name, 'a tag cannot carry a digest');
  if (!ref.tag) throw new InvalidInputError('reference', name, 'add a tag after ":" (e.g. :1.0)');
  return name;
}

/** A local image picked from the engine's list, for commands run from the palette. */
export async function pickLocalImage(ctx: OperationsContext, title: string): Promise<LocalImageNode | undefined> {
  const nodes = await ctx.images.allImageNodes();
  if (nodes.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No local images in the Docker engine at {0}.', ctx.engines.endpointText() ?? 'the configured address'));
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    nodes.map((node) => ({ label: localReference(node), description: node.image.id.slice(7, 19), node, iconPath: new vscode.ThemeIcon(node.tag ? 'tag' : 'symbol-number') })),
    { title, placeHolder: vscode.l10n.t('Local image') },
  );
  return picked?.node;
}
