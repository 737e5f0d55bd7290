import type { Collection } from '@tanstack/react-db';
import type { JsonValue, UiPreferenceRow } from '../../collections/index.ts';
import { putRow } from './putRow.ts';

/** Writes one UI preference (last writer wins); a failed write loses a convenience, never content. */
export function putPreference(preferences: Collection<UiPreferenceRow, string>, key: string, value: JsonValue): void {
  const updatedAtMs = Date.now();
  putRow(preferences, key, { key, value, updatedAtMs }, { value, updatedAtMs });
}
