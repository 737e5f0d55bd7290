/**
 * The browser-kill harness, during the storage upgrade: a space stored by the previous version (one database per
 * page) is opened by this version, and the whole Chromium process group is SIGKILLed at seeded random moments
 * while it moves (before, during and after the copy, during the clean-up). After the last relaunch the move must
 * complete with every page and word, each page moved exactly once (one row), and no database of the old format left.
 * Prints the seed, the kills and where each landed. `KILL_SEED=n` replays; `EXTENSIVE=1` kills 60 times from a
 * random seed (printed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import * as Y from 'yjs';
import { pageText } from '../src/collections/pageText.ts';
import { sidebar } from './helpers.ts';
import { Rng } from './killCycles.ts';
import { launchKillableChromium } from './killableChromium.ts';
import { databaseNames, seedPreviousVersionSpace } from './previousVersionSpace.ts';
import { storedSpaceRows } from './storedPages.ts';

/** Pages of the space moved: enough that the move takes seconds, so kills land inside it. */
const PAGES = 250;
/** Kills in `npm test`, and under EXTENSIVE=1. */
const KILLS = 6;
const EXTENSIVE_KILLS = 60;
/** A kill lands within this long after the app was asked to open the space (uniformly): on a quiet machine the move
 * of 250 pages takes about a second after the app starts, so a wider window lands most kills after it. */
const KILL_WITHIN_MS = 1_500;
/** Time one kill cycle may take on a busy machine. */
const CYCLE_BUDGET_MS = 30_000;
const DEFAULT_SEED = 20261206;

test('SIGKILL of the whole browser during the storage upgrade: every page and word arrives, once, and the old databases go', async ({ baseURL }) => {
  const kills = Number(process.env.KILL_CYCLES ?? (process.env.EXTENSIVE === '1' ? EXTENSIVE_KILLS : KILLS));
  const seed = Number(process.env.KILL_SEED ?? (process.env.EXTENSIVE === '1' ? Math.floor(Math.random() * 2 ** 31) : DEFAULT_SEED));
  test.setTimeout((kills + 4) * CYCLE_BUDGET_MS);
  console.log(`browser-kill [upgrade]: seed ${seed}, ${kills} kills (replay with KILL_SEED=${seed})`);
  const rng = new Rng(seed);
  const profile = mkdtempSync(join(tmpdir(), 'quire-kill-upgrade-'));
  const problems: string[] = [];
  const landed: string[] = [];
  try {
    const spaces: { spaceId: string; name: string; pageIds: string[] }[] = [];
    const oldFormatLeft = async (page: Page, spaceId: string) => (await databaseNames(page)).filter((n) => n.startsWith(`quire:${spaceId}:`)).length;
    let chrome = await launchKillableChromium(profile);
    let page: Page = chrome.context.pages()[0] ?? (await chrome.context.newPage());
    for (let kill = 0; kill < kills; kill++) {
      // A page of the origin without the app running: a profile of the previous version. When the last space
      // finished moving, another one is written, so that every kill has a move to land in.
      await page.goto(`${baseURL}/manifest.webmanifest`);
      const current = spaces.at(-1);
      if (!current || (await oldFormatLeft(page, current.spaceId)) === 0) {
        const name = `Moved under fire ${spaces.length + 1}`;
        spaces.push({ name, ...(await seedPreviousVersionSpace(page, name, PAGES)) });
        // Relaunch so the app starts on a profile that already holds it (it lists old databases at start).
        await chrome.kill();
        chrome = await launchKillableChromium(profile);
        page = chrome.context.pages()[0] ?? (await chrome.context.newPage());
      }
      let killed = false;
      page.on('pageerror', (e) => !killed && problems.push(`launch ${kill}: ${e.message}`));
      await page.goto(`${baseURL}/#/space/${encodeURIComponent(spaces.at(-1)!.spaceId)}`);
      await page.waitForTimeout(rng.int(KILL_WITHIN_MS)); // the kill moment: seeded, by design a wait
      // Where the kill lands (one evaluate, no waiting: the page may be busy moving).
      const progress = await page
        .evaluate(() => {
          const bar = document.querySelector<HTMLProgressElement>('progress[aria-label="Storage upgrade"]');
          if (bar) return `${bar.value}/${bar.max} ${bar.nextElementSibling?.textContent?.split(':')[0] ?? ''}`;
          return document.querySelector('nav[aria-label="Sidebar"] [role="tree"]') ? 'moved, space open' : 'starting';
        })
        .catch(() => 'unknown');
      killed = true;
      landed.push(progress);
      await chrome.kill();
      chrome = await launchKillableChromium(profile);
      page = chrome.context.pages()[0] ?? (await chrome.context.newPage());
    }
    // The last launch finishes every move: each space opens, and its old databases are removed.
    page.on('pageerror', (e) => problems.push(`last launch: ${e.message}`));
    const wrong: string[] = [];
    for (const space of spaces) {
      await page.goto(`${baseURL}/#/space/${encodeURIComponent(space.spaceId)}`);
      await expect(sidebar(page).getByRole('button', { name: `Switch space (current: ${space.name})` })).toBeVisible({ timeout: 120_000 });
      await expect.poll(() => oldFormatLeft(page, space.spaceId), { timeout: 60_000 }).toBe(0);
      const stored = await storedSpaceRows(page, space.spaceId);
      space.pageIds.forEach((pageId, i) => {
        const rows = stored.get(pageId) ?? [];
        const doc = new Y.Doc();
        for (const r of rows) Y.applyUpdate(doc, r);
        if (pageText(doc) !== `Words of page ${i}.`) wrong.push(`${space.name}, page ${i}: "${pageText(doc)}"`);
        if (rows.length !== 1) wrong.push(`${space.name}, page ${i}: ${rows.length} rows`);
      });
    }
    console.log(
      `browser-kill [upgrade] seed ${seed}: ${kills} kills over ${spaces.length} spaces of ${PAGES} pages, landed at: ${landed.join(' | ')}; ${spaces.length * PAGES - wrong.length} of ${spaces.length * PAGES} pages intact`,
    );
    expect(wrong).toEqual([]);
    expect(problems).toEqual([]);
    await chrome.kill();
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
});
