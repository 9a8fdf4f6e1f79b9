// undici, required on first use: the extension activates and paints its views without it (a third
// of the extension's code, and its HTTP parser's WebAssembly is compiled when undici is loaded). The
// extension build keeps `require('./undiciParts')` out of dist/extension.js (dist/undiciParts.js,
// scripts/bundles.mjs); regx's bundle and the compiled tests resolve it as an ordinary module.
/* eslint-disable @typescript-eslint/no-require-imports */
import type * as Undici from 'undici';

export type Agent = Undici.Agent;
export type Pool = Undici.Pool;

let parts: typeof import('./undiciParts') | undefined;

function undiciParts(): typeof import('./undiciParts') {
  parts ??= require('./undiciParts') as typeof import('./undiciParts');
  return parts;
}

export function newAgent(options: Undici.Agent.Options): Agent {
  return new (undiciParts().Agent)(options);
}

export function newPool(origin: string, options: Undici.Pool.Options): Pool {
  return new (undiciParts().Pool)(origin, options);
}

/** undici's ProxyAgent (CONNECT tunnels): only runs with a proxy configured load it. */
export function loadProxyAgent(): typeof Undici.ProxyAgent {
  return undiciParts().loadProxyAgent();
}
