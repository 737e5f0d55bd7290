import type { Extension, beforeSyncPayload } from '@hocuspocus/server';
import { checkUpdateShape } from '../src/core/guard/UpdateGuard.ts';
import { UpdateRejectedError } from '../src/core/errors.ts';
import { UpdateRefusal } from './UpdateRefusal.ts';

/** y-protocols sync message types that carry document content (SyncStep1 only carries a state vector). */
const SYNC_STEP_2 = 1;
const SYNC_UPDATE = 2;

/**
 * Runs the browser's update guard on every update a client sends, in `beforeSync`: the last hook before
 * Hocuspocus applies the bytes to the live document (after it, they are broadcast and scheduled for store).
 * A refused update closes only its own document session; the socket and its other documents carry on.
 */
export function updateGuardExtension(): Extension {
  return {
    extensionName: 'quire-update-guard',
    beforeSync({ type, payload, documentName }: beforeSyncPayload): Promise<void> {
      if (type !== SYNC_STEP_2 && type !== SYNC_UPDATE) return Promise.resolve();
      try {
        checkUpdateShape(payload, { source: 'relay-client', docId: documentName });
      } catch (e) {
        if (e instanceof UpdateRejectedError) return Promise.reject(new UpdateRefusal(e));
        throw e;
      }
      return Promise.resolve();
    },
  };
}
