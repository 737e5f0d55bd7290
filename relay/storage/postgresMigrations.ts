/**
 * The PostgreSQL schema as numbered steps (the runner, its lock and the resulting tables: postgresSchema.ts).
 * Step n takes a database from schema version n-1 to n; all the missing steps run in one transaction under
 * the schema lock, with the version bump. A released step is never edited: a schema change adds a step.
 */
import type { PoolClient } from 'pg';
import { relayMemberId } from '../../src/protocol/relayMemberId.ts';
import { droppedOwnerNotice, splitLegacyRevocations } from './legacyRevocations.ts';
import type { LegacyMember } from './legacyRevocations.ts';

export type PostgresStep = (client: PoolClient, log: (line: string) => void) => Promise<void>;

/** Step 1 (schema of the first release): one revocation namespace, client-chosen member ids. */
const step1Tables: PostgresStep = async (client) => {
  await client.query(`
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
`);
};

/** Step 2: invite and member revocations apart (a `kind` column), members under relay-derived ids (legacyRevocations.ts). */
const step2SeparateNamespaces: PostgresStep = async (client, log) => {
  const old = await client.query<{ space_id: string; id: string; revoked_at: string }>('SELECT space_id, id, revoked_at FROM quire_revocations');
  const members = await client.query<{ space_id: string; member_id: string; invite_id: string }>('SELECT space_id, member_id, invite_id FROM quire_members');
  const legacyMembers: LegacyMember[] = members.rows.map((m) => ({ spaceId: m.space_id, memberId: m.member_id, inviteId: m.invite_id }));
  const { revocations, droppedOwner } = splitLegacyRevocations(
    old.rows.map((r) => ({ spaceId: r.space_id, id: r.id, revokedAt: Number(r.revoked_at) })),
    legacyMembers,
  );

  await client.query(`
DELETE FROM quire_revocations;
ALTER TABLE quire_revocations DROP CONSTRAINT quire_revocations_pkey;
ALTER TABLE quire_revocations ADD COLUMN kind text NOT NULL CHECK (kind IN ('invite', 'member'));
ALTER TABLE quire_revocations ADD PRIMARY KEY (space_id, kind, id);
`);
  // Whole columns in one statement each: a relay with many rows migrates in a few round trips.
  await client.query(
    `INSERT INTO quire_revocations (space_id, kind, id, revoked_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
     ON CONFLICT DO NOTHING`,
    [revocations.map((r) => r.spaceId), revocations.map((r) => r.kind), revocations.map((r) => r.id), revocations.map((r) => r.revokedAt)],
  );
  // Derived ids contain '.', which no old (base64url) id does: no re-keyed row meets an old one.
  await client.query(
    `UPDATE quire_members m SET member_id = u.derived FROM unnest($1::text[], $2::text[], $3::text[]) AS u(space_id, old_id, derived)
     WHERE m.space_id = u.space_id AND m.member_id = u.old_id`,
    [legacyMembers.map((m) => m.spaceId), legacyMembers.map((m) => m.memberId), legacyMembers.map((m) => relayMemberId(m.inviteId, m.memberId))],
  );
  await client.query(`
CREATE INDEX quire_members_by_invite ON quire_members (space_id, invite_id);
CREATE INDEX quire_members_by_join ON quire_members (space_id, first_seen_at, member_id);
`);
  const notice = droppedOwnerNotice('PostgreSQL', droppedOwner);
  if (notice) log(notice);
};

/** Every step, in order; the schema version is the number of steps applied. */
export const POSTGRES_STEPS: readonly PostgresStep[] = [step1Tables, step2SeparateNamespaces];
