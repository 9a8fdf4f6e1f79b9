// The editor's one Docker engine client. Built from registryExplorer.docker.host (then DOCKER_HOST,
// the docker context, the platform default — resolveEngineHost decides) with the editor's credential
// lookup, so a registry signed in to here is signed in for pull/push through the engine too; a cloud
// registry's provider gives the engine the cloud's current token instead.
// Rebuilt when the setting changes; a setting that cannot be parsed is kept as the error to show.
import * as vscode from 'vscode';
import { DockerEngine } from '../../docker/engine';
import { engineCredentialStore } from '../../registries';
import type { RegistryService } from '../registryService';
import * as settings from '../settings';

export class EngineService implements vscode.Disposable {
  private current: DockerEngine | undefined;
  private configError: unknown;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the engine address changed: everything shown from the old engine is stale. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly service: RegistryService) {
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (settings.affectsDockerHost(e)) {
          this.reset();
          this.changed.fire();
        }
      }),
    );
  }

  /** The engine client; throws the configuration error (InvalidInputError / EngineError 'config') if the address is unusable. */
  engine(): DockerEngine {
    if (this.current) return this.current;
    if (this.configError) throw this.configError;
    try {
      this.current = DockerEngine.fromEnvironment({ setting: settings.dockerHost(), env: process.env, credentials: engineCredentialStore(this.service.credentials, (host) => this.service.cloudProvider(host)) });
    } catch (error) {
      this.configError = error;
      throw error;
    }
    return this.current;
  }

  /** The address an error should name, when there is one. */
  endpointText(): string | undefined {
    try {
      return this.engine().endpoint;
    } catch {
      return settings.dockerHost();
    }
  }

  dispose(): void {
    this.reset();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private reset(): void {
    const old = this.current;
    this.current = undefined;
    this.configError = undefined;
    // Closing the old pool is best effort; running streams on it end with it.
    void old?.close().catch(() => undefined);
  }
}
