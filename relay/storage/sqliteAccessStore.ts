/**
 * AccessStore on better-sqlite3 for a single relay node: a file of its own (`access.sqlite` in the data
 * directory), so Hocuspocus's document database stays exactly what extension-sqlite made it. WAL mode:
 * a reader never waits for a writer, and a committed row survives a crash of the process.
 */
import Database from 'better-sqlite3';
import type { AccessStore, Member, Role, SpaceAccess } from '../stores.ts';

/** The access file inside the relay's data directory. */
export const ACCESS_DB_FILE = 'access.sqlite';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS spaces (space_id TEXT PRIMARY KEY, public_key TEXT NOT NULL, registered_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS revoked (space_id TEXT NOT NULL, id TEXT NOT NULL, revoked_at INTEGER NOT NULL, PRIMARY KEY (space_id, id));
  CREATE TABLE IF NOT EXISTS members (
    space_id TEXT NOT NULL, member_id TEXT NOT NULL, invite_id TEXT NOT NULL, role TEXT NOT NULL, name TEXT NOT NULL,
    first_seen_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL, PRIMARY KEY (space_id, member_id));
`;

interface SpaceRow { space_id: string; public_key: string; registered_at: number }
interface MemberRow { member_id: string; invite_id: string; role: Role; name: string; first_seen_at: number; last_seen_at: number }

export class SqliteAccessStore implements AccessStore {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(SCHEMA);
    this.statements = {
      getSpace: this.db.prepare<[string], SpaceRow>('SELECT space_id, public_key, registered_at FROM spaces WHERE space_id = ?'),
      register: this.db.prepare('INSERT OR IGNORE INTO spaces (space_id, public_key, registered_at) VALUES (?, ?, ?)'),
      revoke: this.db.prepare('INSERT OR IGNORE INTO revoked (space_id, id, revoked_at) VALUES (?, ?, ?)'),
      isRevoked: this.db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM revoked WHERE space_id = ? AND id = ?'),
      // A later connection of the same member refreshes its name, last-seen time and the invite it came with.
      record: this.db.prepare(`INSERT INTO members (space_id, member_id, invite_id, role, name, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (space_id, member_id) DO UPDATE SET name = excluded.name, last_seen_at = MAX(last_seen_at, excluded.last_seen_at),
        invite_id = excluded.invite_id, role = excluded.role`),
      list: this.db.prepare<[string], MemberRow>('SELECT member_id, invite_id, role, name, first_seen_at, last_seen_at FROM members WHERE space_id = ? ORDER BY last_seen_at DESC'),
    };
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

  revoke(spaceId: string, id: string, at: number): Promise<void> {
    this.statements.revoke.run(spaceId, id, at);
    return Promise.resolve();
  }

  isRevoked(spaceId: string, id: string): Promise<boolean> {
    return Promise.resolve(this.statements.isRevoked.get(spaceId, id) !== undefined);
  }

  recordMember(spaceId: string, m: Member): Promise<void> {
    this.statements.record.run(spaceId, m.memberId, m.inviteId, m.role, m.name, m.firstSeenAt, m.lastSeenAt);
    return Promise.resolve();
  }

  listMembers(spaceId: string): Promise<Member[]> {
    return Promise.resolve(
      this.statements.list.all(spaceId).map((r) => ({ memberId: r.member_id, inviteId: r.invite_id, role: r.role, name: r.name, firstSeenAt: r.first_seen_at, lastSeenAt: r.last_seen_at })),
    );
  }

  close(): void {
    this.db.close();
  }
}
