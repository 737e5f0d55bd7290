/**
 * The browser-kill harness: a person types, creates, renames and moves pages while the whole Chromium
 * process group is SIGKILLed at seeded random moments; after each relaunch on the same profile, everything
 * the save status had called "Saved on this device" must be on disk (as the relaunched app's stores load
 * it, decoded here), the tree's invariants must hold, and the next save must succeed. Prints the seed, then
 * cycles run, edits acknowledged and edits lost.
 *
 * `npm test` runs DEFAULT_CYCLES from DEFAULT_SEED. `KILL_SEED=n` runs another seed (or replays one);
 * `EXTENSIVE=1` runs 1,000 cycles from a random seed; `KILL_CYCLES=n` any number. `KILL_NO_WAIT=1` relaunches
 * as soon as the browser process is gone, without waiting for the profile's other processes (to tell a
 * relaunch racing them from Chromium losing storage by itself); `KILL_VERBOSE=1` prints each cycle's steps.
 * A seed that ever fails becomes a named test below: `killTest('what was lost', { seed, cycles })`.
 */
import type { Page } from '@playwright/test';
import { expect, test } from '@playwright/test';
import { createSpace, pageContent, sidebar, tree } from './helpers.ts';
import { runKillCycles, type KillScenario, type Session } from './killCycles.ts';

/** Cycles in `npm test` (the issue asks for at least 30) and under EXTENSIVE=1. */
const DEFAULT_CYCLES = 30;
const EXTENSIVE_CYCLES = 1_000;
/** Pages beyond which the scenario stops creating (the tree stays small enough to be shown whole). */
const MAX_PAGES = 12;
/** Words a person types in one go. */
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];
/** Time a cycle may take on a busy machine (launch, checks, edits, kill). */
const CYCLE_BUDGET_MS = 45_000;
/** How long the UI may take to show the result of one action on a busy machine. */
const UI_TIMEOUT_MS = 20_000;

function routePageId(page: Page): string | null {
  const m = /#\/space\/[^/]+\/page\/([^/?#]+)/.exec(page.url());
  return m ? decodeURIComponent(m[1]!) : null;
}

let titles = 0;
const freshTitle = (s: Session) => `P${s.cycle}-${++titles}`;

async function createPage(s: Session) {
  s.begin({ kind: 'create', pageId: null });
  await sidebar(s.page).getByRole('button', { name: 'New page' }).click();
  const title = s.page.getByRole('textbox', { name: 'Page title' });
  await expect(title).toHaveValue('', { timeout: UI_TIMEOUT_MS });
  const name = freshTitle(s);
  await title.fill(name);
  await expect(tree(s.page).getByRole('treeitem', { name, exact: true })).toBeVisible({ timeout: UI_TIMEOUT_MS });
  await s.observe();
}

async function typeWords(s: Session) {
  const pageId = routePageId(s.page);
  if (pageId === null) return createPage(s);
  // The route may name a page whose creation the last kill cut short (the route was saved, the page was not):
  // the app says so instead of showing an editor. A person then opens another page.
  if (!(await pageContent(s.page).isVisible())) return (await someItem(s)) ? openPage(s) : createPage(s);
  s.begin({ kind: 'type', pageId });
  await pageContent(s.page).click();
  await s.page.keyboard.press('Control+End');
  if (s.rng.int(5) === 0) await s.page.keyboard.press('Enter');
  const words = Array.from({ length: 1 + s.rng.int(3) }, () => s.rng.pick(WORDS));
  await s.page.keyboard.type(` ${words.join(' ')}`);
  await s.observe();
}

/** A random tree item that is shown, with its page id and title (null when the tree is empty). */
async function someItem(s: Session) {
  const items = await tree(s.page)
    .getByRole('treeitem')
    .evaluateAll((els) => els.map((el) => ({ id: el.getAttribute('data-page-id') ?? '', title: el.getAttribute('aria-label') ?? '' })));
  return items.length > 0 ? s.rng.pick(items) : null;
}

/** A tree item by its page id: titles repeat (every create cut short by a kill leaves an "Untitled" page). */
const treeItem = (s: Session, id: string) => tree(s.page).locator(`[role="treeitem"][data-page-id="${id}"]`);

async function renamePage(s: Session) {
  const target = await someItem(s);
  if (!target) return createPage(s);
  s.begin({ kind: 'rename', pageId: target.id });
  await treeItem(s, target.id).focus();
  await s.page.keyboard.press('F2');
  const box = tree(s.page).getByRole('textbox', { name: 'Rename page' });
  const name = freshTitle(s);
  await box.fill(name);
  await s.page.keyboard.press('Enter');
  await expect(treeItem(s, target.id)).toHaveAttribute('aria-label', name, { timeout: UI_TIMEOUT_MS });
  await s.observe();
}

async function movePage(s: Session) {
  const target = await someItem(s);
  if (!target) return createPage(s);
  s.begin({ kind: 'move', pageId: target.id });
  await treeItem(s, target.id).focus();
  await s.page.keyboard.press(s.rng.pick(['Alt+ArrowUp', 'Alt+ArrowDown', 'Alt+ArrowRight', 'Alt+ArrowLeft']));
  await s.observe();
}

async function openPage(s: Session) {
  const target = await someItem(s);
  if (!target) return createPage(s);
  s.begin({ kind: 'open', pageId: null });
  await treeItem(s, target.id).click();
  await expect.poll(() => routePageId(s.page), { timeout: UI_TIMEOUT_MS }).toBe(target.id);
  await expect(s.page.getByRole('textbox', { name: 'Page title' })).toHaveValue(target.title === 'Untitled' ? /^(Untitled)?$/ : target.title, { timeout: UI_TIMEOUT_MS });
  await s.observe();
}

/** Today's storage: a person edits one space. */
const editing: KillScenario = {
  name: 'editing',
  killWithinMs: 2_500,
  async setUp(s) {
    await createSpace(s.page, 'Kill harness');
    // createSpace leaves the list of spaces open; closed, the tree gets the sidebar's height.
    await sidebar(s.page).getByRole('button', { name: /^Switch space/ }).click();
    const m = /#\/space\/([^/?#]+)/.exec(s.page.url());
    if (!m) throw new Error(`no space in the URL ${s.page.url()}`);
    s.spaceId = decodeURIComponent(m[1]!);
  },
  async firstEdit(s) {
    await typeWords(s);
  },
  async act(s) {
    const roll = s.rng.int(20);
    const pages = await tree(s.page).getByRole('treeitem').count();
    if (roll < 8) await typeWords(s);
    else if (roll < 11 && pages < MAX_PAGES) await createPage(s);
    else if (roll < 14) await renamePage(s);
    else if (roll < 16) await movePage(s);
    else if (roll < 17) await openPage(s);
    // Sometimes the person pauses until the status says saved: an acknowledgement mid-cycle.
    else await s.waitSaved();
  },
};

/** The seed `npm test` runs (fixed, so a failure there replays as is); KILL_SEED=n picks another. */
const DEFAULT_SEED = 181216338;

function killTest(name: string, opts: { seed?: number; cycles?: number } = {}) {
  test(name, async ({ baseURL }) => {
    const extensive = process.env.EXTENSIVE === '1';
    const cycles = opts.cycles ?? Number(process.env.KILL_CYCLES ?? (extensive ? EXTENSIVE_CYCLES : DEFAULT_CYCLES));
    const seed = opts.seed ?? Number(process.env.KILL_SEED ?? (extensive ? Math.floor(Math.random() * 2 ** 31) : DEFAULT_SEED));
    const waitForProfile = process.env.KILL_NO_WAIT !== '1';
    test.setTimeout((cycles + 1) * CYCLE_BUDGET_MS);
    console.log(`browser-kill: seed ${seed}, ${cycles} cycles${waitForProfile ? '' : ', relaunching without waiting for the profile (KILL_NO_WAIT)'} (replay with KILL_SEED=${seed} KILL_CYCLES=${cycles})`);
    const result = await runKillCycles(editing, { seed, cycles, baseURL: baseURL!, waitForProfile });
    expect(result.lost, 'acknowledged edits lost').toEqual([]);
    expect(result.broken, 'tree invariants broken after a kill').toEqual([]);
    expect(result.pageProblems, 'page errors or console errors').toEqual([]);
    expect(result.cycles).toBe(cycles);
    expect(result.acknowledged).toBeGreaterThanOrEqual(cycles);
  });
}

killTest('SIGKILL of the whole browser while a person edits: nothing acknowledged is lost, the tree holds, the next save succeeds');
