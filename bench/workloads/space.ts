/**
 * Collection figures, run in the bench page through the collections: the full load of a 10k space's page rows
 * into a collection against a raw IndexedDB read of the same rows, one TanStack DB row update, and the raw read of
 * the heavy page. The whole-space rows (read every page, delete) are the store's: store.ts.
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

export function rawHeavy(page: Page, small: SeededSpace, s: Sizes) {
  return callBench<Result<'rawReadDecode'>>(page, 'spaceOps.rawReadDecode', s.samples, small.spaceId, small.heavyId);
}
