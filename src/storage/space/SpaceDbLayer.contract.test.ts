import { runLocalStoreContract, runSecretStoreContract } from '../../core/testing/localStoreContract.ts';
import { runPersistenceLayerContract } from '../../core/testing/persistenceContract.ts';
import { COMPACT_ABOVE_ROWS } from '../pages/compaction.ts';
import { deleteAllDatabases } from '../pages/testing/testkit.ts';
import { SpaceDbLayer } from './SpaceDbLayer.ts';

// Each test of the contract gets its own space-id prefix and all databases are deleted after it, so no test
// sees another's storage even when one fails before its cleanup.
let run = 0;
const harness = (compactAboveRows?: number) => ({
  create: (spaceId: string) => Promise.resolve(new SpaceDbLayer(`run${run}-${spaceId}`, { compactAboveRows })),
  reopen: (spaceId: string) => Promise.resolve(new SpaceDbLayer(`run${run}-${spaceId}`, { compactAboveRows })),
  cleanup: async () => {
    run++;
    await deleteAllDatabases();
  },
});

runPersistenceLayerContract('SpaceDbLayer', { ...harness(), maxRowsPerDoc: COMPACT_ABOVE_ROWS });
runLocalStoreContract('SpaceDbLayer', harness());
runSecretStoreContract('SpaceDbLayer', harness());
// A small bound makes compaction run many times within one test.
runPersistenceLayerContract('SpaceDbLayer compacting above 8 rows', { ...harness(8), maxRowsPerDoc: 8, manySaves: 200 });
