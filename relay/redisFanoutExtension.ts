/**
 * Fan-out between relay nodes through Redis: Hocuspocus's Redis extension, configured. Every node
 * publishes the updates and awareness it receives from its clients and applies what the other nodes
 * publish, so clients of one document on different nodes see each other live. Redis stores nothing of
 * Quire's (documents are in PostgreSQL) and pub/sub is best effort: a message lost on the way is repaired
 * by the next sync of that document (a client's reconnect, a node loading it from PostgreSQL).
 *
 * One change to the extension's behaviour: its store lock. Before storing a document, the extension takes a
 * Redis lock for it and, when another node holds that lock, makes this node SKIP its store; Hocuspocus never
 * retries a skipped store, so this node's newer edits would wait, unstored and unacknowledged, for the next
 * edit (and be dropped with the node if it dies first). The PostgreSQL store merges under a row lock, so two
 * nodes storing one document at once is safe; this node therefore stores anyway.
 */
import { Redis } from '@hocuspocus/extension-redis';
import type { onStoreDocumentPayload } from '@hocuspocus/server';
import { ErrorCode } from '../src/core/errors.ts';
import { RelayError } from './RelayError.ts';

/**
 * How long a node's store lock lives if the node dies holding it (Hocuspocus's default is 1 s). A store
 * (read, merge, write in PostgreSQL) can take longer than 1 s under load; a lock that expires mid-store lets
 * another node store the same document concurrently. That is safe with merge-on-write but wastes a merge;
 * 10 s covers slow stores. A lock left by a killed node blocks nobody: contention never skips a store here.
 */
export const REDIS_LOCK_TIMEOUT_MS = 10_000;
/** A node that cannot reach Redis fails its start after this long. */
export const REDIS_CONNECT_TIMEOUT_MS = 5_000;
/** Namespace of Quire's channels and keys in Redis. */
export const REDIS_PREFIX = 'quire';

export interface RedisFanoutOptions {
  /** `redis://[user:password@]host:port[/db]` */
  url: string;
  /** This node's name on the channels; must differ between nodes (messages from oneself are ignored). */
  nodeId: string;
}

/** Hocuspocus's Redis extension, storing even when another node holds the store lock (see above). */
class StoreThroughLock extends Redis {
  override async onStoreDocument(payload: onStoreDocumentPayload): Promise<void> {
    try {
      await super.onStoreDocument(payload);
    } catch (e) {
      // The extension throws SkipFurtherHooksError (from @hocuspocus/common) when the lock is taken.
      if (e instanceof Error && e.name === 'SkipFurtherHooksError') return;
      throw e;
    }
  }
}

export async function startRedisFanout(options: RedisFanoutOptions): Promise<Redis> {
  const url = new URL(options.url);
  if (url.protocol !== 'redis:') throw new RelayError(ErrorCode.InvalidOperation, `Redis URL must start with redis://, got ${url.protocol}`);
  const extension = new StoreThroughLock({
    host: url.hostname,
    port: Number(url.port || 6379),
    options: {
      username: url.username ? decodeURIComponent(url.username) : undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
      connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    },
    identifier: options.nodeId,
    prefix: REDIS_PREFIX,
    lockTimeout: REDIS_LOCK_TIMEOUT_MS,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timedOut = new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(new Error(`no answer within ${REDIS_CONNECT_TIMEOUT_MS} ms`)), REDIS_CONNECT_TIMEOUT_MS);
    });
    await Promise.race([extension.pub.ping(), timedOut]);
  } catch (cause) {
    extension.pub.disconnect(false);
    extension.sub.disconnect(false);
    const where = `${url.hostname}:${url.port || 6379}`;
    throw new RelayError(ErrorCode.StorageUnavailable, `Redis at ${where} is unreachable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  } finally {
    clearTimeout(timer);
  }
  return extension;
}
