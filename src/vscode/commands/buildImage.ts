// Build Image…: a Dockerfile (explorer or editor context menu, or the palette) built by the engine.
// Asks the image's name, build arguments when the Dockerfile declares ARGs, and the stage when it
// names stages; streams the output to the "Registry Explorer: Build" channel with the current step in
// a notification whose Cancel stops the build; then selects the image in Local Images. A failing step
// opens the Dockerfile at its line, beside the output.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BuildResult } from '../../docker/build';
import { describeError } from '../../errors/describe';
import { BuildError } from '../../errors/errors';
import { runBuild, type BuildRequest } from '../build/buildRun';
import { buildOutput } from '../build/output';
import { askBuildArgs, askImageName, askTarget, pickDockerfile, suggestedImageName } from '../build/prompts';
import type { OperationsContext } from '../images/context';
import { withCancellableProgress } from '../progress';

/** Scripted use (tests, Build and Push): what to build without asking. */
export interface BuildImageArgs {
  dockerfile?: string;
  context?: string;
  tag?: string;
  buildArgs?: Record<string, string>;
  /** null: the whole Dockerfile. */
  target?: string | null;
}

export interface BuildOutcome extends BuildResult {
  dockerfile: string;
  /** The build's output lines (the last 2,000), as the output channel shows them. */
  output: string[];
}

const KEPT_LINES = 2_000;

export async function buildImage(ctx: OperationsContext, arg?: unknown, _selected?: unknown, args: BuildImageArgs = {}): Promise<BuildOutcome | undefined> {
  const dockerfile = args.dockerfile ?? (await pickDockerfile(arg, 'Build Image'));
  if (!dockerfile) return undefined;
  const title = vscode.l10n.t('Build {0}', `${path.basename(path.dirname(dockerfile))}/${path.basename(dockerfile)}`);
  const tag = args.tag ?? (await askImageName(title, suggestedImageName(dockerfile)));
  if (!tag) return undefined;
  return runAndReveal(ctx, { dockerfile, context: args.context, tag, title, buildArgs: args.buildArgs, target: args.target });
}

/** Asks what is still open (args, stage), builds with progress and output, and reveals the image. */
export async function runAndReveal(
  ctx: OperationsContext,
  request: { dockerfile: string; context?: string; tag: string; title: string; buildArgs?: Record<string, string>; target?: string | null },
): Promise<BuildOutcome | undefined> {
  const buildArgs = request.buildArgs ?? (await askBuildArgs(request.title, request.dockerfile));
  if (!buildArgs) return undefined;
  const target = request.target !== undefined ? request.target : await askTarget(request.title, request.dockerfile);
  if (target === undefined) return undefined;

  const full: BuildRequest = {
    dockerfile: request.dockerfile,
    context: request.context ?? path.dirname(request.dockerfile),
    tags: [request.tag],
    buildArgs,
    ...(target ? { target } : {}),
  };
  const channel = buildOutput();
  channel.show(true);
  const lines: string[] = [];
  const output = (line: string): void => {
    channel.appendLine(line);
    lines.push(line);
    if (lines.length > KEPT_LINES) lines.splice(0, lines.length - KEPT_LINES);
  };
  let result: BuildResult;
  try {
    result = await withCancellableProgress(vscode.l10n.t('Building {0}', request.tag), (report, signal) =>
      runBuild(ctx.engines.engine(), full, {
        signal,
        output,
        step: (s) => report({ percent: Math.floor(((s.number - 1) / s.total) * 100), message: `step ${s.number}/${s.total}: ${s.instruction}` }),
      }),
    );
  } catch (error) {
    output(describeError(error));
    if (error instanceof BuildError && error.step?.line) void showFailingLine(request.dockerfile, error.step.line);
    throw error;
  }
  output(`Built ${result.imageId} as ${request.tag}`);
  ctx.service.log.info(`built ${request.tag}: ${result.imageId}`);
  await ctx.images.refresh();
  const node = await ctx.images.find(request.tag);
  if (node && ctx.imagesView.visible) await ctx.imagesView.reveal(node, { select: true, focus: false }).then(undefined, () => undefined);
  void vscode.window.showInformationMessage(vscode.l10n.t('Built {0} ({1}).', request.tag, result.imageId.slice(7, 19)));
  return { ...result, dockerfile: request.dockerfile, output: lines };
}

/** The Dockerfile open at the failing instruction, selected, beside the build output. */
async function showFailingLine(dockerfile: string, line: number): Promise<void> {
  const document = await vscode.workspace.openTextDocument(dockerfile);
  const at = new vscode.Range(line - 1, 0, line - 1, document.lineAt(Math.min(line - 1, document.lineCount - 1)).text.length);
  await vscode.window.showTextDocument(document, { selection: at, preview: true, preserveFocus: false });
}
