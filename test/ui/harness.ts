// UI tests: Playwright + Chromium clicking through code-server (VS Code 1.100 in the browser), with the
// extension from this checkout installed. test/ui/run.mjs starts code-server and Chromium once, then
// runs every out/test/ui/*.test.js through runUiTests() below; each test gets a fresh browser context
// (fresh workbench UI state and clipboard) on the same code-server, opened on a fresh, empty workspace
// folder (wb.workspace) with no hot-exit backups left by earlier tests, so nothing an earlier test typed
// (a dirty Untitled editor) is restored into it. Before the test body runs the side bar is widened to
// 480 px (UiTestOptions.sideBarWidth), so tree descriptions (digest · size · age) fit in screenshots.
// code-server runs with DOCKER_HOST set to the test dockerd (REGX_TEST_SERVICES.dockerHost) when there
// is one; a test that wants another engine, or none, sets registryExplorer.docker.host.
//
// Writing a test (test/ui/<topic>.test.ts):
//
//   import * as assert from 'node:assert/strict';
//   import { test, skip, services } from './harness';
//
//   test('connect a registry from the palette', async (wb) => {
//     const open = services()?.open ?? skip('no test registries');
//     await wb.openViewContainer('Registry Explorer');
//     await wb.runCommand('Registry Explorer: Connect Registry');
//     await wb.answerInputBox(`http://${open.host}`);
//     const repo = await wb.expandTreeItem('Registries', open.host);
//     await wb.contextMenu(await wb.treeItem('Registries', 'demo/hello'), 'Copy Reference');
//     assert.equal(await wb.clipboard(), `${open.host}/demo/hello`);
//     await wb.screenshot('connect-registry');            // -> test-results/connect-registry.png
//   }, { settings: { 'registryExplorer.pageSize': 5 }, timeout: 90_000 });
//
// A failing test leaves test-results/ui-failures/<test name>.png. Locators are Playwright's: any
// helper that returns a Locator can be clicked, asserted on or passed back to another helper.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { testServicesIfStarted } from '../support/services';

// The few browser globals used inside page.evaluate callbacks (the project compiles without the DOM lib).
declare const document: { querySelector(selector: string): { textContent: string | null } | null };
declare const navigator: { clipboard: { readText(): Promise<string>; writeText(text: string): Promise<void> } };

export interface UiTestOptions {
  /** Milliseconds before the test fails (default 60 s, or REGX_UI_TIMEOUT). */
  timeout?: number;
  /** User settings for this test, merged over the run's base settings before the workbench opens; restored afterwards. */
  settings?: Record<string, unknown>;
  /** Width of the side bar in px, set by dragging its sash once the workbench is ready (default 480; 0 leaves it as it opens). */
  sideBarWidth?: number;
  /**
   * Display language for this test ('qps-ploc'): written to argv.json's "locale" before the workbench
   * opens, as Configure Display Language does, and removed afterwards. Needs a language pack for it
   * (run.mjs installs the pseudo-locale's, see pseudoLanguagePack.ts).
   */
  locale?: string;
}
export type UiTestFn = (wb: Workbench) => Promise<unknown>;

interface UiTestCase {
  name: string;
  fn: UiTestFn;
  options: UiTestOptions;
  skip: boolean;
}

const DEFAULT_TIMEOUT = Number(process.env.REGX_UI_TIMEOUT) || 60_000;
export const DEFAULT_SIDE_BAR_WIDTH = 480;
const registered: UiTestCase[] = [];
let prefix = '';

/** Groups tests under a name prefix. */
export function suite(name: string, body: () => void): void {
  const saved = prefix;
  prefix = prefix ? `${prefix} › ${name}` : name;
  try {
    body();
  } finally {
    prefix = saved;
  }
}

interface UiTestRegistrar {
  (name: string, fn: UiTestFn, options?: UiTestOptions): void;
  skip(name: string, fn?: UiTestFn, options?: UiTestOptions): void;
}
export const test: UiTestRegistrar = Object.assign(
  (name: string, fn: UiTestFn, options: UiTestOptions = {}) => {
    registered.push({ name: prefix ? `${prefix} › ${name}` : name, fn, options, skip: false });
  },
  {
    skip(name: string, fn?: UiTestFn, options: UiTestOptions = {}) {
      registered.push({ name: prefix ? `${prefix} › ${name}` : name, fn: fn ?? (async () => undefined), options, skip: true });
    },
  },
);

class SkipSignal extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}
/** Ends the running test as skipped, with a reason (e.g. a service is absent). */
export function skip(reason: string): never {
  throw new SkipSignal(reason);
}

/** The real registries started by test/run.mjs (REGX_TEST_SERVICES), or undefined when absent. */
export const services = testServicesIfStarted;

// ---- the workbench page -------------------------------------------------------------------------

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
function exact(text: string | RegExp): RegExp {
  return typeof text === 'string' ? new RegExp(`^\\s*${escapeRegExp(text)}\\s*$`) : text;
}

export class Workbench {
  constructor(
    readonly page: Page,
    readonly context: BrowserContext,
    /** Where PNGs go (the checkout's test-results/). */
    readonly resultsDir: string,
    /** code-server's user-data-dir and workspace folder, on this machine. */
    readonly userDataDir: string,
    readonly workspace: string,
  ) {}

  /** Waits until the workbench is interactive: activity bar, status bar and a connected extension host. */
  async ready(timeout = 45_000): Promise<void> {
    await this.page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout });
    await this.page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout });
    // The remote indicator stops saying "Opening Remote…" once the extension host connection is up.
    await this.page.waitForFunction(
      () => {
        const el = document.querySelector('#status\\.host, .statusbar-item[id="status.host"]');
        return !el || !/Opening|Reconnecting/i.test(el.textContent ?? '');
      },
      undefined,
      { timeout },
    );
  }

  /**
   * Resizes the side bar to `width` px by dragging the sash on its edge (as a user would; the layout
   * has no setting for it). Checks the result and tries again, since a drag that starts while the
   * workbench is still laying out can be lost. No-op when the side bar is hidden.
   */
  async setSideBarWidth(width: number): Promise<void> {
    const sidebar = this.page.locator('.monaco-workbench .part.sidebar').first();
    if (!(await sidebar.isVisible())) return;
    let box = await sidebar.boundingBox();
    for (let attempt = 1; box && Math.abs(box.width - width) > 2; attempt++) {
      if (attempt > 4) throw new Error(`could not resize the side bar to ${width} px (it is ${Math.round(box.width)} px)`);
      const sash = await this.sideBarSash(box);
      if (!sash) throw new Error('no sash found on the side bar\'s edge');
      const target = sash.x + (width - box.width);
      await this.page.mouse.move(sash.x, sash.y);
      await this.page.mouse.down();
      await this.page.mouse.move((sash.x + target) / 2, sash.y, { steps: 3 });
      await this.page.mouse.move(target, sash.y, { steps: 3 });
      await this.page.mouse.up();
      await this.page.waitForTimeout(attempt === 1 ? 50 : 300);
      box = await sidebar.boundingBox();
    }
    // Off the sash, so its hover highlight does not show in screenshots.
    const size = this.page.viewportSize();
    if (size) await this.page.mouse.move(size.width - 5, Math.round(size.height / 2));
  }

  /** Centre of the vertical sash on the side bar's right edge (the default layout: side bar on the left). */
  private async sideBarSash(sidebar: { x: number; y: number; width: number; height: number }): Promise<{ x: number; y: number } | undefined> {
    const edge = sidebar.x + sidebar.width;
    let best: { x: number; y: number; distance: number } | undefined;
    for (const sash of await this.page.locator('.monaco-workbench .monaco-sash.vertical:not(.disabled)').all()) {
      const b = await sash.boundingBox().catch(() => null);
      if (!b || b.height < sidebar.height / 2) continue;
      const x = b.x + b.width / 2;
      const top = Math.max(b.y, sidebar.y);
      const bottom = Math.min(b.y + b.height, sidebar.y + sidebar.height);
      if (bottom - top < sidebar.height / 2) continue;
      const distance = Math.abs(x - edge);
      if (distance <= 6 && (!best || distance < best.distance)) best = { x, y: (top + bottom) / 2, distance };
    }
    return best;
  }

  // -- activity bar and views --

  /** Clicks the activity-bar entry whose title starts with `title` (e.g. "Registry Explorer"); no-op when already open. */
  async openViewContainer(title: string): Promise<void> {
    const item = this.page.locator(`.part.activitybar li.action-item:has(a.action-label[aria-label^="${title.replace(/"/g, '\\"')}"])`).first();
    await item.waitFor({ state: 'visible' });
    if ((await item.getAttribute('aria-selected')) !== 'true') await item.click();
    await this.page.locator('.part.sidebar .composite.title h2, .part.sidebar .title-label h2').filter({ hasText: new RegExp(escapeRegExp(title), 'i') }).first().waitFor();
  }

  /** The pane of a view in the side bar, by its name ("Registries"); expanded if it was collapsed. */
  async view(name: string): Promise<Locator> {
    const pane = this.page.locator('.part.sidebar .pane').filter({ has: this.page.locator('.pane-header .title', { hasText: exact(name) }) }).first();
    await pane.waitFor({ state: 'visible' });
    const header = pane.locator('.pane-header').first();
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    return pane;
  }

  /** A row of a view's tree whose label is exactly `label` (or matches a RegExp), once visible. */
  async treeItem(viewName: string, label: string | RegExp, timeout = 15_000): Promise<Locator> {
    const pane = await this.view(viewName);
    const row = pane.locator('.monaco-list-row').filter({ has: this.page.locator('.label-name', { hasText: exact(label) }) }).first();
    await row.waitFor({ state: 'visible', timeout });
    return row;
  }

  /**
   * Expands a tree row (no-op when expanded or not expandable) and waits until it reports expanded.
   * A view that refreshes just as the twistie is clicked (Local Images after a pull) can re-render the
   * row collapsed, so the row is looked up afresh and clicked again until it stays expanded.
   */
  async expand(row: Locator, timeout = 15_000): Promise<Locator> {
    const deadline = Date.now() + timeout;
    for (;;) {
      if ((await row.getAttribute('aria-expanded')) !== 'false') return row;
      if (Date.now() > deadline) {
        const label = ((await row.locator('.label-name').first().textContent().catch(() => '')) ?? '').trim();
        throw new Error(`tree row "${label}" did not stay expanded within ${timeout} ms`);
      }
      await row.locator('.monaco-tl-twistie').click();
      const settle = Math.min(deadline, Date.now() + 3_000);
      while (Date.now() < settle && (await row.getAttribute('aria-expanded')) === 'false') await this.page.waitForTimeout(100);
    }
  }

  /** treeItem + expand. */
  async expandTreeItem(viewName: string, label: string | RegExp): Promise<Locator> {
    return this.expand(await this.treeItem(viewName, label));
  }

  /** Labels of the visible rows of a view, in order (for asserting a tree's shape). */
  async treeLabels(viewName: string): Promise<string[]> {
    const pane = await this.view(viewName);
    return (await pane.locator('.monaco-list-row .label-name').allTextContents()).map((s) => s.trim());
  }

  /** Clicks a title-bar action of a view (e.g. "Refresh"), found by its hover title / aria-label. */
  async viewAction(viewName: string, actionLabel: string): Promise<void> {
    const pane = await this.view(viewName);
    await pane.hover();
    await pane.locator(`.pane-header .actions a.action-label[aria-label^="${actionLabel.replace(/"/g, '\\"')}"]`).first().click();
  }

  /** Right-clicks `target` and picks the context-menu entry whose label is `entry`. */
  async contextMenu(target: Locator, entry: string | RegExp): Promise<void> {
    await target.click({ button: 'right' });
    const menu = this.page.locator('.context-view .monaco-menu').first();
    await menu.waitFor({ state: 'visible' });
    const item = menu.locator('.action-item').filter({ has: this.page.locator('.action-label', { hasText: exact(entry) }) }).first();
    // The menu ignores a click that lands right after it opened (it guards against the right-click's own
    // mouse-up), so focus the entry by hovering and trigger it with Enter, which is never swallowed.
    await item.hover();
    await this.page.waitForFunction((el) => !!el && (el.classList.contains('focused') || el.querySelector('.focused') !== null), await item.elementHandle());
    await this.page.keyboard.press('Enter');
    await menu.waitFor({ state: 'hidden' });
  }

  /**
   * Filter… from `row`'s context menu, answered with `text`. A right-click that lands while the tree
   * redraws (other suites seed the same registry) opens no menu: it is tried up to three times.
   */
  async filterTreeItem(row: Locator, text: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.contextMenu(row, 'Filter…');
        break;
      } catch (error) {
        if (attempt === 3) throw error;
        await this.page.keyboard.press('Escape');
      }
    }
    await this.answerInputBox(text);
  }

  /** Labels of the context menu of `target` (closes it again with Escape). */
  async contextMenuEntries(target: Locator): Promise<string[]> {
    await target.click({ button: 'right' });
    const menu = this.page.locator('.context-view .monaco-menu').first();
    await menu.waitFor({ state: 'visible' });
    const labels = (await menu.locator('.action-item .action-label').allTextContents()).map((s) => s.trim()).filter(Boolean);
    await this.page.keyboard.press('Escape');
    return labels;
  }

  // -- command palette, quick input --

  /**
   * F1, types the command's title, picks the row whose label is exactly `title` ("Registry Explorer: Refresh").
   * Some built-in commands show without their category ("File: Refresh Explorer" is listed as "Refresh
   * Explorer"), so the part after the first ": " is accepted too.
   */
  async runCommand(title: string): Promise<void> {
    const widget = this.page.locator('.quick-input-widget');
    const input = widget.locator('.quick-input-box input');
    await this.page.keyboard.press('F1');
    await widget.waitFor({ state: 'visible' });
    // F1 opens the palette with ">" typed; wait for that so our text is not overwritten by it.
    await this.page.waitForFunction((el) => (el as unknown as { value: string } | null)?.value.startsWith('>') ?? false, await input.elementHandle());
    await input.fill(`>${title}`);
    const colon = title.indexOf(': ');
    const label = colon > 0 ? new RegExp(`^\\s*(${escapeRegExp(title)}|${escapeRegExp(title.slice(colon + 2))})\\s*$`) : exact(title);
    const row = widget.locator('.quick-input-list .monaco-list-row').filter({ has: this.page.locator('.label-name', { hasText: label }) }).first();
    await row.waitFor({ state: 'visible' });
    await row.click();
    // The palette closes; whatever the command opens (an input box, a quick pick) reuses the widget.
    await this.page
      .waitForFunction(
        ([w, i]) => !w || (w as unknown as { style: { display: string } }).style.display === 'none' || !(i as unknown as { value: string }).value.startsWith('>'),
        [await widget.elementHandle(), await input.elementHandle()] as const,
        { timeout: 5_000 },
      )
      .catch(() => undefined);
  }

  /** The quick input (input box or quick pick) once visible. */
  async quickInput(timeout = 15_000): Promise<Locator> {
    const widget = this.page.locator('.quick-input-widget');
    await widget.waitFor({ state: 'visible', timeout });
    return widget;
  }

  /**
   * Types into the open input box (replacing its value) and presses Enter. Returns its prompt text.
   * Waits until the box closes or moves on to its next step (its value changes), so the next helper
   * does not race the closing widget; a box that stays (validation error) is left for the test to check.
   */
  async answerInputBox(value: string): Promise<string> {
    const widget = await this.quickInput();
    const prompt = ((await widget.locator('.quick-input-message').textContent().catch(() => '')) ?? '').trim();
    const input = widget.locator('.quick-input-box input');
    await this.settleInput(input);
    await input.fill(value);
    // Some boxes set their initial value a moment after showing (the simple file dialog does): type again if it was overwritten.
    for (let i = 0; i < 5 && (await input.inputValue()) !== value; i++) {
      await this.settleInput(input);
      await input.fill(value);
    }
    await input.press('Enter');
    await this.page
      .waitForFunction(
        ([w, i, v]) => !w || (w as unknown as { style: { display: string } }).style.display === 'none' || (i as unknown as { value: string }).value !== v,
        [await widget.elementHandle(), await input.elementHandle(), value] as const,
        { timeout: 5_000 },
      )
      .catch(() => undefined);
    return prompt;
  }

  /** Waits until a quick-input box's value stops changing (initial value set, busy indicator gone). */
  private async settleInput(input: Locator): Promise<void> {
    let previous = await input.inputValue();
    for (let i = 0; i < 20; i++) {
      await this.page.waitForTimeout(100);
      const busy = await this.page.locator('.quick-input-widget .quick-input-progress.done').count().then((n) => n === 0).catch(() => false);
      const now = await input.inputValue();
      if (now === previous && !busy) return;
      previous = now;
    }
  }

  /** Validation message currently shown under the input box (after typing `value`, without Enter). */
  async inputBoxValidation(value: string): Promise<string> {
    const widget = await this.quickInput();
    await widget.locator('.quick-input-box input').fill(value);
    await this.page.waitForTimeout(300);
    return ((await widget.locator('.quick-input-message').textContent()) ?? '').trim();
  }

  /** Picks the quick-pick row whose label is `label` (typing it first narrows long lists). */
  async pickQuickPickItem(label: string | RegExp, { filter = true } = {}): Promise<void> {
    const widget = await this.quickInput();
    if (filter && typeof label === 'string') await widget.locator('.quick-input-box input').fill(label);
    const row = widget.locator('.quick-input-list .monaco-list-row').filter({ has: this.page.locator('.label-name', { hasText: exact(label) }) }).first();
    // Longer than the default: a built-in picker (languages, say) can take over 15 s to fill on a loaded machine.
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await row.click();
  }

  /** Labels of the rows of the open quick pick. */
  async quickPickItems(): Promise<string[]> {
    const widget = await this.quickInput();
    await widget.locator('.quick-input-list .monaco-list-row').first().waitFor({ state: 'visible' }).catch(() => undefined);
    return (await widget.locator('.quick-input-list .monaco-list-row .label-name').allTextContents()).map((s) => s.trim());
  }

  // -- dialogs and notifications --

  /** Waits for a modal dialog, returns its message text and clicks `button` (e.g. "Delete", "Cancel"). */
  async answerDialog(button: string | RegExp): Promise<string> {
    const dialog = this.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible' });
    const message = ((await dialog.locator('.dialog-message-text, .dialog-message').first().textContent()) ?? '').trim();
    await dialog.locator('.monaco-button').filter({ hasText: exact(button) }).first().click();
    await dialog.waitFor({ state: 'hidden' });
    return message;
  }

  /** Waits for a notification toast whose message contains `text`; returns the toast. */
  async notification(text: string | RegExp, timeout = 15_000): Promise<Locator> {
    const toast = this.page.locator('.notifications-toasts .notification-toast').filter({ hasText: text }).first();
    await toast.waitFor({ state: 'visible', timeout });
    return toast;
  }

  /** Messages of the notification toasts visible now. */
  async notifications(): Promise<string[]> {
    return (await this.page.locator('.notifications-toasts .notification-list-item-message').allTextContents()).map((s) => s.trim());
  }

  // -- clipboard, screenshots, settings --

  /**
   * The clipboard's text. Copies in the workbench land asynchronously, so this waits (up to `timeout`)
   * until the text differs from `notEqual`: the clipboard is emptied when each test's page opens, so by
   * default it waits for the first copy. Returns the last value read if nothing changes.
   */
  async clipboard({ notEqual = '', timeout = 5_000 }: { notEqual?: string; timeout?: number } = {}): Promise<string> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const text = await this.page.evaluate(() => navigator.clipboard.readText());
      if (text !== notEqual || Date.now() > deadline) return text;
      await this.page.waitForTimeout(100);
    }
  }

  async setClipboard(text: string): Promise<void> {
    await this.page.evaluate((t) => navigator.clipboard.writeText(t), text);
  }

  /** Saves a PNG of the page to test-results/<name>.png (name may contain '/') and returns its path. */
  async screenshot(name: string): Promise<string> {
    const safe = name.split('/').map((part) => part.replace(/[^\w.-]+/g, '-')).join('/');
    const file = path.join(this.resultsDir, `${safe}.png`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Park the mouse at the editor area's right edge so no hover tooltip lands in the picture.
    const size = this.page.viewportSize();
    if (size) await this.page.mouse.move(size.width - 5, Math.round(size.height / 2)).catch(() => undefined);
    await this.page.waitForTimeout(150);
    // A hover shown because an element has keyboard focus (the activity-bar entry just clicked) stays put; leave it out.
    await this.page.screenshot({ path: file, style: '.workbench-hover-container { visibility: hidden !important; }' });
    return file;
  }

  /**
   * Merges `values` into the user settings.json now; the running workbench picks the change up
   * (onDidChangeConfiguration fires in the extension). Restored at the end of the test.
   */
  async updateSettings(values: Record<string, unknown>): Promise<void> {
    const file = path.join(this.userDataDir, 'User/settings.json');
    const current = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(file, JSON.stringify({ ...current, ...values }, null, 2));
  }
}

// ---- running ------------------------------------------------------------------------------------

export interface UiRunEnvironment {
  browser: Browser;
  /** code-server's base URL, e.g. http://127.0.0.1:15550 */
  url: string;
  /** code-server's workspace folder; each test opens its own fresh folder next to it (see testWorkspace). */
  workspace: string;
  userDataDir: string;
  /** test-results/ of the checkout. */
  resultsDir: string;
  files: string[];
  /** Prints one line of progress. */
  log: (line: string) => void;
}

export interface TierResult {
  passed: number;
  failed: number;
  skipped: number;
  failures: { name: string; message: string }[];
}

function describe(e: unknown): string {
  const text = e instanceof Error ? e.stack ?? `${e.name}: ${e.message}` : String(e);
  // Playwright's call logs carry terminal colours.
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

function grep(): (name: string) => boolean {
  const g = process.env.REGX_UI_GREP;
  if (!g) return () => true;
  const m = /^\/(.*)\/([a-z]*)$/.exec(g);
  if (m) {
    const re = new RegExp(m[1]!, m[2]);
    return (n) => re.test(n);
  }
  return (n) => n.includes(g);
}

export async function runUiTests(env: UiRunEnvironment): Promise<TierResult> {
  const result: TierResult = { passed: 0, failed: 0, skipped: 0, failures: [] };
  const matches = grep();
  const settingsFile = path.join(env.userDataDir, 'User/settings.json');
  const baseSettings = fs.readFileSync(settingsFile, 'utf8');

  let index = 0;
  for (const file of env.files) {
    const before = registered.length;
    try {
      require(file);
    } catch (e) {
      result.failed++;
      result.failures.push({ name: `loading ${path.basename(file)}`, message: describe(e) });
      env.log(`✗ loading ${file}\n${describe(e)}`);
      continue;
    }
    const tests = registered.slice(before).filter((t) => matches(t.name));
    if (tests.length > 0) env.log(path.basename(file).replace(/\.js$/, '.ts'));
    for (const t of tests) {
      if (t.skip) {
        result.skipped++;
        env.log(`  - ${t.name} (skipped)`);
        continue;
      }
      const outcome = await runOne(t, env, settingsFile, baseSettings, ++index);
      if (outcome.skipped !== undefined) {
        result.skipped++;
        env.log(`  - ${t.name} (skipped: ${outcome.skipped})`);
      } else if (outcome.error !== undefined) {
        result.failed++;
        const message = describe(outcome.error) + (outcome.screenshot ? `\nscreenshot: ${outcome.screenshot}` : '');
        result.failures.push({ name: t.name, message });
        env.log(`  ✗ ${t.name} (${outcome.ms} ms)\n${message.replace(/^/gm, '      ')}`);
      } else {
        result.passed++;
        env.log(`  ✓ ${t.name} (${outcome.ms} ms)`);
      }
    }
  }
  return result;
}

/**
 * A new empty folder for test number `index`: <code-server's workspace>/../tests/<index>/workspace (the
 * last segment stays "workspace", which the title bar shows in screenshots). The workbench keys hot-exit
 * backups and workspace state by folder, so nothing of an earlier test's editors can come back.
 */
function freshWorkspace(env: UiRunEnvironment, index: number): string {
  const dir = path.join(path.dirname(env.workspace), 'tests', String(index).padStart(2, '0'), 'workspace');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Removes the hot-exit backups (dirty and untitled editors) the previous tests' workbenches left in
 * code-server's user-data-dir: the workbench reopens every backup it finds when it starts.
 */
function clearBackups(userDataDir: string): void {
  fs.rmSync(path.join(userDataDir, 'User', 'Backups'), { recursive: true, force: true });
}

async function runOne(
  t: UiTestCase,
  env: UiRunEnvironment,
  settingsFile: string,
  baseSettings: string,
  index: number,
): Promise<{ ms: number; error?: unknown; skipped?: string; screenshot?: string }> {
  const t0 = Date.now();
  const timeout = t.options.timeout ?? DEFAULT_TIMEOUT;
  if (t.options.settings) {
    fs.writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(baseSettings), ...t.options.settings }, null, 2));
  }
  const argvFile = path.join(env.userDataDir, 'User', 'argv.json');
  if (t.options.locale) fs.writeFileSync(argvFile, JSON.stringify({ locale: t.options.locale }));
  const workspace = freshWorkspace(env, index);
  clearBackups(env.userDataDir);
  const context = await env.browser.newContext({
    viewport: { width: 1400, height: 900 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  context.setDefaultTimeout(Math.min(15_000, timeout));
  const page = await context.newPage();
  const wb = new Workbench(page, context, env.resultsDir, env.userDataDir, workspace);
  let error: unknown;
  let skipped: string | undefined;
  let screenshot: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const body = async () => {
      await page.goto(`${env.url}/?folder=${encodeURIComponent(workspace)}`);
      await wb.ready();
      await wb.setClipboard(''); // the browser's clipboard outlives contexts
      const width = t.options.sideBarWidth ?? DEFAULT_SIDE_BAR_WIDTH;
      if (width > 0) await wb.setSideBarWidth(width);
      await t.fn(wb);
    };
    await Promise.race([
      body(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`test timed out after ${timeout} ms`)), timeout);
      }),
    ]);
  } catch (e) {
    if (e instanceof SkipSignal) skipped = e.reason;
    else error = e;
  } finally {
    clearTimeout(timer);
  }
  if (error !== undefined) {
    screenshot = await wb.screenshot(path.join('ui-failures', t.name)).catch(() => undefined);
  }
  // Leaving the page lets the workbench close its extension host before the context goes away.
  await page.goto('about:blank', { timeout: 5_000 }).catch(() => undefined);
  // Closing the context also aborts whatever a timed-out test was still awaiting.
  await context.close().catch(() => undefined);
  fs.writeFileSync(settingsFile, baseSettings);
  if (t.options.locale) fs.rmSync(argvFile, { force: true });
  return { ms: Date.now() - t0, error, skipped, screenshot };
}
