/**
 * The SQLite AccessStore's migration of an access file made by the first release (schema 1, one
 * revocation namespace, client-chosen member ids) holding the rows the owner-lockout attack left.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, test } from 'vitest';
import { ErrorCode } from '../../src/core/errors.ts';
import { relayMemberId } from '../../src/protocol/relayMemberId.ts';
import { SQLITE_ACCESS_SCHEMA_VERSION } from './sqliteAccessMigrations.ts';
import { SqliteAccessStore } from './sqliteAccessStore.ts';
import { SCHEMA_1_ATTACK, expectAttackMigrated } from './legacyRevocations.fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'quire-sqlite-access-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
const freshFile = () => join(dir, `access-${++files}.sqlite`);

/** Schema 1's tables, exactly as the first release's sqliteAccessStore.ts created them. */
const SCHEMA_1 = `
  CREATE TABLE IF NOT EXISTS spaces (space_id TEXT PRIMARY KEY, public_key TEXT NOT NULL, registered_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS revoked (space_id TEXT NOT NULL, id TEXT NOT NULL, revoked_at INTEGER NOT NULL, PRIMARY KEY (space_id, id));
  CREATE TABLE IF NOT EXISTS members (
    space_id TEXT NOT NULL, member_id TEXT NOT NULL, invite_id TEXT NOT NULL, role TEXT NOT NULL, name TEXT NOT NULL,
    first_seen_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL, PRIMARY KEY (space_id, member_id));
`;

describe('SQLite access schema migration', () => {
  test(`a schema-1 file with the lockout attack's rows: "owner" dropped, invites and members revoked apart, members re-keyed`, async () => {
    const file = freshFile();
    const old = new Database(file);
    old.exec(SCHEMA_1);
    const a = SCHEMA_1_ATTACK;
    old.prepare('INSERT INTO spaces VALUES (?, ?, ?)').run(a.spaceId, 'key', 1);
    for (const m of a.members) old.prepare('INSERT INTO members VALUES (?, ?, ?, ?, ?, ?, ?)').run(a.spaceId, m.memberId, m.inviteId, m.role, m.name, m.firstSeenAt, m.firstSeenAt);
    for (const id of a.revoked) old.prepare('INSERT INTO revoked VALUES (?, ?, ?)').run(a.spaceId, id, 50);
    old.close();

    const log: string[] = [];
    const store = new SqliteAccessStore(file, (line) => log.push(line));
    try {
      await expectAttackMigrated(store, log);
    } finally {
      store.close();
    }
    // Opening again runs nothing more.
    const again = new SqliteAccessStore(file, (line) => log.push(line));
    again.close();
    expect(log).toHaveLength(1);
    const db = new Database(file);
    expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_ACCESS_SCHEMA_VERSION);
    db.close();
  });

  test('a new file gets the latest schema', async () => {
    const store = new SqliteAccessStore(freshFile());
    await store.recordMember('s', { memberId: relayMemberId('i', 'd'), inviteId: 'i', role: 'editor', name: 'n', firstSeenAt: 1, lastSeenAt: 1 }, null);
    expect(await store.listMembers('s', { after: null, limit: 5 })).toHaveLength(1);
    store.close();
  });

  test('a file from a newer relay is refused with version-too-new', () => {
    const file = freshFile();
    const db = new Database(file);
    db.pragma(`user_version = ${SQLITE_ACCESS_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => new SqliteAccessStore(file)).toThrow(expect.objectContaining({ code: ErrorCode.VersionTooNew }) as Error);
  });
});
