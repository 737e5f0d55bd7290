/**
 * The core's persistence contract, run against the REAL relay process on loopback (relay/main.ts through
 * relay/testing/relayProcess.ts), with Node's `ws` as the WebSocket. What a relay does not promise is
 * waived explicitly (ContractHarness.waive) and checked in its documented form instead. The relay is no
 * local store and no secret store, so it runs only the contract every layer runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';
import { runPersistenceLayerContract } from '../../core/testing/persistenceContract.ts';
import { startRelayProcess, type RelayProcess } from '../../../relay/testing/relayProcess.ts';
import { ownerTokenFor } from '../../../relay/testing/testSpace.ts';
import { RelayConnectionPool, type WebSocketConstructor } from './RelayConnection.ts';
import { RelayLayer } from './RelayLayer.ts';

let relay: RelayProcess;
let dataDir: string;
let pool: RelayConnectionPool;
/** Each test gets fresh storage: its own space ids on the shared relay. */
let generation = 0;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'quire-relay-contract-'));
  relay = await startRelayProcess(dataDir);
  pool = new RelayConnectionPool({ WebSocket: WebSocket as unknown as WebSocketConstructor });
}, 30_000);

afterAll(async () => {
  await relay?.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const layer = (spaceId: string) => {
  const id = `contract-${generation}-${spaceId}`;
  return new RelayLayer({ url: relay.url, spaceId: id, token: () => ownerTokenFor(id), pool });
};

runPersistenceLayerContract('RelayLayer (real relay process)', {
  create: (spaceId) => Promise.resolve(layer(spaceId)),
  reopen: (spaceId) => Promise.resolve(layer(spaceId)),
  cleanup: () => {
    generation++;
    return Promise.resolve();
  },
  waive: { rowsAsSaved: true },
});
