/**
 * The core's fault scenarios against the real IndexedDB layer, with faults injected BELOW it, into
 * IndexedDB itself (../testing/idbWriteFaults.ts): the k-th write request throws QuotaExceededError.
 * This also fails the layer's own compaction writes.
 */
import { compactionScenario, runFaultScenarios, scenarios } from '../../core/testing/faultScenarios.ts';
import { idbFaultyStore, installWriteFaults } from '../testing/idbWriteFaults.ts';
import { IndexedDbLayer } from './IndexedDbLayer.ts';

/** Rows per document before compaction in these runs: small, so the scenarios compact several times. */
const TEST_COMPACT_ABOVE_ROWS = 8;

installWriteFaults();

runFaultScenarios(
  {
    name: 'IndexedDB layer, faults injected into IndexedDB',
    store: (label) => idbFaultyStore((indexedDB, spaceId) => new IndexedDbLayer(spaceId, { indexedDB, name: label, compactAboveRows: TEST_COMPACT_ABOVE_ROWS })),
    managerOptions: { coalesceMs: 1, retryInitialMs: 1, retryMaxMs: 4 },
  },
  [...scenarios, compactionScenario],
);
