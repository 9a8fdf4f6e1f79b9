// Delete: one or several selected tags from a registry, or local images from the engine.
//
// Registry tags. A Distribution registry deletes by digest, which removes every tag on that image.
// So before anything is removed, every selected tag's digest is looked up together with the other
// tags sharing it, and the modal names them all. Where others share the image it offers the safe
// choice first: "Remove Only Selected Tags" (each tag is moved off the image and removed on its own,
// see distribution/untag.ts), and "Delete Images and All Their Tags". Docker Hub and GitLab untag
// through their APIs; GHCR can only remove the whole version, which the modal says. A registry with
// deletes disabled, or one that refuses them, is explained in describeError's words.
//
// Local images. The modal says for each whether only the name goes (the image keeps other tags) or
// the image itself. For an image that would go, the containers created from it (any state) are
// looked up first and named ("used by container web-1 (exited)"), and "Force Remove" is offered
// beside "Remove" then. The engine refuses to remove an image a container or a child image depends
// on; that refusal (its words, or the containers found) is shown with "Force Remove" when the plain
// Remove was chosen anyway, or when the lookup could not tell beforehand.
import * as vscode from 'vscode';
import { containersText, type ContainerSummary, type RemoveResultItem } from '../../docker/engine';
import { mapLimit } from '../../distribution/concurrency';
import { executeTagDelete } from '../../distribution/deletion';
import { untagOnly } from '../../distribution/untag';
import { describeError } from '../../errors/describe';
import { CancelledError, EngineError } from '../../errors/errors';
import type { RegistryKind, RegistryProvider } from '../../registries';
import type { OperationsContext } from '../images/context';
import { isImageNode, localReference, type LocalImageNode } from '../images/nodes';
import { placeholdersOn, withCancellableProgress } from '../progress';
import { formatSize, shortDigest } from '../tree/format';
import { isNode, type RepositoryNode, type TagNode } from '../tree/nodes';
import { pickLocalImage } from './tag';
import { imageTarget } from './pickers';

/**
 * Scripted use (tests): the modal's answer. 'onlySelected' = Remove Only Selected Tags,
 * 'everything' = Delete Images and All Their Tags (also the plain Delete), 'force' = remove local
 * images even when something depends on them.
 */
export interface DeleteArgs {
  choice?: 'onlySelected' | 'everything' | 'force' | 'cancel';
}

export interface DeleteOutcome {
  /** repository:tag removed from registries, or the engine's Untagged/Deleted entries. */
  removed: string[];
  /** Selected tags left in place (a registry that cannot remove one tag alone, with "only selected"). */
  kept: string[];
  /** Local images: the confirmation modal's text and buttons (shown, or with a scripted choice, what it would have shown). */
  confirmation?: { message: string; detail: string; buttons: string[] };
}

const ONLY_SELECTED = 'Remove Only Selected Tags';
const EVERYTHING = 'Delete Images and All Their Tags';
const DELETE = 'Delete';

export async function deleteImages(ctx: OperationsContext, arg?: unknown, selected?: unknown, args: DeleteArgs = {}): Promise<DeleteOutcome | undefined> {
  const chosen = Array.isArray(selected) && selected.length > 0 ? (selected as unknown[]) : arg === undefined ? [] : [arg];
  const localNodes = chosen.filter((n): n is LocalImageNode => isImageNode(n) && n.kind === 'localImage');
  const tagNodes = chosen.filter((n): n is TagNode => isNode(n) && n.kind === 'tag');
  if (localNodes.length) return removeLocal(ctx, localNodes, args);
  if (tagNodes.length) return deleteRemote(ctx, tagNodes.map(toTarget), args);
  if (chosen.some((n) => isNode(n) && n.kind === 'platform')) {
    void vscode.window.showInformationMessage(vscode.l10n.t('A platform image belongs to its tag: delete the tag instead (its whole index goes).'));
    return undefined;
  }

  // Palette: which kind of thing to delete.
  const what = await vscode.window.showQuickPick(
    [
      { label: vscode.l10n.t('$(tag) A tag in a registry…'), value: 'remote' as const },
      { label: vscode.l10n.t('$(package) A local image…'), value: 'local' as const },
    ],
    { title: vscode.l10n.t('Delete') },
  );
  if (!what) return undefined;
  if (what.value === 'local') {
    const node = await pickLocalImage(ctx, 'Remove a local image');
    return node ? removeLocal(ctx, [node], args) : undefined;
  }
  const target = await imageTarget(ctx, undefined, 'Delete a tag from a registry');
  if (!target?.tag) return undefined;
  return deleteRemote(ctx, [{ host: target.host, repository: target.repository, tag: target.tag }], args);
}

// ---- registry tags -----------------------------------------------------------------------------

interface RemoteTag {
  host: string;
  repository: string;
  tag: string;
  /** The Registries view node of the repository, refreshed afterwards. */
  repositoryNode?: RepositoryNode;
}

/** The selected tags of one repository, with what their deletion would take along. */
interface RepositoryPlan {
  host: string;
  repository: string;
  repositoryNode?: RepositoryNode;
  kind: RegistryKind;
  provider?: RegistryProvider;
  /** 'manifest' removes the image with all its tags; 'untag' only the tag. */
  mode: 'manifest' | 'untag';
  /** One entry per image (digest) among the selected tags. */
  images: { digest: string; selected: string[]; others: string[] }[];
  note?: string;
}

function toTarget(node: TagNode): RemoteTag {
  return { host: node.repository.registry.root.host, repository: node.repository.name, tag: node.tag, repositoryNode: node.repository };
}

async function deleteRemote(ctx: OperationsContext, tags: RemoteTag[], args: DeleteArgs): Promise<DeleteOutcome | undefined> {
  const byRepository = new Map<string, RemoteTag[]>();
  for (const t of tags) {
    const key = `${t.host}/${t.repository}`;
    byRepository.set(key, [...(byRepository.get(key) ?? []), t]);
  }
  const plans = await withCancellableProgress(vscode.l10n.t('Checking which tags share each image'), async (report, signal) => {
    const result: RepositoryPlan[] = [];
    for (const group of byRepository.values()) {
      report({ message: `${group[0]!.host}/${group[0]!.repository}` });
      result.push(await planRepository(ctx, group, signal));
    }
    return result;
  }, { delayMs: 400 });

  const anyShared = plans.some((p) => p.mode === 'manifest' && p.images.some((i) => i.others.length > 0));
  const canUntag = plans.some((p) => p.kind === 'generic' && p.images.some((i) => i.others.length > 0));
  const total = tags.length;
  const message =
    total === 1
      ? `Delete ${tags[0]!.repository}:${tags[0]!.tag} from ${tags[0]!.host}?`
      : `Delete ${total} tags${plans.length === 1 ? ` from ${plans[0]!.host}/${plans[0]!.repository}` : ''}?`;
  const detail = confirmationDetail(plans, anyShared, canUntag);

  let choice = args.choice;
  if (!choice) {
    const buttons = anyShared ? (canUntag ? [ONLY_SELECTED, EVERYTHING] : [EVERYTHING]) : [DELETE];
    const picked = await vscode.window.showWarningMessage(message, { modal: true, detail }, ...buttons);
    if (!picked) return undefined;
    choice = picked === ONLY_SELECTED ? 'onlySelected' : 'everything';
  }
  if (choice === 'cancel') return undefined;
  const onlySelected = choice === 'onlySelected';

  const outcome: DeleteOutcome = { removed: [], kept: [] };
  try {
    await withCancellableProgress(vscode.l10n.t('Deleting {0}', total === 1 ? `${tags[0]!.repository}:${tags[0]!.tag}` : `${total} tags`), async (report, signal) => {
      let done = 0;
      const step = (names: string[]) => {
        done += names.length;
        report({ percent: (100 * done) / total, message: names.join(', ') });
      };
      for (const plan of plans) {
        for (const image of plan.images) {
          if (signal.aborted) throw new CancelledError();
          await deleteImage(ctx, plan, image, onlySelected, signal, outcome);
          step(image.selected);
        }
      }
    }, { changes: true });
  } catch (error) {
    refreshRepositories(ctx, plans);
    if (error instanceof CancelledError || outcome.removed.length === 0) throw error;
    // Say what was already removed before the failure, in one message.
    throw new Error(`Deleted ${outcome.removed.join(', ')}; then: ${describeError(error)}`);
  } finally {
    ctx.service.log.info(`delete: removed ${outcome.removed.join(', ') || 'nothing'}${outcome.kept.length ? `; kept ${outcome.kept.join(', ')}` : ''}`);
  }
  refreshRepositories(ctx, plans);
  const kept = outcome.kept.length ? ` Kept ${outcome.kept.join(', ')}: that registry cannot remove one tag alone.` : '';
  void vscode.window.showInformationMessage(vscode.l10n.t('Deleted {0}.{1}', outcome.removed.join(', '), kept));
  return outcome;
}

async function planRepository(ctx: OperationsContext, group: RemoteTag[], signal: AbortSignal): Promise<RepositoryPlan> {
  const { host, repository, repositoryNode } = group[0]!;
  const kind = ctx.service.kindOf(host);
  const selected = group.map((t) => t.tag);
  if (kind === 'generic') {
    // Every tag's digest, once per repository (not once per selected tag): the others on each
    // selected digest are what a delete by digest would take along.
    const client = ctx.service.client(host);
    const all = await client.listAllTags(repository, { signal });
    const digests = await mapLimit(all, 4, async (t) => (await client.headManifest(repository, t, { signal }))?.digest);
    const digestOf = new Map(all.map((t, i) => [t, digests[i]]));
    const images = new Map<string, { digest: string; selected: string[]; others: string[] }>();
    for (const tag of selected) {
      const digest = digestOf.get(tag) ?? (await client.headManifest(repository, tag, { signal }))?.digest;
      if (!digest) throw new Error(`${host}/${repository}:${tag} no longer exists`);
      const entry = images.get(digest) ?? { digest, selected: [], others: all.filter((t) => digestOf.get(t) === digest && !selected.includes(t)) };
      entry.selected.push(tag);
      images.set(digest, entry);
    }
    return { host, repository, ...(repositoryNode ? { repositoryNode } : {}), kind, mode: 'manifest', images: [...images.values()] };
  }
  const provider = ctx.service.provider(host);
  const mode = provider.capabilities.deleteTag;
  if (!mode) throw new Error(`${provider.displayName} does not offer deleting tags${provider.capabilities.tagDeleteNote ? `: ${provider.capabilities.tagDeleteNote}` : ''}`);
  const images: RepositoryPlan['images'] = [];
  for (const tag of selected) {
    const plan = await provider.planTagDelete!(repository, tag, signal);
    const digest = plan.digest ?? tag;
    const existing = images.find((i) => i.digest === digest);
    if (existing) existing.selected.push(tag);
    else images.push({ digest, selected: [tag], others: plan.alsoRemoves.filter((t) => !selected.includes(t)) });
  }
  return {
    host,
    repository,
    ...(repositoryNode ? { repositoryNode } : {}),
    kind,
    provider,
    mode,
    images,
    ...(provider.capabilities.tagDeleteNote ? { note: provider.capabilities.tagDeleteNote } : {}),
  };
}

function confirmationDetail(plans: RepositoryPlan[], anyShared: boolean, canUntag: boolean): string {
  const lines: string[] = [];
  for (const plan of plans) {
    if (plans.length > 1) lines.push(`${plan.host}/${plan.repository}:`);
    for (const image of plan.images) {
      const digest = image.digest.startsWith('sha256:') ? ` (${shortDigest(image.digest)})` : '';
      lines.push(`• ${image.selected.join(', ')}${digest}${image.others.length ? ` — also tagged ${image.others.join(', ')}` : ''}`);
    }
    if (plans.length === 1) lines.push('', `Registry: ${plan.host}`);
    if (plan.mode === 'untag') lines.push('', 'Only the tags are removed; an image stays while another tag names it.');
  }
  if (anyShared) {
    lines.push('', 'Deleting an image removes every tag that names it, including the ones listed after "also tagged".');
    if (canUntag) lines.push('"Remove Only Selected Tags" moves each selected tag off its image first, so the other tags stay.');
  }
  for (const note of new Set(plans.map((p) => p.note).filter((n): n is string => !!n && anyShared))) lines.push(note);
  lines.push('', 'This cannot be undone.');
  return lines.join('\n');
}

async function deleteImage(
  ctx: OperationsContext,
  plan: RepositoryPlan,
  image: RepositoryPlan['images'][number],
  onlySelected: boolean,
  signal: AbortSignal,
  outcome: DeleteOutcome,
): Promise<void> {
  const { host, repository } = plan;
  const names = (tags: string[]) => tags.map((t) => `${repository}:${t}`);
  if (plan.kind === 'generic') {
    const client = ctx.service.client(host);
    if (image.others.length > 0 && onlySelected) {
      for (const tag of image.selected) {
        await untagOnly(client, repository, tag, image.digest, { signal, placeholders: placeholdersOn(host) });
        outcome.removed.push(...names([tag]));
      }
      return;
    }
    // executeTagDelete checks again that the tag still names this digest and that no tag the user
    // was not shown has joined it; only then does it delete by digest.
    const [first, ...rest] = image.selected;
    await executeTagDelete(client, { repository, tag: first!, digest: image.digest, sharedWith: [...rest, ...image.others] }, { confirmShared: true, signal });
    outcome.removed.push(...names([...image.selected, ...image.others]));
    return;
  }
  const provider = plan.provider!;
  if (plan.mode === 'manifest' && image.others.length > 0 && onlySelected) {
    outcome.kept.push(...names(image.selected));
    return;
  }
  for (const tag of image.selected) {
    await provider.deleteTag!(repository, tag, { confirmShared: true, signal });
    outcome.removed.push(...names([tag]));
    // In manifest mode the first delete took the image, and with it the other selected tags.
    if (plan.mode === 'manifest') {
      outcome.removed.push(...names([...image.selected.filter((t) => t !== tag), ...image.others]));
      return;
    }
  }
}

function refreshRepositories(ctx: OperationsContext, plans: RepositoryPlan[]): void {
  for (const plan of plans) {
    if (plan.repositoryNode) ctx.tree.refresh(plan.repositoryNode);
  }
}

// ---- local images ------------------------------------------------------------------------------

const REMOVE = 'Remove';
const FORCE_REMOVE = 'Force Remove';

async function removeLocal(ctx: OperationsContext, nodes: LocalImageNode[], args: DeleteArgs): Promise<DeleteOutcome | undefined> {
  const references = nodes.map(localReference);
  const othersOf = nodes.map((node) => ctx.images.namesOf(node.image.id).filter((n) => !references.includes(n)));
  // Only an image that goes itself can be held by its containers; a name with other names beside it just goes.
  const users = await containersUsing(ctx, [...new Set(nodes.filter((_, i) => othersOf[i]!.length === 0).map((n) => n.image.id))]);
  const lines = nodes.map((node, i) => {
    const others = othersOf[i]!;
    if (others.length) return `• ${localReference(node)} — only this name goes; the image stays as ${others.join(', ')}`;
    const using = users.get(node.image.id) ?? [];
    const usedBy = using.length ? `; used by container${using.length === 1 ? '' : 's'} ${containersText(using)}` : '';
    return `• ${localReference(node)} — removes image ${shortDigest(node.image.id)} (${formatSize(node.image.size)})${usedBy}`;
  });
  const inUse = [...users.values()].flat();
  const notes: string[] = [];
  if (inUse.length) {
    notes.push('', 'The engine refuses to remove an image a container uses. Force Remove removes it anyway: stopped containers are kept and name the image by its id afterwards.');
    if (inUse.some(isActive)) notes.push('A running container keeps its image; for that one only the name goes.');
  }
  const message = nodes.length === 1 ? `Remove ${references[0]} from the Docker engine?` : `Remove ${nodes.length} local images from the Docker engine?`;
  const detail = [...lines, ...notes, '', `Engine: ${ctx.engines.endpointText() ?? ''}`].join('\n');
  const buttons = inUse.length ? [REMOVE, FORCE_REMOVE] : [REMOVE];
  let choice = args.choice;
  if (!choice) {
    const picked = await vscode.window.showWarningMessage(message, { modal: true, detail }, ...buttons);
    if (!picked) return undefined;
    choice = picked === FORCE_REMOVE ? 'force' : 'everything';
  } else if (choice === 'cancel') {
    return undefined;
  }
  const force = choice === 'force';
  const engine = ctx.engines.engine();
  const outcome: DeleteOutcome = { removed: [], kept: [], confirmation: { message, detail, buttons } };
  const refused: { reference: string; error: EngineError; users: ContainerSummary[] }[] = [];
  const record = (items: RemoveResultItem[]) => outcome.removed.push(...items.map((i) => i.untagged ?? i.deleted ?? '').filter(Boolean));
  try {
    for (const [i, reference] of references.entries()) {
      try {
        record(await engine.removeImage(reference, { force }));
      } catch (error) {
        // 409: a container or a child image depends on it; the engine's words name which.
        if (error instanceof EngineError && error.reason === 'conflict') refused.push({ reference, error, users: users.get(nodes[i]!.image.id) ?? [] });
        else throw error;
      }
    }
    // A scripted choice never waits on a second modal: what was refused is reported as kept.
    if (refused.length && !force && !args.choice) {
      const picked = await vscode.window.showWarningMessage(
        refused.length === 1 ? vscode.l10n.t('{0} is in use and was not removed.', refused[0]!.reference) : vscode.l10n.t('{0} images are in use and were not removed.', refused.length),
        {
          modal: true,
          detail: vscode.l10n.t('{0}\n\nForce Remove takes the name away anyway; containers keep running from the image they have.', refused
            .map((r) => (r.users.length ? `${r.reference} is used by container${r.users.length === 1 ? '' : 's'} ${containersText(r.users)}.` : describeError(r.error)))
            .join('\n')),
        },
        FORCE_REMOVE,
      );
      if (picked === FORCE_REMOVE) {
        for (const r of refused) record(await engine.removeImage(r.reference, { force: true }));
      } else {
        outcome.kept.push(...refused.map((r) => r.reference));
      }
    } else if (refused.length) {
      outcome.kept.push(...refused.map((r) => r.reference));
    }
  } finally {
    await ctx.images.refresh();
  }
  ctx.service.log.info(`removed local ${outcome.removed.join(', ') || 'nothing'}`);
  return outcome;
}

function isActive(c: ContainerSummary): boolean {
  return c.state === 'running' || c.state === 'paused' || c.state === 'restarting';
}

/**
 * The containers (any state) created from each image, by image id. A lookup that fails is logged
 * and leaves the image without names: the engine's own refusal still says what holds it.
 */
async function containersUsing(ctx: OperationsContext, imageIds: string[]): Promise<Map<string, ContainerSummary[]>> {
  const found = new Map<string, ContainerSummary[]>();
  if (imageIds.length === 0) return found;
  const engine = ctx.engines.engine();
  await withCancellableProgress(vscode.l10n.t('Checking which containers use the image'), async (_report, signal) => {
    await mapLimit(imageIds, 4, async (id) => {
      try {
        // "ancestor" also matches containers of images built on this one; those are not its users.
        const list = await engine.listContainers({ all: true, ancestor: id, signal });
        found.set(id, list.filter((c) => c.imageId === id));
      } catch (error) {
        if (error instanceof CancelledError) throw error;
        ctx.service.log.info(`delete: could not list the containers of ${id}: ${describeError(error)}`);
      }
    });
  }, { delayMs: 400 });
  return found;
}
