/** The raw platform baselines, measured in the bench page in the same run as Quire's figures. */
import type { Page } from '@playwright/test';
import { callBench } from '../browser.ts';
import type { Figure } from '../figure.ts';
import type { Sizes } from '../sizes.ts';

import type * as BaselinesPage from '../page/baselines.ts';

type Api = typeof BaselinesPage;
type Result<K extends keyof Api> = Awaited<ReturnType<Api[K]>>;

export interface Baselines {
  put: number[];
  getAll: number[];
  indexRead: number[];
  openCreate: number[];
  yIndexeddbOpen: number[];
  yjsOneOp: number[];
  yjsEncode: number[];
  yjsDecode: number[];
}

export async function runBaselines(page: Page, s: Sizes): Promise<{ figures: Figure[]; baselines: Baselines }> {
  const idb = await callBench<Result<'rawIndexedDb'>>(page, 'baselines.rawIndexedDb', s.samples, s.bigPages);
  const yidb = await callBench<Result<'yIndexeddbOpen'>>(page, 'baselines.yIndexeddbOpen', s.samples);
  const yjs = await callBench<Result<'bareYjs'>>(page, 'baselines.bareYjs', s.samples, s.heavyChars);
  const sha = await callBench<Result<'sha256'>>(page, 'baselines.sha256', s.samples);
  const clone = await callBench<Result<'clone'>>(page, 'baselines.clone', s.samples, s.bigPages);
  const row = (what: string, samples: number[], unit: Figure['unit'] = 'ms'): Figure => ({ workload: 'baseline', what, unit, samples, budget: '(baseline)' });
  const figures: Figure[] = [
    row('raw IndexedDB: one readwrite transaction with one put (strict durability)', idb.put),
    row(`raw IndexedDB: getAll of ${s.bigPages} rows`, idb.getAll),
    row('raw IndexedDB: index read of one parent\'s 50 children', idb.indexRead),
    row('raw IndexedDB: open and create a database (two stores)', idb.openCreate),
    row('bare y-indexeddb: open a small compacted document (2,000 chars)', yidb),
    row('bare Yjs: one op (one-character insert, mean of 1,000)', yjs.oneOp.map((ms) => ms * 1000), 'µs'),
    row(`bare Yjs: encode a large document (${s.heavyChars} chars typed in 40-char chunks, ${Math.round(yjs.largeBytes / 1024)} KiB)`, yjs.encode),
    row('bare Yjs: decode the same document into a fresh Y.Doc', yjs.decode),
    row('WebCrypto SHA-256 of 1 MiB', sha, 'ms/MiB'),
    row(`structuredClone of ${s.bigPages} sidebar rows`, clone),
  ];
  return {
    figures,
    baselines: {
      put: idb.put,
      getAll: idb.getAll,
      indexRead: idb.indexRead,
      openCreate: idb.openCreate,
      yIndexeddbOpen: yidb,
      yjsOneOp: yjs.oneOp,
      yjsEncode: yjs.encode,
      yjsDecode: yjs.decode,
    },
  };
}
