/**
 * AccessStore on better-sqlite3 for a single relay node: a file of its own (`access.sqlite` in the data
 * directory), so Hocuspocus's document database stays exactly what extension-sqlite made it. WAL mode:
 * a reader never waits for a writer, and a committed row survives a crash of the process. Tables and their
 * numbered migrations: sqliteAccessMigrations.ts.
 */
import Database from 'better-sqlite3';
import type { AccessStore, Member, MemberCaps, MemberCursor, RecordMemberResult, RevocationKind, Role, SpaceAccess } from '../stores.ts';
import { migrateSqliteAccess } from './sqliteAccessMigrations.ts';

/** The access file inside the relay's data directory. */
export const ACCESS_DB_FILE = 'access.sqlite';

interface SpaceRow { space_id: string; public_key: string; registered_at: number }
interface MemberRow { member_id: string; invite_id: string; role: Role; name: string; first_seen_at: number; last_seen_at: number }

const MEMBER_COLUMNS = 'member_id, invite_id, role, name, first_seen_at, last_seen_at';
const toMember = (r: MemberRow): Member => ({ memberId: r.member_id, inviteId: r.invite_id, role: r.role, name: r.name, firstSeenAt: r.first_seen_at, lastSeenAt: r.last_seen_at });

export class SqliteAccessStore implements AccessStore {
  private readonly db: Database.Database;
  private readonly statements;
  private readonly recordNew: (spaceId: string, m: Member, caps: MemberCaps | null) => RecordMemberResult;

  constructor(file: string, log?: (line: string) => void) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    migrateSqliteAccess(this.db, log);
    this.statements = {
      getSpace: this.db.prepare<[string], SpaceRow>('SELECT space_id, public_key, registered_at FROM spaces WHERE space_id = ?'),
      register: this.db.prepare('INSERT OR IGNORE INTO spaces (space_id, public_key, registered_at) VALUES (?, ?, ?)'),
      revoke: this.db.prepare('INSERT OR IGNORE INTO revocations (space_id, kind, id, revoked_at) VALUES (?, ?, ?, ?)'),
      isRevoked: this.db.prepare<[string, RevocationKind, string], { one: number }>('SELECT 1 AS one FROM revocations WHERE space_id = ? AND kind = ? AND id = ?'),
      // A known member's later connection refreshes its name and last-seen time; its invite and role are its id's.
      refresh: this.db.prepare('UPDATE members SET name = ?, last_seen_at = MAX(last_seen_at, ?) WHERE space_id = ? AND member_id = ?'),
      insert: this.db.prepare(`INSERT INTO members (space_id, ${MEMBER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`),
      countInvite: this.db.prepare<[string, string], { n: number }>('SELECT count(*) AS n FROM members WHERE space_id = ? AND invite_id = ?'),
      countSpace: this.db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM members m WHERE m.space_id = ?
        AND NOT EXISTS (SELECT 1 FROM revocations r WHERE r.space_id = m.space_id AND r.kind = 'invite' AND r.id = m.invite_id)`),
      get: this.db.prepare<[string, string], MemberRow>(`SELECT ${MEMBER_COLUMNS} FROM members WHERE space_id = ? AND member_id = ?`),
      first: this.db.prepare<[string, number], MemberRow>(`SELECT ${MEMBER_COLUMNS} FROM members WHERE space_id = ? ORDER BY first_seen_at DESC, member_id DESC LIMIT ?`),
      // A row-value comparison: SQLite seeks members_by_join to the cursor instead of scanning the space.
      after: this.db.prepare<[string, number, string, number], MemberRow>(`SELECT ${MEMBER_COLUMNS} FROM members WHERE space_id = ?
        AND (first_seen_at, member_id) < (?, ?) ORDER BY first_seen_at DESC, member_id DESC LIMIT ?`),
    };
    const s = this.statements;
    // better-sqlite3 is synchronous: the count and the insert are one transaction no other write interleaves.
    this.recordNew = this.db.transaction((spaceId: string, m: Member, caps: MemberCaps | null): RecordMemberResult => {
      if (s.refresh.run(m.name, m.lastSeenAt, spaceId, m.memberId).changes === 1) return 'recorded';
      if (caps !== null) {
        if (s.countInvite.get(spaceId, m.inviteId)!.n >= caps.perInvite) return 'invite-full';
        if (s.countSpace.get(spaceId)!.n >= caps.perSpace) return 'space-full';
      }
      s.insert.run(spaceId, m.memberId, m.inviteId, m.role, m.name, m.firstSeenAt, m.lastSeenAt);
      return 'recorded';
    });
  }

  getSpace(spaceId: string): Promise<SpaceAccess | null> {
    const row = this.statements.getSpace.get(spaceId);
    return Promise.resolve(row ? { spaceId: row.space_id, publicKey: row.public_key, registeredAt: row.registered_at } : null);
  }

  async registerSpace(spaceId: string, publicKey: string, at: number): Promise<SpaceAccess> {
    // INSERT OR IGNORE is the race arbiter: two first connections both resolve with the one stored row.
    this.statements.register.run(spaceId, publicKey, at);
    const stored = await this.getSpace(spaceId);
    if (!stored) throw new Error(`space ${spaceId} vanished right after it was registered`);
    return stored;
  }

  revoke(spaceId: string, kind: RevocationKind, id: string, at: number): Promise<void> {
    this.statements.revoke.run(spaceId, kind, id, at);
    return Promise.resolve();
  }

  isRevoked(spaceId: string, kind: RevocationKind, id: string): Promise<boolean> {
    return Promise.resolve(this.statements.isRevoked.get(spaceId, kind, id) !== undefined);
  }

  recordMember(spaceId: string, member: Member, caps: MemberCaps | null): Promise<RecordMemberResult> {
    return Promise.resolve(this.recordNew(spaceId, member, caps));
  }

  getMember(spaceId: string, memberId: string): Promise<Member | null> {
    const row = this.statements.get.get(spaceId, memberId);
    return Promise.resolve(row ? toMember(row) : null);
  }

  listMembers(spaceId: string, { after, limit }: { after: MemberCursor | null; limit: number }): Promise<Member[]> {
    const rows = after === null ? this.statements.first.all(spaceId, limit) : this.statements.after.all(spaceId, after.firstSeenAt, after.memberId, limit);
    return Promise.resolve(rows.map(toMember));
  }

  close(): void {
    this.db.close();
  }
}
