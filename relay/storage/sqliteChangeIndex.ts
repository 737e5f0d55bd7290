/**
 * The ChangeIndex of a single-node relay, in SQLite (its own connection to the relay's database file).
 *
 * Per space, a sequence number that grows by one per recorded store, and per document the sequence of its
 * latest store: "what changed since N" is one indexed range read, and its answer grows with the number of
 * documents changed, not with the size of the space.
 */
import Database from 'better-sqlite3';
import type { ChangeIndex } from '../stores.ts';

/** Bounds how long a write waits for the database lock held by the document store (same file). */
export const CHANGE_INDEX_BUSY_TIMEOUT_MS = 5_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS quire_change_seq (space_id TEXT PRIMARY KEY, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS quire_changes (
  space_id TEXT NOT NULL, doc_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (space_id, doc_id)
);
CREATE INDEX IF NOT EXISTS quire_changes_by_seq ON quire_changes (space_id, seq);
`;

export interface SqliteChangeIndex extends ChangeIndex {
  close(): void;
}

export function sqliteChangeIndex(file: string): SqliteChangeIndex {
  const db = new Database(file);
  db.pragma(`busy_timeout = ${CHANGE_INDEX_BUSY_TIMEOUT_MS}`);
  db.exec(SCHEMA);
  const bump = db.prepare('INSERT INTO quire_change_seq (space_id, seq) VALUES (?, 1) ON CONFLICT (space_id) DO UPDATE SET seq = seq + 1 RETURNING seq');
  const mark = db.prepare('INSERT INTO quire_changes (space_id, doc_id, seq) VALUES (?, ?, ?) ON CONFLICT (space_id, doc_id) DO UPDATE SET seq = excluded.seq');
  const head = db.prepare('SELECT seq FROM quire_change_seq WHERE space_id = ?');
  const since = db.prepare('SELECT doc_id FROM quire_changes WHERE space_id = ? AND seq > ? ORDER BY seq');
  const record = db.transaction((spaceId: string, docId: string): number => {
    const { seq } = bump.get(spaceId) as { seq: number };
    mark.run(spaceId, docId, seq);
    return seq;
  });
  const read = db.transaction((spaceId: string, after: number) => {
    const row = head.get(spaceId) as { seq: number } | undefined;
    const docIds = (since.all(spaceId, after) as { doc_id: string }[]).map((r) => r.doc_id);
    return { seq: row?.seq ?? 0, docIds };
  });
  return {
    recordStored: (spaceId, docId) => Promise.resolve(record(spaceId, docId)),
    changesSince: (spaceId, after) => Promise.resolve(read(spaceId, after)),
    close: () => db.close(),
  };
}
