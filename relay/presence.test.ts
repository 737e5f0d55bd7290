/**
 * Presence (awareness) ownership against the real relay process on loopback (relay/presenceGuardExtension.ts):
 * another member's raw socket can neither rewrite nor remove someone else's caret, while a client sets,
 * changes and removes its own (several ids on one connection, as a leader tab does) and a client id is
 * usable by a new connection once its previous connection closed (a reconnect, a leader handover).
 *
 * Each "was it refused" check waits for a positive marker instead of sleeping: the forging socket sends an
 * entry for its own client id AFTER the forged one, and the relay handles one connection's messages in
 * order, so once the observer sees the marker it would already have seen the forgery.
 */
import * as encoding from 'lib0/encoding';
import { describe, expect, test } from 'vitest';
import { MAX_PRESENCE_IDS_PER_CONNECTION } from './presenceGuardExtension.ts';
import type { OpenDoc } from './testing/relayClient.ts';
import type { RelayProcess } from './testing/relayProcess.ts';
import { MessageType, frame } from './testing/rawRelaySocket.ts';
import type { RawRelaySocket } from './testing/rawRelaySocket.ts';
import { testSpace } from './testing/testSpace.ts';
import { relayTestRig } from './testing/relayTestRig.ts';

/** How long a change may take to cross the relay on loopback before the test calls it lost. */
const SYNC_TIMEOUT_MS = 15_000;
/** A clock far above any the honest clients reach in a test: a forged entry is never ignored as stale. */
const FORGED_CLOCK = 1_000;

const { relay, client, raw, until } = relayTestRig('presence', { syncTimeoutMs: SYNC_TIMEOUT_MS });

const synced = (d: OpenDoc) => until(() => expect(d.provider.synced).toBe(true));
const stateOf = (d: OpenDoc, clientId: number) => d.provider.awareness?.getStates().get(clientId);

/** An awareness frame (y-protocols update: count, then clientID, clock, JSON state or "null" per entry). */
function awarenessFrame(doc: string, entries: { clientId: number; clock: number; state: unknown }[]): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, entries.length);
  for (const { clientId, clock, state } of entries) {
    encoding.writeVarUint(update, clientId);
    encoding.writeVarUint(update, clock);
    encoding.writeVarString(update, JSON.stringify(state));
  }
  return frame(doc, MessageType.Awareness, (e) => encoding.writeVarUint8Array(e, encoding.toUint8Array(update)));
}

/** A raw socket authenticated for `doc` with `token`. */
async function rawSession(r: RelayProcess, doc: string, token: string): Promise<RawRelaySocket> {
  const s = await raw(r);
  s.auth(doc, token);
  await until(() => expect(s.events.some((e) => e.kind === 'authenticated')).toBe(true));
  return s;
}

describe('presence ownership', () => {
  test("a viewer's socket cannot rewrite the owner's caret: the owner's state on a third client is unchanged", async () => {
    const r = await relay();
    const space = await testSpace();
    const name = space.doc('page');
    const owner = client(r, space.ownerToken()).open(name);
    await synced(owner); // registers the space: a viewer of an unknown space is refused
    const observer = client(r, (await space.invite('viewer')).token).open(name);
    await synced(observer);
    owner.provider.setAwarenessField('user', { name: 'Alice' });
    const ownerId = owner.provider.awareness!.clientID;
    await until(() => expect(stateOf(observer, ownerId)).toEqual({ user: { name: 'Alice' } }));

    const mallory = await rawSession(r, name, (await space.invite('viewer')).token);
    const malloryId = 424_242;
    mallory.send(awarenessFrame(name, [{ clientId: ownerId, clock: FORGED_CLOCK, state: { user: { name: 'Mallory pretending to be Alice' } } }]));
    mallory.send(awarenessFrame(name, [{ clientId: malloryId, clock: 1, state: { user: { name: 'Mallory' } } }]));
    await until(() => expect(stateOf(observer, malloryId)).toEqual({ user: { name: 'Mallory' } }));
    expect(stateOf(observer, ownerId)).toEqual({ user: { name: 'Alice' } });
    // Dropped, not refused: the forger's session stays (an honest handover meets the same case).
    expect(mallory.events.filter((e) => e.kind === 'close')).toEqual([]);

    // The owner's own changes still go through (the forged clock did not get into the relay's awareness).
    owner.provider.setAwarenessField('user', { name: 'Alice at line 2' });
    await until(() => expect(stateOf(observer, ownerId)).toEqual({ user: { name: 'Alice at line 2' } }));
  });

  test("another member's removal entry for the owner's client id is dropped: the owner's caret stays", async () => {
    const r = await relay();
    const space = await testSpace();
    const name = space.doc('page');
    const owner = client(r, space.ownerToken()).open(name);
    const observer = client(r, space.ownerToken()).open(name);
    await Promise.all([synced(owner), synced(observer)]);
    owner.provider.setAwarenessField('user', { name: 'Alice' });
    const ownerId = owner.provider.awareness!.clientID;
    await until(() => expect(stateOf(observer, ownerId)).toEqual({ user: { name: 'Alice' } }));

    const vandal = await rawSession(r, name, (await space.invite('editor')).token);
    const vandalId = 535_353;
    vandal.send(awarenessFrame(name, [{ clientId: ownerId, clock: FORGED_CLOCK, state: null }]));
    vandal.send(awarenessFrame(name, [{ clientId: vandalId, clock: 1, state: { user: { name: 'Vandal' } } }]));
    await until(() => expect(stateOf(observer, vandalId)).toEqual({ user: { name: 'Vandal' } }));
    expect(stateOf(observer, ownerId)).toEqual({ user: { name: 'Alice' } });
    // Also at the current clock (what y-protocols itself would send for a removal).
    const clock = owner.provider.awareness!.meta.get(ownerId)!.clock;
    vandal.send(awarenessFrame(name, [{ clientId: ownerId, clock, state: null }]));
    vandal.send(awarenessFrame(name, [{ clientId: vandalId, clock: 2, state: { user: { name: 'Vandal again' } } }]));
    await until(() => expect(stateOf(observer, vandalId)).toEqual({ user: { name: 'Vandal again' } }));
    expect(stateOf(observer, ownerId)).toEqual({ user: { name: 'Alice' } });
  });

  test('a connection sets, changes and removes its own clients (several on one connection); an id is free again once its connection closed', async () => {
    const r = await relay();
    const space = await testSpace();
    const name = space.doc('page');
    const observer = client(r, space.ownerToken()).open(name);
    await synced(observer);
    const leaderId = 111_111;
    const followerId = 222_222;
    const otherFollowerId = 333_333;

    // A leader tab's connection speaks for itself and two follower tabs, in one message.
    const oldLeader = await rawSession(r, name, space.ownerToken());
    oldLeader.send(
      awarenessFrame(name, [
        { clientId: leaderId, clock: 1, state: { user: { name: 'Lea' } } },
        { clientId: followerId, clock: 1, state: { user: { name: 'Fay' } } },
        { clientId: otherFollowerId, clock: 1, state: { user: { name: 'Flo' } } },
      ]),
    );
    await until(() => expect([leaderId, followerId, otherFollowerId].map((id) => stateOf(observer, id))).toEqual([{ user: { name: 'Lea' } }, { user: { name: 'Fay' } }, { user: { name: 'Flo' } }]));
    // Changes its own, and one follower leaves while the session stays open.
    oldLeader.send(awarenessFrame(name, [{ clientId: followerId, clock: 2, state: { user: { name: 'Fay at line 9' } } }]));
    oldLeader.send(awarenessFrame(name, [{ clientId: otherFollowerId, clock: 2, state: null }]));
    await until(() => expect(stateOf(observer, followerId)).toEqual({ user: { name: 'Fay at line 9' } }));
    await until(() => expect(stateOf(observer, otherFollowerId)).toBeUndefined());

    // A new leader (another socket of the same browser) starts while the old one is still open: its entries
    // for the old leader's clients wait (dropped), its own goes through, and its session is not closed.
    const newLeaderId = 444_444;
    const newLeader = await rawSession(r, name, space.ownerToken());
    newLeader.send(
      awarenessFrame(name, [
        { clientId: newLeaderId, clock: 1, state: { user: { name: 'Neo' } } },
        { clientId: followerId, clock: 3, state: { user: { name: 'Fay via the new leader' } } },
      ]),
    );
    await until(() => expect(stateOf(observer, newLeaderId)).toEqual({ user: { name: 'Neo' } }));
    expect(stateOf(observer, followerId)).toEqual({ user: { name: 'Fay at line 9' } });
    expect(newLeader.events.filter((e) => e.kind === 'close')).toEqual([]);

    // The old leader's connection closes: its clients leave; the follower's id is the new leader's to set.
    oldLeader.close();
    await until(() => expect([leaderId, followerId].map((id) => stateOf(observer, id))).toEqual([undefined, undefined]));
    newLeader.send(awarenessFrame(name, [{ clientId: followerId, clock: 4, state: { user: { name: 'Fay via the new leader' } } }]));
    await until(() => expect(stateOf(observer, followerId)).toEqual({ user: { name: 'Fay via the new leader' } }));
    // And the same id of a closed connection for a reconnect: the old leader's own id, from a new socket.
    const reconnected = await rawSession(r, name, space.ownerToken());
    reconnected.send(awarenessFrame(name, [{ clientId: leaderId, clock: 5, state: { user: { name: 'Lea again' } } }]));
    await until(() => expect(stateOf(observer, leaderId)).toEqual({ user: { name: 'Lea again' } }));
    // Each removes only its own.
    reconnected.send(awarenessFrame(name, [{ clientId: followerId, clock: 99, state: null }]));
    newLeader.send(awarenessFrame(name, [{ clientId: followerId, clock: 5, state: null }]));
    await until(() => expect(stateOf(observer, followerId)).toBeUndefined());
    expect(stateOf(observer, leaderId)).toEqual({ user: { name: 'Lea again' } });
  });

  test(`one connection owns at most ${MAX_PRESENCE_IDS_PER_CONNECTION} carets per document: invented ones past it are dropped, its own keep working`, async () => {
    const r = await relay();
    const space = await testSpace();
    const name = space.doc('page');
    const observer = client(r, space.ownerToken()).open(name);
    await synced(observer);
    const flooder = await rawSession(r, name, (await space.invite('editor')).token);
    const FIRST_ID = 700_000;
    const ids = Array.from({ length: MAX_PRESENCE_IDS_PER_CONNECTION + 20 }, (_, i) => FIRST_ID + i);
    flooder.send(awarenessFrame(name, ids.map((clientId) => ({ clientId, clock: 1, state: { user: { name: `fake ${clientId}` } } }))));
    const allowed = ids.slice(0, MAX_PRESENCE_IDS_PER_CONNECTION);
    await until(() => expect(allowed.filter((id) => stateOf(observer, id) === undefined)).toEqual([]));
    // A marker from a connection of its own: once it arrived, the flood's message was handled long before.
    const marker = await rawSession(r, name, space.ownerToken());
    marker.send(awarenessFrame(name, [{ clientId: 999_999, clock: 1, state: { user: { name: 'marker' } } }]));
    flooder.send(awarenessFrame(name, [{ clientId: FIRST_ID, clock: 2, state: { user: { name: 'still mine' } } }]));
    await until(() => expect(stateOf(observer, FIRST_ID)).toEqual({ user: { name: 'still mine' } }));
    await until(() => expect(stateOf(observer, 999_999)).toEqual({ user: { name: 'marker' } }));
    const fakes = [...observer.provider.awareness!.getStates().keys()].filter((id) => id >= FIRST_ID && id < FIRST_ID + ids.length);
    expect(fakes).toHaveLength(MAX_PRESENCE_IDS_PER_CONNECTION);
    // And nothing nobody sent: Hocuspocus's scratch Awareness adds its own `{}` client to every message.
    const own = observer.provider.awareness!.clientID;
    expect([...observer.provider.awareness!.getStates().keys()].filter((id) => id !== own && id !== 999_999 && !fakes.includes(id))).toEqual([]);
    // Removing one frees a place for another.
    flooder.send(awarenessFrame(name, [{ clientId: FIRST_ID, clock: 3, state: null }, { clientId: ids.at(-1)!, clock: 1, state: { user: { name: 'late' } } }]));
    await until(() => expect(stateOf(observer, ids.at(-1)!)).toEqual({ user: { name: 'late' } }));
    expect(stateOf(observer, FIRST_ID)).toBeUndefined();
  });
});
