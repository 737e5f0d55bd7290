/**
 * The per-socket output bound against the real relay process: a viewer of a ~1 MB page stops reading its
 * socket and asks for the page again and again (SyncStep1 with an empty state vector, each answered with the
 * whole page). Unbounded, the relay queues every answer (~1 MB each) for that socket; bounded, it terminates
 * the socket once QUIRE_RELAY_MAX_SOCKET_BUFFERED_BYTES would be passed, and its memory stays flat.
 */
import { readFileSync } from 'node:fs';
import * as Y from 'yjs';
import { describe, expect, test } from 'vitest';
import { RelayCloseReason } from '../src/protocol/accessMessages.ts';
import { LIMIT_ENV } from './limits.ts';
import { SyncType } from './testing/rawRelaySocket.ts';
import { testSpace } from './testing/testSpace.ts';
import { relayTestRig, text } from './testing/relayTestRig.ts';

/** The page the slow reader asks for: ~1 MB encoded. */
const PAGE_CHARS = 1_000_000;
/** Requests the slow reader sends: unbounded, the relay would queue ~600 MB for it. */
const REQUESTS = 600;
/** The bound in this test (the default is 4 × MAX_DOCUMENT_BYTES): 16 MiB, a few dozen answers. */
const TEST_MAX_SOCKET_BUFFERED_BYTES = 16 * 1024 * 1024;
/** What the relay's memory may grow by over the probe. Unbounded it grows by ~REQUESTS MB. */
const MAX_RSS_GROWTH_BYTES = 150 * 1024 * 1024;
/** How long the relay may take to reach the bound and close the socket (answers are built at ~1 MB each). */
const CLOSE_TIMEOUT_MS = 30_000;

const { relay, client, raw, until, applied } = relayTestRig('slow-reader');

/** The relay process's resident memory, from /proc/<pid>/status (VmRSS, in kB). */
function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m?.[1]) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

describe('relay output bound', () => {
  test('a viewer that stops reading and keeps asking for a 1 MB page is terminated (slow-reader); memory stays bounded, others keep syncing', { timeout: 90_000 }, async () => {
    const r = await relay({ [LIMIT_ENV.maxSocketBufferedBytes]: String(TEST_MAX_SOCKET_BUFFERED_BYTES) });
    const space = await testSpace();
    const page = space.doc('big-page');
    const owner = client(r, space.ownerToken()).open(page);
    await applied(owner);
    owner.doc.getText('body').insert(0, 'x'.repeat(PAGE_CHARS));
    await applied(owner);

    // Another pair keeps syncing throughout.
    const a = client(r, space.ownerToken()).open(space.doc('calm'));
    const b = client(r, space.ownerToken()).open(space.doc('calm'));
    await Promise.all([applied(a), applied(b)]);

    const viewer = await space.invite('viewer');
    const slow = await raw(r);
    slow.auth(page, viewer.token);
    await until(() => expect(slow.events.some((e) => e.kind === 'authenticated')).toBe(true));
    const before = rssBytes(r.pid);

    slow.pauseReading();
    const emptyStateVector = Y.encodeStateVector(new Y.Doc());
    for (let i = 0; i < REQUESTS; i++) slow.sync(page, SyncType.Step1, emptyStateVector);

    let peak = before;
    await until(() => {
      peak = Math.max(peak, rssBytes(r.pid));
      expect(r.output()).toMatch(/closed socket \S+ of \S+: slow-reader/);
    }, CLOSE_TIMEOUT_MS).finally(() => console.log(`relay RSS before ${(before / 2 ** 20).toFixed(0)} MiB, peak ${(peak / 2 ** 20).toFixed(0)} MiB`));

    // Meanwhile and afterwards, the others sync both ways.
    a.doc.getText('body').insert(0, 'still');
    await until(() => expect(text(b)).toBe('still'));
    b.doc.getText('body').insert(5, ' syncing');
    await until(() => expect(text(a)).toBe('still syncing'));
    peak = Math.max(peak, rssBytes(r.pid));
    console.log(`relay RSS peak after the probe ${(peak / 2 ** 20).toFixed(0)} MiB`);
    expect(peak - before).toBeLessThan(MAX_RSS_GROWTH_BYTES);

    // The slow socket is gone: once it reads again it sees the end (abnormal: no closing handshake).
    slow.resumeReading();
    await until(() => expect(slow.closedWith()).not.toBeNull());
    expect(r.output()).toContain(RelayCloseReason.SlowReader);
    expect(a.closeReasons).toEqual([]);
  });
});
