// What Build Image asks: which Dockerfile, the image's name, build arguments (only when the
// Dockerfile declares ARGs) and the target stage (only when it names stages). Each answer is checked
// as it is typed, so a build is never started with input the engine would refuse.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseBuildArgs } from '../../docker/build';
import { readDockerfile } from '../../docker/dockerfile';
import { parseReference } from '../../reference';
import { validate } from '../commands/pickers';

const DOCKERFILE_GLOB = '**/{Dockerfile,Containerfile,*.Dockerfile,*.dockerfile,Dockerfile.*}';

export function isDockerfileName(file: string): boolean {
  const name = path.basename(file);
  return /^(Dockerfile|Containerfile)(\..+)?$/i.test(name) || /\.(dockerfile|containerfile)$/i.test(name);
}

/** The Dockerfile a command was run on: the clicked file, the active editor's, or one picked from the workspace. */
export async function pickDockerfile(arg: unknown, title: string): Promise<string | undefined> {
  if (arg instanceof vscode.Uri && arg.scheme === 'file') return arg.fsPath;
  const active = vscode.window.activeTextEditor?.document;
  if (active && active.uri.scheme === 'file' && (active.languageId === 'dockerfile' || isDockerfileName(active.fileName))) return active.fileName;
  const found = await vscode.workspace.findFiles(DOCKERFILE_GLOB, '**/node_modules/**', 200);
  if (found.length === 1) return found[0].fsPath;
  if (found.length > 1) {
    const picked = await vscode.window.showQuickPick(
      found
        .map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri }))
        .sort((a, b) => a.label.localeCompare(b.label)),
      { title, placeHolder: vscode.l10n.t('Which Dockerfile?') },
    );
    return picked?.uri.fsPath;
  }
  const chosen = await vscode.window.showOpenDialog({ title, canSelectMany: false, openLabel: 'Build' });
  return chosen?.[0]?.fsPath;
}

/** A name for the image: lower-case folder name, as compose names them. */
export function suggestedImageName(dockerfile: string): string {
  const folder = path.basename(path.dirname(dockerfile)).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'image';
  return `${folder}:latest`;
}

export async function askImageName(title: string, value: string, prompt = 'Name and tag for the image'): Promise<string | undefined> {
  const answer = await vscode.window.showInputBox({
    title,
    prompt,
    value,
    validateInput: (text) => validate(() => {
      const ref = parseReference(text.trim());
      if (ref.digest) throw new Error(vscode.l10n.t('name the image with a tag, not a digest'));
    }),
  });
  return answer?.trim();
}

/** Build arguments, asked only when the Dockerfile declares ARGs; `{}` when it declares none. */
export async function askBuildArgs(title: string, dockerfile: string): Promise<Record<string, string> | undefined> {
  const declared = readDockerfile(fs.readFileSync(dockerfile, 'utf8')).args;
  if (declared.length === 0) return {};
  const answer = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('Build arguments, NAME=VALUE separated by spaces (declared: {0}). Leave empty for the defaults.', declared.map((a) => (a.defaultValue !== undefined ? `${a.name}=${a.defaultValue}` : a.name)).join(', ')),
    placeHolder: declared.map((a) => `${a.name}=…`).join(' '),
    validateInput: (text) => validate(() => parseBuildArgs(splitPairs(text))),
  });
  if (answer === undefined) return undefined;
  return parseBuildArgs(splitPairs(answer));
}

function splitPairs(text: string): string[] {
  return text.trim() ? text.trim().split(/\s+/) : [];
}

/** The stage to build up to, asked only when the Dockerfile names stages; `null` = the whole file. */
export async function askTarget(title: string, dockerfile: string): Promise<string | null | undefined> {
  const stages = readDockerfile(fs.readFileSync(dockerfile, 'utf8')).stages;
  const named = stages.filter((s) => s.name);
  if (named.length === 0) return null;
  const last = stages[stages.length - 1];
  const items: (vscode.QuickPickItem & { target: string | null })[] = [
    { label: vscode.l10n.t('Whole Dockerfile'), description: last.name ? vscode.l10n.t('ends with stage {0}', last.name) : vscode.l10n.t('ends FROM {0}', last.base), target: null },
    ...named.map((s) => ({ label: s.name!, description: vscode.l10n.t('FROM {0}', s.base), detail: vscode.l10n.t('line {0}', s.line), target: s.name! })),
  ];
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: vscode.l10n.t('Build up to which stage?') });
  return picked ? picked.target : undefined;
}
