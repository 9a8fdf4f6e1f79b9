// Connect Registry…: URL (validated by the reference parser), optional display name, connection
// options (plain HTTP, skip TLS verification, CA file), then optionally sign in. The registry is
// saved in the user's registryExplorer.registries setting, where it can also be edited by hand.
import * as vscode from 'vscode';
import { parseRegistryAddress, isLoopbackHost } from '../../reference';
import * as settings from '../settings';
import type { CommandContext } from './context';
import { login, type LoginArgs } from './login';
import { validate } from './pickers';

/** For scripted use (tests, the demo): everything the prompts would ask. */
export interface ConnectArgs {
  url: string;
  name?: string;
  allowHttp?: boolean;
  skipTlsVerify?: boolean;
  caFile?: string;
  /** Sign in right away with these (checked against the registry first). */
  credentials?: LoginArgs;
}

type Option = vscode.QuickPickItem & { key: 'allowHttp' | 'skipTlsVerify' | 'caFile' };

export async function connectRegistry(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  const given = isConnectArgs(arg) ? arg : undefined;
  const entry = given ?? (await ask(typeof arg === 'string' ? arg : undefined));
  if (!entry) return undefined;
  const host = parseRegistryAddress(entry.url.trim()).host;

  await settings.addRegistry({
    url: entry.url.trim(),
    name: entry.name?.trim() || undefined,
    allowHttp: entry.allowHttp,
    skipTlsVerify: entry.skipTlsVerify,
    caFile: entry.caFile,
  });
  ctx.service.forget(host);
  ctx.tree.refresh();

  if (entry.credentials) {
    await login(ctx, host, entry.credentials);
  } else if (!given) {
    const choice = await vscode.window.showQuickPick(
      [
        { label: '$(sign-in) Sign in now…', value: true },
        { label: '$(globe) Continue anonymously', description: 'sign in later from the registry\'s menu', value: false },
      ],
      { title: `Connected ${host}`, placeHolder: 'Does this registry need credentials?' },
    );
    if (choice?.value) await login(ctx, host);
  }

  const node = await ctx.tree.registryNode(host);
  if (node && ctx.view.visible) await ctx.view.reveal(node, { select: true, focus: true, expand: true }).then(undefined, () => undefined);
  return host;
}

function isConnectArgs(value: unknown): value is ConnectArgs {
  return !!value && typeof value === 'object' && typeof (value as ConnectArgs).url === 'string' && !('kind' in (value as object));
}

async function ask(initialUrl?: string): Promise<ConnectArgs | undefined> {
  const title = 'Connect Registry';
  const url = await vscode.window.showInputBox({
    title,
    prompt: 'Registry host[:port] or URL (http:// for a registry without TLS)',
    placeHolder: 'registry.example.com, localhost:5000, https://ghcr.io',
    value: initialUrl,
    ignoreFocusOut: true,
    validateInput: (v) => validate(() => parseRegistryAddress(v.trim())),
  });
  if (!url) return undefined;
  const address = parseRegistryAddress(url.trim());

  const name = await vscode.window.showInputBox({
    title,
    prompt: 'Display name (optional)',
    placeHolder: address.host,
    ignoreFocusOut: true,
  });
  if (name === undefined) return undefined;

  // Plain HTTP is pre-selected when the user typed http://; loopback registries get it anyway.
  const options: Option[] = [
    { key: 'allowHttp', label: 'Allow plain HTTP', description: isLoopbackHost(address.host) ? 'loopback registries are allowed HTTP anyway' : 'only for registries without TLS', picked: address.scheme === 'http' },
    { key: 'skipTlsVerify', label: 'Skip TLS certificate verification', description: 'self-signed test registries only' },
    { key: 'caFile', label: 'Trust a CA certificate file…', description: 'PEM file that signed the registry\'s certificate' },
  ];
  const picked = await vscode.window.showQuickPick(options, {
    title,
    canPickMany: true,
    placeHolder: 'Connection options (none needed for most registries) — press Enter to continue',
    ignoreFocusOut: true,
  });
  if (picked === undefined) return undefined;
  const chosen = new Set(picked.map((p) => p.key));

  let caFile: string | undefined;
  if (chosen.has('caFile')) {
    const files = await vscode.window.showOpenDialog({ title: 'CA certificate (PEM)', canSelectMany: false, filters: { 'PEM certificates': ['pem', 'crt', 'cer'], 'All files': ['*'] } });
    if (!files?.[0]) return undefined;
    caFile = files[0].fsPath;
  }
  return {
    url: url.trim(),
    name: name.trim() || undefined,
    allowHttp: chosen.has('allowHttp') || undefined,
    skipTlsVerify: chosen.has('skipTlsVerify') || undefined,
    caFile,
  };
}
