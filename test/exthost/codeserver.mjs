// Shared by the extension-host tier (test/exthost/run.mjs) and the UI tier (test/ui/run.mjs):
// install/locate code-server, start it on a free loopback port with a fresh user-data-dir,
// launch Chromium through playwright-core, and make sure every process we started dies with us.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Our scratch area (reserved for these tiers). */
export const SCRATCH = process.env.REGX_SCRATCH_DIR || '/tmp/h6';
const PORT_RANGE = [15500, 15599];

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  // Without these Chromium keeps trying hosts this machine cannot reach.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-default-apps',
  '--disable-features=Translate,OptimizationHints,MediaRouter',
];

const t0 = Date.now();
export function elapsed() {
  return `${((Date.now() - t0) / 1000).toFixed(1)}s`;
}

// ---- cleanup ------------------------------------------------------------------------------------

const cleanups = [];
let cleaning;
/** Registers an async cleanup; all run once, last registered first, on normal end, signal or crash. */
export function onCleanup(fn) {
  cleanups.push(fn);
}
export async function cleanup() {
  cleaning ??= (async () => {
    while (cleanups.length) {
      const fn = cleanups.pop();
      try {
        await fn();
      } catch (e) {
        console.error(`cleanup: ${e?.message ?? e}`);
      }
    }
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping code-server and Chromium`);
    cleanup().finally(() => process.exit(130));
  });
}
process.on('uncaughtException', (e) => {
  console.error(e);
  cleanup().finally(() => process.exit(1));
});

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills a whole process group (code-server and its extension host / pty / watcher children). */
export async function killGroup(pgid, graceMs = 3000) {
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && alive(-pgid)) await new Promise((r) => setTimeout(r, 100));
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/**
 * Run directories of drivers that died without cleaning up (SIGKILL, OOM) still hold code-server.pgid:
 * kill that group (only if its leader still runs code-server). Folders kept for their logs are left
 * alone for a day, then removed.
 */
export async function reapStale() {
  if (!fs.existsSync(SCRATCH)) return;
  for (const name of fs.readdirSync(SCRATCH)) {
    const m = /^(exthost|ui)-(\d+)-/.exec(name);
    if (!m) continue;
    const dir = path.join(SCRATCH, name);
    if (alive(Number(m[2]))) continue;
    const pgidFile = path.join(dir, 'code-server.pgid');
    if (fs.existsSync(pgidFile)) {
      const pgid = Number(fs.readFileSync(pgidFile, 'utf8'));
      let cmd = '';
      try {
        cmd = fs.readFileSync(`/proc/${pgid}/cmdline`, 'utf8');
      } catch {
        /* gone */
      }
      if (pgid > 1 && cmd.includes('code-server')) {
        console.log(`reaping code-server group ${pgid} left by a dead run (${name})`);
        await killGroup(pgid, 1000);
      }
      fs.rmSync(pgidFile, { force: true });
    }
    try {
      if (Date.now() - fs.statSync(dir).mtimeMs > 24 * 3600_000) fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      /* raced with another reaper */
    }
  }
}

// ---- code-server --------------------------------------------------------------------------------

/** Path of the code-server binary: REGX_CODE_SERVER_BIN, or install into .cache (idempotent, ~40-70 s the first time). */
export function codeServerBin() {
  if (process.env.REGX_CODE_SERVER_BIN) return process.env.REGX_CODE_SERVER_BIN;
  const r = spawnSync('bash', [path.join(ROOT, 'scripts/install-code-server.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Quiet when it only found the existing install.
  if (r.status !== 0 || !/already installed/.test(r.stderr)) process.stderr.write(r.stderr);
  if (r.status !== 0) throw new Error('scripts/install-code-server.sh failed (see above)');
  return r.stdout.trim().split('\n').pop();
}

function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A free port: REGX_CODE_SERVER_PORT if set, else the first free one in 15500-15599 from `from`. */
export async function freePort(from = PORT_RANGE[0]) {
  if (process.env.REGX_CODE_SERVER_PORT) return Number(process.env.REGX_CODE_SERVER_PORT);
  for (let p = from; p <= PORT_RANGE[1]; p++) if (await portFree(p)) return p;
  for (let p = PORT_RANGE[0]; p < from; p++) if (await portFree(p)) return p;
  throw new Error(`no free port in ${PORT_RANGE.join('-')}`);
}

/** A fresh run directory under /tmp/h6: <tier>-<our pid>-<time>. */
export function makeRunDir(tier) {
  fs.mkdirSync(SCRATCH, { recursive: true });
  const dir = fs.mkdtempSync(path.join(SCRATCH, `${tier}-${process.pid}-`));
  return dir;
}

/**
 * Starts code-server with a fresh user-data-dir in runDir and waits for /healthz.
 * settings: merged into User/settings.json (after workbench.startupEditor none).
 * env: added to code-server's environment, which its extension host inherits.
 */
export async function startCodeServer({ runDir, port, settings = {}, env = {}, extensionsDir, extraArgs = [], startTimeoutMs = 60_000 }) {
  const bin = codeServerBin();
  const userDataDir = path.join(runDir, 'user-data');
  const workspace = path.join(runDir, 'workspace');
  extensionsDir ??= path.join(runDir, 'extensions');
  for (const d of [path.join(userDataDir, 'User'), workspace, extensionsDir]) fs.mkdirSync(d, { recursive: true });
  const userSettings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'security.workspace.trust.enabled': false,
    'chat.disableAIFeatures': true,
    ...settings,
  };
  fs.writeFileSync(path.join(userDataDir, 'User/settings.json'), JSON.stringify(userSettings, null, 2));

  const logPath = path.join(runDir, 'code-server.log');
  const log = fs.openSync(logPath, 'a');
  // Our own config file, so a developer's ~/.config/code-server/config.yaml neither applies nor gets created.
  const configPath = path.join(runDir, 'code-server.yaml');
  fs.writeFileSync(configPath, 'auth: none\ncert: false\n');
  const args = [
    '--config', configPath,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    ...extraArgs,
    workspace,
  ];
  const started = Date.now();
  const child = spawn(bin, args, {
    cwd: runDir,
    // Its own process group, so killing the group takes the extension host and helpers too.
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, ...env, VSCODE_CLI: undefined, ELECTRON_RUN_AS_NODE: undefined },
  });
  fs.closeSync(log);
  fs.writeFileSync(path.join(runDir, 'code-server.pgid'), String(child.pid));
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  const stop = async () => {
    await killGroup(child.pid);
    fs.rmSync(path.join(runDir, 'code-server.pgid'), { force: true });
  };
  onCleanup(stop);

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (exited) throw new Error(`code-server exited early (${JSON.stringify(exited)}); log: ${logPath}\n${tail(logPath)}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`code-server did not answer ${url}/healthz within ${startTimeoutMs} ms; log: ${logPath}`);
    await new Promise((r) => setTimeout(r, 150));
  }
  const startupMs = Date.now() - started;
  return { url, port, userDataDir, workspace, extensionsDir, logPath, pid: child.pid, startupMs, stop, exited: () => exited };
}

export function tail(file, lines = 25) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

// ---- Chromium -----------------------------------------------------------------------------------

export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  const executablePath = process.env.REGX_CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath} (apt-get install -y chromium, or set REGX_CHROMIUM)`);
  const browser = await chromium.launch({
    executablePath,
    args: CHROMIUM_ARGS,
    headless: process.env.REGX_HEADED !== '1',
  });
  onCleanup(() => browser.close().catch(() => {}));
  return browser;
}

/** The tier result contract with test/run.mjs. */
export function writeTierResult(result) {
  const out = process.env.REGX_TIER_RESULT;
  if (!out) return;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const { passed, failed, skipped, failures } = result;
  fs.writeFileSync(out, JSON.stringify({ passed, failed, skipped, failures }, null, 2));
}
