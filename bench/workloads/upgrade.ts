/**
 * TODO(issue 12): the upgrade row, "the upgrade of a 10,000-page space from the old format: time and peak memory,
 * against a raw read plus a raw write of the same rows". It waits for the upgrade (src/storage/space/upgrade/,
 * API not final): until then the row stays in the table as pending. To finish it: seed a space of `s.bigPages`
 * pages in the page store (seedStore 'page', or raw y-indexeddb-format databases), time the upgrade of it into the
 * space store and sample the page's JS heap during it (CDP Performance.getMetrics, JSHeapUsedSize), against a
 * raw getAll of every page database plus one readwrite transaction putting the same rows into one database.
 */
import type { Figure } from '../figure.ts';
import type { Sizes } from '../sizes.ts';

export function upgradeFigures(s: Sizes): Figure[] {
  const pending = 'pending: waits for the upgrade API (src/storage/space/upgrade/)';
  return [
    {
      workload: 'upgrade a space from the page store\'s format',
      what: `time to move a ${s.bigPages}-page space from one database per page into the space store`,
      unit: 'ms',
      samples: [],
      budget: 'report, against a raw read of every page database plus a raw write of the same rows into one database',
      pending,
    },
    {
      workload: 'upgrade a space from the page store\'s format',
      what: 'peak JS heap of the page during the same upgrade',
      unit: 'KiB',
      samples: [],
      budget: 'report',
      pending,
    },
  ];
}
