/**
 * The per-space storage quota (relay/quotaExtension.ts) against the real relay process on loopback, with a
 * small quota set through the environment: a space fills up to near the quota, then an update is refused
 * with `quota-exceeded` for its document only; nothing of it is stored; the space's other documents and
 * other spaces carry on; and after a restart the quota still counts what the space stored.
 */
import * as Y from 'yjs';
import { describe, expect, test } from 'vitest';
import { RelayCloseReason, parseCloseReason } from '../src/protocol/accessMessages.ts';
import { ackCoversDoc, parseStoredAck } from '../src/protocol/storedAck.ts';
import { LIMIT_ENV } from './limits.ts';
import type { OpenDoc } from './testing/relayClient.ts';
import { testSpace } from './testing/testSpace.ts';
import { relayTestRig, text } from './testing/relayTestRig.ts';

/** The space quota in these tests: a few pastes fill it. */
const TEST_MAX_SPACE_BYTES = 40_000;
/** One paste (characters; about as many bytes stored). */
const PASTE = 5_000;
/** Stores soon after each change, so the fill-up test sees the stored tally, not only the pending bound. */
const FAST_STORES = { QUIRE_RELAY_STORE_DEBOUNCE_MS: '50', QUIRE_RELAY_STORE_MAX_DEBOUNCE_MS: '200' };
/** No store during the test: only the in-memory bound on unstored growth can refuse. */
const NO_STORES = { QUIRE_RELAY_STORE_DEBOUNCE_MS: '600000', QUIRE_RELAY_STORE_MAX_DEBOUNCE_MS: '600000' };

const { relay, client, closeClients, until, applied } = relayTestRig('quota', { env: { [LIMIT_ENV.maxSpaceBytes]: String(TEST_MAX_SPACE_BYTES) } });

const paste = (d: OpenDoc, chars: number, char = 'x') => d.doc.getText('body').insert(text(d).length, char.repeat(chars));
const stored = (d: OpenDoc) =>
  until(() =>
    expect(
      d.stateless.some((p) => {
        const ack = parseStoredAck(p);
        return ack !== null && ackCoversDoc(ack, d.doc);
      }),
    ).toBe(true),
  );
const refusals = (d: OpenDoc) => d.closeReasons.map(parseCloseReason);

describe('per-space storage quota', () => {
  test('a space fills up to near its quota, then an update is refused for that document only; stored state and the quota survive a restart', async () => {
    const first = await relay(FAST_STORES);
    const [space, other] = [await testSpace(), await testSpace()];
    const owner = client(first, space.ownerToken());
    const [p1, p2, p3] = ['p1', 'p2', 'p3'].map((id) => owner.open(space.doc(id))) as [OpenDoc, OpenDoc, OpenDoc];
    const watcher = client(first, space.ownerToken()).open(space.doc('p1'));
    const otherOwner = client(first, other.ownerToken()).open(other.doc('big'));
    const otherWatcher = client(first, other.ownerToken()).open(other.doc('big'));
    await Promise.all([p1, p2, p3, watcher, otherOwner, otherWatcher].map(applied));

    // Fill: 7 pastes of 5,000 (35,000 of 40,000 bytes), each stored before the next.
    for (const [d, n] of [[p1, 4], [p2, 3]] as const) {
      for (let i = 0; i < n; i++) {
        paste(d, PASTE);
        await applied(d);
        await stored(d);
      }
    }
    expect(refusals(p1)).toEqual([]);
    expect(refusals(p2)).toEqual([]);

    // One more paste would take the space past its quota: refused, that document's session only.
    paste(p3, 2 * PASTE, 'y');
    await until(() => expect(refusals(p3)).toContain(RelayCloseReason.QuotaExceeded));
    expect(p3.closeReasons[0]).toMatch(/^quota-exceeded: /);
    // The same socket's other documents keep syncing (a small edit still fits), and so does another space.
    paste(p1, 10, 'o');
    await until(() => expect(text(watcher)).toBe(`${'x'.repeat(4 * PASTE)}${'o'.repeat(10)}`));
    paste(otherOwner, 6 * PASTE, 'b');
    await until(() => expect(text(otherWatcher)).toHaveLength(6 * PASTE));
    expect(refusals(p1)).toEqual([]);
    expect(refusals(otherOwner)).toEqual([]);

    // Restart: what was stored is intact, the refused paste is nowhere, and the space is still counted as full.
    closeClients();
    expect(await first.stop('SIGTERM')).toBe(0);
    const second = await relay(FAST_STORES);
    const again = client(second, space.ownerToken());
    const [q1, q2, q3, q4] = ['p1', 'p2', 'p3', 'p4'].map((id) => again.open(space.doc(id))) as [OpenDoc, OpenDoc, OpenDoc, OpenDoc];
    await Promise.all([q1, q2, q3, q4].map(applied));
    expect(text(q1)).toBe(`${'x'.repeat(4 * PASTE)}${'o'.repeat(10)}`);
    expect(text(q2)).toBe('x'.repeat(3 * PASTE));
    expect(text(q3)).toBe('');
    paste(q4, 2 * PASTE, 'z');
    await until(() => expect(refusals(q4)).toContain(RelayCloseReason.QuotaExceeded));
    // Room is left for small edits, in the space's documents old and new.
    const small = client(second, space.ownerToken()).open(space.doc('p5'));
    await applied(small);
    paste(small, 100, 's');
    await applied(small);
    await stored(small);
    expect(refusals(small)).toEqual([]);
  });

  test('growth not yet stored counts: a space is refused past its quota before any store ran', async () => {
    const r = await relay(NO_STORES);
    const space = await testSpace();
    const owner = client(r, space.ownerToken());
    const [a, b, c] = ['a', 'b', 'c'].map((id) => owner.open(space.doc(id))) as [OpenDoc, OpenDoc, OpenDoc];
    await Promise.all([a, b, c].map(applied));
    paste(a, 3 * PASTE);
    await applied(a);
    paste(b, 3 * PASTE);
    await applied(b);
    paste(c, 3 * PASTE);
    await until(() => expect(refusals(c)).toContain(RelayCloseReason.QuotaExceeded));
    expect(refusals(a)).toEqual([]);
    expect(refusals(b)).toEqual([]);
    // Nothing of a was stored (the acknowledgement a session gets at its start is of the empty document): the bound alone refused.
    expect(a.stateless.some((p) => ackCoversDoc(parseStoredAck(p) ?? Y.snapshot(new Y.Doc()), a.doc))).toBe(false);
  });
});
