import { MemoryLayer, MemoryStore } from './MemoryLayer.ts';
import { runPersistenceLayerContract } from '../testing/persistenceContract.ts';

let store = new MemoryStore();
runPersistenceLayerContract('MemoryLayer', {
  create: (spaceId) => Promise.resolve(new MemoryLayer(spaceId, store)),
  reopen: (spaceId) => Promise.resolve(new MemoryLayer(spaceId, store)),
  cleanup: () => {
    store = new MemoryStore();
    return Promise.resolve();
  },
});
