// The editor rows of `npm run bench` (`node bench/run.mjs --rows editor`, or e1..e6): the production
// extension in a real VS Code (code-server 4.100.3, the UI tier's machinery in test/exthost/codeserver.mjs),
// driven by Chromium through playwright-core as a user would — clicks on twisties, End and Enter on
// "Load more…" — against the bench's seeded Distribution registries.
//
//   e1 activation: our activate()'s own duration and VS Code's "Activation" figure (code load + activate
//      call, from Developer: Show Running Extensions), activate → the Registries view's first paint, the
//      bundles required by then, the size of dist/extension.js (production build) and of the .vsix
//   e2 first paint of a registry with 5,000 repositories (token auth): ms, registry requests, token requests
//   e3 first paint of a repository with 100,000 tags: the same
//   e4 Load more until 10,000 tags show (each adds as many again as shown: 7 clicks to 12,800): ms per
//      click, and that no list request is sent again
//   e5 digest, size and age for 500 tags on one page: requests, peak concurrency at the registry, time to
//      the last badge
//   e6 extension-host heap (bench probe: process.memoryUsage() after a full GC, in the extension host)
//      before connecting, after e3/e4 (100,000 tags fetched, 12,800 shown), after collapsing the registry
//      and after disconnecting it
//
// Requests are counted by a proxy in front of each registry (bench/lib/countingProxy.mjs: it also sees
// how many are in flight at once) and tokens by the issuer's /_control/stats. The extension host answers
// the bench through src/benchProbe.ts, loaded only when REGX_BENCH_PROBE is set and absent from the .vsix.
// Every row checks what it measured against what was seeded (row counts, tags, digests) and throws when
// they differ, so a wrong number is never reported.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { bundleOptions } from '../../scripts/bundles.mjs';
import { startCountingProxy } from '../lib/countingProxy.mjs';

export const EDITOR_ROWS = ['e1', 'e2', 'e3', 'e4', 'e5', 'e6'];

const PAGE_SIZE = 100; // registryExplorer.pageSize's default: what a user gets
const DETAILS_PAGE = 500;
// REGX_BENCH_LOAD_MORE_TO: fewer pages while investigating (the README's figures use the default).
const LOAD_MORE_TO = Number(process.env.REGX_BENCH_LOAD_MORE_TO) || 10_000;
/** What one Load more… adds when `shown` rows are shown: src/vscode/tree/pagedLists.ts loadMoreCount. */
const loadMoreCount = (shown) => Math.max(PAGE_SIZE, Math.min(shown, 10_000));
const REGISTRIES_VIEW = 'Registries';
const TOKEN_NAME = 'bench token registry';
const OPEN_NAME = 'bench open registry';

/** Files of the staged extension: what the .vsix holds (.vscodeignore's allowlist) plus the probe. */
const STAGED = ['package.json', 'package.nls.json', 'package.nls.qps-ploc.json', 'README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore', 'media', 'l10n'];

/**
 * The production extension staged in `dir` (a folder code-server loads, like an installed .vsix, but
 * with the bench probe beside it) and packaged from there with vsce, as `npm run package` does.
 */
async function stageExtension(repoRoot, dir, log) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'dist'), { recursive: true });
  for (const entry of STAGED) if (fs.existsSync(path.join(repoRoot, entry))) fs.cpSync(path.join(repoRoot, entry), path.join(dir, entry), { recursive: true });
  const bundles = bundleOptions({ production: true });
  const cwd = process.cwd();
  process.chdir(repoRoot); // the webview bundle's plugin copies the codicons relative to the checkout
  try {
    await Promise.all(Object.values(bundles).map((options) => esbuild.build({ ...options, absWorkingDir: repoRoot, outfile: path.join(dir, options.outfile) })));
  } finally {
    process.chdir(cwd);
  }
  for (const file of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(repoRoot, 'node_modules', '@vscode', 'codicons', 'dist', file), path.join(dir, 'dist', 'webview', file));
  const vsix = path.join(dir, '..', 'registry-explorer.vsix');
  const vsce = path.join(repoRoot, 'node_modules', '.bin', 'vsce');
  const packed = spawnSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', vsix], { cwd: dir, encoding: 'utf8' });
  if (packed.status !== 0) throw new Error(`vsce package failed:\n${packed.stdout}${packed.stderr}`);
  const size = (file) => fs.statSync(path.join(dir, 'dist', file)).size;
  const sizes = {
    extensionJs: size('extension.js'),
    undiciPartsJs: size('undiciParts.js'),
    errorWordsJs: size('errorWords.js'),
    imageDetailsJs: size('imageDetails.js'),
    cloudBundles: Object.fromEntries(fs.readdirSync(path.join(dir, 'dist')).filter((f) => /^cloud-.*\.js$/.test(f)).map((f) => [f, size(f)])),
    vsix: fs.statSync(vsix).size,
  };
  const listing = spawnSync(vsce, ['ls', '--no-dependencies'], { cwd: dir, encoding: 'utf8' }).stdout ?? '';
  if (/benchProbe/.test(listing)) throw new Error('the bench probe would ship in the .vsix (.vscodeignore)');
  log(`editor: staged the production extension: dist/extension.js ${kb(sizes.extensionJs)}, .vsix ${kb(sizes.vsix)}`);
  return sizes;
}

const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;

// ---- the page -----------------------------------------------------------------------------------

/** Rows of a view as the DOM shows them (the tree is virtual: only rows on screen exist). Runs in the page. */
function viewRows(viewName) {
  const pane = [...document.querySelectorAll('.part.sidebar .pane')].find((p) => p.querySelector('.pane-header .title')?.textContent.trim() === viewName);
  if (!pane) return [];
  return [...pane.querySelectorAll('.monaco-list-row')].map((r) => ({
    label: r.querySelector('.label-name')?.textContent.trim() ?? '',
    description: r.querySelector('.label-description')?.textContent.trim() ?? '',
    expanded: r.getAttribute('aria-expanded'),
    level: Number(r.getAttribute('aria-level')),
    size: Number(r.getAttribute('aria-setsize')),
    position: Number(r.getAttribute('aria-posinset')),
  }));
}

/** Installs, once per page, the record of the last user input (its time in wall-clock ms). */
async function watchInput(page) {
  await page.evaluate(() => {
    if (window.__benchInput) return;
    window.__benchInput = { at: 0 };
    const note = () => { window.__benchInput.at = performance.timeOrigin + performance.now(); };
    window.addEventListener('mousedown', note, true);
    window.addEventListener('keydown', note, true);
  });
}

/**
 * Waits until `predicate(rows)` holds for the rows of `viewName`, checked on every animation frame, and
 * returns the wall-clock time of that frame and the time of the input that led to it.
 */
async function paintedWhen(page, viewName, predicate, arg, timeout = 60_000) {
  const handle = await page.waitForFunction(
    ({ viewName, source, arg, viewRowsSource }) => {
      const rows = new Function(`return (${viewRowsSource})`)()(viewName);
      const ok = new Function('rows', 'arg', `return (${source})(rows, arg)`)(rows, arg);
      return ok ? { paint: performance.timeOrigin + performance.now(), input: window.__benchInput?.at ?? 0 } : false;
    },
    { viewName, source: predicate.toString(), arg, viewRowsSource: viewRows.toString() },
    { polling: 'raf', timeout },
  );
  return handle.jsonValue();
}

async function rowsNow(page, viewName) {
  return page.evaluate(({ source, viewName }) => new Function(`return (${source})`)()(viewName), { source: viewRows.toString(), viewName });
}

function rowLocator(page, viewName, label) {
  const pane = page.locator('.part.sidebar .pane').filter({ has: page.locator('.pane-header .title', { hasText: new RegExp(`^\\s*${viewName}\\s*$`) }) }).first();
  return pane.locator('.monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }) }).first();
}

async function clickTwistie(page, label) {
  const row = rowLocator(page, REGISTRIES_VIEW, label);
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await row.locator('.monaco-tl-twistie').click();
}

/** Moves the tree's focus to the Load more… row that says `loaded` tags are loaded (End, then Up). */
async function focusLoadMore(page, loaded) {
  const focused = () => page.evaluate(() => {
    const row = document.querySelector('.part.sidebar .pane .monaco-list-row.focused');
    return row ? { label: row.querySelector('.label-name')?.textContent.trim(), description: row.querySelector('.label-description')?.textContent.trim() ?? '' } : undefined;
  });
  await page.keyboard.press('End');
  for (let presses = 0; presses < 12; presses++) {
    const row = await focused();
    if (row?.label === 'Load more…' && row.description.startsWith(`${loaded} tags loaded`)) return;
    await page.keyboard.press('ArrowUp');
  }
  throw new Error(`editor rows: no Load more… row with ${loaded} tags loaded above the tree's last row`);
}

async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: title }).first();
  await row.waitFor({ state: 'visible' });
  await row.click();
}

// ---- the extension host ---------------------------------------------------------------------------

function probeClient(port) {
  const get = async (what, params = {}) => {
    const url = new URL(`http://127.0.0.1:${port}/${what}`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
    const res = await fetch(url);
    const text = await res.text();
    if (!res.ok) throw new Error(`bench probe /${what}: ${text}`);
    return JSON.parse(text);
  };
  return {
    get,
    async waitUp(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          return await get('marks');
        } catch (error) {
          if (Date.now() > deadline) throw new Error(`the extension never answered on its bench probe (port ${port}): ${error.message}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    },
    /** Polls `what` until `done(answer)`; returns the answer and when it first held. */
    async until(what, params, done, timeoutMs, label) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const answer = await get(what, params);
        if (done(answer)) return { answer, at: Date.now() };
        if (Date.now() > deadline) throw new Error(`${label}: not done within ${timeoutMs / 1000} s: ${JSON.stringify(answer).slice(0, 400)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** The first getChildren call for a node whose id contains `idPart`, made after `after` (wall-clock ms). */
async function childrenCall(probe, idPart, after) {
  const { calls } = await probe.get('marks');
  const call = calls.find((c) => c.node.includes(idPart) && c.start >= after - 5);
  if (!call) throw new Error(`editor rows: the probe saw no getChildren call for ${idPart}`);
  return call;
}

const heapOf = (m) => ({ heapUsedMB: +(m.heapUsed / 2 ** 20).toFixed(1), rssMB: +(m.rss / 2 ** 20).toFixed(1), externalMB: +(m.external / 2 ** 20).toFixed(1) });

// ---- counting -------------------------------------------------------------------------------------

function classify(path) {
  if (/\/v2\/_catalog/.test(path)) return 'catalog';
  if (/\/tags\/list/.test(path)) return 'tags/list';
  if (/\/manifests\/sha256-/.test(path)) return 'referrers tag';
  if (/\/referrers\//.test(path)) return 'referrers';
  if (/\/manifests\//.test(path)) return 'manifest';
  if (/\/blobs\//.test(path)) return 'blob';
  if (/^\/v2\/?$/.test(path)) return 'ping';
  return 'other';
}

function countRequests(records, { until = Infinity } = {}) {
  const out = { total: 0, byKind: {}, challenges: 0 };
  for (const r of records) {
    if (r.start > until) continue;
    out.total++;
    const kind = classify(r.path);
    out.byKind[kind] = (out.byKind[kind] ?? 0) + 1;
    if (r.status === 401) out.challenges++;
  }
  return out;
}

async function tokenCount(issuer) {
  return (await fetch(`${issuer}/_control/stats`).then((r) => r.json())).tokenRequests;
}

function check(condition, what) {
  if (!condition) throw new Error(`editor rows: validation failed: ${what}`);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ---- the rows ------------------------------------------------------------------------------------

/**
 * Runs the editor rows asked for in `rows` (a Set of e1..e6). services: the bench's (test/services/start.mjs);
 * seeded: what bench/run.mjs seeded (digests of bench/details500); root: the bench's --root.
 */
export async function runEditorRows({ rows, services, seeded, root, portBase, repoRoot, log, counts }) {
  const want = (r) => rows.has(r);
  const needs = {
    registry: ['e2', 'e3', 'e4', 'e6'].some(want),
    repository: ['e3', 'e4', 'e6'].some(want),
    loadMore: ['e4', 'e6'].some(want),
  };
  const { startCodeServer, launchChromium, makeRunDir, cleanup, reapStale } = await import('../../test/exthost/codeserver.mjs');
  const result = { pageSize: PAGE_SIZE, notes: [] };
  await reapStale();
  const runDir = makeRunDir('ui');
  const cleanups = [];
  let page;
  try {
    // The extension, built for production and staged as code-server will load it.
    result.sizes = await stageExtension(repoRoot, path.join(runDir, 'extension'), log);

    // The registries, each behind a counting proxy (ports base+20, base+21: below the ephemeral range).
    const tokenProxy = await startCountingProxy({ target: services.token.host, port: portBase + 20 });
    cleanups.push(() => tokenProxy.close());
    const openProxy = await startCountingProxy({ target: services.open.host, port: portBase + 21 });
    cleanups.push(() => openProxy.close());
    const issuer = services.token.issuer;

    // The token registry's credentials, as `docker login` leaves them (the extension reads config.json).
    const dockerConfig = path.join(runDir, 'docker-config');
    fs.mkdirSync(dockerConfig, { recursive: true });
    const { username, password } = services.token.user;
    fs.writeFileSync(path.join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [tokenProxy.host]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } } }));

    const extensionsDir = path.join(runDir, 'extensions');
    fs.mkdirSync(extensionsDir, { recursive: true });
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    fs.symlinkSync(path.join(runDir, 'extension'), path.join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`));
    const probePort = portBase + 22;
    const codeServerPort = Number(process.env.REGX_CODE_SERVER_PORT) || portBase + 90;
    const server = await startCodeServer({
      runDir,
      port: codeServerPort,
      extensionsDir,
      settings: {
        'registryExplorer.registries': [
          // The token registry last: the rows after its big repository's Load more… are then a known few (e4).
          { url: `http://${openProxy.host}`, name: OPEN_NAME },
          { url: `http://${tokenProxy.host}`, name: TOKEN_NAME },
        ],
        'registryExplorer.pageSize': PAGE_SIZE,
        'registryExplorer.useDockerConfig': true,
      },
      env: { REGX_BENCH_PROBE: String(probePort), DOCKER_CONFIG: dockerConfig, DOCKER_HOST: 'unix:///nonexistent/bench-no-engine.sock', NODE_EXTRA_CA_CERTS: undefined },
    });
    log(`editor: code-server on ${server.url} (${server.startupMs} ms)`);
    const browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    page = await context.newPage();
    const probe = probeClient(probePort);

    // ---- e1: activation
    await page.goto(`${server.url}/?folder=${encodeURIComponent(server.workspace)}`);
    await page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
    await page.waitForTimeout(1500); // let the workbench finish restoring before the click starts the clock
    await watchInput(page);
    const activity = page.locator('.part.activitybar li.action-item:has(a.action-label[aria-label^="Registry Explorer"])').first();
    await activity.click();
    const firstPaint = await paintedWhen(page, REGISTRIES_VIEW, (rows, names) => names.every((n) => rows.some((r) => r.label === n)), [TOKEN_NAME, OPEN_NAME]);
    const marks = await probe.waitUp();
    check(marks.activateStart >= firstPaint.input - 5, 'the extension activated after the click that opened its view (not at start-up)');
    const bundlesAtPaint = marks.bundles;
    check(bundlesAtPaint.some((b) => b.file === 'extension.js'), 'the probe sees dist/extension.js loaded');
    const rootCall = marks.calls.find((c) => c.node === '(root)');
    check(rootCall, 'the probe saw the view ask for its root rows');
    result.activation = {
      clickToActivateMs: +(marks.activateStart - firstPaint.input).toFixed(1),
      activateCallMs: +(marks.activateEnd - marks.activateStart).toFixed(1),
      activateToFirstPaintMs: +(firstPaint.paint - marks.activateStart).toFixed(1),
      clickToFirstPaintMs: +(firstPaint.paint - firstPaint.input).toFixed(1),
      // activate → first paint, split: until VS Code asked for the root rows, our getChildren, then the workbench.
      activateEndToRootAskedMs: +(rootCall.start - marks.activateEnd).toFixed(1),
      rootChildrenMs: +(rootCall.end - rootCall.start).toFixed(1),
      rootAnsweredToPaintMs: +(firstPaint.paint - rootCall.end).toFixed(1),
      bundlesLoaded: bundlesAtPaint.filter((b) => b.file !== 'benchProbe.js'),
    };
    // VS Code's own figure: code loading + the activate() call, as Developer: Show Running Extensions shows it.
    await runCommand(page, 'Developer: Show Running Extensions');
    // A locally installed extension is listed by its id (no marketplace display name).
    const runningRow = page.locator('.runtime-extensions-editor .monaco-list-row').filter({ hasText: /registry-explorer|Registry Explorer/ }).first();
    await runningRow.waitFor({ state: 'visible', timeout: 30_000 });
    const activationText = (await runningRow.locator('.activation-time').textContent()) ?? '';
    const vsCodeMs = Number(/(\d+)\s*ms/.exec(activationText)?.[1]);
    check(Number.isFinite(vsCodeMs), `Running Extensions shows an activation time for Registry Explorer ("${activationText}")`);
    result.activation.vscodeActivationMs = vsCodeMs;
    result.activation.vscodeActivationText = activationText.trim();
    await page.keyboard.press('Control+W').catch(() => undefined);
    // The extension host is shared: the built-in extensions (git, JSON, …) activate in the first seconds
    // too. The baseline is taken once they have, before any registry is opened.
    await page.waitForTimeout(5000);
    const heapBaseline = heapOf(await probe.get('memory'));
    log(`editor e1: activate() ${result.activation.activateCallMs} ms, VS Code "${activationText.trim()}", activate → first paint ${result.activation.activateToFirstPaintMs} ms; loaded ${bundlesAtPaint.map((b) => b.file).join(', ')}`);

    // ---- e2: the 5,000-repository registry, first page (token auth)
    if (needs.registry) {
      tokenProxy.reset();
      await fetch(`${issuer}/_control/reset`).then((r) => r.arrayBuffer());
      await clickTwistie(page, TOKEN_NAME);
      const paint = await paintedWhen(page, REGISTRIES_VIEW, (rows) => rows.some((r) => r.label === 'catalog' && r.level === 2) && rows.some((r) => r.label === 'bench' && r.level === 2));
      const atPaint = countRequests(tokenProxy.snapshot().records, { until: paint.paint });
      const tokensAtPaint = await tokenCount(issuer);
      const list = await probe.get('list', { host: tokenProxy.host });
      check(list.repositories === PAGE_SIZE && list.loadMore, `the registry's first page shows ${PAGE_SIZE} repositories and Load more (probe: ${JSON.stringify(list)})`);
      check(counts.catalogRepositories >= 5000, `the registry holds at least 5,000 repositories (${counts.catalogRepositories})`);
      const call = await childrenCall(probe, `registry:${tokenProxy.host}`, paint.input);
      result.registryFirstPaint = {
        getChildrenMs: +(call.end - call.start).toFixed(1),
        answeredToPaintMs: +(paint.paint - call.end).toFixed(1),
        repositoriesInRegistry: counts.catalogRepositories,
        shown: list.repositories,
        ms: +(paint.paint - paint.input).toFixed(1),
        registryRequests: atPaint.total,
        challenges: atPaint.challenges,
        pages: atPaint.byKind.catalog ?? 0,
        tokenRequests: tokensAtPaint,
        byKind: atPaint.byKind,
      };
      log(`editor e2: ${counts.catalogRepositories} repositories: first paint ${result.registryFirstPaint.ms} ms, ${atPaint.total} registry requests (${JSON.stringify(atPaint.byKind)}), ${tokensAtPaint} token`);
    }

    // The heap once the registry shows its first page: the code every registry needs (undici, the client) is
    // loaded by now, so what browsing the repository adds — and closing it must give back — is measured from here too.
    // (e6 implies e2, whose block has just run.)
    const heapRegistryOpen = want('e6') ? heapOf(await probe.get('memory')) : undefined;

    // ---- e3: the 100,000-tag repository, first page
    const bigRepo = 'bench/tags100k';
    if (needs.repository) {
      await clickTwistie(page, 'bench');
      await rowLocator(page, REGISTRIES_VIEW, 'tags100k').waitFor({ state: 'visible', timeout: 30_000 });
      tokenProxy.reset();
      await fetch(`${issuer}/_control/reset`).then((r) => r.arrayBuffer());
      await clickTwistie(page, 'tags100k');
      const paint = await paintedWhen(page, REGISTRIES_VIEW, (rows) => rows.some((r) => r.level === 4 && /^tag-\d{6}$/.test(r.label)));
      const records = tokenProxy.snapshot().records;
      const atPaint = countRequests(records, { until: paint.paint });
      const tokensAtPaint = await tokenCount(issuer);
      const list = await probe.get('list', { host: tokenProxy.host, repository: bigRepo });
      check(list.tags === PAGE_SIZE && list.loadMore, `the repository's first page shows ${PAGE_SIZE} tags and Load more (probe: ${JSON.stringify(list)})`);
      const listFetch = records.find((r) => classify(r.path) === 'tags/list' && r.status === 200);
      const call = await childrenCall(probe, 'tags100k', paint.input);
      result.repositoryFirstPaint = {
        getChildrenMs: +(call.end - call.start).toFixed(1),
        answeredToPaintMs: +(paint.paint - call.end).toFixed(1),
        tagsInRepository: 100_000,
        shown: list.tags,
        ms: +(paint.paint - paint.input).toFixed(1),
        registryRequests: atPaint.total,
        challenges: atPaint.challenges,
        listRequests: atPaint.byKind['tags/list'] ?? 0,
        tokenRequests: tokensAtPaint,
        byKind: atPaint.byKind,
        tagListAnswerMs: listFetch ? +(listFetch.end - listFetch.start).toFixed(1) : undefined,
      };
      log(`editor e3: 100,000 tags: first paint ${result.repositoryFirstPaint.ms} ms, ${atPaint.total} registry requests (${JSON.stringify(atPaint.byKind)}), ${tokensAtPaint} token`);
    }

    // ---- e4: Load more… until 10,000 tags show, from the keyboard (End, Enter) as the tree is virtual
    if (needs.loadMore) {
      tokenProxy.reset();
      const perPage = [];
      // From the keyboard, as the tree is virtual (the row is off screen) and a click on a repository row
      // would toggle it: End (the tree's last row), Up to the repository's Load more…, Enter (its command).
      let shown = PAGE_SIZE;
      for (let loaded = PAGE_SIZE; loaded < LOAD_MORE_TO; loaded = shown) {
        await focusLoadMore(page, loaded);
        await page.keyboard.press('Enter');
        // Done when the rows on screen are redrawn as siblings of `next` tags and the Load more… row
        // (aria-setsize), wherever the tree left the scroll position.
        const next = loaded + loadMoreCount(loaded);
        shown = next;
        const done = await paintedWhen(page, REGISTRIES_VIEW, (rows, n) => rows.some((r) => r.level === 4 && r.size === n + 1), next);
        perPage.push(done.paint - done.input);
      }
      const records = tokenProxy.snapshot().records;
      const counted = countRequests(records);
      const list = await probe.get('list', { host: tokenProxy.host, repository: bigRepo });
      check(list.tags === shown && shown >= LOAD_MORE_TO, `Load more reached ${shown} tags (probe: ${list.tags})`);
      result.loadMore = {
        pages: perPage.length,
        tagsShown: list.tags,
        msPerPageMedian: +median(perPage).toFixed(1),
        msFirstPage: +perPage[0].toFixed(1),
        msLastPage: +perPage[perPage.length - 1].toFixed(1),
        msAll: perPage.map((x) => Math.round(x)),
        listRequests: counted.byKind['tags/list'] ?? 0,
        otherRequests: counted.total - (counted.byKind['tags/list'] ?? 0),
        byKind: counted.byKind,
      };
      check(result.loadMore.listRequests === 0, `no tag list request was sent again while paging (${result.loadMore.listRequests} sent)`);
      log(`editor e4: Load more to ${list.tags}: ${perPage.length} pages, median ${result.loadMore.msPerPageMedian} ms/page (first ${result.loadMore.msFirstPage}, last ${result.loadMore.msLastPage}), ${result.loadMore.listRequests} list requests`);
    }

    // ---- e6: heap after browsing, after collapsing, after disconnecting
    if (want('e6')) {
      // The details of the loaded rows go on loading in the background: measure once they are in.
      const browsingEnded = Date.now();
      const settled = await probe.until('list', { host: tokenProxy.host, repository: bigRepo }, (l) => l.withDetails + l.failed >= l.tags, 240_000, 'details of the loaded tags');
      check(settled.answer.failed === 0, `every loaded tag's details arrived (${settled.answer.failed} failed)`);
      const browsed = heapOf(await probe.get('memory'));
      await page.keyboard.press('Home');
      await clickTwistie(page, TOKEN_NAME);
      await paintedWhen(page, REGISTRIES_VIEW, (rows, name) => rows.some((r) => r.label === name && r.expanded === 'false'), TOKEN_NAME);
      await page.waitForTimeout(500);
      const collapsed = heapOf(await probe.get('memory'));
      await rowLocator(page, REGISTRIES_VIEW, TOKEN_NAME).click({ button: 'right' });
      const menuItem = page.locator('.context-view .monaco-menu .action-item').filter({ has: page.locator('.action-label', { hasText: /^\s*Disconnect Registry\s*$/ }) }).first();
      await menuItem.hover();
      await page.waitForFunction((el) => !!el && (el.classList.contains('focused') || el.querySelector('.focused') !== null), await menuItem.elementHandle());
      await page.keyboard.press('Enter');
      await paintedWhen(page, REGISTRIES_VIEW, (rows, name) => !rows.some((r) => r.label === name), TOKEN_NAME);
      await page.waitForTimeout(500);
      const disconnected = heapOf(await probe.get('memory'));
      if (process.env.REGX_BENCH_HEAP_SNAPSHOT) log(`editor e6: heap snapshot ${(await probe.get('heapsnapshot', { file: process.env.REGX_BENCH_HEAP_SNAPSHOT })).file}`);
      result.heap = {
        how: 'process.memoryUsage() in the extension host after two full GCs (src/benchProbe.ts)',
        baseline: heapBaseline,
        afterBrowsing: browsed,
        afterCollapse: collapsed,
        afterDisconnect: disconnected,
        growthMB: +(browsed.heapUsedMB - heapBaseline.heapUsedMB).toFixed(1),
        retainedAfterDisconnectMB: +(disconnected.heapUsedMB - heapBaseline.heapUsedMB).toFixed(1),
        registryOpen: heapRegistryOpen,
        growthFromOpenMB: +(browsed.heapUsedMB - heapRegistryOpen.heapUsedMB).toFixed(1),
        retainedOverOpenMB: +(disconnected.heapUsedMB - heapRegistryOpen.heapUsedMB).toFixed(1),
        tagsShown: result.loadMore?.tagsShown,
        detailsSettledSecondsAfterPaging: +((settled.at - browsingEnded) / 1000).toFixed(1),
      };
      log(`editor e6: heap ${heapBaseline.heapUsedMB} → ${browsed.heapUsedMB} MB after browsing, ${collapsed.heapUsedMB} collapsed, ${disconnected.heapUsedMB} disconnected`);
    }

    // ---- e5: details of 500 tags on one page (open registry, each tag its own image)
    if (want('e5')) {
      await probe.get('setting', { key: 'pageSize', value: DETAILS_PAGE });
      await probe.until('setting', { key: 'pageSize' }, (s) => s.value === DETAILS_PAGE, 30_000, 'the extension host sees registryExplorer.pageSize 500');
      await page.waitForTimeout(500); // the tree's refresh on the change
      await page.keyboard.press('Home').catch(() => undefined);
      // Only one registry open, so "bench" names one row (e6 disconnected the token registry, if it ran).
      if ((await rowsNow(page, REGISTRIES_VIEW)).some((r) => r.label === TOKEN_NAME && r.expanded === 'true')) await clickTwistie(page, TOKEN_NAME);
      await clickTwistie(page, OPEN_NAME);
      await rowLocator(page, REGISTRIES_VIEW, 'bench').waitFor({ state: 'visible' });
      const benchRows = (await rowsNow(page, REGISTRIES_VIEW)).filter((r) => r.label === 'bench');
      await clickTwistie(page, 'bench');
      await rowLocator(page, REGISTRIES_VIEW, 'details500').waitFor({ state: 'visible', timeout: 30_000 });
      check(benchRows.length >= 1, 'the open registry shows its bench namespace');
      openProxy.reset();
      await clickTwistie(page, 'details500');
      const paint = await paintedWhen(page, REGISTRIES_VIEW, (rows) => rows.some((r) => r.level === 4 && /^d\d{3}$/.test(r.label)));
      const done = await probe.until('list', { host: openProxy.host, repository: 'bench/details500', digests: 1 }, (l) => l.tags === DETAILS_PAGE && l.withDetails + l.failed >= DETAILS_PAGE, 180_000, 'details of 500 tags');
      const snap = openProxy.snapshot();
      const lastDetail = Math.max(...snap.records.filter((r) => ['manifest', 'blob'].includes(classify(r.path))).map((r) => r.end));
      const list = done.answer;
      check(list.failed === 0, `no tag's details failed (${list.failed})`);
      const wrong = Object.entries(list.digests).filter(([tag, digest]) => seeded.detailsDigests[Number(tag.slice(1))] !== digest);
      check(wrong.length === 0, `every badge shows its tag's own digest (${wrong.length} wrong, e.g. ${JSON.stringify(wrong[0])})`);
      // On screen, the rows' descriptions carry the short digest (then the size and the age) once the
      // workbench has drawn the last changes.
      const shortDigests = seeded.detailsDigests.map((d) => d.slice(7, 19));
      await paintedWhen(page, REGISTRIES_VIEW, (rows, digests) => {
        const tags = rows.filter((r) => r.level === 4 && /^d\d{3}$/.test(r.label));
        return tags.length > 0 && tags.every((r) => r.description.startsWith(digests[Number(r.label.slice(1))]));
      }, shortDigests, 30_000).catch(() => undefined);
      const visible = (await rowsNow(page, REGISTRIES_VIEW)).filter((r) => r.level === 4 && /^d\d{3}$/.test(r.label));
      const badged = visible.filter((r) => r.description.startsWith(shortDigests[Number(r.label.slice(1))]));
      check(visible.length > 0 && badged.length === visible.length, `every tag row on screen shows its digest (${badged.length} of ${visible.length}: ${JSON.stringify(visible.find((r) => !badged.includes(r)))})`);
      const counted = countRequests(snap.records);
      result.details = {
        tags: list.tags,
        withDetails: list.withDetails,
        rowsOnScreenChecked: visible.length,
        firstPaintMs: +(paint.paint - paint.input).toFixed(1),
        lastBadgeMs: +(lastDetail - paint.input).toFixed(1),
        requests: counted.total,
        byKind: counted.byKind,
        peakInFlight: snap.peak,
        perHostLimit: 6,
      };
      check(snap.peak <= 6, `at most the per-host limit (6) in flight at the registry (peak ${snap.peak})`);
      log(`editor e5: 500 tags' details: last badge ${result.details.lastBadgeMs} ms after the click, ${counted.total} requests (${JSON.stringify(counted.byKind)}), peak ${snap.peak} in flight`);
    }
    await page.goto('about:blank').catch(() => undefined);
    await context.close().catch(() => undefined);
    return result;
  } catch (error) {
    log(`editor: failed; what was measured before: ${JSON.stringify(result)}`);
    const shot = path.join(repoRoot, 'test-results', 'bench-editor-failure.png');
    if (page) await page.screenshot({ path: shot }).then(() => log(`editor: the workbench when it failed: ${shot}`), () => undefined);
    throw error;
  } finally {
    await cleanup();
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
    if (process.env.REGX_KEEP_TMP !== '1') fs.rmSync(runDir, { recursive: true, force: true });
    else log(`editor: run folder kept: ${runDir}`);
  }
}
