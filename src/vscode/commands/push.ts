// Push Image: a local image to a connected registry. Asks for the registry (the ones in the view),
// the repository (the local name first, then the registry's own), and the tag (the local one first).
// When the local name is not already that target, the image is tagged with it first, as `docker push`
// needs. Progress shows layers and bytes; Cancel stops the engine's push. Afterwards the pushed tag is
// selected in the Registries view.
import * as vscode from 'vscode';
import { splitEngineRef, type PushResult } from '../../docker/engine';
import { EngineError } from '../../errors/errors';
import { describeError } from '../../errors/describe';
import type { OperationsContext } from '../images/context';
import { isImageNode, localReference, UNTAGGED, type LocalImageNode } from '../images/nodes';
import { askTag, engineReference, revealRemote } from '../images/remote';
import { withCancellableProgress } from '../progress';
import { pickLocalImage } from './tag';
import { pickRegistry, pickRepository } from './pickers';
import { progressText } from './pull';
import { reportError } from './reportError';

/** Scripted use (tests): where to push without asking. */
export interface PushArgs {
  registry?: string;
  repository?: string;
  tag?: string;
}

export interface PushOutcome extends PushResult {
  host: string;
  repository: string;
  tag: string;
  /** The local tag added so the push had the right name, if one was needed. */
  taggedAs?: string;
}

export async function push(ctx: OperationsContext, arg?: unknown, _selected?: unknown, args: PushArgs = {}): Promise<PushOutcome | undefined> {
  const source = isImageNode(arg) && arg.kind === 'localImage' ? arg : await pickLocalImage(ctx, 'Push an image to a registry');
  if (!source) return undefined;
  const title = vscode.l10n.t('Push {0}', localReference(source));

  const host = args.registry ?? (await pickRegistry(ctx, { title: vscode.l10n.t('{0}: to which registry?', title), allowOther: true }));
  if (!host) return undefined;
  const repository = args.repository ?? (await pickRepository(ctx, host, `${title} to ${host}`, { suggested: suggestedRepository(source) }));
  if (!repository) return undefined;
  const tag = args.tag ?? (await askTag(`${title} to ${host}/${repository}`, 'Tag to push as', source.tag ?? 'latest'));
  if (!tag) return undefined;

  const target = engineReference(host, repository, { tag });
  splitEngineRef(target);
  const engine = ctx.engines.engine();
  // The engine pushes by name: give the image the target name when it does not have it yet.
  const hasName = source.image.repoTags.includes(target);
  if (!hasName) await engine.tagImage(source.image.id, target);

  let result: PushResult;
  try {
    result = await withCancellableProgress(vscode.l10n.t('Pushing {0}', target), (report, signal) =>
      engine.pushImage(target, { signal, onProgress: (p) => report({ percent: p.percent, message: progressText(p) }) }),
      { changes: true },
    );
  } catch (error) {
    if (!hasName) void ctx.images.refresh();
    if (error instanceof EngineError && error.reason === 'auth') {
      // The engine's words, then the way out: sign in here and push again.
      reportError(ctx, 'registryExplorer.push', error, { title: vscode.l10n.t('Sign In…'), command: 'registryExplorer.login', arguments: [host] });
      return undefined;
    }
    throw error;
  }
  ctx.service.log.info(`pushed ${target}: ${result.digest}`);
  await ctx.images.refresh();
  await revealRemote(ctx, host, repository, tag).catch((error: unknown) => ctx.service.log.warn(`could not show ${target} in the Registries view: ${describeError(error)}`));
  void vscode.window.showInformationMessage(vscode.l10n.t('Pushed {0} ({1}).{2}', target, result.digest, hasName ? '' : ` The local image was tagged ${target} for it.`));
  return { ...result, host, repository, tag, ...(hasName ? {} : { taggedAs: target }) };
}

/** The local repository path without its registry host ("127.0.0.1:5000/team/app" → "team/app"). */
function suggestedRepository(node: LocalImageNode): string | undefined {
  const name = node.repository.name;
  if (name === UNTAGGED) return undefined;
  try {
    const r = splitEngineRef(name);
    return r.registry === 'docker.io' ? name.replace(/^docker\.io\//, '') : name.slice(r.registry.length + 1);
  } catch {
    return undefined;
  }
}
