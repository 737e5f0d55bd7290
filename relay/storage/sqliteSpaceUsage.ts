/**
 * SpaceUsage of a single-node relay: the bytes of a space's documents in Hocuspocus's SQLite table
 * (`documents(name, data)`, created by @hocuspocus/extension-sqlite in the relay's database file), read on
 * its own connection. The names `<spaceId>/…` are one range of the table's unique index on `name`
 * (BINARY collation: byte order), so the read touches the space's rows only; `length(data)` of a blob is
 * read from the row header, not the blob.
 */
import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type { SpaceUsage } from '../stores.ts';
import { spaceNameRange } from './spaceNameRange.ts';

export interface SqliteSpaceUsage extends SpaceUsage {
  close(): void;
}

export function sqliteSpaceUsage(file: string): SqliteSpaceUsage {
  const db = new Database(file);
  // Prepared on first use: the extension creates the table when the server is configured, after this opens.
  let sum: Statement<[string, string], { bytes: number }> | undefined;
  return {
    spaceBytes(spaceId) {
      sum ??= db.prepare<[string, string], { bytes: number }>('SELECT COALESCE(SUM(length(data)), 0) AS bytes FROM documents WHERE name >= ? AND name < ?');
      const { from, to } = spaceNameRange(spaceId);
      return Promise.resolve(sum.get(from, to)?.bytes ?? 0);
    },
    close: () => db.close(),
  };
}
