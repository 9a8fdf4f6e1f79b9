// Bench only: what `node bench/run.mjs --rows editor` (bench/editor/) asks the running extension host
// while it drives code-server's workbench in Chromium. Required by activate() only when
// REGX_BENCH_PROBE names a loopback port; built as dist/benchProbe.js and left out of the .vsix, so
// nobody else loads, parses or pays for it. It only reads: the marks activate() took, the heap after a
// full garbage collection, which of our bundles the extension host has loaded, and what the tree holds
// (the same getChildren/detailsOf the workbench and the tests use; on lists already loaded, so asking
// fetches nothing).
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as vscode from 'vscode';
import type { RegistryExplorerApi } from './extension';
import type { TreeNode } from './vscode/tree/nodes';

/** Wall-clock milliseconds (performance.timeOrigin + now), comparable with the browser's and the driver's. */
export interface ActivationMarks {
  activateStart: number;
  activateEnd: number;
}

let collectGarbage: (() => void) | undefined;

/** A full GC: the extension host runs without --expose-gc, so switch it on and take gc from a fresh context. */
function gc(): void {
  if (!collectGarbage) {
    v8.setFlagsFromString('--expose-gc');
    collectGarbage = vm.runInNewContext('gc') as () => void;
  }
  collectGarbage();
  collectGarbage();
}

/** Our files the extension host has required so far (dist/*.js), with their sizes. */
function loadedBundles(distDir: string): { file: string; bytes: number }[] {
  return Object.keys(require.cache)
    .filter((file) => path.dirname(file) === distDir)
    .map((file) => ({ file: path.basename(file), bytes: fs.statSync(file).size }))
    .sort((a, b) => a.file.localeCompare(b.file));
}

/** Walks registry → namespace → repository by name, only through children already loaded. */
async function findNode(api: RegistryExplorerApi, host: string, repository?: string): Promise<TreeNode | undefined> {
  const registry = await api.registries.registryNode(host);
  if (!registry || !repository) return registry;
  const namespace = repository.includes('/') ? repository.slice(0, repository.indexOf('/')) : undefined;
  let level: TreeNode[] = await api.registries.getChildren(registry);
  if (namespace) {
    const group = level.find((n) => n.kind === 'namespace' && n.name === namespace);
    if (group) level = await api.registries.getChildren(group);
  }
  return level.find((n) => n.kind === 'repository' && n.name === repository);
}

/** What a list node shows: its rows by kind, and for a repository the tags with their details. */
async function describeList(api: RegistryExplorerApi, node: TreeNode, withDigests: boolean): Promise<Record<string, unknown>> {
  const children = await api.registries.getChildren(node);
  const kinds: Record<string, number> = {};
  for (const child of children) kinds[child.kind] = (kinds[child.kind] ?? 0) + 1;
  const out: Record<string, unknown> = { rows: children.length, kinds, loadMore: children.some((c) => c.kind === 'loadMore') };
  if (node.kind === 'registry') {
    let repositories = 0;
    for (const child of children) {
      if (child.kind === 'repository') repositories++;
      else if (child.kind === 'namespace') repositories += (await api.registries.getChildren(child)).filter((c) => c.kind === 'repository').length;
    }
    out.repositories = repositories;
  }
  const tags = children.filter((c) => c.kind === 'tag');
  if (tags.length) {
    let withDetails = 0;
    let failed = 0;
    const digests: Record<string, string> = {};
    for (const tag of tags) {
      const details = api.registries.detailsOf(tag);
      if (details?.summary) {
        withDetails++;
        if (withDigests) digests[tag.tag] = details.summary.digest;
      } else if (details?.error) failed++;
    }
    Object.assign(out, { tags: tags.length, firstTag: tags[0]!.tag, lastTag: tags[tags.length - 1]!.tag, withDetails, failed });
    if (withDigests) out.digests = digests;
  }
  return out;
}

/** One getChildren call of the Registries view (root, registry, namespace, repository): when it ran, in wall-clock ms. */
interface ChildrenCall {
  node: string;
  start: number;
  end: number;
  rows: number;
}

const now = () => performance.timeOrigin + performance.now();

/**
 * Times the view's getChildren calls: VS Code holds the provider object and calls its method, so an
 * own property on this instance sees every call (bench runs only). Splits "activate → first paint" into
 * what VS Code waits for, what our code takes, and what the workbench does with the rows.
 */
function timeChildren(api: RegistryExplorerApi, calls: ChildrenCall[]): void {
  const provider = api.registries;
  const original = provider.getChildren.bind(provider);
  provider.getChildren = async (node?: TreeNode) => {
    const start = now();
    const rows = await original(node);
    if (calls.length < 1000 && (!node || node.kind !== 'tag')) calls.push({ node: node?.id ?? '(root)', start, end: now(), rows: rows.length });
    return rows;
  };
}

export function startBenchProbe(port: number, api: RegistryExplorerApi, marks: ActivationMarks, distDir: string): { dispose(): void } {
  const calls: ChildrenCall[] = [];
  timeChildren(api, calls);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://probe');
    const answer = async (): Promise<unknown> => {
      switch (url.pathname) {
        case '/marks':
          return { ...marks, bundles: loadedBundles(distDir), calls };
        case '/memory':
          if (url.searchParams.get('gc') !== '0') gc();
          return process.memoryUsage();
        case '/setting': {
          // ?value=JSON changes the user setting first, as the Settings editor would.
          const key = url.searchParams.get('key') ?? '';
          const value = url.searchParams.get('value');
          if (value !== null) await vscode.workspace.getConfiguration('registryExplorer').update(key, JSON.parse(value), vscode.ConfigurationTarget.Global);
          return { value: vscode.workspace.getConfiguration('registryExplorer').get(key) ?? null };
        }
        case '/heapsnapshot':
          // For finding what holds memory (bench/editor/heapTop.mjs reads the file); never part of a row.
          gc();
          return { file: v8.writeHeapSnapshot(url.searchParams.get('file') ?? undefined) };
        case '/list': {
          const host = url.searchParams.get('host') ?? '';
          const node = await findNode(api, host, url.searchParams.get('repository') ?? undefined);
          if (!node) return { missing: true };
          return describeList(api, node, url.searchParams.get('digests') === '1');
        }
        default:
          throw new Error(`no such probe path: ${url.pathname}`);
      }
    };
    answer().then(
      (body) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String((error as Error)?.stack ?? error));
      },
    );
  });
  server.listen(port, '127.0.0.1');
  return { dispose: () => server.close() };
}
