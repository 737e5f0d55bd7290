/**
 * The local store rows of issue 12, run in the bench page against the space store (SpaceDbLayer, one database per
 * space) and, where it is cheap, the page store it replaces (IndexedDbLayer) as the "before" figure: reading every
 * page of a space (loadAll + the guard's build, with the per-document path beside it) and deleting it against raw
 * IndexedDB on the same rows, the storage part of a page open, one
 * edit until durable, and two pages of one space saved at once against one page alone.
 */
import type { Page } from '@playwright/test';
import { callBench } from '../browser.ts';
import type { Figure } from '../figure.ts';
import type { SeededSpace, SeedRequest } from '../page/seed.ts';
import type { StoreKind } from '../page/stores.ts';
import type { Sizes } from '../sizes.ts';

import type * as StoreOpsPage from '../page/storeOps.ts';

type Api = typeof StoreOpsPage;
type Result<K extends keyof Api> = Awaited<ReturnType<Api[K]>>;

const SPACE = 'space store (SpaceDbLayer)';
const PAGE = 'page store (IndexedDbLayer, before)';

/** Seeds a space into one named store (no projection). */
export function seedStore(page: Page, kind: StoreKind, r: SeedRequest): Promise<SeededSpace> {
  return callBench<SeededSpace>(page, 'seedStore', kind, r);
}

/** Reading every page of a space in the space store, then deleting copies of it. */
export async function runWholeSpace(page: Page, whole: SeededSpace, s: Sizes): Promise<Figure[]> {
  const read = await callBench<Result<'readEveryPage'>>(page, 'storeOps.readEveryPage', s.wholeSpaceSamples, whole.spaceId);
  if (read.docs !== whole.bodyIds.length + 1 || read.refused !== 0) {
    throw new Error(`read every page: ${read.docs} documents read in one transaction for ${read.pages} pages, ${read.refused} rows refused`);
  }
  const del = await callBench<Result<'deleteSpace'>>(page, 'storeOps.deleteSpace', s.wholeSpaceSamples, whole.spaceId);
  const rawRead = { what: `raw getAll of all ${read.rows} rows of the space's \`updates\` store`, samples: read.rawGetAll };
  const samples = `${s.wholeSpaceSamples} sample(s): each reads the whole space`;
  return [
    {
      workload: 'whole space: read every page\'s state',
      what: `${SPACE}: SpaceDbLayer.loadAll (one transaction), then each of ${read.docs} documents' rows through the guard (buildDocFromRows), as export and backup read`,
      unit: 'ms',
      samples: read.wholeReads,
      baseline: rawRead,
      budget: '<= 3x raw getAll of all the space\'s rows',
      goal: { ratioP50: 3 },
      note: samples,
    },
    {
      workload: 'whole space: read every page\'s state',
      what: 'the read alone: SpaceDbLayer.loadAll (getAllKeys + getAll of the `updates` store in one transaction, grouped by document)',
      unit: 'ms',
      samples: read.loadAll,
      baseline: rawRead,
      budget: '(breakdown of the row above)',
      note: samples,
    },
    {
      workload: 'whole space: read every page\'s state',
      what: `one document at a time, as before loadAll: open, encode and release each of ${read.pages} pages (8 at a time) through SpaceHandle (one transaction per document)`,
      unit: 'ms',
      samples: read.handleReads,
      baseline: rawRead,
      budget: '(the per-document path, for comparison)',
      note: samples,
    },
    {
      workload: 'whole space: delete a space',
      what: `${SPACE}: SpaceManager.deleteSpace (SpaceDbLayer.destroy, one deleteDatabase) of a copy of the space, ${del.rows} rows`,
      unit: 'ms',
      samples: del.quire,
      baseline: { what: 'deleting one database holding the same rows in one store', samples: del.raw },
      budget: '<= 3x raw (one database of all rows)',
      goal: { ratioP50: 3 },
      note: 'each sample deletes a fresh copy',
    },
  ];
}

/** The storage part of a page open in both stores, against a bare y-indexeddb open measured in the same run. */
export async function runOpenPageStorage(page: Page, small: Record<StoreKind, SeededSpace>, s: Sizes, yIndexeddbOpen: number[]): Promise<Figure[]> {
  const rows: Figure[] = [];
  for (const [kind, label] of [['space', SPACE], ['page', PAGE]] as const) {
    const samples = await callBench<Result<'openPageStorage'>>(page, 'storeOps.openPageStorage', kind, s.samples, small[kind].spaceId, small[kind].bodyIds);
    rows.push({
      workload: 'open a typical page: the storage part alone',
      what: `${label}: SpaceHandle.openPage + release of a 2,000-character page in an open space (bench page, no editor)`,
      unit: 'ms',
      samples,
      baseline: { what: 'bare y-indexeddb open of a small compacted document', samples: yIndexeddbOpen },
      budget: kind === 'space' ? '(breakdown of the row above); no regression against the page store (next row)' : '(before: the page store, same run)',
      goal: { ratioP50: 2 },
    });
  }
  return rows;
}

/** One edit until durable in both stores; two pages of one space saved at once against one alone. */
export async function runSaves(page: Page, small: Record<StoreKind, SeededSpace>, s: Sizes): Promise<Figure[]> {
  const run = (kind: StoreKind) =>
    callBench<Result<'saveLatency'>>(page, 'storeOps.saveLatency', kind, s.saves, small[kind].spaceId, small[kind].bodyIds.slice(0, 2));
  const space = await run('space');
  const before = await run('page');
  const edit = 'a one-character edit in an open page until DocSync.flush resolves (one strict readwrite transaction, acknowledged on completion)';
  return [
    {
      workload: 'keystroke to durable: one save, storage part',
      what: `${SPACE}: ${edit}`,
      unit: 'ms',
      samples: space.alone,
      baseline: { what: `${PAGE}, the same edit and save`, samples: before.alone },
      budget: 'no regression: p50 within 1.1x of the page store in the same run',
      goal: { ratioP50: 1.1 },
    },
    {
      workload: 'two pages of one space typed in at once',
      what: `${SPACE}: an edit in each of two open pages of one space, both saved at once (one database); each save is a sample`,
      unit: 'ms',
      samples: space.together,
      baseline: { what: 'one page alone, the same edit and save, samples interleaved', samples: space.alone },
      budget: 'added p95 per save under 1 ms above one page alone',
      goal: { addedP95: 1 },
    },
    {
      workload: 'two pages of one space typed in at once',
      what: `${PAGE}: the same, two page databases`,
      unit: 'ms',
      samples: before.together,
      baseline: { what: 'one page alone, the same edit and save, samples interleaved', samples: before.alone },
      budget: '(before: the page store, same run)',
    },
  ];
}
