/**
 * Whole-space and collection figures, run in the bench page through LocalWorkspace and the collections:
 * the full load of a 10k space's page rows into a collection, reading every page's state (as an export
 * would), deleting the space. Each against a raw IndexedDB read of the same rows in the same run.
 */
import type { Page } from '@playwright/test';
import { callBench } from '../browser.ts';
import type { Figure } from '../figure.ts';
import type { SeededSpace } from '../page/seed.ts';
import type { Sizes } from '../sizes.ts';

import type * as SpaceOpsPage from '../page/spaceOps.ts';

type Api = typeof SpaceOpsPage;
type Result<K extends keyof Api> = Awaited<ReturnType<Api[K]>>;

export async function runCollectionLoad(page: Page, big: SeededSpace, s: Sizes): Promise<Figure> {
  const r = await callBench<Result<'collectionsFullLoad'>>(page, 'spaceOps.collectionsFullLoad', s.samples, big.spaceId);
  return {
    workload: 'full load of a space\'s page metadata into the collections',
    what: `a Dexie-backed TanStack DB collection of the space's ${r.rows} page rows, until ready`,
    unit: 'ms',
    samples: r.quire,
    baseline: { what: 'raw IndexedDB getAll of the same rows', samples: r.rawGetAll },
    budget: '<= 3x raw getAll of the same rows',
    goal: { ratioP50: 3 },
  };
}

export function rowUpdate(page: Page, s: Sizes) {
  return callBench<Result<'tanstackRowUpdate'>>(page, 'spaceOps.tanstackRowUpdate', s.samples, s.bigPages);
}

export async function runOpenPageStorage(page: Page, small: SeededSpace, s: Sizes, yIndexeddbOpen: number[]): Promise<Figure> {
  const samples = await callBench<Result<'openPageStorage'>>(page, 'spaceOps.openPageStorage', s.samples, small.spaceId, small.bodyIds);
  return {
    workload: 'open a typical page: the storage part alone',
    what: 'SpaceHandle.openPage + release of a 2,000-character page in an open space (bench page, no editor)',
    unit: 'ms',
    samples,
    baseline: { what: 'bare y-indexeddb open of a small compacted document', samples: yIndexeddbOpen },
    budget: '(breakdown of the row above)',
    goal: { ratioP50: 2 },
  };
}

export function rawHeavy(page: Page, small: SeededSpace, s: Sizes) {
  return callBench<Result<'rawReadDecode'>>(page, 'spaceOps.rawReadDecode', s.samples, small.spaceId, small.heavyId);
}

/** Reading every page, then deleting the space: run last, the space is gone afterwards. */
export async function runWholeSpace(page: Page, big: SeededSpace, s: Sizes): Promise<Figure[]> {
  const read = await callBench<Result<'readEveryPage'>>(page, 'spaceOps.readEveryPage', s.wholeSpaceSamples, big.spaceId);
  const del = await callBench<Result<'deleteSpace'>>(page, 'spaceOps.deleteSpace', big.spaceId);
  return [
    {
      workload: 'whole space: read every page\'s state',
      what: `open, encode and release each of ${read.pages} pages (8 at a time) through SpaceHandle`,
      unit: 'ms',
      samples: read.quire,
      baseline: { what: `raw getAll of all ${read.rows} stored update rows, held in one store`, samples: read.rawGetAll },
      budget: '<= 3x raw getAll of all stored update rows',
      goal: { ratioP50: 3 },
      note: `${read.quire.length} sample(s): each reads the whole space`,
    },
    {
      workload: 'whole space: delete a space',
      what: `LocalWorkspace.deleteSpace of a space with ${del.databases} page databases`,
      unit: 'ms',
      samples: del.quire,
      baseline: { what: 'deleting the one database holding all its rows', samples: del.raw },
      budget: '<= 3x raw (one database of all rows)',
      goal: { ratioP50: 3 },
      note: 'one sample: the space is gone after it',
    },
  ];
}
