/**
 * Quire against automerge-repo 2.5.6 + IndexedDB adapter, the same workloads in the same bench page: Quire over the
 * space store the app uses (the budget rows) and over the page store it replaces (the "before" rows).
 */
import type { Page } from '@playwright/test';
import { callBench } from '../browser.ts';
import type { Figure } from '../figure.ts';
import type { Sizes } from '../sizes.ts';

import type * as PeerPage from '../page/peer.ts';

type Result = Awaited<ReturnType<typeof PeerPage.quire>>;

export async function runPeer(page: Page, s: Sizes): Promise<Figure[]> {
  const quire = await callBench<Result>(page, 'peer.quire', s.samples, s.peerBatch, 'space');
  const before = await callBench<Result>(page, 'peer.quire', s.samples, s.peerBatch, 'page');
  let peer: Result | null = null;
  let failure = '';
  try {
    peer = await callBench<Result>(page, 'peer.automerge', s.samples, s.peerBatch);
  } catch (e) {
    failure = `automerge-repo failed in the bench page: ${String(e).split('\n')[0]}`;
  }
  const rows: [keyof Result, string][] = [
    ['create', `create ${s.peerBatch} documents of 2,000 characters, persisted`],
    ['reopen', `reopen the ${s.peerBatch} documents (fresh workspace / repo)`],
    ['openOne', 'open one document (fresh workspace / repo)'],
    ['edit', 'apply a one-character edit and persist it'],
  ];
  const peerBaseline = (key: keyof Result) => (peer ? { baseline: { what: 'automerge-repo 2.5.6, same workload', samples: peer[key] } } : { note: failure });
  return [
    ...rows.map(([key, what]): Figure => ({
      workload: 'peer: automerge-repo + IndexedDB',
      what: `space store (SpaceManager + SpaceDbLayer): ${what}`,
      unit: 'ms',
      samples: quire[key],
      ...peerBaseline(key),
      ...(key === 'create' ? { budget: 'faster than automerge-repo (ratio < 1)', goal: { ratioP50: 1 } } : { budget: 'report Quire / peer' }),
    })),
    ...rows.map(([key, what]): Figure => ({
      workload: 'peer: automerge-repo + IndexedDB',
      what: `page store (SpaceManager + IndexedDbLayer, before): ${what}`,
      unit: 'ms',
      samples: before[key],
      ...peerBaseline(key),
      budget: 'report Quire / peer (before)',
    })),
  ];
}
