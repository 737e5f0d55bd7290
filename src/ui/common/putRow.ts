/**
 * Writes to UI-state collections (last writer wins, document 001). A failed write only loses a
 * convenience (a tab, a route, a preference), never content, so failures are dropped here: the next
 * change writes again.
 */
import type { Collection } from '@tanstack/react-db';

/** Runs one UI-state write, ignoring a synchronous refusal (collection not ready) and a failed persist. */
export function quietly(write: () => { isPersisted: { promise: Promise<unknown> } }): void {
  try {
    write().isPersisted.promise.catch(() => undefined);
  } catch {
    // The collection refused synchronously (it is not ready).
  }
}

/** Inserts `row`, or when `key` exists, applies only `changed` to it. */
export function putRow<T extends object>(collection: Collection<T, string>, key: string, row: T, changed: Partial<T>): void {
  quietly(() => (collection.has(key) ? collection.update(key, (draft) => void Object.assign(draft, changed)) : collection.insert(row)));
}
