/**
 * The SQLite access file's schema, as numbered steps. `PRAGMA user_version` holds the number of steps
 * applied (0 for a new file, and for files made before the steps existed, whose tables are exactly step 1's).
 * On open, the missing steps run in one transaction with the version bump: a crash leaves the old schema.
 * A file with a higher version than this relay knows is refused (version-too-new).
 *
 * A released step is never edited: a schema change adds a step at the end.
 *
 * Schema after the last step:
 * - spaces(space_id PK, public_key, registered_at)
 * - revocations(space_id, kind 'invite' | 'member', id, revoked_at; PK (space_id, kind, id))
 * - members(space_id, member_id (relay-derived, relayMemberId.ts), invite_id, role, name, first_seen_at,
 *   last_seen_at; PK (space_id, member_id)), indexed by (space_id, invite_id) for the per-invite cap and by
 *   (space_id, first_seen_at, member_id) for the list's pages.
 */
import type Database from 'better-sqlite3';
import { ErrorCode } from '../../src/core/errors.ts';
import { relayMemberId } from '../../src/protocol/relayMemberId.ts';
import { RelayError } from '../RelayError.ts';
import { droppedOwnerNotice, splitLegacyRevocations } from './legacyRevocations.ts';
import type { LegacyMember, LegacyRevocation } from './legacyRevocations.ts';

type Step = (db: Database.Database, log: (line: string) => void) => void;

/** Step 1 (schema of the first release): one revocation namespace, client-chosen member ids. */
const step1Tables: Step = (db) => {
  db.exec(`
    CREATE TABLE IF NOT EXISTS spaces (space_id TEXT PRIMARY KEY, public_key TEXT NOT NULL, registered_at INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS revoked (space_id TEXT NOT NULL, id TEXT NOT NULL, revoked_at INTEGER NOT NULL, PRIMARY KEY (space_id, id));
    CREATE TABLE IF NOT EXISTS members (
      space_id TEXT NOT NULL, member_id TEXT NOT NULL, invite_id TEXT NOT NULL, role TEXT NOT NULL, name TEXT NOT NULL,
      first_seen_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL, PRIMARY KEY (space_id, member_id));
  `);
};

/** Step 2: invite and member revocations apart, members under relay-derived ids (legacyRevocations.ts). */
const step2SeparateNamespaces: Step = (db, log) => {
  const old = db.prepare<[], { space_id: string; id: string; revoked_at: number }>('SELECT space_id, id, revoked_at FROM revoked').all();
  const members = db.prepare<[], { space_id: string; member_id: string; invite_id: string }>('SELECT space_id, member_id, invite_id FROM members').all();
  const legacyRevocations: LegacyRevocation[] = old.map((r) => ({ spaceId: r.space_id, id: r.id, revokedAt: r.revoked_at }));
  const legacyMembers: LegacyMember[] = members.map((m) => ({ spaceId: m.space_id, memberId: m.member_id, inviteId: m.invite_id }));
  const { revocations, droppedOwner } = splitLegacyRevocations(legacyRevocations, legacyMembers);

  db.exec(`CREATE TABLE revocations (
    space_id TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('invite', 'member')), id TEXT NOT NULL, revoked_at INTEGER NOT NULL,
    PRIMARY KEY (space_id, kind, id))`);
  const insert = db.prepare('INSERT OR IGNORE INTO revocations (space_id, kind, id, revoked_at) VALUES (?, ?, ?, ?)');
  for (const r of revocations) insert.run(r.spaceId, r.kind, r.id, r.revokedAt);
  db.exec('DROP TABLE revoked');

  // Derived ids contain '.', which no old (base64url) id does: no re-keyed row meets an old one.
  const rekey = db.prepare('UPDATE members SET member_id = ? WHERE space_id = ? AND member_id = ?');
  for (const m of legacyMembers) rekey.run(relayMemberId(m.inviteId, m.memberId), m.spaceId, m.memberId);
  db.exec(`
    CREATE INDEX members_by_invite ON members (space_id, invite_id);
    CREATE INDEX members_by_join ON members (space_id, first_seen_at, member_id);
  `);
  const notice = droppedOwnerNotice('SQLite', droppedOwner);
  if (notice) log(notice);
};

/** Every step, in order; the schema version is the number of steps applied. */
const STEPS: readonly Step[] = [step1Tables, step2SeparateNamespaces];
/** The access file's schema version this relay writes and reads. */
export const SQLITE_ACCESS_SCHEMA_VERSION = STEPS.length;

/** Brings the file to SQLITE_ACCESS_SCHEMA_VERSION, or throws RelayError version-too-new. */
export function migrateSqliteAccess(db: Database.Database, log: (line: string) => void = console.log): void {
  const migrate = db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SQLITE_ACCESS_SCHEMA_VERSION) {
      throw new RelayError(ErrorCode.VersionTooNew, `The relay's access file has schema version ${version}; this relay knows up to ${SQLITE_ACCESS_SCHEMA_VERSION}. Upgrade the relay.`);
    }
    for (let v = version; v < SQLITE_ACCESS_SCHEMA_VERSION; v++) STEPS[v]!(db, log);
    if (version !== SQLITE_ACCESS_SCHEMA_VERSION) db.pragma(`user_version = ${SQLITE_ACCESS_SCHEMA_VERSION}`);
  });
  migrate.immediate();
}
