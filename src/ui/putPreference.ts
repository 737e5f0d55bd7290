import type { Collection } from '@tanstack/react-db';
import type { JsonValue, UiPreferenceRow } from '../storage/db/index.ts';

/** Writes one UI preference (last writer wins); a failed write loses a convenience, never content. */
export function putPreference(preferences: Collection<UiPreferenceRow, string>, key: string, value: JsonValue): void {
  const now = Date.now();
  try {
    const tx = preferences.has(key)
      ? preferences.update(key, (draft) => {
          draft.value = value;
          draft.updatedAtMs = now;
        })
      : preferences.insert({ key, value, updatedAtMs: now });
    tx.isPersisted.promise.catch(() => undefined);
  } catch {
    // The collection is not ready: the choice holds for this session only.
  }
}
