/**
 * The upgrade row of issue 12, "the upgrade of a 10,000-page space from the old format: time and peak memory,
 * against a raw read plus a raw write of the same rows": a space of `s.bigPages` pages (each with a body) seeded
 * in the page store. Each upgrade sample runs `upgradeSpace` on a freshly seeded one; each baseline sample reads it
 * raw database by database and writes the rows raw into one database. Both are timed in the page, and the page's
 * JS heap is read around each sample (its peak above the start).
 */
import type { Page } from '@playwright/test';
import { callBench } from '../browser.ts';
import type { Figure } from '../figure.ts';
import type { SeededSpace } from '../page/seed.ts';
import type { Sizes } from '../sizes.ts';

import type * as UpgradeOpsPage from '../page/upgradeOps.ts';

type Api = typeof UpgradeOpsPage;
type Result<K extends keyof Api> = Awaited<ReturnType<Api[K]>>;

/** How often the page's JS heap is read while a workload runs (the peak between two reads is missed). */
const HEAP_POLL_MS = 20;

/** Runs `work` while reading the page's used JS heap (CDP Runtime.getHeapUsage); the peak above the start, in KiB. */
async function peakHeap<T>(page: Page, work: () => Promise<T>): Promise<{ result: T; peakKiB: number }> {
  const cdp = await page.context().newCDPSession(page);
  const used = async () => (await cdp.send('Runtime.getHeapUsage')).usedSize;
  const start = await used();
  let peak = start;
  let running = true;
  const poll = (async () => {
    while (running) {
      peak = Math.max(peak, await used());
      await new Promise((r) => setTimeout(r, HEAP_POLL_MS));
    }
  })();
  try {
    const result = await work();
    return { result, peakKiB: (peak - start) / 1024 };
  } finally {
    running = false;
    await poll;
    await cdp.detach();
  }
}

/**
 * `seedOld` seeds a fresh space in the page store (untimed) for each sample, since the upgrade deletes its sources;
 * the raw baseline's samples read the first one before it is upgraded. (Copying the seeded space raw instead was
 * faster, but a 10,000-page space, its copy and the space store written from it did not fit the off-the-record
 * context's storage: QuotaExceededError.)
 */
export async function runUpgrade(page: Page, seedOld: () => Promise<SeededSpace>, s: Sizes, log: (msg: string) => void): Promise<Figure[]> {
  const raw: Result<'rawMove'>[] = [];
  const rawPeak: number[] = [];
  const runs: Result<'upgrade'>[] = [];
  const peak: number[] = [];
  for (let i = 0; i < s.wholeSpaceSamples; i++) {
    const old = await seedOld();
    if (i === 0) {
      for (let j = 0; j < s.wholeSpaceSamples; j++) {
        const r = await peakHeap(page, () => callBench<Result<'rawMove'>>(page, 'upgradeOps.rawMove', old.spaceId));
        raw.push(r.result);
        rawPeak.push(r.peakKiB);
      }
    }
    const use = await callBench<Result<'storageMiB'>>(page, 'upgradeOps.storageMiB');
    const r = await peakHeap(page, () => callBench<Result<'upgrade'>>(page, 'upgradeOps.upgrade', old.spaceId));
    const u = r.result;
    const databases = raw[0]!.databases;
    // A broken workload fails the bench: every document moved, every source removed.
    if (u.docs !== databases || u.moved !== u.docs || u.removed !== u.docs || u.left !== 0) {
      throw new Error(`upgrade sample ${i + 1}: ${databases} page databases, ${u.docs} listed, ${u.moved} moved, ${u.removed} removed, ${u.left} left`);
    }
    log(`upgrade sample ${i + 1}: ${u.moved} documents in ${Math.round(u.ms / 1000)} s (copy and verify ${Math.round(u.movingMs / 1000)} s), peak heap +${Math.round(r.peakKiB / 1024)} MiB; origin used ${Math.round(use.usage)} of ${Math.round(use.quota)} MiB before`);
    runs.push(u);
    peak.push(r.peakKiB);
  }
  const { databases, rows } = raw[0]!;
  const listMs = runs.map((u) => Math.round(u.listMs)).join(', ');
  const movingShare = runs.map((u) => `${Math.round((100 * u.movingMs) / u.ms)}%`).join(', ');
  const what = `a ${s.bigPages}-page space (${databases} page databases, ${rows} rows) moved from the page store's format into the space store`;
  const note = `${s.wholeSpaceSamples} sample(s), each a freshly seeded space (seeded untimed); listing the origin's databases (legacyDatabases, once per app open for all spaces) took ${listMs} ms apart; copy and verify (until the first source is removed) ${movingShare} of each sample, the sweep the rest`;
  return [
    {
      workload: 'upgrade a space from the page store\'s format',
      what: `time: upgradeSpace of ${what} (copy and verify each document, mark moved, re-read and delete every source)`,
      unit: 'ms',
      samples: runs.map((u) => u.ms),
      baseline: { what: 'raw read of every page database + raw write of the same rows into one database (one transaction)', samples: raw.map((r) => r.ms) },
      budget: 'report, against the raw read + write',
      note,
    },
    {
      workload: 'upgrade a space from the page store\'s format',
      what: `peak JS heap of the page above its start during each upgrade above (read every ${HEAP_POLL_MS} ms)`,
      unit: 'KiB',
      samples: peak,
      baseline: { what: 'the same during each raw read + write', samples: rawPeak },
      budget: 'report',
    },
  ];
}
