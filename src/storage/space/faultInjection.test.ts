/**
 * The core's fault scenarios against the space store, with faults injected BELOW it, into IndexedDB itself
 * (../testing/idbWriteFaults.ts): the k-th write request throws QuotaExceededError, once and forever. This also
 * fails the layer's own compaction writes and its counter updates (every save writes two rows).
 */
import { compactionScenario, runFaultScenarios, scenarios } from '../../core/testing/faultScenarios.ts';
import { idbFaultyStore, installWriteFaults } from '../testing/idbWriteFaults.ts';
import { SpaceDbLayer } from './SpaceDbLayer.ts';

/** Rows per document before compaction in these runs: small, so the scenarios compact several times. */
const TEST_COMPACT_ABOVE_ROWS = 8;

installWriteFaults();

runFaultScenarios(
  {
    name: 'space store, faults injected into IndexedDB',
    store: (label) => idbFaultyStore((indexedDB, spaceId) => new SpaceDbLayer(spaceId, { indexedDB, name: label, compactAboveRows: TEST_COMPACT_ABOVE_ROWS })),
    // Every save adds a row and advances the document's counter (spaceDbSchema.ts: `docs`).
    requestsPerWrite: 2,
    managerOptions: { coalesceMs: 1, retryInitialMs: 1, retryMaxMs: 4 },
  },
  [...scenarios, compactionScenario],
);
