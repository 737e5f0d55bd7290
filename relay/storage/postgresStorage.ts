/**
 * The PostgreSQL engine for several relay nodes sharing one database: Hocuspocus's database extension
 * (`@hocuspocus/extension-database`) with merge-on-write stores (postgresDocuments.ts), and Quire's
 * AccessStore and ChangeIndex as tables. The schema is created at start (postgresSchema.ts).
 */
import { Database } from '@hocuspocus/extension-database';
import pg from 'pg';
import { ErrorCode } from '../../src/core/errors.ts';
import { RelayError } from '../RelayError.ts';
import type { RelayStorage } from '../stores.ts';
import { postgresAccessStore } from './postgresAccessStore.ts';
import { postgresChangeIndex } from './postgresChangeIndex.ts';
import { fetchDocumentState, spaceDocumentBytes, storeDocumentState } from './postgresDocuments.ts';
import { postgresOperation } from './postgresFailure.ts';
import { ensurePostgresSchema } from './postgresSchema.ts';

/** Connections per node: stores of different documents run in parallel, a few at a time. */
export const POSTGRES_POOL_SIZE = 8;
/** A node that cannot reach PostgreSQL fails its start (or that one operation) after this long. */
export const POSTGRES_CONNECT_TIMEOUT_MS = 5_000;
/**
 * One statement may take this long before the driver gives up on it: a store stuck behind a lock or a
 * stalled server fails (the document stays in memory, no acknowledgement) instead of hanging, which would
 * also hang a graceful shutdown.
 */
export const POSTGRES_QUERY_TIMEOUT_MS = 15_000;

export interface PostgresStorageOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  poolSize?: number;
}

/** The URL without its password, for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export async function openPostgresStorage(options: PostgresStorageOptions): Promise<RelayStorage> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? POSTGRES_POOL_SIZE,
    connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS,
    query_timeout: POSTGRES_QUERY_TIMEOUT_MS,
    application_name: 'quire-relay',
  });
  // An idle connection the server drops (a restart, a failover) is reported here and removed from the pool;
  // without a listener Node would treat the event as an uncaught error and exit. The next query reconnects.
  pool.on('error', (e) => console.error(`Quire relay: PostgreSQL connection lost (${e.message}); reconnecting on next use`));
  try {
    await postgresOperation(`connecting to ${redactUrl(options.url)}`, () => ensurePostgresSchema(pool));
  } catch (e) {
    await pool.end().catch(() => undefined); // the start failed: the pool's own error is not the news
    throw e;
  }

  const extension = new Database({
    fetch: ({ documentName }) => fetchDocumentState(pool, documentName),
    store: async ({ documentName, state }) => void (await storeDocumentState(pool, documentName, state)),
  });
  let closed: Promise<void> | undefined;
  return {
    extension,
    access: postgresAccessStore(pool),
    changes: postgresChangeIndex(pool),
    usage: { spaceBytes: (spaceId) => spaceDocumentBytes(pool, spaceId) },
    close: () =>
      (closed ??= pool.end().catch((cause: unknown) => {
        throw new RelayError(ErrorCode.StorageUnavailable, 'Closing the PostgreSQL pool failed', { cause });
      })),
  };
}
