/**
 * The relay's tables in PostgreSQL, created idempotently when a node starts. Several nodes may start at
 * once: PostgreSQL's `CREATE TABLE IF NOT EXISTS` is not safe under concurrency (two sessions can both see
 * "absent" and one then fails on the catalog's unique index), so creation runs under a transaction-level
 * advisory lock.
 *
 * Tables (all names prefixed `quire_`, so the relay can share a database with other applications):
 * - quire_schema(version): one row, the schema version that created the tables.
 * - quire_documents(name, state, updated_at): one row per Hocuspocus document (`<spaceId>/<docId>`); `state`
 *   is a Yjs update holding the whole stored document, only ever replaced by a merge with itself.
 * - quire_spaces(space_id, public_key, registered_at), quire_revocations(space_id, id, revoked_at),
 *   quire_members(space_id, member_id, invite_id, role, name, first_seen_at, last_seen_at): the AccessStore.
 * - quire_space_seq(space_id, seq) and quire_changes(space_id, doc_id, seq): the ChangeIndex. A space's
 *   `seq` row is its counter; each document keeps only the sequence number of its latest store.
 * Times are milliseconds since the epoch (bigint), as the stores' interfaces give them.
 */
import type { Pool, PoolClient } from 'pg';
import { ErrorCode } from '../../src/core/errors.ts';
import { RelayError } from '../RelayError.ts';

/** Bump when a table changes shape. A node refuses a database whose schema is newer than it knows. */
export const POSTGRES_SCHEMA_VERSION = 1;
/** Advisory lock key serialising schema creation across nodes (an arbitrary constant: "quire" in ASCII). */
const SCHEMA_LOCK_KEY = 0x7175697265;

const CREATE_TABLES = `
CREATE TABLE IF NOT EXISTS quire_schema (version integer NOT NULL);
CREATE TABLE IF NOT EXISTS quire_documents (
  name text PRIMARY KEY,
  state bytea NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS quire_spaces (
  space_id text PRIMARY KEY,
  public_key text NOT NULL,
  registered_at bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS quire_revocations (
  space_id text NOT NULL,
  id text NOT NULL,
  revoked_at bigint NOT NULL,
  PRIMARY KEY (space_id, id)
);
CREATE TABLE IF NOT EXISTS quire_members (
  space_id text NOT NULL,
  member_id text NOT NULL,
  invite_id text NOT NULL,
  role text NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
  name text NOT NULL,
  first_seen_at bigint NOT NULL,
  last_seen_at bigint NOT NULL,
  PRIMARY KEY (space_id, member_id)
);
CREATE TABLE IF NOT EXISTS quire_space_seq (
  space_id text PRIMARY KEY,
  seq bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS quire_changes (
  space_id text NOT NULL,
  doc_id text NOT NULL,
  seq bigint NOT NULL,
  PRIMARY KEY (space_id, doc_id)
);
CREATE INDEX IF NOT EXISTS quire_changes_by_seq ON quire_changes (space_id, seq);
`;

export async function ensurePostgresSchema(pool: Pool): Promise<void> {
  const client: PoolClient = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY]);
    await client.query(CREATE_TABLES);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM quire_schema');
    const stored = rows[0]?.version;
    if (stored === undefined) await client.query('INSERT INTO quire_schema (version) VALUES ($1)', [POSTGRES_SCHEMA_VERSION]);
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
