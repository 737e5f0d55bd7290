import type { PersistenceError } from '../../core/errors.ts';
import type { PageRecord, SpaceListener, SpaceMeta } from '../../core/space/types.ts';
import type { ProjectionWriter } from './ProjectionWriter.ts';
import { fromDexieError } from '../../core/persistence/fromDexieError.ts';

/** What followSpace needs of the core's Space. */
export interface ObservableSpace {
  observe(listener: SpaceListener): () => void;
  listPages(): readonly PageRecord[];
  meta(): SpaceMeta;
}

export interface SpaceFollower {
  /** Resolves when every change observed so far has been written (or has failed and been reported). */
  idle(): Promise<void>;
  /** Stops observing; writes already queued still run. */
  stop(): void;
}

/**
 * Keeps one space's event log and projections in step with its Space: each observed batch becomes one
 * `applyPageChanges` (origin 'remote' => actor 'remote', else 'user'), queued so batches are written in the
 * order the Space reported them.
 *
 * A failed write (quota, closed database) is reported and leaves the projection behind the Space; the next
 * batch then first rebuilds the projection from the Space's current state (puts and deletes are
 * idempotent, so applying that batch after the rebuild is harmless). The failed batch's events are not in
 * the log: the log records what was durably projected, and the Space document stays the source of truth.
 */
export function followSpace(
  writer: ProjectionWriter,
  spaceId: string,
  space: ObservableSpace,
  onError: (error: PersistenceError) => void,
): SpaceFollower {
  let queue: Promise<void> = Promise.resolve();
  let behind = false;
  const unsubscribe = space.observe((changes, origin) => {
    const batch = [...changes];
    queue = queue.then(async () => {
      try {
        if (behind) {
          await writer.rebuildProjections(spaceId, { meta: space.meta(), pages: space.listPages() });
          behind = false;
        }
        await writer.applyPageChanges(spaceId, batch, origin === 'remote' ? 'remote' : 'user');
      } catch (e) {
        behind = true;
        onError(fromDexieError(e, { action: `project changes of space ${spaceId}` }));
      }
    });
  });
  return {
    idle: () => queue,
    stop: unsubscribe,
  };
}
