import { GENESIS_HASH, hashEvent } from './eventHash.ts';
import type { QuireDatabase } from './QuireDatabase.ts';
import type { EventActor, EventEntityType, EventRow, EventType, JsonObject } from './rows.ts';
import { spaceKeyRange } from './spaceKeyRange.ts';

/** What a writer says about an event; the log adds seq, ts, actor and the hash chain. */
export interface EventDraft {
  entityType: EventEntityType;
  entityId: string;
  type: EventType;
  payload: JsonObject;
}

/**
 * Appends events to one space's log, continuing its hash chain. MUST run inside a Dexie 'rw' transaction
 * over `events` (the caller's, together with the projection writes): reading the head and writing after it
 * is then atomic, because IndexedDB runs overlapping rw transactions one at a time, across tabs too.
 */
export async function appendEvents(
  db: QuireDatabase,
  spaceId: string,
  actor: EventActor,
  ts: number,
  drafts: readonly EventDraft[],
): Promise<EventRow[]> {
  if (drafts.length === 0) return [];
  const [lower, upper] = spaceKeyRange(spaceId);
  const head = await db.events.where('[spaceId+seq]').between(lower, upper, true, true).last();
  let seq = head?.seq ?? 0;
  let prevHash = head?.hash ?? GENESIS_HASH;
  const rows = drafts.map((draft): EventRow => {
    const unhashed = { spaceId, seq: ++seq, ts, actor, ...draft, prevHash };
    const hash = hashEvent(unhashed);
    prevHash = hash;
    return { ...unhashed, hash };
  });
  await db.events.bulkAdd(rows);
  return rows;
}
