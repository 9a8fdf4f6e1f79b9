// An in-process CredentialStore: used when a command is given credentials directly
// (`regx login -u … --password-stdin` before saving, tests, a one-off copy with --creds).
// Nothing is written anywhere; the process ending forgets everything.

import { parseRegistry } from '../reference';
import type { Credential, CredentialStore } from './types';

export class MemoryCredentialStore implements CredentialStore {
  private readonly entries = new Map<string, Credential>();

  /** initial: registry (any spelling parseRegistry accepts) → credential. */
  constructor(initial: Record<string, Credential> = {}) {
    for (const [registry, credential] of Object.entries(initial)) {
      this.entries.set(parseRegistry(registry), { ...credential });
    }
  }

  async get(registry: string): Promise<Credential | undefined> {
    const credential = this.entries.get(parseRegistry(registry));
    // A copy, so a caller changing it cannot change what is stored.
    return credential ? { ...credential } : undefined;
  }

  async store(registry: string, credential: Credential): Promise<void> {
    this.entries.set(parseRegistry(registry), { ...credential });
  }

  async erase(registry: string): Promise<void> {
    this.entries.delete(parseRegistry(registry));
  }

  async list(): Promise<string[]> {
    return [...this.entries.keys()].sort();
  }
}
