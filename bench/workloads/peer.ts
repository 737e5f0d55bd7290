/** Quire against automerge-repo 2.5.6 + IndexedDB adapter, the same workloads in the same bench page. */
import type { Page } from '@playwright/test';
import { callBench } from '../browser.ts';
import type { Figure } from '../figure.ts';
import type { Sizes } from '../sizes.ts';

import type * as PeerPage from '../page/peer.ts';

type Result = Awaited<ReturnType<typeof PeerPage.quire>>;

export async function runPeer(page: Page, s: Sizes): Promise<Figure[]> {
  const quire = await callBench<Result>(page, 'peer.quire', s.samples, s.peerBatch);
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
  return rows.map(([key, what]) => ({
    workload: 'peer: automerge-repo + IndexedDB',
    what,
    unit: 'ms',
    samples: quire[key],
    ...(peer ? { baseline: { what: 'automerge-repo 2.5.6, same workload', samples: peer[key] } } : { note: failure }),
    budget: 'report Quire / peer',
  }));
}
