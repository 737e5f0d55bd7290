/**
 * The behaviour every engine's AccessStore, ChangeIndex and SpaceUsage must have (relay/stores.ts), as one
 * Vitest suite an engine's test file runs with its own factory:
 *
 *   runRelayStoresContract('SQLite', async () => ({ access, changes, usage, close, storeDocument }));
 *
 * `storeDocument` stores a document state the way the engine's Hocuspocus extension does, so that
 * SpaceUsage has something to measure.
 * `makeStorage` is called once per test. Engines may hand back the same database every time: each test
 * uses space ids of its own, so nothing left by another test can meet its assertions.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import * as Y from 'yjs';
import type { Member, RelayStorage } from '../stores.ts';

export type StoresUnderTest = Pick<RelayStorage, 'access' | 'changes' | 'usage' | 'close'> & {
  /** Stores `state` as the document `name`, as the engine's document extension would. */
  readonly storeDocument: (name: string, state: Uint8Array) => Promise<void>;
};

/** Stores raced against each other in the concurrency tests: enough to interleave on a pool of 8. */
const CONCURRENT_WRITES = 24;

const freshSpace = () => `space-${randomUUID()}`;
/** A document state of about `chars` bytes. */
function stateOf(chars: number, char = 'x'): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('body').insert(0, char.repeat(chars));
  return Y.encodeStateAsUpdate(doc);
}
const member = (memberId: string, at: number, over: Partial<Member> = {}): Member => ({
  memberId,
  inviteId: `invite-of-${memberId}`,
  role: 'editor',
  name: `name of ${memberId}`,
  firstSeenAt: at,
  lastSeenAt: at,
  ...over,
});

export function runRelayStoresContract(name: string, makeStorage: () => Promise<StoresUnderTest>): void {
  describe(`relay stores contract: ${name}`, () => {
    const opened: StoresUnderTest[] = [];
    const open = async () => {
      const s = await makeStorage();
      opened.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });

    describe('AccessStore', () => {
      test('an unknown space has no access record', async () => {
        const { access } = await open();
        expect(await access.getSpace(freshSpace())).toBeNull();
      });

      test('the first registered key wins, and later registrations get it back', async () => {
        const { access } = await open();
        const space = freshSpace();
        const first = await access.registerSpace(space, 'key-A', 1_000);
        expect(first).toEqual({ spaceId: space, publicKey: 'key-A', registeredAt: 1_000 });
        expect(await access.registerSpace(space, 'key-B', 2_000)).toEqual(first);
        expect(await access.getSpace(space)).toEqual(first);
      });

      test('concurrent registrations of one space all resolve with the one stored key', async () => {
        const { access } = await open();
        const space = freshSpace();
        const results = await Promise.all(Array.from({ length: CONCURRENT_WRITES }, (_, i) => access.registerSpace(space, `key-${i}`, i)));
        const stored = await access.getSpace(space);
        expect(stored).not.toBeNull();
        for (const r of results) expect(r).toEqual(stored);
      });

      test('revocation is per space, per kind and per id, and idempotent', async () => {
        const { access } = await open();
        const [space, other] = [freshSpace(), freshSpace()];
        expect(await access.isRevoked(space, 'invite', 'invite-1')).toBe(false);
        await access.revoke(space, 'invite', 'invite-1', 10);
        await access.revoke(space, 'invite', 'invite-1', 20);
        expect(await access.isRevoked(space, 'invite', 'invite-1')).toBe(true);
        expect(await access.isRevoked(space, 'invite', 'invite-2')).toBe(false);
        expect(await access.isRevoked(other, 'invite', 'invite-1')).toBe(false);
      });

      test('invite and member revocations are separate namespaces: revoking a member named like an invite (or "owner") revokes no invite', async () => {
        const { access } = await open();
        const space = freshSpace();
        await access.revoke(space, 'member', 'owner', 10);
        await access.revoke(space, 'member', 'invite-1', 10);
        expect(await access.isRevoked(space, 'invite', 'owner')).toBe(false);
        expect(await access.isRevoked(space, 'invite', 'invite-1')).toBe(false);
        expect(await access.isRevoked(space, 'member', 'invite-1')).toBe(true);
        await access.revoke(space, 'invite', 'invite-2', 20);
        expect(await access.isRevoked(space, 'member', 'invite-2')).toBe(false);
      });

      test('recording a member again refreshes its name and last-seen time only', async () => {
        const { access } = await open();
        const [space, other] = [freshSpace(), freshSpace()];
        expect(await access.recordMember(space, member('m1', 100), null)).toBe('recorded');
        await access.recordMember(space, member('m2', 200, { role: 'viewer' }), null);
        await access.recordMember(other, member('m3', 300), null);
        await access.recordMember(space, member('m1', 500, { name: 'renamed', role: 'viewer', inviteId: 'other-invite', firstSeenAt: 500 }), null);
        // An older refresh (a slow node) never moves last-seen back.
        await access.recordMember(space, member('m1', 400, { name: 'renamed' }), null);
        const list = await access.listMembers(space, { after: null, limit: 10 });
        expect(list).toEqual([member('m2', 200, { role: 'viewer' }), { ...member('m1', 100), name: 'renamed', lastSeenAt: 500 }]);
        expect(await access.getMember(space, 'm1')).toEqual({ ...member('m1', 100), name: 'renamed', lastSeenAt: 500 });
        expect(await access.getMember(space, 'm3')).toBeNull();
        expect(await access.listMembers(freshSpace(), { after: null, limit: 10 })).toEqual([]);
      });

      test('new members are capped per invite and per space (not counting revoked invites); known members and uncapped ones always record', async () => {
        const { access } = await open();
        const space = freshSpace();
        const caps = { perInvite: 2, perSpace: 3 };
        const a = (id: string, at: number) => member(id, at, { inviteId: 'invite-a' });
        expect(await access.recordMember(space, a('a1', 1), caps)).toBe('recorded');
        expect(await access.recordMember(space, a('a2', 2), caps)).toBe('recorded');
        expect(await access.recordMember(space, a('a3', 3), caps)).toBe('invite-full');
        expect(await access.recordMember(space, a('a1', 4), caps)).toBe('recorded'); // known: refreshed
        expect(await access.recordMember(space, member('b1', 5, { inviteId: 'invite-b' }), caps)).toBe('recorded');
        expect(await access.recordMember(space, member('c1', 6, { inviteId: 'invite-c' }), caps)).toBe('space-full');
        expect(await access.recordMember(space, member('o1', 7, { inviteId: 'owner', role: 'owner' }), null)).toBe('recorded');
        // Revoking invite-a frees its two places (its members can never connect again).
        await access.revoke(space, 'invite', 'invite-a', 8);
        expect(await access.recordMember(space, member('c1', 9, { inviteId: 'invite-c' }), caps)).toBe('recorded'); // b1, o1, c1
        expect(await access.recordMember(space, member('d1', 10, { inviteId: 'invite-d' }), caps)).toBe('space-full');
        expect((await access.listMembers(space, { after: null, limit: 100 })).map((m) => m.memberId).sort()).toEqual(['a1', 'a2', 'b1', 'c1', 'o1']);
      });

      test('concurrent new members of one space never overshoot its caps', async () => {
        const { access } = await open();
        const space = freshSpace();
        await access.registerSpace(space, 'key', 1);
        const caps = { perInvite: 5, perSpace: 1_000 };
        const results = await Promise.all(Array.from({ length: CONCURRENT_WRITES }, (_, i) => access.recordMember(space, member(`m${i}`, i, { inviteId: 'one-invite' }), caps)));
        expect(results.filter((r) => r === 'recorded')).toHaveLength(5);
        expect(await access.listMembers(space, { after: null, limit: 100 })).toHaveLength(5);
      });

      test('the list comes in pages, the most recently joined first, each member exactly once', async () => {
        const { access } = await open();
        const space = freshSpace();
        // Ties on firstSeenAt are ordered by member id.
        const ids = Array.from({ length: 7 }, (_, i) => `m${i}`);
        for (const [i, id] of ids.entries()) await access.recordMember(space, member(id, Math.floor(i / 2)), null);
        const seen: string[] = [];
        let after: { firstSeenAt: number; memberId: string } | null = null;
        for (let pages = 0; pages < 10; pages++) {
          const page = await access.listMembers(space, { after, limit: 3 });
          seen.push(...page.map((m) => m.memberId));
          const last = page[page.length - 1];
          if (page.length < 3 || !last) break;
          // A member refreshing between pages changes nothing about the order.
          await access.recordMember(space, member('m0', 1_000), null);
          after = { firstSeenAt: last.firstSeenAt, memberId: last.memberId };
        }
        expect(seen).toEqual(['m6', 'm5', 'm4', 'm3', 'm2', 'm1', 'm0']);
      });
    });

    describe('ChangeIndex', () => {
      test('an unknown space has sequence 0 and no changes', async () => {
        const { changes } = await open();
        expect(await changes.changesSince(freshSpace(), 0)).toEqual({ seq: 0, docIds: [] });
      });

      test('sequence numbers grow, and each document is listed once, after the number asked for', async () => {
        const { changes } = await open();
        const space = freshSpace();
        const a1 = await changes.recordStored(space, 'a');
        const b = await changes.recordStored(space, 'b');
        const a2 = await changes.recordStored(space, 'a');
        expect(a1).toBeGreaterThan(0);
        expect(b).toBeGreaterThan(a1);
        expect(a2).toBeGreaterThan(b);

        const all = await changes.changesSince(space, 0);
        expect(all.seq).toBe(a2);
        expect([...all.docIds].sort()).toEqual(['a', 'b']);
        expect(await changes.changesSince(space, a1)).toEqual({ seq: a2, docIds: expect.arrayContaining(['a', 'b']) as string[] });
        expect(await changes.changesSince(space, b)).toEqual({ seq: a2, docIds: ['a'] });
        expect(await changes.changesSince(space, a2)).toEqual({ seq: a2, docIds: [] });
      });

      test('spaces have their own sequences', async () => {
        const { changes } = await open();
        const [space, other] = [freshSpace(), freshSpace()];
        const s1 = await changes.recordStored(space, 'page-1');
        await changes.recordStored(other, 'page-2');
        const s2 = await changes.recordStored(space, 'page-3');
        expect(s2).toBeGreaterThan(s1);
        const listed = await changes.changesSince(space, 0);
        expect([...listed.docIds].sort()).toEqual(['page-1', 'page-3']);
        expect((await changes.changesSince(other, 0)).docIds).toEqual(['page-2']);
      });

      test('concurrent stores get distinct numbers, and the latest number covers all of them', async () => {
        const { changes } = await open();
        const space = freshSpace();
        const seqs = await Promise.all(Array.from({ length: CONCURRENT_WRITES }, (_, i) => changes.recordStored(space, `page-${i % 8}`)));
        expect(new Set(seqs).size).toBe(CONCURRENT_WRITES);
        const listed = await changes.changesSince(space, 0);
        expect(listed.seq).toBe(Math.max(...seqs));
        expect([...listed.docIds].sort()).toEqual(Array.from({ length: 8 }, (_, i) => `page-${i}`).sort());
      });
    });

    describe('SpaceUsage', () => {
      test('an unknown space stores 0 bytes', async () => {
        const { usage } = await open();
        expect(await usage.spaceBytes(freshSpace())).toBe(0);
      });

      test("a space's bytes are the sum of its documents' stored states, and only its own", async () => {
        const { usage, storeDocument } = await open();
        // Ids that share a prefix, and one with '_' (a LIKE wildcard) next to one that differs only there.
        const space = `${freshSpace()}_a`;
        const [a, b, c] = [stateOf(1_000), stateOf(2_000), stateOf(3_000)];
        await storeDocument(`${space}/space`, a);
        await storeDocument(`${space}/page-1`, b);
        await storeDocument(`${space}x/page`, stateOf(4_000));
        await storeDocument(`${space.slice(0, -2)}Xa/page`, stateOf(5_000));
        await storeDocument(`${space}0`, stateOf(6_000));
        await storeDocument(`${space.slice(0, -1)}/page`, stateOf(7_000));
        expect(await usage.spaceBytes(space)).toBe(a.byteLength + b.byteLength);
        await storeDocument(`${space}/page-2`, c);
        expect(await usage.spaceBytes(space)).toBe(a.byteLength + b.byteLength + c.byteLength);
      });

      test('a document stored again counts once, with its latest state', async () => {
        const { usage, storeDocument } = await open();
        const space = freshSpace();
        const doc = new Y.Doc();
        doc.getText('body').insert(0, 'x'.repeat(1_000));
        const first = Y.encodeStateAsUpdate(doc);
        doc.getText('body').insert(0, 'y'.repeat(2_000));
        const second = Y.encodeStateAsUpdate(doc);
        await storeDocument(`${space}/page`, first);
        await storeDocument(`${space}/page`, second);
        const bytes = await usage.spaceBytes(space);
        expect(bytes).toBeGreaterThanOrEqual(second.byteLength);
        expect(bytes).toBeLessThan(first.byteLength + second.byteLength);
      });
    });
  });
}
