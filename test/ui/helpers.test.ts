// Keeps the harness's helpers honest against VS Code's own UI (Explorer, palette, quick input,
// context menu, clipboard), independent of what the extension contributes.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_SIDE_BAR_WIDTH, services, suite, test } from './harness';

suite('harness helpers on built-in UI', () => {
  test('tree item, expand, context menu and clipboard', async (wb) => {
    fs.mkdirSync(path.join(wb.workspace, 'dir'), { recursive: true });
    fs.writeFileSync(path.join(wb.workspace, 'dir/a.txt'), 'a\n');
    await wb.openViewContainer('Explorer');
    await wb.runCommand('File: Refresh Explorer'); // the file watcher may not have caught up yet
    const dir = await wb.expandTreeItem(path.basename(wb.workspace), 'dir');
    assert.equal(await dir.getAttribute('aria-expanded'), 'true');
    const file = await wb.treeItem(path.basename(wb.workspace), 'a.txt');
    assert.ok((await wb.contextMenuEntries(file)).includes('Copy Path'));
    await wb.contextMenu(file, 'Copy Path');
    assert.equal(await wb.clipboard(), path.join(wb.workspace, 'dir/a.txt'));
  });

  test('palette command, quick pick and input box', async (wb) => {
    await wb.runCommand('File: New Untitled Text File');
    await wb.page.locator('.monaco-editor textarea').first().waitFor();
    await wb.page.keyboard.type('{ "hello": 1 }');

    await wb.runCommand('Change Language Mode');
    assert.ok((await wb.quickPickItems()).length > 1);
    await wb.pickQuickPickItem('JSON');
    await wb.page.locator('.statusbar-item', { hasText: /^JSON$/ }).first().waitFor();

    // In the browser, Save As asks for the path in a quick-input box (the simple file dialog).
    const target = path.join(wb.workspace, 'saved.json');
    await wb.runCommand('File: Save As...');
    await wb.answerInputBox(target);
    const read = () => (fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : undefined);
    // Generous: on a loaded machine the simple file dialog's write has taken over 10 s.
    const deadline = Date.now() + 30_000;
    while (read() !== '{ "hello": 1 }' && Date.now() < deadline) await wb.page.waitForTimeout(100);
    assert.equal(read(), '{ "hello": 1 }');
  });

  // Runs after the test above left a dirty Untitled editor behind: the harness must not let it come back.
  test('each test starts clean: no editors, a wide side bar, the test engine', async (wb) => {
    assert.deepEqual(fs.readdirSync(wb.workspace), [], 'a fresh, empty workspace folder');
    // Backups are restored a moment after the workbench is up; give them that moment.
    await wb.page.waitForTimeout(1500);
    assert.deepEqual(await wb.page.locator('.part.editor .tabs-container .tab').allTextContents(), [], 'no editor restored from an earlier test');
    const box = await wb.page.locator('.part.sidebar').first().boundingBox();
    assert.ok(box && Math.abs(box.width - DEFAULT_SIDE_BAR_WIDTH) <= 2, `side bar is ${box?.width} px wide`);

    if (!services()?.dockerHost) return;
    // code-server runs with DOCKER_HOST set to the tier's dockerd, so Local Images lists it rather than failing.
    await wb.openViewContainer('Registry Explorer');
    const pane = await wb.view('Local Images');
    await pane.locator('.monaco-list-row').first().waitFor({ timeout: 20_000 });
    const rows = (await pane.locator('.monaco-list-row').allTextContents()).join('\n');
    assert.doesNotMatch(rows, /Could not reach the Docker engine/);
  });
});
