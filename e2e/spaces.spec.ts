import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { createSpace, openSpaceList } from './helpers.ts';

test('a space created and called saved is there after a reload', async ({ page }) => {
  await page.goto('/');
  await createSpace(page, 'Research');
  await createSpace(page, 'Garden');
  await page.reload();
  await openSpaceList(page);
  const list = page.getByRole('list', { name: 'Spaces' });
  await expect(list.getByRole('listitem')).toHaveText([/Research/, /Garden/]);
  // The page tree and documents are really in IndexedDB: one database per space (decision 0010).
  const names = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? ''));
  expect(names.filter((n) => /^quire:[^:]+$/.test(n))).toHaveLength(2);
  expect(names).toContain('quire');
});

test('a saved space survives closing the browser and starting it again with the same profile', async ({ baseURL, launchOptions }) => {
  const profile = mkdtempSync(join(tmpdir(), 'quire-profile-'));
  try {
    const problems: string[] = [];
    const launch = async () => {
      const context = await chromium.launchPersistentContext(profile, { ...launchOptions, baseURL });
      const page = context.pages()[0] ?? (await context.newPage());
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      return { context, page };
    };
    const first = await launch();
    await first.page.goto('/');
    await createSpace(first.page, 'Survives restarts');
    await first.context.close();

    const second = await launch();
    await second.page.goto('/');
    await openSpaceList(second.page);
    await expect(second.page.getByRole('list', { name: 'Spaces' }).getByText('Survives restarts')).toBeVisible();
    await second.context.close();
    expect(problems).toEqual([]);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
});
