import { MemoryStore } from '../persistence/MemoryLayer.ts';
import { runPersistenceLayerContract } from './persistenceContract.ts';
import { ScriptedTwoWayLayer } from './ScriptedTwoWayLayer.ts';

// The test kit stands in for a relay or another tab: it keeps the contract every layer keeps, and no more.
let store = new MemoryStore();
runPersistenceLayerContract('ScriptedTwoWayLayer', {
  create: (spaceId) => Promise.resolve(new ScriptedTwoWayLayer(spaceId, store)),
  reopen: (spaceId) => Promise.resolve(new ScriptedTwoWayLayer(spaceId, store)),
  cleanup: () => {
    store = new MemoryStore();
    return Promise.resolve();
  },
});
