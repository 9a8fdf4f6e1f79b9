// The parts of undici this project uses (loaded through ./undici, on the first connection): Agent (registries), Pool (the Docker engine) and the
// promise `request()` API on them. undici's index also loads fetch, WebSocket, EventSource, the
// cache and the mock agents at require time, which costs every `regx` run ~15 ms of CPU before its
// first request (measured on the minified bundle); these modules are what it does for Agent/Pool.
// undici is pinned to an exact version in package.json: these paths are its own lib/ layout.
/* eslint-disable @typescript-eslint/no-require-imports */
import type * as Undici from 'undici';

// undici's index attaches request/stream/pipeline/connect/upgrade to every Dispatcher this way. The
// project calls request(); connect() is attached with the proxy agent, its only user.
const DispatcherClass = require('undici/lib/dispatcher/dispatcher') as { prototype: object };
if (!('request' in DispatcherClass.prototype)) {
  Object.assign(DispatcherClass.prototype, { request: require('undici/lib/api/api-request') as unknown });
}

export const Agent = require('undici/lib/dispatcher/agent') as typeof Undici.Agent;
export type Agent = Undici.Agent;
export const Pool = require('undici/lib/dispatcher/pool') as typeof Undici.Pool;
export type Pool = Undici.Pool;

/**
 * undici's ProxyAgent (CONNECT tunnels), loaded on first use: only runs with a proxy configured pay
 * for it. Same pinned lib/ layout as above.
 */
export function loadProxyAgent(): typeof Undici.ProxyAgent {
  // ProxyAgent opens its CONNECT tunnels with the dispatcher's connect() API.
  if (!('connect' in DispatcherClass.prototype)) {
    Object.assign(DispatcherClass.prototype, { connect: require('undici/lib/api/api-connect') as unknown });
  }
  return require('undici/lib/dispatcher/proxy-agent') as typeof Undici.ProxyAgent;
}
