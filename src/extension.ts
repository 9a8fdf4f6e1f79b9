// Activation only wires things together: services, the two views, the inspect and vulnerability
// documents and the commands. Everything created here is owned by context.subscriptions and disposed on deactivate.
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { describeError } from './errors/describe';
import { registerCommands } from './vscode/commands';
import { ImageDetailsPanels } from './vscode/details/imageDetailsPanels';
import { InspectDocuments } from './vscode/inspectDocuments';
import { DockerHubRateLimit } from './vscode/rateLimitStatus';
import { RegistryService } from './vscode/registryService';
import { ScanDocuments } from './vscode/scanDocuments';
import { EngineService } from './vscode/images/engineService';
import { LocalImagesProvider } from './vscode/images/localImagesProvider';
import type { ImageNode } from './vscode/images/nodes';
import { operationHandlers } from './vscode/images/operations';
import { buildOutputDisposable } from './vscode/build/output';
import { RegistryTaskProvider, TASK_TYPE } from './vscode/build/tasks';
import { OperationJournal } from './vscode/operationJournal';
import { cancelRunningOperations, recordOperationsIn, reportInterruptedOperations, runningOperationCount } from './vscode/progress';
import type { TreeNode } from './vscode/tree/nodes';
import { RegistriesTreeProvider } from './vscode/tree/registriesProvider';

/** What activate() returns: used by the extension-host tests to look inside the tree. */
export interface RegistryExplorerApi {
  registries: RegistriesTreeProvider;
  service: RegistryService;
  images: LocalImagesProvider;
  engines: EngineService;
  /** Docker Hub's pull rate limit in the status bar. */
  rateLimit: DockerHubRateLimit;
  /** The words a person is shown for an error (tests: errors from the bundle are not the test's classes). */
  describeError: (error: unknown) => string;
  /** Cancel running pulls/pushes/copies/deletes, as their notification's Cancel button does. */
  cancelOperations: () => number;
  /** How many are running (tests wait for a pull to start before cancelling it). */
  runningOperations: () => number;
  /** Show Image Details' panels (tests watch what each posts to its webview). */
  details: ImageDetailsPanels;
}

export function activate(context: vscode.ExtensionContext): RegistryExplorerApi {
  const benchProbePort = process.env.REGX_BENCH_PROBE;
  const activateStart = benchProbePort ? performance.timeOrigin + performance.now() : 0;
  // The pure layers' words (describeError) use @vscode/l10n: hand it the display language's bundle.
  if (vscode.l10n.bundle) l10n.config({ contents: vscode.l10n.bundle });
  const service = new RegistryService(context);
  // Copies, pushes and deletes are written down while they run: one cut off by a dead host is told now.
  const journal = new OperationJournal(context.globalState);
  recordOperationsIn(journal);
  void reportInterruptedOperations(journal, (host) => service.client(host)).catch((error: unknown) => service.log.warn(`interrupted operations: ${describeError(error)}`));
  const tree = new RegistriesTreeProvider(service);
  const view = vscode.window.createTreeView<TreeNode>('registryExplorer.registries', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  const engines = new EngineService(service);
  const images = new LocalImagesProvider(engines);
  const imagesView = vscode.window.createTreeView<ImageNode>('registryExplorer.images', { treeDataProvider: images, canSelectMany: true });
  images.attach(imagesView);
  const inspect = new InspectDocuments(service);
  // A report read for a tag (not a platform's digest) is what that tag's badge shows too.
  const scans = new ScanDocuments(service, (target, report) => {
    if (!target.reference.includes(':')) tree.setScan(target.host, target.repository, target.reference, report);
  });
  const rateLimit = new DockerHubRateLimit(service);
  const details = new ImageDetailsPanels(service, context.extensionUri);
  const operations = { service, tree, view, inspect, details, scans, rateLimit, engines, images, imagesView };
  context.subscriptions.push(
    service,
    tree,
    view,
    engines,
    images,
    imagesView,
    inspect,
    scans,
    rateLimit,
    details,
    ...registerCommands(operations, operationHandlers),
    vscode.tasks.registerTaskProvider(TASK_TYPE, new RegistryTaskProvider(operations)),
    buildOutputDisposable(),
    { dispose: () => recordOperationsIn(undefined) },
  );
  const api = { registries: tree, service, images, engines, rateLimit, describeError, cancelOperations: cancelRunningOperations, runningOperations: runningOperationCount, details };
  if (benchProbePort) context.subscriptions.push(startBenchProbe(Number(benchProbePort), api, activateStart));
  return api;
}

/** Bench only (bench/editor/, REGX_BENCH_PROBE): dist/benchProbe.js, never loaded otherwise. */
function startBenchProbe(port: number, api: RegistryExplorerApi, activateStart: number): vscode.Disposable {
  const activateEnd = performance.timeOrigin + performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const probe = require('./benchProbe') as typeof import('./benchProbe');
  return probe.startBenchProbe(port, api, { activateStart, activateEnd }, __dirname);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
