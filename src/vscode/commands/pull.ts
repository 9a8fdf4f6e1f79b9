// Pull Image: a tag, a digest, or one platform of a multi-platform tag into the local engine.
// From a tag node (asks for a platform when the tag has several), a platform node (that platform),
// a repository node (asks for a tag), a search result, or the palette (a reference typed in, checked
// as it is typed). Runs in a notification with layers and bytes from the engine, and Cancel closes
// the engine stream, which makes the engine stop the pull.
import * as vscode from 'vscode';
import { splitEngineRef, type PullResult } from '../../docker/engine';
import { formatBytes } from '../../docker/progress';
import type { ProgressSnapshot } from '../../docker/progress';
import { isDigest } from '../../distribution/digest';
import { parseReference } from '../../reference';
import type { OperationsContext } from '../images/context';
import { engineReference } from '../images/remote';
import { withCancellableProgress, withProgress } from '../progress';
import { isNode } from '../tree/nodes';
import { pickTag, validate } from './pickers';

/** Scripted use (tests, other commands): what to pull without asking. */
export interface PullArgs {
  /** os/arch[/variant]; '' = the engine's own platform. */
  platform?: string;
}

/** A repository found by Search, handed over to pull. */
export interface RemoteRepository {
  host: string;
  repository: string;
  tag?: string;
}

interface Target {
  reference: string;
  host?: string;
  repository?: string;
  tag?: string;
  platform?: string;
  /** Platforms the registry lists for the tag, when known (for the platform question). */
  platforms?: string[];
}

export async function pull(ctx: OperationsContext, arg?: unknown, _selected?: unknown, args: PullArgs = {}): Promise<PullResult | undefined> {
  const target = await pullTarget(ctx, arg);
  if (!target) return undefined;
  let platform = args.platform ?? target.platform;
  if (platform === undefined && target.platforms && target.platforms.length > 1) {
    platform = await pickPlatform(target.reference, target.platforms);
    if (platform === undefined) return undefined;
  }
  return runPull(ctx, target.reference, platform || undefined);
}

/** The pull itself, with progress and Cancel; refreshes Local Images and selects the pulled image. */
async function runPull(ctx: OperationsContext, reference: string, platform?: string): Promise<PullResult> {
  const engine = ctx.engines.engine();
  const title = platform ? vscode.l10n.t('Pulling {0} ({1})', reference, platform) : vscode.l10n.t('Pulling {0}', reference);
  const result = await withCancellableProgress(title, (report, signal) =>
    engine.pullImage(reference, {
      signal,
      ...(platform ? { platform } : {}),
      onProgress: (p) => report({ percent: p.percent, message: progressText(p) }),
    }),
    { changes: true },
  );
  ctx.service.log.info(`pulled ${reference}${platform ? ` for ${platform}` : ''}: ${result.status}${result.digest ? ` (${result.digest})` : ''}`);
  // An engine pull from Docker Hub spends the pull rate limit: let the status bar read it again.
  ctx.service.notePull(parseReference(reference).registry);
  await ctx.images.refresh();
  const node = await ctx.images.find(localName(reference));
  if (node && ctx.imagesView.visible) await ctx.imagesView.reveal(node, { select: true, focus: false });
  vscode.window.setStatusBarMessage(`$(cloud-download) ${result.status}`, 5000);
  return result;
}

/** "3/5 layers · 12 MB / 45 MB" — what the engine reported so far. */
export function progressText(p: ProgressSnapshot): string {
  const parts: string[] = [];
  if (p.layersTotal) parts.push(`${p.layersDone}/${p.layersTotal} layers`);
  if (p.bytesTotal) parts.push(`${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)}`);
  if (!parts.length && p.status) parts.push(p.status);
  return parts.join(' · ');
}

/** How the engine lists an image it pulled as `reference`: Docker Hub names without docker.io/ and library/. */
function localName(reference: string): string {
  let name = reference;
  if (name.startsWith('docker.io/')) name = name.slice('docker.io/'.length);
  if (name.startsWith('library/') && !name.slice('library/'.length).split(/[:@]/)[0]!.includes('/')) name = name.slice('library/'.length);
  if (!/[:@]/.test(name.slice(name.lastIndexOf('/') + 1))) name += ':latest';
  return name;
}

async function pullTarget(ctx: OperationsContext, arg: unknown): Promise<Target | undefined> {
  if (isNode(arg)) {
    if (arg.kind === 'tag') {
      const host = arg.repository.registry.root.host;
      const platforms = ctx.tree.detailsOf(arg)?.summary?.platforms;
      return { reference: engineReference(host, arg.repository.name, { tag: arg.tag }), host, repository: arg.repository.name, tag: arg.tag, ...(platforms ? { platforms } : {}) };
    }
    if (arg.kind === 'platform') {
      // The tag for that platform: the image lands under its tag, as `docker pull --platform` does.
      const tag = arg.tag;
      const host = tag.repository.registry.root.host;
      return { reference: engineReference(host, tag.repository.name, { tag: tag.tag }), platform: platformOf(arg.entry.platformText) };
    }
    if (arg.kind === 'repository') {
      const host = arg.registry.root.host;
      const tag = await pickTag(ctx, host, arg.name, `Pull from ${host}/${arg.name}`);
      return tag ? withPlatforms(ctx, { reference: engineReference(host, arg.name, { tag }), host, repository: arg.name, tag }) : undefined;
    }
  }
  if (isRemoteRepository(arg)) {
    const tag = arg.tag ?? (await pickTag(ctx, arg.host, arg.repository, `Pull from ${arg.host}/${arg.repository}`));
    return tag ? withPlatforms(ctx, { reference: engineReference(arg.host, arg.repository, { tag }), host: arg.host, repository: arg.repository, tag }) : undefined;
  }
  const typed = typeof arg === 'string' && arg.trim() ? arg.trim() : await askReference();
  if (!typed) return undefined;
  splitEngineRef(typed); // a bad reference fails here, in the parser's words
  try {
    const ref = parseReference(typed);
    return withPlatforms(ctx, { reference: typed, host: ref.registry, repository: ref.repository, tag: ref.digest ?? ref.tag ?? 'latest' });
  } catch {
    return { reference: typed };
  }
}

/** Platforms of a tag from the registry (one manifest GET), so a multi-platform pull can ask which. */
async function withPlatforms(ctx: OperationsContext, target: Target): Promise<Target> {
  if (!target.host || !target.repository || !target.tag || isDigest(target.tag)) return target;
  try {
    const manifest = await withProgress(vscode.l10n.t('Reading {0}', target.reference), () => ctx.service.client(target.host!).getManifest(target.repository!, target.tag!));
    const entries = ctx.service.client(target.host).indexEntries(manifest).filter((e) => !e.isAttestation);
    return entries.length > 1 ? { ...target, platforms: entries.map((e) => platformOf(e.platformText)) } : target;
  } catch {
    // The engine will say what is wrong with the reference; platforms are only a convenience.
    return target;
  }
}

async function askReference(): Promise<string | undefined> {
  const typed = await vscode.window.showInputBox({
    title: vscode.l10n.t('Pull an image into the Docker engine'),
    prompt: vscode.l10n.t('Image reference: a tag (registry/repository:tag) or a digest (registry/repository@sha256:…)'),
    placeHolder: vscode.l10n.t('127.0.0.1:5000/team/app:1.0'),
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? validate(() => splitEngineRef(v.trim())) : vscode.l10n.t('Enter an image reference')),
  });
  return typed?.trim() || undefined;
}

async function pickPlatform(reference: string, platforms: string[]): Promise<string | undefined> {
  const items: (vscode.QuickPickItem & { value: string })[] = [
    { label: vscode.l10n.t('This engine’s platform'), description: vscode.l10n.t('what `docker pull` picks'), value: '' },
    ...platforms.map((p) => ({ label: p, value: p, iconPath: new vscode.ThemeIcon('vm') })),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Pull {0}', reference), placeHolder: vscode.l10n.t('Which platform?') });
  return picked?.value;
}

/** "linux/arm64/v8 (os.version …)" style texts down to os/arch[/variant], which the engine takes. */
function platformOf(text: string): string {
  return text.split(/\s+/)[0]!;
}

function isRemoteRepository(value: unknown): value is RemoteRepository {
  return !!value && typeof value === 'object' && typeof (value as RemoteRepository).host === 'string' && typeof (value as RemoteRepository).repository === 'string' && !('kind' in value);
}
