/**
 * The relay's tables in PostgreSQL, created and migrated when a node starts, as numbered steps
 * (postgresMigrations.ts). Several nodes may start at once: PostgreSQL's `CREATE TABLE IF NOT EXISTS` is not
 * safe under concurrency (two sessions can both see "absent" and one then fails on the catalog's unique
 * index), and a migration must run once, so both run under a transaction-level advisory lock.
 *
 * Tables (all names prefixed `quire_`, so the relay can share a database with other applications):
 * - quire_schema(version): one row, the number of migration steps applied.
 * - quire_documents(name, state, updated_at): one row per Hocuspocus document (`<spaceId>/<docId>`); `state`
 *   is a Yjs update holding the whole stored document, only ever replaced by a merge with itself.
 * - quire_spaces(space_id, public_key, registered_at), quire_revocations(space_id, kind, id, revoked_at; kind
 *   'invite' | 'member', PK (space_id, kind, id)), quire_members(space_id, member_id, invite_id, role, name,
 *   first_seen_at, last_seen_at; member_id relay-derived, src/protocol/relayMemberId.ts; indexed by invite
 *   and by (first_seen_at, member_id) for the list's pages): the AccessStore.
 * - quire_space_seq(space_id, seq) and quire_changes(space_id, doc_id, seq): the ChangeIndex. A space's
 *   `seq` row is its counter; each document keeps only the sequence number of its latest store.
 * Times are milliseconds since the epoch (bigint), as the stores' interfaces give them.
 */
import type { Pool, PoolClient } from 'pg';
import { ErrorCode } from '../../src/core/errors.ts';
import { RelayError } from '../RelayError.ts';
import { POSTGRES_STEPS } from './postgresMigrations.ts';

/** The schema version this relay writes and reads: the number of migration steps. A node refuses a newer database. */
export const POSTGRES_SCHEMA_VERSION = POSTGRES_STEPS.length;
/** Advisory lock key serialising schema creation and migration across nodes (an arbitrary constant: "quire" in ASCII). */
const SCHEMA_LOCK_KEY = 0x7175697265;

/** Brings the database to POSTGRES_SCHEMA_VERSION (every missing step in one transaction), or throws version-too-new. */
export async function ensurePostgresSchema(pool: Pool, log: (line: string) => void = console.log): Promise<void> {
  const client: PoolClient = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY]);
    await client.query('CREATE TABLE IF NOT EXISTS quire_schema (version integer NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM quire_schema');
    const stored = rows[0]?.version;
    if (stored === undefined || stored < POSTGRES_SCHEMA_VERSION) {
      for (let v = stored ?? 0; v < POSTGRES_SCHEMA_VERSION; v++) await POSTGRES_STEPS[v]!(client, log);
      if (stored === undefined) await client.query('INSERT INTO quire_schema (version) VALUES ($1)', [POSTGRES_SCHEMA_VERSION]);
      else await client.query('UPDATE quire_schema SET version = $1', [POSTGRES_SCHEMA_VERSION]);
    }
    await client.query('COMMIT');
    if (stored !== undefined && stored > POSTGRES_SCHEMA_VERSION) {
      throw new RelayError(ErrorCode.VersionTooNew, `The relay database has schema version ${stored}; this relay knows up to ${POSTGRES_SCHEMA_VERSION}. Upgrade the relay.`);
    }
  } catch (e) {
    client.release(true); // the transaction may be half done: never hand this connection out again
    throw e;
  }
  client.release();
}
