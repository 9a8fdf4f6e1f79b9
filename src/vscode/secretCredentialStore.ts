// CredentialStore over VS Code's SecretStorage. All credentials (usernames included) live in ONE
// secret as a JSON map keyed by registry host: SecretStorage cannot list its keys on our minimum
// VS Code, and keeping the list of hosts elsewhere (globalState) would leak who signed in where.
// Writes are serialised so two quick sign-ins cannot overwrite each other's read-modify-write.
import * as vscode from 'vscode';
import type { Credential, CredentialStore } from '../credentials/types';

const SECRET_KEY = 'registryExplorer.credentials.v1';

type CredentialMap = Record<string, Credential>;

export class SecretCredentialStore implements CredentialStore, vscode.Disposable {
  private queue: Promise<unknown> = Promise.resolve();
  /** The raw value this window stored last (undefined after a delete). */
  private lastWritten: string | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when another window (or this one) changes the stored credentials. */
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.subscription = secrets.onDidChange(async (e) => {
      if (e.key !== SECRET_KEY) return;
      // Our own writes come back as change events too; the caller already reacted to those, and a
      // second refresh would redraw the tree under the user's cursor. Only other windows' changes count.
      if ((await secrets.get(SECRET_KEY)) === this.lastWritten) return;
      this.changed.fire();
    });
  }

  async get(registry: string): Promise<Credential | undefined> {
    const map = await this.read();
    return map[registry];
  }

  store(registry: string, credential: Credential): Promise<void> {
    return this.update((map) => {
      // Keep only the credential fields: nothing else should ride along into storage.
      const clean: Credential = { username: credential.username };
      if (credential.password !== undefined) clean.password = credential.password;
      if (credential.identityToken !== undefined) clean.identityToken = credential.identityToken;
      if (credential.registryToken !== undefined) clean.registryToken = credential.registryToken;
      map[registry] = clean;
    });
  }

  erase(registry: string): Promise<void> {
    return this.update((map) => {
      delete map[registry];
    });
  }

  async list(): Promise<string[]> {
    return Object.keys(await this.read()).sort();
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  private async read(): Promise<CredentialMap> {
    const raw = await this.secrets.get(SECRET_KEY);
    if (!raw) return {};
    try {
      const parsed: unknown = JSON.parse(raw);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
      const map: CredentialMap = {};
      for (const [host, value] of Object.entries(parsed as Record<string, unknown>)) {
        if (value && typeof value === 'object' && typeof (value as Credential).username === 'string') map[host] = value as Credential;
      }
      return map;
    } catch {
      // A corrupt secret is treated as empty rather than blocking every registry.
      return {};
    }
  }

  private update(change: (map: CredentialMap) => void): Promise<void> {
    const next = this.queue.then(async () => {
      const map = await this.read();
      change(map);
      if (Object.keys(map).length === 0) {
        this.lastWritten = undefined;
        await this.secrets.delete(SECRET_KEY);
      } else {
        this.lastWritten = JSON.stringify(map);
        await this.secrets.store(SECRET_KEY, this.lastWritten);
      }
    });
    // Keep the chain alive after a failure; the caller still sees its own error.
    this.queue = next.catch(() => undefined);
    return next;
  }
}
