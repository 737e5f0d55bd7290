/**
 * The browser-kill cycle: launch Chromium on one persistent profile, check that everything acknowledged
 * before the previous kill is on disk and the tree holds, make one edit and see it saved, then let a
 * scenario act like a person until a SIGKILL lands at a seeded random moment. The last kill is checked by
 * one more launch. A scenario is the part that varies (editing today; the storage upgrade later).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import type { Page } from '@playwright/test';
import { expect } from '@playwright/test';
import { AckLedger, liveSnapshot, type Edit } from './acknowledgedEdits.ts';
import { indexedDbRecreated, launchKillableChromium, profileProcesses } from './killableChromium.ts';
import { tree } from './helpers.ts';

/** How long one edit may take to be acknowledged on a busy machine before "the next save succeeds" fails. */
const SAVE_TIMEOUT_MS = 30_000;
/**
 * Gaps between the checks of a condition the harness waits on (the workspace open, the tree shown, a save
 * acknowledged). Short: each check is one cheap evaluate, and Playwright's default gaps (up to 1 s) were a
 * third of a cycle.
 */
const POLL_INTERVALS_MS = [20, 50, 100];

/** A small seeded generator (mulberry32): the same seed, the same actions and kill moments. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/** What a scenario works with during one launch. */
export interface Session {
  readonly page: Page;
  readonly rng: Rng;
  readonly cycle: number;
  /** The space under test (set by the scenario's `setUp` on the first launch). */
  spaceId: string;
  /** Records the action about to run (which page it touches, when known). */
  begin(edit: Edit): void;
  /** Snapshots the app after an action; true when the status acknowledged everything so far. */
  observe(): Promise<boolean>;
  /** Waits until the status acknowledges everything so far (fails after SAVE_TIMEOUT_MS). */
  waitSaved(): Promise<void>;
}

export interface KillScenario {
  readonly name: string;
  /** On the fresh profile, before the first cycle: creates the space (or writes an old-format one). */
  setUp(s: Session): Promise<void>;
  /** One edit whose save must be acknowledged right after a relaunch ("the next save succeeds"). */
  firstEdit(s: Session): Promise<void>;
  /** One random action of a person; called in a loop until the kill. */
  act(s: Session): Promise<void>;
  /** The longest random delay before the kill, counted from the first edit's acknowledgement. */
  readonly killWithinMs: number;
}

export interface KillRunResult {
  readonly cycles: number;
  readonly acknowledged: number;
  readonly lost: string[];
  readonly broken: string[];
  readonly pageProblems: string[];
  /** Launches that found a process of the killed browser still running (only possible with KILL_NO_WAIT). */
  readonly racingLaunches: number;
  /** Relaunches after which Chromium had deleted the origin's IndexedDB as corrupt (not losses of Quire's). */
  readonly wipedByBrowser: string[];
}

async function waitForWorkspace(page: Page, spaceId: string): Promise<void> {
  await expect.poll(async () => (await liveSnapshot(page, spaceId)) !== null, { timeout: SAVE_TIMEOUT_MS, intervals: POLL_INTERVALS_MS }).toBe(true);
}

/** The app shows what is on disk: its live tree equals the stored one, and the sidebar's top level too. */
async function expectAppShowsStored(page: Page, spaceId: string, stored: { children(p: null): { title: string }[]; listPages(): { id: string; parentId: string | null; title: string; inTrash: boolean }[] }) {
  const want = stored
    .listPages()
    .filter((p) => !p.inTrash)
    .map((p) => `${p.id}<${p.parentId}:${p.title}`)
    .sort();
  await expect.poll(async () => (await liveSnapshot(page, spaceId))?.pages.map((p) => `${p.id}<${p.parentId}:${p.title}`).sort(), { timeout: SAVE_TIMEOUT_MS, intervals: POLL_INTERVALS_MS }).toEqual(want);
  // The tree names a page without a title "Untitled" (src/ui/tree/PageTree.tsx).
  const topLevel = stored.children(null).map((p) => (p.title.trim() === '' ? 'Untitled' : p.title));
  const shown = () => tree(page).locator('[role="treeitem"][aria-level="1"]').evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? ''));
  await expect.poll(shown, { timeout: SAVE_TIMEOUT_MS, intervals: POLL_INTERVALS_MS }).toEqual(topLevel);
}

/** Runs `cycles` kill cycles of `scenario` from `seed` on a fresh profile; prints one summary line. */
export async function runKillCycles(scenario: KillScenario, opts: { seed: number; cycles: number; baseURL: string; waitForProfile?: boolean }): Promise<KillRunResult> {
  const profile = mkdtempSync(joinPath(tmpdir(), 'quire-kill-'));
  const rng = new Rng(opts.seed);
  let ledger = new AckLedger();
  const result = { cycles: 0, acknowledged: 0, lost: [] as string[], broken: [] as string[], pageProblems: [] as string[], racingLaunches: 0, wipedByBrowser: [] as string[] };
  let acknowledgedBefore = 0;
  let spaceId = '';
  try {
    for (let cycle = 0; cycle <= opts.cycles; cycle++) {
      const t0 = Date.now();
      const mark = (what: string) => process.env.KILL_VERBOSE && console.log(`cycle ${cycle} ${what} at ${Date.now() - t0} ms`);
      // Without the wait for the profile's processes, count the launches that race a survivor of the kill.
      const survivors = profileProcesses(profile).length;
      if (survivors > 0) {
        result.racingLaunches++;
        mark(`launching while ${survivors} process(es) of the killed browser remain`);
      }
      const chrome = await launchKillableChromium(profile, { waitForProfile: opts.waitForProfile });
      mark('launched');
      try {
        const page = chrome.context.pages()[0] ?? (await chrome.context.newPage());
        let killed = false;
        page.on('pageerror', (e) => !killed && result.pageProblems.push(`cycle ${cycle}: uncaught: ${e.message}`));
        page.on('console', (m) => !killed && m.type() === 'error' && result.pageProblems.push(`cycle ${cycle}: console.error: ${m.text()}`));
        await page.goto(`${opts.baseURL}/`);
        mark('loaded');
        const session: Session = {
          page,
          rng,
          cycle,
          get spaceId() {
            return spaceId;
          },
          set spaceId(id: string) {
            spaceId = id;
          },
          begin: (edit) => ledger.begin(edit),
          observe: async () => {
            const s = await liveSnapshot(page, spaceId);
            return s !== null && ledger.observe(s);
          },
          async waitSaved() {
            let last = 'no workspace';
            const saved = async () => {
              const snap = await liveSnapshot(page, spaceId);
              if (snap) last = snap.status;
              return snap !== null && ledger.observe(snap);
            };
            try {
              await expect.poll(saved, { timeout: SAVE_TIMEOUT_MS, intervals: POLL_INTERVALS_MS }).toBe(true);
            } catch (e) {
              throw new Error(`cycle ${cycle}: not saved within ${SAVE_TIMEOUT_MS} ms; the status: ${last}`, { cause: e });
            }
          },
        };
        // Chromium itself may have destroyed the origin's IndexedDB after the kill (see indexedDbRecreated): that
        // is counted apart, never as an edit Quire lost, and the scenario starts again on the empty profile.
        await page.evaluate(() => indexedDB.databases());
        const wiped = cycle > 0 && indexedDbRecreated(profile);
        if (wiped) {
          result.wipedByBrowser.push(`seed ${opts.seed}, after kill ${cycle}: Chromium found its IndexedDB corrupt and deleted it (${ledger.ackedEdits} acknowledged edits went with it)`);
          acknowledgedBefore += ledger.ackedEdits;
          ledger = new AckLedger();
          result.cycles = cycle;
        }
        if (cycle === 0 || wiped) await scenario.setUp(session);
        else {
          await waitForWorkspace(page, spaceId);
          const checked = await ledger.checkStored(page, spaceId);
          result.lost.push(...checked.lost.map((l) => `seed ${opts.seed}, after kill ${cycle}: ${l}`));
          result.broken.push(...checked.broken.map((b) => `seed ${opts.seed}, after kill ${cycle}: ${b}`));
          if (checked.lost.length > 0 || checked.broken.length > 0) break;
          await expectAppShowsStored(page, spaceId, checked.stored);
          ledger.relaunched();
          result.cycles = cycle;
          mark('checked');
        }
        if (cycle === opts.cycles) break;

        // The next save succeeds; then a person acts until the kill lands.
        await scenario.firstEdit(session);
        await session.waitSaved();
        mark('first edit saved');
        const killAt = rng.int(scenario.killWithinMs);
        const kill = new Promise<void>((resolve) => setTimeout(resolve, killAt)).then(async () => {
          killed = true;
          mark('kill sent');
          await chrome.kill();
          mark('profile gone');
        });
        const acting = (async () => {
          while (!killed) await scenario.act(session);
        })().catch((e: unknown) => {
          if (!killed) throw e;
        });
        await Promise.all([kill, acting]);
        mark(`killed after ${killAt} ms`);
      } finally {
        await chrome.kill();
      }
    }
  } finally {
    if (process.env.KILL_KEEP_PROFILE) console.log(`browser-kill: profile kept at ${profile}`);
    else rmSync(profile, { recursive: true, force: true });
  }
  result.acknowledged = acknowledgedBefore + ledger.ackedEdits;
  const racing = opts.waitForProfile === false ? `, ${result.racingLaunches} relaunches raced the killed browser's processes` : '';
  const wiped = result.wipedByBrowser.length > 0 ? `; Chromium deleted its own IndexedDB as corrupt after ${result.wipedByBrowser.length} kill(s): ${result.wipedByBrowser.join('; ')}` : '';
  console.log(`browser-kill [${scenario.name}] seed ${opts.seed}: ${result.cycles} cycles run, ${result.acknowledged} edits acknowledged, ${result.lost.length} edits lost${racing}${wiped}`);
  return result;
}
