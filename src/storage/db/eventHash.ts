import { digest } from 'lib0/hash/sha256';
import { canonicalJson } from './canonicalJson.ts';
import type { EventRow } from './rows.ts';

/** First element of every hashed encoding: names the format, so a future format cannot collide with it. */
export const EVENT_HASH_FORMAT = 'quire-event-v1';

/** `prevHash` of a space's first event: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

export type UnhashedEvent = Omit<EventRow, 'hash'>;

/**
 * The exact bytes an event's hash covers: UTF-8 of the canonical JSON (see canonicalJson.ts) of the array
 * [EVENT_HASH_FORMAT, spaceId, seq, ts, actor, entityType, entityId, type, payload, prevHash].
 * An array, not an object, so field order is fixed by position and no field can be omitted.
 */
export function canonicalEventBytes(event: UnhashedEvent): Uint8Array {
  const fields = [
    EVENT_HASH_FORMAT,
    event.spaceId,
    event.seq,
    event.ts,
    event.actor,
    event.entityType,
    event.entityId,
    event.type,
    event.payload,
    event.prevHash,
  ];
  return new TextEncoder().encode(canonicalJson(fields));
}

/** Lower-case hex SHA-256 of canonicalEventBytes. Synchronous on purpose: an await on crypto.subtle
 * inside a Dexie transaction lets IndexedDB commit it before the event is written. */
export function hashEvent(event: UnhashedEvent): string {
  return toHex(digest(canonicalEventBytes(event)));
}

function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}
