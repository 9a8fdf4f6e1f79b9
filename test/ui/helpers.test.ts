// Keeps the harness's helpers honest against VS Code's own UI (Explorer, palette, quick input,
// context menu, clipboard), independent of what the extension contributes.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite, test } from './harness';

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
    const deadline = Date.now() + 10_000;
    while (read() !== '{ "hello": 1 }' && Date.now() < deadline) await wb.page.waitForTimeout(100);
    assert.equal(read(), '{ "hello": 1 }');
  });
});
