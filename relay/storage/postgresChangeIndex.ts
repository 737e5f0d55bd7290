/**
 * ChangeIndex in PostgreSQL (tables quire_space_seq and quire_changes, see postgresSchema.ts).
 *
 * Each store takes the next number of its space's counter row with an upsert; the row stays locked until
 * the transaction commits, so numbers of one space are handed out and committed in order across all nodes:
 * a reader that sees number n also sees every store numbered below n. Each document keeps only its latest
 * number, so `changesSince` lists a document once however often it was stored.
 */
import type { Pool, PoolClient } from 'pg';
import type { ChangeIndex } from '../stores.ts';
import { postgresOperation } from './postgresFailure.ts';

/** Records a store of `docId` inside the caller's transaction; returns the space's new sequence number. */
export async function recordChange(client: Pick<PoolClient, 'query'>, spaceId: string, docId: string): Promise<number> {
  const { rows } = await client.query<{ seq: string }>(
    `WITH next AS (
       INSERT INTO quire_space_seq (space_id, seq) VALUES ($1, 1)
       ON CONFLICT (space_id) DO UPDATE SET seq = quire_space_seq.seq + 1
       RETURNING seq
     )
     INSERT INTO quire_changes (space_id, doc_id, seq) SELECT $1, $2, seq FROM next
     ON CONFLICT (space_id, doc_id) DO UPDATE SET seq = EXCLUDED.seq
     RETURNING seq`,
    [spaceId, docId],
  );
  return Number(rows[0]!.seq);
}

export function postgresChangeIndex(pool: Pool): ChangeIndex {
  return {
    recordStored: (spaceId, docId) => postgresOperation(`recording a store of ${spaceId}/${docId}`, () => recordChange(pool, spaceId, docId)),
    changesSince: (spaceId, since) =>
      postgresOperation(`listing changes of ${spaceId}`, async () => {
        // One statement, one snapshot: the latest number and the documents agree with each other.
        const { rows } = await pool.query<{ seq: string | null; doc_ids: string[] }>(
          `SELECT (SELECT seq FROM quire_space_seq WHERE space_id = $1) AS seq,
                  ARRAY(SELECT doc_id FROM quire_changes WHERE space_id = $1 AND seq > $2 ORDER BY seq) AS doc_ids`,
          [spaceId, since],
        );
        return { seq: Number(rows[0]?.seq ?? 0), docIds: rows[0]?.doc_ids ?? [] };
      }),
  };
}
