/**
 * What only a relay layer can do, asked of the leader by a follower tab, against the REAL relay process
 * (tabs simulated as in RelayLeadership.test.ts: shared store, real BroadcastChannel, one lock manager):
 * presence both ways between a follower and another device, the owner's member commands from a follower,
 * and "Stop syncing" in a follower detaching the leader's relay layer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Awareness } from 'y-protocols/awareness';
import { MemoryStore } from '../../../core/persistence/MemoryLayer.ts';
import { startRelayProcess, type RelayProcess } from '../../../../relay/testing/relayProcess.ts';
import { testSpace, type TestSpace } from '../../../../relay/testing/testSpace.ts';
import { InProcessTabLocks } from '../../tabs/InProcessTabLocks.ts';
import { OWNER_CAPABILITY_ID, randomId } from '../../../protocol/capability.ts';
import { relayMemberId } from '../../../protocol/relayMemberId.ts';
import { ErrorCode } from '../../../core/errors.ts';
import { MemberCommandError } from '../memberCommands.ts';
import { LeaderRequests } from './LeaderRequests.ts';
import { NOT_SYNCED_HERE } from './SharedRelay.ts';
import { copyStore, RelayTab, SocketMeter } from './testing/relayTabs.ts';

const RELAY_ENV = { QUIRE_RELAY_STORE_DEBOUNCE_MS: '20', QUIRE_RELAY_STORE_MAX_DEBOUNCE_MS: '200' };
const until = (check: () => void, timeout = 20_000) => vi.waitFor(check, { timeout, interval: 25 });

const dataDir = mkdtempSync(join(tmpdir(), 'quire-follower-'));
let relay: RelayProcess;
beforeAll(async () => {
  relay = await startRelayProcess(dataDir, { env: RELAY_ENV });
}, 30_000);
afterAll(async () => {
  await relay?.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** One browser profile presenting `token` for the space. */
function profile(spaceId: string, token: () => string, store = new MemoryStore()) {
  const locks = new InProcessTabLocks();
  const meter = new SocketMeter();
  const name = randomId();
  const open = (create = false) => RelayTab.open({ mode: 'leader', locks, store, url: relay.url, spaceId, tokenFor: () => Promise.resolve(token()), meter, create, profile: name });
  return { meter, open, store };
}

/** Device A (owner: leader + follower tab) and device B (an editor invite), synced. */
async function twoDevices(space: TestSpace) {
  const a = profile(space.spaceId, () => space.ownerToken('owner-device'));
  const leader = await a.open(true);
  await leader.handle.flush();
  // The relay registers the space's key on the owner's first session: only then can it verify an invite.
  await until(() => expect(leader.layer?.status().state).toBe('synced'));
  const follower = await a.open();
  const bea = await space.invite('editor', null, 'bea-device');
  const b = profile(space.spaceId, () => bea.token, await copyStore(a.store, space.spaceId));
  const other = await b.open();
  await until(() => expect(leader.layer?.status().state).toBe('synced'));
  await until(() => expect(other.layer?.status().state).toBe('synced'));
  expect(follower.layer).toBeNull();
  return { leader, follower, other, bea, b };
}

const names = (aw: Awareness) => [...aw.getStates().values()].map((s) => (s.user as { name?: string } | undefined)?.name).filter(Boolean).sort();

describe('a follower tab through the leader', () => {
  it("shares presence: the follower's reaches the other device, the other device's reaches the follower, not another tab's", async () => {
    const space = await testSpace(randomId());
    const { leader, follower, other } = await twoDevices(space);
    const pageId = leader.handle.space.createPage({ title: 'Shared page' });
    await until(() => expect(other.handle.space.getPage(pageId)).toBeDefined());
    const [pageL, pageF, pageB] = [await leader.handle.openPage(pageId), await follower.handle.openPage(pageId), await other.handle.openPage(pageId)];

    const awF = new Awareness(pageF.doc);
    awF.setLocalStateField('user', { name: 'Ann in tab 2' });
    const detachF = follower.attachment!.attachAwareness(pageId, awF);
    const awL = new Awareness(pageL.doc);
    awL.setLocalStateField('user', { name: 'Ann in tab 1' });
    const detachL = leader.attachment!.attachAwareness(pageId, awL);
    const awB = new Awareness(pageB.doc);
    awB.setLocalStateField('user', { name: 'Bea' });
    const detachB = other.attachment!.attachAwareness(pageId, awB);

    await until(() => expect(names(awB)).toEqual(['Ann in tab 1', 'Ann in tab 2', 'Bea']));
    await until(() => expect(names(awF)).toEqual(['Ann in tab 2', 'Bea']));
    await until(() => expect(names(awL)).toEqual(['Ann in tab 1', 'Bea']));

    // A change travels live both ways (a caret moving).
    awB.setLocalStateField('cursor', { at: 3 });
    await until(() => expect([...awF.getStates().values()].some((s) => (s.cursor as { at?: number } | undefined)?.at === 3)).toBe(true));
    awF.setLocalStateField('user', { name: 'Ann (renamed)' });
    await until(() => expect(names(awB)).toEqual(['Ann (renamed)', 'Ann in tab 1', 'Bea']));

    // A follower tab that dies (the leader watches its lifetime lock): its caret leaves the other device,
    // well before y-protocols' 30 s outdated timeout (the relay passes removals on:
    // relay/awarenessRemovalExtension.ts).
    await pageF.release();
    await follower.crash();
    await until(() => expect(names(awB)).toEqual(['Ann in tab 1', 'Bea']), 10_000);
    detachF();

    detachL();
    detachB();
    for (const aw of [awF, awL, awB]) aw.destroy();
    await pageL.release();
    await pageB.release();
    await leader.close();
    await other.close();
  }, 90_000);

  it('a page only a follower shows, with its presence attached at once, reaches the other device', async () => {
    const space = await testSpace(randomId());
    const { leader, follower, other } = await twoDevices(space);
    const pageId = follower.handle.space.createPage({ title: 'Beta' });
    const pageF = await follower.handle.openPage(pageId);
    const awF = new Awareness(pageF.doc);
    awF.setLocalStateField('user', { name: 'Ann' });
    const detachF = follower.attachment!.attachAwareness(pageId, awF);
    pageF.doc.getText('t').insert(0, 'typed in tab 2 only');
    await until(() => expect(other.handle.space.getPage(pageId)).toBeDefined());
    const pageB = await other.handle.openPage(pageId);
    await until(() => expect(pageB.doc.getText('t').toString()).toBe('typed in tab 2 only'));
    detachF();
    awF.destroy();
    await pageF.release();
    await pageB.release();
    await follower.close();
    await leader.close();
    await other.close();
  }, 60_000);

  it('lists the members and revokes one from a follower tab (the leader runs the commands); a non-owner is refused', async () => {
    const space = await testSpace(randomId());
    const { leader, follower, other, b } = await twoDevices(space);

    // Device B's follower tab asks its leader, whose session is an editor's: the relay's refusal comes back typed.
    const otherFollower = await b.open();
    const refused = await otherFollower.attachment!.listMembers().then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(MemberCommandError);
    expect((refused as MemberCommandError).code).toBe(ErrorCode.Forbidden);
    await otherFollower.close();

    const { members, next } = await follower.attachment!.listMembers();
    expect(next).toBeNull();
    // The relay lists each device under the id it derives from the device's invite and own member id.
    const bea = members.find((m) => m.role === 'editor')!;
    expect(members.map((m) => m.memberId).sort()).toEqual([relayMemberId(bea.inviteId, 'bea-device'), relayMemberId(OWNER_CAPABILITY_ID, 'owner-device')].sort());

    await follower.attachment!.revoke({ memberId: bea.memberId });
    await until(() => expect(other.layer?.status()).toMatchObject({ state: 'stopped', reason: 'revoked' }));
    expect(leader.layer?.status().state).not.toBe('stopped');
    await follower.close();
    await leader.close();
    await other.close();
  }, 60_000);

  it('stop from a follower detaches the leader’s relay layer', async () => {
    const space = await testSpace(randomId());
    const a = profile(space.spaceId, () => space.ownerToken('owner-device'));
    const leader = await a.open(true);
    const follower = await a.open();
    await until(() => expect(leader.layer?.status().state).toBe('synced'));
    await until(() => expect(follower.attachment!.status().state).toBe('synced'));
    const relayLayerName = leader.layer!.name;

    await follower.attachment!.detach();
    await until(() => expect(leader.layer).toBeNull());
    expect(leader.handle.layers.some((l) => l.name === relayLayerName)).toBe(false);
    expect(leader.stopped).toBe(1);
    // The leader no longer syncs the space: an owner command from the follower says so, typed 'closed'
    // (nothing local failed), not 'storage-unavailable'.
    const e: unknown = await follower.attachment!.listMembers().then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(MemberCommandError);
    expect((e as MemberCommandError).code).toBe(ErrorCode.Closed);
    expect((e as MemberCommandError).message).toBe(NOT_SYNCED_HERE);
    await follower.close();
    await leader.close();
  }, 30_000);

  it('a command no leader answers fails with a typed timeout', async () => {
    const requests = new LeaderRequests('lonely-tab', () => undefined, 50);
    const e = await requests.ask('space', { op: 'list-members' }).then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(MemberCommandError);
    expect((e as MemberCommandError).code).toBe(ErrorCode.Timeout);
  });
});
