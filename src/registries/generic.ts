// Any Distribution (OCI) registry: repositories from /v2/_catalog, tags from tags/list, deletes by
// digest after a plan that names every tag sharing it. Everything the vendor providers do not replace.

import type { RegistryClient } from '../distribution/client';
import { deleteManifestByDigest, executeTagDelete, planTagDelete } from '../distribution/deletion';
import { parsePlatform } from '../distribution/platform';
import { login } from '../distribution/session';
import type { Transport } from '../distribution/transport';
import type { Page } from '../distribution/types';
import { InvalidInputError } from '../errors/errors';
import type { Credential, CredentialStore } from '../credentials/types';
import type { Vendor } from '../errors/errors';
import type {
  DeleteOptions,
  DeletePlan,
  PageRequest,
  PlatformSummary,
  ProviderCapabilities,
  RegistryProvider,
  RepositoryPageRequest,
  RepositorySummary,
  SignInInput,
  SignInResult,
  TagSummary,
} from './provider';
import { withVendor } from './vendorApi';

export interface GenericProviderOptions {
  /** Where signIn stores the checked credential (the editor's SecretStorage, or docker's config). */
  credentials?: CredentialStore;
  transport?: Transport;
  userAgent?: string;
}

export class GenericProvider implements RegistryProvider {
  readonly kind = 'generic' as const;
  readonly capabilities: ProviderCapabilities = {
    catalog: true,
    namespaces: false,
    search: false,
    deleteTag: 'manifest',
    deleteManifest: true,
    signIn: 'username-and-secret',
    tagDeleteNote: 'The Distribution API deletes images by digest: every tag pointing at the same image goes with it.',
  };

  constructor(
    readonly client: RegistryClient,
    private readonly options: GenericProviderOptions = {},
  ) {}

  get host(): string {
    return this.client.host;
  }

  get displayName(): string {
    return this.client.host;
  }

  async listRepositories(page: RepositoryPageRequest): Promise<Page<RepositorySummary>> {
    const names = await this.client.catalogPage(pageOptions(page));
    const items = names.items
      .filter((name) => !page.namespace || name.startsWith(`${page.namespace}/`))
      .map((name) => ({ name }));
    return names.next ? { items, next: names.next } : { items };
  }

  async listTags(repository: string, page: PageRequest): Promise<Page<TagSummary>> {
    const tags = await this.client.tagsPage(repository, pageOptions(page));
    const items = tags.items.map((name) => ({ name }));
    return tags.next ? { items, next: tags.next } : { items };
  }

  /** Digest, size, created and platforms from the manifest and config (a GET, cached by digest). */
  async tagDetails(repository: string, tag: string, signal?: AbortSignal): Promise<TagSummary> {
    const summary = await this.client.summarize(repository, tag, signal ? { signal } : {});
    const platforms = summary.platforms.map(platformSummary).filter((p): p is PlatformSummary => !!p);
    return {
      name: tag,
      digest: summary.digest,
      size: summary.totalSize,
      ...(summary.created ? { created: summary.created } : {}),
      ...(platforms.length ? { platforms } : {}),
    };
  }

  async planTagDelete(repository: string, tag: string, signal?: AbortSignal): Promise<DeletePlan> {
    const plan = await planTagDelete(this.client, repository, tag, signal ? { signal } : {});
    return { repository, tag, digest: plan.digest, alsoRemoves: plan.sharedWith };
  }

  /** Planned again right before deleting, so a tag that moved or a new sharer is never removed unseen. */
  async deleteTag(repository: string, tag: string, options: DeleteOptions = {}): Promise<void> {
    const call = options.signal ? { signal: options.signal } : {};
    const plan = await planTagDelete(this.client, repository, tag, call);
    await executeTagDelete(this.client, plan, { ...call, ...(options.confirmShared ? { confirmShared: true } : {}) });
  }

  async deleteManifest(repository: string, digest: string, signal?: AbortSignal): Promise<void> {
    await deleteManifestByDigest(this.client, repository, digest, signal ? { signal } : {});
  }

  /** Checked like `docker login`, then stored; cached tokens are dropped so the new account is used. */
  async signIn(input: SignInInput): Promise<SignInResult> {
    if (!input.username) throw new InvalidInputError('credential', '', 'a username is required');
    await checkThenStore(this.client, { username: input.username, password: input.secret }, this.options, input.signal);
    this.forgetTokens();
    return { username: input.username };
  }

  forgetTokens(): void {
    this.client.session.forgetTokens();
  }
}

/**
 * The sign-in every provider that signs in at the registry shares: checked as `docker login` checks
 * (a refusal tagged with the vendor, so it reads in that registry's words), and stored only once it
 * passed. The caller then forgets its cached tokens, so the new account is used.
 */
export async function checkThenStore(client: RegistryClient, credential: Credential, options: GenericProviderOptions, signal?: AbortSignal, vendor?: Vendor): Promise<void> {
  try {
    await login(client.session.endpoint, credential, {
      ...(options.transport ? { transport: options.transport } : {}),
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    throw vendor ? withVendor(err, vendor) : err;
  }
  await options.credentials?.store(client.host, credential);
}

function pageOptions(page: PageRequest): { pageSize: number; cursor?: string; signal?: AbortSignal } {
  return {
    pageSize: page.pageSize,
    ...(page.cursor !== undefined ? { cursor: page.cursor } : {}),
    ...(page.signal ? { signal: page.signal } : {}),
  };
}

/** "linux/arm64/v8" → its parts; undefined for text that is not a platform. */
export function platformSummary(text: string): PlatformSummary | undefined {
  const p = parsePlatform(text);
  if (!p) return undefined;
  return { platform: text, os: p.os, architecture: p.architecture, ...(p.variant ? { variant: p.variant } : {}) };
}
