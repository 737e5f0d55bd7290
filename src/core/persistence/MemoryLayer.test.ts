import { MemoryLayer, MemoryStore } from './MemoryLayer.ts';
import { runLocalStoreContract, runSecretStoreContract } from '../testing/localStoreContract.ts';
import { runPersistenceLayerContract } from '../testing/persistenceContract.ts';

let store = new MemoryStore();
const harness = {
  create: (spaceId: string) => Promise.resolve(new MemoryLayer(spaceId, store)),
  reopen: (spaceId: string) => Promise.resolve(new MemoryLayer(spaceId, store)),
  cleanup: () => {
    store = new MemoryStore();
    return Promise.resolve();
  },
};
runPersistenceLayerContract('MemoryLayer', harness);
runLocalStoreContract('MemoryLayer', harness);
runSecretStoreContract('MemoryLayer', harness);
