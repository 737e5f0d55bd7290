/**
 * The upgrade row of issue 12, "the upgrade of a 10,000-page space from the old format: time and peak memory,
 * against a raw read plus a raw write of the same rows". Its baseline runs now: a space of `s.bigPages` pages (each
 * with a body) seeded in the page store, read raw database by database and written raw into one database, timed,
 * with the page's peak JS heap. TODO(issue 12): the upgrade itself (src/storage/space/upgrade/, API not final) is
 * not called yet, so its two rows stay pending. To finish them: time the upgrade of a fresh page-store copy of
 * `old` (seedStore 'page' again, or one seed per sample) inside `peakHeap`, and put its samples beside the
 * baseline's below.
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

export async function runUpgrade(page: Page, old: SeededSpace, s: Sizes): Promise<Figure[]> {
  const raw = await peakHeap(page, () => callBench<Result<'rawMove'>>(page, 'upgradeOps.rawMove', s.wholeSpaceSamples, old.spaceId));
  const { databases, rows, samples } = raw.result;
  const pending = 'pending: TODO(issue 12), waits for the upgrade API (src/storage/space/upgrade/)';
  const what = `a ${s.bigPages}-page space (${databases} page databases, ${rows} rows) moved from the page store's format into the space store`;
  return [
    {
      workload: 'upgrade a space from the page store\'s format',
      what: `time: ${what}`,
      unit: 'ms',
      samples: [],
      baseline: { what: 'raw read of every page database + raw write of the same rows into one database (one transaction)', samples },
      budget: 'report, against the raw read + write',
      pending,
    },
    {
      workload: 'upgrade a space from the page store\'s format',
      what: `peak JS heap of the page above its start, during the same upgrade (read every ${HEAP_POLL_MS} ms)`,
      unit: 'KiB',
      samples: [],
      baseline: { what: `the same during the raw read + write (${s.wholeSpaceSamples} sample(s), one peak)`, samples: [raw.peakKiB] },
      budget: 'report',
      pending,
    },
  ];
}
