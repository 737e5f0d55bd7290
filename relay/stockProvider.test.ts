/**
 * Interop: the stock-provider example of docs/relay.md (relay/testing/stockProviderExample.ts) against the
 * real relay process. It syncs with a Quire client, sees its edits acknowledged as stored (v2), and after a
 * refusal it knows why and has destroyed its provider.
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import { randomId } from '../src/protocol/capability.ts';
import { destroySocket } from './testing/relayClient.ts';
import type { RelayProcess } from './testing/relayProcess.ts';
import { relayTestRig } from './testing/relayTestRig.ts';
import { connectStockProvider } from './testing/stockProviderExample.ts';
import type { StockClient } from './testing/stockProviderExample.ts';
import { testSpace } from './testing/testSpace.ts';

/** Stores soon after each change, so a test sees its edit acknowledged as stored within the sync timeout. */
const FAST_STORES = { QUIRE_RELAY_STORE_DEBOUNCE_MS: '50', QUIRE_RELAY_STORE_MAX_DEBOUNCE_MS: '200' };

const { relay: startRelay, client, until } = relayTestRig('stock', { env: FAST_STORES });
let relay: RelayProcess | undefined;
const stock: StockClient[] = [];

// After the rig's: its data directory exists. This file's afterEach runs before the rig's (stock clients go first).
beforeEach(async () => {
  relay = await startRelay();
});
afterEach(() => {
  for (const s of stock.splice(0)) {
    s.provider.destroy();
    destroySocket(s.socket);
  }
});

function connect(spaceId: string, docId: string, capability: string): StockClient {
  const c = connectStockProvider({ url: relay!.url, spaceId, docId, capability, memberId: randomId(), name: 'Stock client' });
  stock.push(c);
  return c;
}

test('a stock provider with an owner capability syncs with a Quire client and sees its edit stored', async () => {
  const space = await testSpace();
  const owner = connect(space.spaceId, 'page', space.ownerCapability);
  await until(() => expect(owner.provider.isSynced).toBe(true));
  owner.doc.getText('body').insert(0, 'typed in a stock provider');
  expect(owner.stored()).toBe(false);
  await until(() => expect(owner.stored()).toBe(true));

  const editor = client(relay!, (await space.invite('editor')).token);
  const page = editor.open(space.doc('page'));
  await until(() => expect(page.doc.getText('body').toString()).toBe('typed in a stock provider'));
  page.doc.getText('body').insert(0, 'Quire: ');
  await until(() => expect(owner.doc.getText('body').toString()).toBe('Quire: typed in a stock provider'));
  expect(owner.refusal()).toBeNull();
});

test('refusals reach a stock provider as reasons, and the example destroys its provider', async () => {
  const space = await testSpace();
  const owner = connect(space.spaceId, 'page', space.ownerCapability);
  owner.doc.getText('body').insert(0, 'original');
  await until(() => expect(owner.stored()).toBe(true));

  // A capability signed by another key: refused at authentication.
  const stranger = await testSpace(space.spaceId);
  const forged = connect(space.spaceId, 'page', stranger.ownerCapability);
  await until(() => expect(forged.refusal()).toBe('unauthorized'));
  expect(forged.provider.isAttached).toBe(false);

  // A viewer that writes: the relay closes its session with forbidden, and the write never lands.
  const viewer = connect(space.spaceId, 'page', (await space.invite('viewer')).capability);
  await until(() => expect(viewer.doc.getText('body').toString()).toBe('original'));
  viewer.doc.getText('body').insert(0, 'VIEWER ');
  await until(() => expect(viewer.refusal()).toBe('forbidden'));
  expect(viewer.provider.isAttached).toBe(false); // destroyed: it sends nothing more
  expect(owner.doc.getText('body').toString()).toBe('original');
});
