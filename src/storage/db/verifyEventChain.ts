import { GENESIS_HASH, hashEvent } from './eventHash.ts';
import type { QuireDatabase } from './QuireDatabase.ts';
import type { EventRow } from './rows.ts';
import { spaceKeyRange } from './spaceKeyRange.ts';
import { fromDexieError } from '../../core/persistence/fromDexieError.ts';

export type ChainBreak =
  /** seq is not the previous seq + 1 (an event was removed, or the first is not 1). */
  | 'seq-gap'
  /** prevHash is not the previous event's hash (an event was replaced or reordered). */
  | 'prev-hash-mismatch'
  /** The stored hash is not the hash of the stored fields (the event was edited). */
  | 'hash-mismatch'
  /** The event cannot be encoded (a payload that is not JSON). */
  | 'malformed';

export type ChainVerification =
  | { ok: true; count: number; headHash: string }
  | { ok: false; count: number; brokenSeq: number; reason: ChainBreak; message: string };

/**
 * Verifies one space's hash chain, in seq order, in one read-only transaction. Stops at the first break:
 * `brokenSeq` is the first event that does not verify, `count` how many before it did.
 */
export async function verifyEventChain(db: QuireDatabase, spaceId: string): Promise<ChainVerification> {
  const [lower, upper] = spaceKeyRange(spaceId);
  let count = 0;
  let prevSeq = 0;
  let prevHash = GENESIS_HASH;
  // A holder, not a `let`: TypeScript does not see assignments made inside the callbacks below.
  const result: { broken: Extract<ChainVerification, { ok: false }> | null } = { broken: null };
  const check = (event: EventRow): void => {
    const fail = (reason: ChainBreak, message: string): void => {
      result.broken = { ok: false, count, brokenSeq: event.seq, reason, message: `space ${spaceId}, event ${event.seq}: ${message}` };
    };
    if (event.seq !== prevSeq + 1) return fail('seq-gap', `expected seq ${prevSeq + 1}`);
    if (event.prevHash !== prevHash) return fail('prev-hash-mismatch', 'prevHash is not the previous event hash');
    let expected: string;
    try {
      const { hash: _stored, ...unhashed } = event;
      expected = hashEvent(unhashed);
    } catch (e) {
      return fail('malformed', e instanceof Error ? e.message : String(e));
    }
    if (expected !== event.hash) return fail('hash-mismatch', 'stored hash does not match its fields');
    count++;
    prevSeq = event.seq;
    prevHash = event.hash;
  };
  try {
    await db.transaction('r', db.events, () =>
      db.events
        .where('[spaceId+seq]')
        .between(lower, upper, true, true)
        .until(() => result.broken !== null)
        .each(check),
    );
  } catch (e) {
    throw fromDexieError(e, { action: `verify the event log of space ${spaceId}` });
  }
  return result.broken ?? { ok: true, count, headHash: prevHash };
}
