// Waiting on and acting on Registries rows whose details arrive after first paint (the vendor and
// cloud UI tests share these).
import type { Workbench } from './harness';

/** A row's description, once it matches (details and badges arrive after first paint). */
export async function description(wb: Workbench, pattern: RegExp): Promise<void> {
  await wb.page.locator('.part.sidebar .monaco-list-row .label-description').filter({ hasText: pattern }).first().waitFor({ timeout: 20_000 });
}

/** Right-click a row and pick an entry; a menu opened during a redraw can vanish, so try again. */
export async function contextMenu(wb: Workbench, label: string | RegExp, entry: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await wb.contextMenu(await wb.treeItem('Registries', label), entry);
      return;
    } catch (error) {
      if (attempt === 4) throw error;
      await wb.page.keyboard.press('Escape');
    }
  }
}
