// The `registry-explorer` task type: build, push and copy from tasks.json and the Run Task picker.
// Each task runs in its own terminal (a Pseudoterminal) through the same code as the commands:
// closing the terminal cancels it, and its exit code says whether it worked.
//
//   { "type": "registry-explorer", "action": "build", "dockerfile": "Dockerfile", "tags": ["app:dev"],
//     "buildArgs": { "VERSION": "1" }, "target": "runtime", "push": true }
//   { "type": "registry-explorer", "action": "push", "image": "127.0.0.1:5000/team/app:dev" }
//   { "type": "registry-explorer", "action": "copy", "source": "…/app:1", "destination": "…/app:1" }
import * as path from 'node:path';
import * as vscode from 'vscode';
import { copyImage } from '../../distribution/copy';
import { describeError } from '../../errors/describe';
import { CancelledError } from '../../errors/errors';
import { parseReference } from '../../reference';
import type { OperationsContext } from '../images/context';
import { runBuild } from './buildRun';

export const TASK_TYPE = 'registry-explorer';

interface BuildTaskDefinition extends vscode.TaskDefinition {
  action: 'build';
  dockerfile?: string;
  context?: string;
  tags?: string[];
  buildArgs?: Record<string, string>;
  target?: string;
  noCache?: boolean;
  push?: boolean;
}
interface PushTaskDefinition extends vscode.TaskDefinition {
  action: 'push';
  image: string;
}
interface CopyTaskDefinition extends vscode.TaskDefinition {
  action: 'copy';
  source: string;
  destination: string;
}
type RegistryTaskDefinition = BuildTaskDefinition | PushTaskDefinition | CopyTaskDefinition;

/** A definition's shape checked before it runs: tasks.json is hand-written. */
export function checkTaskDefinition(value: vscode.TaskDefinition): string | undefined {
  const d = value as Partial<RegistryTaskDefinition> & vscode.TaskDefinition;
  const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');
  switch (d.action) {
    case 'build':
      if (d.tags !== undefined && !strings(d.tags)) return vscode.l10n.t('"tags" must be a list of image names');
      if (d.buildArgs !== undefined && (typeof d.buildArgs !== 'object' || d.buildArgs === null || !Object.values(d.buildArgs).every((v) => typeof v === 'string'))) {
        return vscode.l10n.t('"buildArgs" must map names to string values');
      }
      if (d.push && !(d.tags?.length)) return vscode.l10n.t('"push": true needs "tags" to push');
      return undefined;
    case 'push':
      return typeof d.image === 'string' && d.image ? undefined : vscode.l10n.t('"image" (the local image to push) is required');
    case 'copy':
      return typeof d.source === 'string' && typeof d.destination === 'string' ? undefined : vscode.l10n.t('"source" and "destination" image references are required');
    default:
      return vscode.l10n.t('"action" must be "build", "push" or "copy" (got {0})', JSON.stringify(d.action));
  }
}

function workspaceFolderPath(scope: vscode.Task['scope']): string | undefined {
  if (scope && typeof scope === 'object' && 'uri' in scope) return scope.uri.fsPath;
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

export class RegistryTaskProvider implements vscode.TaskProvider {
  constructor(private readonly ctx: OperationsContext) {}

  /** One build task per Dockerfile in the workspace, for the Run Task picker. */
  async provideTasks(): Promise<vscode.Task[]> {
    const found = await vscode.workspace.findFiles('**/{Dockerfile,Containerfile}', '**/node_modules/**', 50);
    return found.map((uri) => {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      const relative = folder ? path.relative(folder.uri.fsPath, uri.fsPath) : uri.fsPath;
      const name = path.basename(path.dirname(uri.fsPath)).toLowerCase().replace(/[^a-z0-9._-]+/g, '-') || 'image';
      const definition: BuildTaskDefinition = { type: TASK_TYPE, action: 'build', dockerfile: relative, tags: [`${name}:latest`] };
      return this.taskFor(definition, folder ?? vscode.TaskScope.Workspace, `build ${relative}`);
    });
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const d = task.definition as RegistryTaskDefinition;
    const label = d.action === 'build' ? vscode.l10n.t('build {0}', d.dockerfile ?? 'Dockerfile') : d.action === 'push' ? vscode.l10n.t('push {0}', String(d.image)) : vscode.l10n.t('copy {0}', String(d.source));
    return this.taskFor(d, task.scope ?? vscode.TaskScope.Workspace, task.name || label);
  }

  private taskFor(definition: RegistryTaskDefinition, scope: vscode.WorkspaceFolder | vscode.TaskScope, name: string): vscode.Task {
    const execution = new vscode.CustomExecution(async () => new TaskTerminal((write, signal) => this.run(definition, workspaceFolderPath(scope), write, signal)));
    const task = new vscode.Task(definition, scope, name, 'Registry Explorer', execution);
    if (definition.action === 'build') task.group = vscode.TaskGroup.Build;
    return task;
  }

  private async run(definition: RegistryTaskDefinition, folder: string | undefined, write: (line: string) => void, signal: AbortSignal): Promise<void> {
    const problem = checkTaskDefinition(definition);
    if (problem) throw new Error(`this registry-explorer task cannot run: ${problem}`);
    const engine = this.ctx.engines.engine();
    const base = folder ?? process.cwd();
    if (definition.action === 'build') {
      const dockerfile = path.resolve(base, definition.dockerfile ?? 'Dockerfile');
      const context = path.resolve(base, definition.context ?? path.dirname(dockerfile));
      const tags = definition.tags ?? [];
      const result = await runBuild(engine, { dockerfile, context, tags, buildArgs: definition.buildArgs ?? {}, target: definition.target, noCache: definition.noCache }, { output: write, signal });
      write(`Built ${result.imageId}${tags.length ? ` as ${tags.join(', ')}` : ''}`);
      if (definition.push) for (const tag of tags) await this.push(tag, write, signal);
      void this.ctx.images.refresh();
      return;
    }
    if (definition.action === 'push') {
      await this.push(definition.image, write, signal);
      return;
    }
    const source = parseReference(definition.source);
    const target = parseReference(definition.destination);
    if (target.digest) throw new Error('the copy destination must name a tag, not a digest');
    write(`Copying ${definition.source} to ${definition.destination}`);
    const copied = await copyImage({
      source: { client: this.ctx.service.client(source.registry), repository: source.repository, reference: source.digest ?? source.tag ?? 'latest' },
      target: { client: this.ctx.service.client(target.registry), repository: target.repository, tag: target.tag ?? source.tag ?? 'latest' },
      signal,
      onProgress: (event) => {
        if (event.kind === 'blob') write(`  ${event.action} ${event.digest.slice(0, 19)}`);
      },
    });
    write(`Copied ${copied.digest} to ${target.registry}/${copied.target}`);
  }

  private async push(reference: string, write: (line: string) => void, signal: AbortSignal): Promise<void> {
    write(`Pushing ${reference}`);
    const result = await this.ctx.engines.engine().pushImage(reference, { signal });
    write(`Pushed ${result.reference}: digest: ${result.digest}`);
  }
}

/** A terminal that runs one job: its lines written as they come, exit code 0 or 1; closing it cancels. */
class TaskTerminal implements vscode.Pseudoterminal {
  private readonly writer = new vscode.EventEmitter<string>();
  private readonly closer = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writer.event;
  readonly onDidClose = this.closer.event;
  private readonly abort = new AbortController();

  constructor(private readonly job: (write: (line: string) => void, signal: AbortSignal) => Promise<void>) {}

  open(): void {
    const write = (line: string): void => this.writer.fire(`${line.replace(/\r?\n/g, '\r\n')}\r\n`);
    this.job(write, this.abort.signal).then(
      () => this.closer.fire(0),
      (error: unknown) => {
        if (!(error instanceof CancelledError)) write(describeError(error));
        this.closer.fire(1);
      },
    );
  }

  close(): void {
    this.abort.abort();
  }
}
