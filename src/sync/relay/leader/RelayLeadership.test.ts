/**
 * One relay socket per browser, against the REAL relay process: tabs of one profile are simulated in this
 * process (shared store, real BroadcastChannel, one lock manager), a second device is another profile.
 * Counted: the sockets each profile opens. Checked: edits typed in a follower tab reach the other device
 * and back, the status reaches followers, and after the leader closes (or crashes) another tab takes the
 * connection over and edits still flow both ways.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../../../core/persistence/MemoryLayer.ts';
import { startRelayProcess, type RelayProcess } from '../../../../relay/testing/relayProcess.ts';
import { ownerTokenFor } from '../../../../relay/testing/testSpace.ts';
import { InProcessTabLocks } from '../../tabs/InProcessTabLocks.ts';
import { randomId } from '../../../protocol/capability.ts';
import { copyStore, RelayTab, SocketMeter } from './testing/relayTabs.ts';
import { MemoryLayer } from '../../../core/persistence/MemoryLayer.ts';
import { SpaceManager } from '../../../core/manager/SpaceManager.ts';
import { TabChannelLayer } from '../../tabs/TabChannelLayer.ts';
import { TabPresence } from '../../tabs/TabPresence.ts';
import { RelayConnectionPool } from '../RelayConnection.ts';
import { RelayLayer } from '../RelayLayer.ts';
import { RelayLeadership } from './RelayLeadership.ts';

const RELAY_ENV = { QUIRE_RELAY_STORE_DEBOUNCE_MS: '20', QUIRE_RELAY_STORE_MAX_DEBOUNCE_MS: '200' };
const until = (check: () => void, timeout = 20_000) => vi.waitFor(check, { timeout, interval: 25 });

const dataDir = mkdtempSync(join(tmpdir(), 'quire-leader-'));
let relay: RelayProcess;
beforeAll(async () => {
  relay = await startRelayProcess(dataDir, { env: RELAY_ENV });
}, 30_000);
afterAll(async () => {
  await relay?.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** One browser profile: its own store, lock manager and socket meter. */
function profile(spaceId: string, store = new MemoryStore()) {
  const locks = new InProcessTabLocks();
  const meter = new SocketMeter();
  const open = (create = false) => RelayTab.open({ mode: 'leader', locks, store, url: relay.url, spaceId, tokenFor: ownerTokenFor, meter, create });
  return { meter, open, store };
}

const text = (tab: RelayTab, pageId: string) => tab.handle.openPage(pageId).then(async (p) => {
  const s = p.doc.getText('t').toString();
  await p.release();
  return s;
});

describe('RelayLeadership', () => {
  it('one socket per profile; follower edits reach the other device; the connection is handed over when the leader goes', async () => {
    const spaceId = randomId();
    const a = profile(spaceId);
    const a1 = await a.open(true);
    await a1.handle.flush();
    const b = profile(spaceId, await copyStore(a.store, spaceId));
    const [a2, a3] = [await a.open(), await a.open()];
    const b1 = await b.open();
    await until(() => expect(a1.layer?.status().state).toBe('synced'));
    expect([a1, a2, a3].map((t) => t.layer !== null)).toEqual([true, false, false]);
    expect(a.meter.opened).toBe(1);

    // A page created and typed in a follower tab reaches device B through the leader.
    const pageId = a2.handle.space.createPage({ title: 'From a follower' });
    const page2 = await a2.handle.openPage(pageId);
    page2.doc.getText('t').insert(0, 'typed in tab 2');
    await until(() => expect(b1.handle.space.getPage(pageId)).toBeDefined());
    const pageB = await b1.handle.openPage(pageId);
    await until(() => expect(pageB.doc.getText('t').toString()).toBe('typed in tab 2'));

    // ...and B's edit reaches the follower's open copy live; its status says synced, as the leader's does.
    pageB.doc.getText('t').insert(0, 'B: ');
    await until(() => expect(page2.doc.getText('t').toString()).toBe('B: typed in tab 2'));
    await until(() => expect(a2.attachment!.status().state).toBe('synced'));

    // The leader closes: another tab takes over with one new socket, and edits keep flowing.
    await a1.close();
    await until(() => expect([a2, a3].filter((t) => t.layer !== null)).toHaveLength(1));
    await until(() => expect(a.meter.open).toBe(1));
    expect(a.meter.opened).toBe(2);
    page2.doc.getText('t').insert(page2.doc.getText('t').length, ' after handover');
    await until(() => expect(pageB.doc.getText('t').toString()).toBe('B: typed in tab 2 after handover'));

    // The new leader crashes: the last tab takes over.
    const leader = a2.layer ? a2 : a3;
    const survivor = leader === a2 ? a3 : a2;
    await page2.release();
    await leader.crash();
    await until(() => expect(survivor.layer).not.toBeNull());
    const pageS = await survivor.handle.openPage(pageId);
    await until(() => expect(pageS.doc.getText('t').toString()).toBe('B: typed in tab 2 after handover'));
    pageS.doc.getText('t').insert(0, '[last tab] ');
    await until(() => expect(pageB.doc.getText('t').toString()).toBe('[last tab] B: typed in tab 2 after handover'));
    expect(a.meter.opened).toBe(3);
    expect(await text(survivor, pageId)).toBe('[last tab] B: typed in tab 2 after handover');

    await pageS.release();
    await pageB.release();
    await survivor.close();
    await b1.close();
  }, 60_000);

  it('a page only a follower has open is held by the leader (the follower says synced only then), and released when the follower closes it', async () => {
    const spaceId = randomId();
    const a = profile(spaceId);
    const [leader, follower] = [await a.open(true), await a.open()];
    await until(() => expect(leader.layer?.status().state).toBe('synced'));
    await until(() => expect(follower.attachment!.status().state).toBe('synced'));
    const pageId = follower.handle.space.createPage({ title: 'p' });
    const page = await follower.handle.openPage(pageId);
    page.doc.getText('t').insert(0, 'typed at once');
    // Not "synced" before the leader follows the page (announced within ANNOUNCE_MS, then answered).
    expect(follower.attachment!.status().state).toBe('syncing');
    await until(() => expect(leader.handle.openPageIds()).toContain(pageId));
    await until(() => expect(follower.attachment!.status().state).toBe('synced'));
    const held = await leader.handle.openPage(pageId);
    expect(held.doc.getText('t').toString()).toBe('typed at once');
    await held.release();
    await page.release();
    await until(() => expect(leader.handle.openPageIds()).not.toContain(pageId));
    await follower.close();
    await leader.close();
  }, 30_000);

  it('a space with no local copy opens from the relay in a follower tab, which then leaves the relay to the leader', async () => {
    // Device B owns space S, synced to the relay.
    const spaceId = randomId();
    const b = profile(spaceId);
    const b1 = await b.open(true);
    const pageId = b1.handle.space.createPage({ title: 'From B' });
    await until(() => expect(b1.layer?.status()).toMatchObject({ state: 'synced', unstored: 0 }));

    // Profile A: tab L leads the relay (it syncs another space); tab F joins S, which A does not have.
    const other = randomId();
    const locks = new InProcessTabLocks();
    const store = new MemoryStore();
    const meter = new SocketMeter();
    const leader = await RelayTab.open({ mode: 'leader', locks, store, url: relay.url, spaceId: other, tokenFor: ownerTokenFor, meter, create: true });
    await until(() => expect(leader.layer?.status().state).toBe('synced'));

    const presence = await TabPresence.claim(locks);
    const leadership = new RelayLeadership({ locks, tabId: presence.id, announceMs: 50 });
    const pool = new RelayConnectionPool({ WebSocket: meter.WebSocket });
    const makeLayer = () => new RelayLayer({ url: relay.url, spaceId, token: () => ownerTokenFor(spaceId), pool });
    const opened = await leadership.layerAtOpen(relay.url, false, makeLayer);
    expect(opened, 'a bootstrap layer: only the relay has the space').not.toBeNull();
    const manager = new SpaceManager({
      coalesceMs: 5,
      layers: [(id) => new MemoryLayer(id, store), (id) => new TabChannelLayer(id, { presence }), () => opened],
    });
    const f = await manager.openSpace(spaceId);
    expect(f.space.getPage(pageId)?.title).toBe('From B');
    const attachment = leadership.attach(f, relay.url, makeLayer, () => undefined, opened);

    // Once the space document is in sync, F drops its own layer and the leader relays S for it.
    await until(() => expect(attachment.layer()).toBeNull());
    await until(() => expect(f.layers.some((l) => l.name === opened!.name)).toBe(false));
    await until(() => expect(leader.leadership!.isLeading(relay.url)).toBe(true));
    const page = await f.openPage(pageId);
    await until(() => expect(attachment.status().state).toBe('synced'));
    page.doc.getText('t').insert(0, 'from F via the leader');
    const pageB = await b1.handle.openPage(pageId);
    await until(() => expect(pageB.doc.getText('t').toString()).toBe('from F via the leader'));
    await page.release();
    await pageB.release();
    leadership.close();
    await manager.close();
    presence.release();
    await leader.close();
    await b1.close();
  }, 60_000);
});
