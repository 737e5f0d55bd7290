/**
 * The single-node engine's stores against the storage contract (relay/testing/storesContract.ts): the
 * AccessStore, ChangeIndex and SpaceUsage on SQLite files, with documents written by Hocuspocus's own SQLite
 * extension schema and query. (PostgreSQL runs the same contract in relay/cluster.test.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schema, upsertQuery } from '@hocuspocus/extension-sqlite';
import Database from 'better-sqlite3';
import { afterAll } from 'vitest';
import { ACCESS_DB_FILE, SqliteAccessStore } from './storage/sqliteAccessStore.ts';
import { sqliteChangeIndex } from './storage/sqliteChangeIndex.ts';
import { sqliteSpaceUsage } from './storage/sqliteSpaceUsage.ts';
import { RELAY_DB_FILE } from './server.ts';
import { runRelayStoresContract } from './testing/storesContract.ts';

const dir = mkdtempSync(join(tmpdir(), 'quire-stores-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runRelayStoresContract('SQLite', () => {
  const file = join(dir, RELAY_DB_FILE);
  // As the relay does: the document extension's connection creates its table; the stores open their own.
  const documents = new Database(file);
  documents.exec(schema);
  const upsert = documents.prepare(upsertQuery);
  const access = new SqliteAccessStore(join(dir, ACCESS_DB_FILE));
  const changes = sqliteChangeIndex(file);
  const usage = sqliteSpaceUsage(file);
  return Promise.resolve({
    access,
    changes,
    usage,
    storeDocument: (name: string, state: Uint8Array) => Promise.resolve(void upsert.run({ name, data: state })),
    close: () => {
      usage.close();
      changes.close();
      access.close();
      documents.close();
      return Promise.resolve();
    },
  });
});
