// Build and Push…: the registry and repository first (so the image is built with its final name),
// then the tag, then the build as Build Image runs it, then the existing Push to that repository.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { OperationsContext } from '../images/context';
import { askTag, engineReference } from '../images/remote';
import { pickDockerfile } from '../build/prompts';
import { runAndReveal, type BuildImageArgs, type BuildOutcome } from './buildImage';
import { pickRegistry, pickRepository } from './pickers';
import { push, type PushOutcome } from './push';

export interface BuildAndPushArgs extends Omit<BuildImageArgs, 'tag'> {
  registry?: string;
  repository?: string;
  tag?: string;
}

export async function buildAndPush(
  ctx: OperationsContext,
  arg?: unknown,
  _selected?: unknown,
  args: BuildAndPushArgs = {},
): Promise<{ build: BuildOutcome; push: PushOutcome } | undefined> {
  const dockerfile = args.dockerfile ?? (await pickDockerfile(arg, 'Build and Push'));
  if (!dockerfile) return undefined;
  const title = vscode.l10n.t('Build and push {0}', `${path.basename(path.dirname(dockerfile))}/${path.basename(dockerfile)}`);
  const host = args.registry ?? (await pickRegistry(ctx, { title: vscode.l10n.t('{0}: to which registry?', title), allowOther: true }));
  if (!host) return undefined;
  const folder = path.basename(path.dirname(dockerfile)).toLowerCase();
  const repository = args.repository ?? (await pickRepository(ctx, host, `${title} to ${host}`, { suggested: folder }));
  if (!repository) return undefined;
  const tag = args.tag ?? (await askTag(`${title} to ${host}/${repository}`, 'Tag', 'latest'));
  if (!tag) return undefined;
  const reference = engineReference(host, repository, { tag });

  const build = await runAndReveal(ctx, { dockerfile, context: args.context, tag: reference, title, buildArgs: args.buildArgs, target: args.target });
  if (!build) return undefined;
  const node = await ctx.images.find(reference);
  if (!node) throw new Error(`the engine built ${reference}, but Local Images does not list it`);
  const pushed = await push(ctx, node, undefined, { registry: host, repository, tag });
  return pushed ? { build, push: pushed } : undefined;
}
