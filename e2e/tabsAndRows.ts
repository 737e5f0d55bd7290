/** Steps shared by the specs that open a second tab or look at the Dexie database's rows directly. */
import type { BrowserContext, Page } from '@playwright/test';

/**
 * Opens `url` in another tab of the same browser context, collecting its page errors and console errors
 * (the fixture watches only the first tab): the caller asserts `problems` is empty at the end.
 */
export async function openSecondTab(context: BrowserContext, url: string): Promise<{ tab: Page; problems: string[] }> {
  const tab = await context.newPage();
  const problems: string[] = [];
  tab.on('pageerror', (e) => problems.push(e.message));
  tab.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  await tab.goto(url);
  return { tab, problems };
}

/** How many rows a table of the Dexie database "quire" holds, read raw (not through the app). */
export function countRows(page: Page, table: string): Promise<number> {
  return page.evaluate(
    (name) =>
      new Promise<number>((resolve, reject) => {
        const req = indexedDB.open('quire');
        req.onerror = () => reject(new Error(String(req.error)));
        req.onsuccess = () => {
          const count = req.result.transaction(name).objectStore(name).count();
          count.onsuccess = () => {
            req.result.close();
            resolve(count.result);
          };
        };
      }),
    table,
  );
}
