// Retag (remote): add a tag to an image on the registry itself, without pulling — the manifest's
// exact bytes are PUT under the new tag, so the digest is the same. From a tag or platform node, or
// the palette. A new tag that already names another image is only moved after a modal says so.
import * as vscode from 'vscode';
import { shortDigest } from '../tree/format';
import { retag as retagOnRegistry } from '../../distribution/tagging';
import type { OperationsContext } from '../images/context';
import { askTag, revealRemote } from '../images/remote';
import { withProgress } from '../progress';
import { imageTarget, targetLabel, targetReference } from './pickers';

export interface RetagOutcome {
  host: string;
  repository: string;
  tag: string;
  digest: string;
}

export async function retag(ctx: OperationsContext, arg?: unknown, _selected?: unknown, newTag?: string): Promise<RetagOutcome | undefined> {
  const source = await imageTarget(ctx, arg, 'Add a tag on the registry');
  if (!source) return undefined;
  // A platform node retags that platform's manifest; a tag node the tag's (index or image).
  const reference = targetReference(source);
  const shown = targetLabel(source);
  const tag = newTag ?? (await askTag(`Add a tag to ${shown}`, `New tag in ${source.host}/${source.repository} (same image, same digest; nothing is pulled)`, ''));
  if (!tag) return undefined;
  const client = ctx.service.client(source.host);

  const [existing, wanted] = await withProgress(vscode.l10n.t('Checking {0}:{1}', source.repository, tag), () =>
    Promise.all([client.headManifest(source.repository, tag), client.headManifest(source.repository, reference)]),
  );
  if (existing && wanted && existing.digest === wanted.digest) {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0}:{1} already names this image ({2}).', source.repository, tag, wanted.digest));
    return { host: source.host, repository: source.repository, tag, digest: wanted.digest };
  }
  if (existing && newTag === undefined) {
    const move = 'Move Tag';
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('{0}:{1} already exists on {2}. Move it to this image?', source.repository, tag, source.host),
      { modal: true, detail: vscode.l10n.t('It now names {0}; afterwards it names {1}. The image it names now keeps its other tags.', existing.digest, wanted?.digest ?? reference) },
      move,
    );
    if (choice !== move) return undefined;
  }

  const digest = await withProgress(vscode.l10n.t('Tagging {0} as {1}', shown, tag), () => retagOnRegistry(client, source.repository, reference, tag), { changes: true });
  ctx.service.log.info(`retagged ${source.host}/${source.repository}@${digest} as ${tag}`);
  await revealRemote(ctx, source.host, source.repository, tag).catch(() => undefined);
  vscode.window.setStatusBarMessage(`$(tag) ${source.repository}:${tag} → ${shortDigest(digest)}`, 5000);
  return { host: source.host, repository: source.repository, tag, digest };
}
