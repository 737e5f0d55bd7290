/**
 * Hocuspocus documents in PostgreSQL (table quire_documents, see postgresSchema.ts), merged on write.
 *
 * Why merge: every node stores a whole snapshot of its in-memory copy (`Y.encodeStateAsUpdate`). Redis
 * fan-out is best effort and its store lock expires, so node A's snapshot can lack an update node B already
 * stored; writing it as is would put an older state over a newer one. Instead each store reads the stored
 * state under a row lock (`SELECT … FOR UPDATE`) and writes `Y.mergeUpdates([stored, incoming])`, the CRDT
 * union, in the same transaction: a store can add to the row, never take anything away.
 *
 * The same transaction records the store in the ChangeIndex (for names `<spaceId>/<docId>`), so a document
 * is never stored without being listed as changed, whatever crashes in between.
 */
import type { Pool, PoolClient } from 'pg';
import * as Y from 'yjs';
import { ErrorCode, UpdateRejectedError } from '../../src/core/errors.ts';
import { checkUpdateShape } from '../../src/core/guard/UpdateGuard.ts';
import { RelayError } from '../RelayError.ts';
import { recordChange } from './postgresChangeIndex.ts';
import { postgresOperation } from './postgresFailure.ts';
import { spaceNameRange } from './spaceNameRange.ts';

/** Space and document of a relay document name (`<spaceId>/<docId>`), or null for any other name. */
export function splitDocumentName(name: string): { spaceId: string; docId: string } | null {
  const slash = name.indexOf('/');
  if (slash <= 0 || slash === name.length - 1) return null;
  return { spaceId: name.slice(0, slash), docId: name.slice(slash + 1) };
}

/** Stored bytes pass the same shape check as updates from clients before Hocuspocus applies them. */
function checkStored(name: string, state: Uint8Array): Uint8Array {
  try {
    checkUpdateShape(state, { source: 'postgres', docId: name });
  } catch (cause) {
    if (!(cause instanceof UpdateRejectedError)) throw cause;
    throw new RelayError(ErrorCode.CorruptData, `The stored state of ${name} in PostgreSQL is not a Yjs update: ${cause.message}`, { cause });
  }
  return state;
}

export function fetchDocumentState(pool: Pool, name: string): Promise<Uint8Array | null> {
  return postgresOperation(`loading ${name}`, async () => {
    const { rows } = await pool.query<{ state: Buffer }>('SELECT state FROM quire_documents WHERE name = $1', [name]);
    const state = rows[0]?.state;
    return state ? checkStored(name, new Uint8Array(state)) : null;
  });
}

/**
 * Bytes stored for the space's documents (SpaceUsage). The range is compared in byte order (`COLLATE "C"`)
 * whatever the database's collation, where '/' and '0' may not sort by code point; the primary key's index
 * serves the range when the database's collation is C, else this scans the table (once per space and node,
 * see relay/quotaExtension.ts).
 */
export function spaceDocumentBytes(pool: Pool, spaceId: string): Promise<number> {
  const { from, to } = spaceNameRange(spaceId);
  return postgresOperation(`measuring space ${spaceId}`, async () => {
    const { rows } = await pool.query<{ bytes: string }>('SELECT COALESCE(SUM(octet_length(state)), 0)::bigint AS bytes FROM quire_documents WHERE name COLLATE "C" >= $1 AND name COLLATE "C" < $2', [from, to]);
    return Number(rows[0]?.bytes ?? 0);
  });
}

/** Merges `state` into the stored document; resolves 'unchanged' when the merge added nothing to it. */
export function storeDocumentState(pool: Pool, name: string, state: Uint8Array): Promise<'stored' | 'unchanged'> {
  return postgresOperation(`storing ${name}`, async () => {
    const client: PoolClient = await pool.connect();
    try {
      await client.query('BEGIN');
      const outcome = await mergeInto(client, name, state);
      const split = splitDocumentName(name);
      if (outcome === 'stored' && split) await recordChange(client, split.spaceId, split.docId);
      await client.query('COMMIT');
      client.release();
      return outcome;
    } catch (e) {
      client.release(true); // the transaction is abandoned with its connection: PostgreSQL rolls it back
      throw e;
    }
  });
}

async function mergeInto(client: PoolClient, name: string, state: Uint8Array): Promise<'stored' | 'unchanged'> {
  // First store of this name: insert. A concurrent first store from another node makes this wait for it,
  // then do nothing, and the merge below sees its row.
  const inserted = await client.query('INSERT INTO quire_documents (name, state) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, state]);
  if (inserted.rowCount === 1) return 'stored';
  const { rows } = await client.query<{ state: Buffer }>('SELECT state FROM quire_documents WHERE name = $1 FOR UPDATE', [name]);
  const stored = checkStored(name, new Uint8Array(rows[0]!.state));
  const merged = Y.mergeUpdates([stored, state]);
  // Byte equality is a cheap, conservative "nothing new": a merge that adds nothing usually re-encodes to
  // the same bytes; when it does not, the row is rewritten with the same content, which is harmless.
  if (Buffer.compare(merged, stored) === 0) return 'unchanged';
  await client.query('UPDATE quire_documents SET state = $2, updated_at = now() WHERE name = $1', [name, merged]);
  return 'stored';
}
