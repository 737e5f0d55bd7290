/**
 * The built app's own paths, driven in headless Chromium: first sidebar paint (10k vs 100 pages), page open
 * click to editable (typical and heavy), keystroke main-thread cost, IndexedDB transactions per second while
 * typing, rename and move through to the sidebar in a 10k space, cold start from the service-worker cache.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { pageDbName } from '../../src/storage/pages/naming.ts';
import { spaceDbName } from '../../src/storage/space/spaceDbSchema.ts';
import { callBench, openBenchPage } from '../browser.ts';
import type { Figure } from '../figure.ts';
import type { SeededSpace } from '../page/seed.ts';
import type { Sizes } from '../sizes.ts';

/** Typing speed for the transactions-per-second figure: a fast typist, 10 keys a second. */
const TYPING_DELAY_MS = 100;
/** The heavy page counts as loaded once its editor holds this share of its characters (paragraph breaks differ). */
const HEAVY_LOADED_SHARE = 0.9;
/** Top-level rows surely rendered by the virtualized tree in an 800 px high window. */
const VISIBLE_ROWS = 12;
/** How long one timed UI change may take before the workload counts as broken. */
const WAIT_LIMIT_MS = 30_000;

export interface AppSpaces {
  start: SeededSpace;
  small: SeededSpace;
  big: SeededSpace;
}

interface BenchWindow {
  __bench: { firstRowAt: number | null; adds: { db: string; doc: unknown; t: number }[]; longTasks: number[] };
}

/**
 * Runs in the app before its own scripts: counts IndexedDB `add`s per database (each is one store write: both
 * stores add one row per transaction), with the first part of an array key (the document of a space store row,
 * `[docId, seq]`), notes when the first tree row appears and records long tasks.
 */
function instrument(): void {
  const w = window as unknown as BenchWindow;
  w.__bench = { firstRowAt: null, adds: [], longTasks: [] };
  const add = IDBObjectStore.prototype.add;
  IDBObjectStore.prototype.add = function (this: IDBObjectStore, ...args: Parameters<typeof add>) {
    const key: unknown = args[1];
    w.__bench.adds.push({ db: this.transaction.db.name, doc: Array.isArray(key) ? key[0] : null, t: performance.now() });
    return add.apply(this, args);
  };
  new MutationObserver((_, obs) => {
    if (document.querySelector('[role="treeitem"]')) {
      w.__bench.firstRowAt = performance.now();
      obs.disconnect();
    }
  }).observe(document, { subtree: true, childList: true });
  new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__bench.longTasks.push(e.duration))).observe({ type: 'longtask' });
}

async function appPage(context: BrowserContext, origin: string, spaceId: string): Promise<Page> {
  const page = await context.newPage();
  await page.addInitScript(instrument);
  await page.goto(`${origin}/#/space/${spaceId}`);
  await page.locator('[role="treeitem"]').first().waitFor();
  return page;
}

/**
 * Times, in the page, `act` until `done` holds (checked on every DOM mutation). Both are function sources,
 * evaluated through the DevTools protocol (outside the app's CSP, which refuses eval).
 */
function timeUntil(page: Page, act: string, done: string, arg: unknown): Promise<number> {
  return page.evaluate(`new Promise((resolve, reject) => {
    const arg = ${JSON.stringify(arg)};
    const check = ${done};
    const timer = setTimeout(() => reject(new Error('timed out waiting for ' + ${JSON.stringify(done)})), ${WAIT_LIMIT_MS});
    let t0 = 0;
    const obs = new MutationObserver(() => {
      if (!check(arg)) return;
      const t = performance.now() - t0;
      obs.disconnect();
      clearTimeout(timer);
      resolve(t);
    });
    obs.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    t0 = performance.now();
    (${act})(arg);
  })`);
}

/** Hash navigation from an open space to another: first tree row of the target space. */
async function sidebarPaint(context: BrowserContext, origin: string, from: SeededSpace, to: SeededSpace, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const page = await appPage(context, origin, from.spaceId);
    out.push(
      await timeUntil(
        page,
        `(a) => { location.hash = '#/space/' + a.space; }`,
        `(a) => document.querySelector('[role="treeitem"][data-page-id="' + a.first + '"]') !== null`,
        { space: to.spaceId, first: to.topIds[0] },
      ),
    );
    await page.close();
  }
  return out;
}

const EDITOR = '[aria-label="Page content"][contenteditable="true"]';

/** Click a sidebar row until its editor is there, editable, with at least `chars` characters. */
function openByClick(page: Page, pageId: string, chars: number): Promise<number> {
  return page.evaluate(() => document.querySelector('[aria-label="Page content"]')?.setAttribute('data-bench-old', '1')).then(() =>
    timeUntil(
      page,
      `(a) => document.querySelector('[role="treeitem"][data-page-id="' + a.id + '"]').click()`,
      `(a) => { const e = document.querySelector('${EDITOR}:not([data-bench-old])'); return e !== null && (e.textContent ?? '').length >= a.chars; }`,
      { id: pageId, chars },
    ),
  );
}

async function pageOpens(page: Page, small: SeededSpace, s: Sizes) {
  // Rows near the top: the tree is virtualized, rows below the fold are not in the DOM.
  const typicalIds = small.topIds.filter((id) => small.bodyIds.includes(id)).slice(0, VISIBLE_ROWS);
  const typical: number[] = [];
  const heavy: number[] = [];
  for (let i = 0; i < s.samples; i++) {
    typical.push(await openByClick(page, typicalIds[i % typicalIds.length]!, 1500));
    heavy.push(await openByClick(page, small.heavyId!, s.heavyChars * HEAVY_LOADED_SHARE));
  }
  await openByClick(page, typicalIds[0]!, 1500);
  return { typical, heavy, typicalIds };
}

/** Keydown to the second task after the input event: ProseMirror, y-prosemirror, Yjs, DocSync and React's render. */
async function keystrokes(page: Page, count: number): Promise<{ samples: number[]; firstTask: number[]; longTasks: number[] }> {
  await page.locator(EDITOR).click();
  await page.keyboard.press('End');
  // A string, not a function: tsx would wrap a named inner function in a helper the page does not have.
  await page.evaluate(`{
    window.__keys = [];
    window.__keys1 = [];
    window.__bench.longTasks = [];
    let t0 = 0;
    const nextTask = (f) => { const ch = new MessageChannel(); ch.port1.onmessage = f; ch.port2.postMessage(0); };
    window.addEventListener('keydown', () => (t0 = performance.now()), { capture: true });
    window.addEventListener('input', () => nextTask(() => { window.__keys1.push(performance.now() - t0); nextTask(() => window.__keys.push(performance.now() - t0)); }), { capture: true });
  }`);
  for (let i = 0; i < count; i++) await page.keyboard.press('KeyA');
  await page.waitForFunction((n) => (window as unknown as { __keys: number[] }).__keys.length >= n, count);
  return page.evaluate(() => {
    const w = window as unknown as { __keys: number[]; __keys1: number[]; __bench: { longTasks: number[] } };
    return { samples: w.__keys, firstTask: w.__keys1, longTasks: w.__bench.longTasks };
  });
}

/**
 * Adds of the page's rows per second while typing at TYPING_DELAY_MS: to its own database (page store) or to its
 * range of the space's database (space store), whichever store the app writes.
 */
async function transactionsPerSecond(page: Page, target: { pageDb: string; spaceDb: string; pageId: string }, seconds: number): Promise<{ perSecond: number[]; keys: number }> {
  const t0 = await page.evaluate(() => performance.now());
  const keys = Math.round((seconds * 1000) / TYPING_DELAY_MS);
  await page.keyboard.type('b'.repeat(keys), { delay: TYPING_DELAY_MS });
  const adds = await page.evaluate(
    ({ target, t0 }) =>
      (window as unknown as BenchWindow).__bench.adds
        .filter((a) => (a.db === target.pageDb || (a.db === target.spaceDb && a.doc === target.pageId)) && a.t >= t0)
        .map((a) => a.t - t0),
    { target, t0 },
  );
  const perSecond = Array.from({ length: seconds }, (_, i) => adds.filter((t) => t >= i * 1000 && t < (i + 1) * 1000).length);
  return { perSecond, keys };
}

/** Rename and move through the app's own space handle, until the sidebar shows it. */
async function renameAndMove(page: Page, big: SeededSpace, n: number) {
  await page.evaluate(async (id) => {
    const q = (globalThis as unknown as { quire: { workspace: { manager: { openSpace(id: string): Promise<unknown> } } } }).quire;
    (window as unknown as { __space: unknown }).__space = await q.workspace.manager.openSpace(id);
  }, big.spaceId);
  const rename: number[] = [];
  const move: number[] = [];
  const order = big.topIds.slice(0, 2);
  for (let i = 0; i < n; i++) {
    const id = big.topIds[2 + (i % (VISIBLE_ROWS - 2))]!;
    rename.push(
      await timeUntil(
        page,
        `(a) => window.__space.space.renamePage(a.id, a.title)`,
        `(a) => document.querySelector('[role="treeitem"][data-page-id="' + a.id + '"]')?.getAttribute('aria-label') === a.title`,
        { id, title: `Renamed ${i}` },
      ),
    );
    const second = order[1]!;
    move.push(
      await timeUntil(
        page,
        `(a) => window.__space.space.movePage(a.id, null, 0)`,
        `(a) => document.querySelector('[role="treeitem"][aria-level="1"][aria-posinset="1"]')?.getAttribute('data-page-id') === a.id`,
        { id: second },
      ),
    );
    order.reverse();
  }
  return { rename, move };
}

/** Service-worker-cached shell to the first tree row, in a fresh context that allows the service worker. */
async function coldStart(browser: Browser, origin: string, s: Sizes): Promise<number[]> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const bench = await openBenchPage(context, origin);
    const space = await callBench<SeededSpace>(bench, 'seedSpace', { name: 'cold start', pages: s.smallPages, seed: 3, bodies: 0, heavyChars: 0 });
    await bench.close();
    const first = await appPage(context, origin, space.spaceId);
    await first.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await first.reload();
    await first.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await first.close();
    const out: number[] = [];
    for (let i = 0; i < s.samples; i++) {
      const page = await appPage(context, origin, space.spaceId);
      const { at, fromWorker } = await page.evaluate(() => ({
        at: (window as unknown as BenchWindow).__bench.firstRowAt,
        fromWorker: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).workerStart > 0,
      }));
      if (!fromWorker) throw new Error('cold start: the shell did not come from the service worker');
      out.push(at!);
      await page.close();
    }
    return out;
  } finally {
    await context.close();
  }
}

export async function runApp(browser: Browser, context: BrowserContext, origin: string, spaces: AppSpaces, s: Sizes, base: { yIndexeddbOpen: number[]; rawHeavy: number[]; rowUpdate: number[] }): Promise<Figure[]> {
  const paintSmall = await sidebarPaint(context, origin, spaces.start, spaces.small, s.samples);
  const paintBig = await sidebarPaint(context, origin, spaces.start, spaces.big, s.samples);

  const page = await appPage(context, origin, spaces.small.spaceId);
  const opens = await pageOpens(page, spaces.small, s);
  const keys = await keystrokes(page, s.keystrokes);
  const pageId = opens.typicalIds[0]!;
  const target = { pageDb: pageDbName(spaces.small.spaceId, pageId), spaceDb: spaceDbName(spaces.small.spaceId), pageId };
  const tps = await transactionsPerSecond(page, target, s.typingSeconds);
  await page.close();

  const bigPage = await appPage(context, origin, spaces.big.spaceId);
  const moves = await renameAndMove(bigPage, spaces.big, s.samples);
  await bigPage.close();

  const cold = await coldStart(browser, origin, s);
  const longest = keys.longTasks.length ? `${keys.longTasks.length} long task(s), longest ${Math.round(Math.max(...keys.longTasks))} ms` : 'no long task (>50 ms)';
  return [
    {
      workload: 'first sidebar paint, 10k vs 100 pages',
      what: `hash change from an open space to the ${spaces.big.topIds.length > 0 ? s.bigPages : 0}-page space, until its first tree row`,
      unit: 'ms',
      samples: paintBig,
      baseline: { what: `the same for the ${s.smallPages}-page space`, samples: paintSmall },
      budget: 'within 1.5x of the 100-page paint',
      goal: { ratioP50: 1.5 },
    },
    {
      workload: 'open a typical page (click to editable)',
      what: 'click on a sidebar row until the editor is editable with the page\'s 2,000 characters',
      unit: 'ms',
      samples: opens.typical,
      baseline: { what: 'bare y-indexeddb open of a small compacted document', samples: base.yIndexeddbOpen },
      budget: 'p50 <= 2x bare y-indexeddb open, p95 <= 16 ms',
      goal: { ratioP50: 2, p95: 16 },
    },
    {
      workload: 'open a heavy page (100,000 characters)',
      what: `click until the editor holds ${HEAVY_LOADED_SHARE * 100}% of the ${s.heavyChars} characters`,
      unit: 'ms',
      samples: opens.heavy,
      baseline: { what: 'raw IndexedDB read of its rows + Yjs decode', samples: base.rawHeavy },
      budget: '<= 1.5x its raw read + Yjs decode',
      goal: { ratioP50: 1.5 },
    },
    {
      workload: 'keystroke to document and UI state, main thread',
      what: `keydown to the second task after input (ProseMirror, Yjs, DocSync, React), ${s.keystrokes} keys; ${longest}`,
      unit: 'ms',
      samples: keys.samples,
      budget: '<= 2 ms p95',
      goal: { p95: 2 },
    },
    {
      workload: 'keystroke to document and UI state, main thread',
      what: 'the same, keydown to the first task after input: before React renders the word count and save status',
      unit: 'ms',
      samples: keys.firstTask,
      budget: '<= 2 ms p95',
      goal: { p95: 2 },
    },
    {
      workload: 'keystroke to durable: transactions per second per open page',
      what: `IndexedDB adds of the page's rows (its database, or its range of the space's) per second while typing ${1000 / TYPING_DELAY_MS} keys/s for ${s.typingSeconds} s (${tps.keys} keys)`,
      unit: 'tx/s',
      samples: tps.perSecond,
      budget: '<= 4 per second (loss window: docs/decisions/0006)',
      goal: { p95: 4 },
    },
    {
      workload: 'rename one page in a 10k space, through to the sidebar',
      what: `Space.renamePage on the app's handle until the tree row shows the title (${s.bigPages}-page space)`,
      unit: 'ms',
      samples: moves.rename,
      baseline: { what: 'one TanStack DB row update (Dexie-backed collection, until persisted)', samples: base.rowUpdate },
      budget: '<= 2x one TanStack DB row update',
      goal: { ratioP50: 2 },
    },
    {
      workload: 'move one page in a 10k space, through to the sidebar',
      what: `Space.movePage (second top-level page to first) until the tree shows it first (${s.bigPages}-page space)`,
      unit: 'ms',
      samples: moves.move,
      baseline: { what: 'one TanStack DB row update (Dexie-backed collection, until persisted)', samples: base.rowUpdate },
      budget: '<= 2x one TanStack DB row update',
      goal: { ratioP50: 2 },
    },
    {
      workload: 'cold start: service-worker-cached shell to interactive sidebar',
      what: `navigation start to the first tree row of a ${s.smallPages}-page space, shell served by the service worker`,
      unit: 'ms',
      samples: cold,
      budget: 'report; target under 1 s on this machine',
      goal: { p50: 1000 },
    },
  ];
}
