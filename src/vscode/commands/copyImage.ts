// Copy Image: a tag or digest to another repository or registry, every platform of an index, without
// the engine. The manifest bytes are copied unchanged (same digest); on the same registry blobs are
// mounted instead of uploaded. Progress counts blobs and bytes; Cancel stops the transfers.
// When the image has referrers (signatures, SBOMs, attestations), it asks whether they come along.
import * as vscode from 'vscode';
import { copyImage as copyBetween, type CopyResult } from '../../distribution/copy';
import { formatBytes } from '../../docker/progress';
import { RefusedError } from '../../errors/errors';
import type { OperationsContext } from '../images/context';
import { askTag, revealRemote } from '../images/remote';
import { withCancellableProgress } from '../progress';
import { shortDigest } from '../tree/format';
import { imageTarget, pickRegistry, pickRepository, targetLabel, targetReference } from './pickers';

/** Scripted use (tests): the destination, and whether referrers come along, without asking. */
export interface CopyArgs {
  registry?: string;
  repository?: string;
  tag?: string;
  referrers?: boolean;
}

export async function copyImage(ctx: OperationsContext, arg?: unknown, _selected?: unknown, args: CopyArgs = {}): Promise<CopyResult | undefined> {
  const source = await imageTarget(ctx, arg, 'Copy an image');
  if (!source) return undefined;
  const reference = targetReference(source);
  const shown = targetLabel(source);

  const host = args.registry ?? (await pickRegistry(ctx, { title: vscode.l10n.t('Copy {0} to which registry?', shown), allowOther: true }));
  if (!host) return undefined;
  const repository = args.repository ?? (await pickRepository(ctx, host, `Copy ${shown} to ${host}`, { suggested: source.repository }));
  if (!repository) return undefined;
  const tag = args.tag ?? (await askTag(`Copy ${shown} to ${host}/${repository}`, 'Tag in the target repository', source.tag ?? 'latest'));
  if (!tag) return undefined;
  if (host === source.host && repository === source.repository && tag === source.tag) {
    throw new RefusedError(`${host}/${repository}:${tag} is the source itself; choose another repository or tag`);
  }

  const referrers = args.referrers ?? (await askReferrers(ctx, source.host, source.repository, reference, shown));
  if (referrers === undefined) return undefined;

  const target = `${host}/${repository}:${tag}`;
  let blobs = 0;
  let mounted = 0;
  let present = 0;
  let bytes = 0;
  const result = await withCancellableProgress(vscode.l10n.t('Copying {0} to {1}', shown, target), (report, signal) =>
    copyBetween({
      source: { client: ctx.service.client(source.host), repository: source.repository, reference },
      target: { client: ctx.service.client(host), repository, tag },
      signal,
      referrers,
      onProgress: (event) => {
        if (event.kind !== 'blob') return;
        blobs++;
        if (event.action === 'mounted') mounted++;
        else if (event.action === 'exists') present++;
        else bytes += event.size;
        const extra = [mounted ? `${mounted} mounted` : '', present ? `${present} already there` : ''].filter(Boolean).join(', ');
        report({ message: `${blobs} blobs${extra ? ` (${extra})` : ''} · ${formatBytes(bytes)} uploaded` });
      },
    }),
    { changes: true },
  );
  ctx.service.log.info(
    `copied ${source.host}/${source.repository}@${result.digest} to ${result.target}: ${result.blobsUploaded} uploaded, ${result.blobsMounted} mounted, ${result.blobsSkipped} present`,
  );
  await revealRemote(ctx, host, repository, tag).catch(() => undefined);
  const how = [`${result.blobsUploaded} blobs uploaded (${formatBytes(result.bytesUploaded)})`, result.blobsMounted ? `${result.blobsMounted} mounted` : '', result.blobsSkipped ? `${result.blobsSkipped} already there` : '']
    .filter(Boolean)
    .join(', ');
  const attached =
    result.referrersCopied === false
      ? 'Signatures and other referrers were not copied.'
      : `${result.referrersCopied} signature${result.referrersCopied === 1 ? '' : 's'}, SBOMs and other referrers came along.`;
  void vscode.window.showInformationMessage(vscode.l10n.t('Copied {0} to {1}, same digest {2}: {3}. {4}', shown, target, shortDigest(result.digest), how, attached));
  return result;
}

/**
 * Whether the image's signatures, SBOMs and attestations come along: asked only when it has some.
 * false when it has none (or they cannot be listed), undefined when the person dismissed the question.
 */
async function askReferrers(ctx: OperationsContext, host: string, repository: string, reference: string, shown: string): Promise<boolean | undefined> {
  const client = ctx.service.client(host);
  let count = 0;
  try {
    const head = await client.headManifest(repository, reference);
    if (head) count = (await client.referrers(repository, head.digest)).length;
  } catch (err) {
    ctx.service.log.info(`referrers of ${shown} could not be listed; copying the image only: ${String(err)}`);
    return false;
  }
  if (!count) return false;
  const items: (vscode.QuickPickItem & { referrers: boolean })[] = [
    { label: vscode.l10n.t('Copy with its {0} referrer{1}', count, count === 1 ? '' : 's'), description: vscode.l10n.t('signatures, SBOMs, attestations attached to it'), referrers: true },
    { label: vscode.l10n.t('Copy the image only'), referrers: false },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Copy {0}', shown), placeHolder: vscode.l10n.t('{0} has {1} referrer{2}', shown, count, count === 1 ? '' : 's') });
  return picked?.referrers;
}
