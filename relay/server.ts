/**
 * The Quire relay: Hocuspocus configured, not re-implemented. It keeps every document in embedded SQLite
 * (or, for several nodes, in the engine given as `storage` with Redis fan-out between the nodes), runs the
 * core's update guard (shape check, then shadow apply) on every incoming update, and answers a health probe.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Server } from '@hocuspocus/server';
import { SQLite } from '@hocuspocus/extension-sqlite';
import { ErrorCode } from '../src/core/errors.ts';
import { MAX_UPDATE_BYTES } from '../src/core/guard/UpdateGuard.ts';
import { PortInUseError, RelayError } from './RelayError.ts';
import { startRedisFanout } from './redisFanoutExtension.ts';
import type { RedisFanoutOptions } from './redisFanoutExtension.ts';
import type { RelayStorage } from './stores.ts';
import { authExtension } from './authExtension.ts';
import { authRateLimiter } from './authRateLimit.ts';
import { badRequestExtension } from './badRequestExtension.ts';
import { routeHocuspocusLogs } from './hocuspocusLogs.ts';
import { RefusalLog } from './RefusalLog.ts';
import { relaySockets } from './relaySockets.ts';
import { awarenessRemovalExtension } from './awarenessRemovalExtension.ts';
import { drainExtension } from './drainExtension.ts';
import { DEFAULT_LIMITS } from './limits.ts';
import type { RelayLimits } from './limits.ts';
import { limitsExtension } from './limitsExtension.ts';
import { quotaExtension } from './quotaExtension.ts';
import { isLoopback } from './registrationPolicy.ts';
import type { RegistrationPolicy } from './registrationPolicy.ts';
import { ACCESS_DB_FILE, SqliteAccessStore } from './storage/sqliteAccessStore.ts';
import { healthExtension } from './healthExtension.ts';
import { PresenceOwnership, presenceGuardExtension } from './presenceGuardExtension.ts';
import { storedAckExtension } from './storedAckExtension.ts';
import { sqliteChangeIndex } from './storage/sqliteChangeIndex.ts';
import { sqliteSpaceUsage } from './storage/sqliteSpaceUsage.ts';
import { shadowGuardExtension } from './shadowGuardExtension.ts';
import { updateGuardExtension } from './updateGuardExtension.ts';

/** Loopback unless told otherwise: exposing the relay is a deployment decision, not a default. */
export const DEFAULT_RELAY_HOST = '127.0.0.1';
/** The SQLite file inside the data directory. */
export const RELAY_DB_FILE = 'relay.sqlite';
/** Quiet time after a document's last change before it is stored: bounds writes under steady typing. */
export const STORE_DEBOUNCE_MS = 1_000;
/** A document that keeps changing is still stored at least this often: bounds what a crash can lose. */
export const STORE_MAX_DEBOUNCE_MS = 5_000;
/** How long a graceful shutdown may take to store and unload every document before it gives up. */
export const SHUTDOWN_TIMEOUT_MS = 25_000;
/** How often a slow shutdown says what it still waits for (an operator sees why before the bound). */
export const SHUTDOWN_PROGRESS_MS = 5_000;
/**
 * Room in one WebSocket frame for the document name and message headers around an update. The frame cap
 * sits above the guard's update cap so that an oversized update is refused for its document only; a frame
 * over the cap closes the whole socket, every document on it.
 */
export const FRAME_HEADROOM_BYTES = 1024 * 1024;
export const MAX_FRAME_BYTES = MAX_UPDATE_BYTES + FRAME_HEADROOM_BYTES;

export interface RelayOptions {
  /** 0 picks any free port (tests); the running relay reports the one it got. */
  port: number;
  dataDir: string;
  host?: string;
  storeDebounceMs?: number;
  storeMaxDebounceMs?: number;
  shutdownTimeoutMs?: number;
  /**
   * Where documents are stored; the relay closes it after its shutdown. Default: embedded SQLite in
   * `dataDir`. Several nodes need a shared engine (relay/storage/postgresStorage.ts).
   */
  storage?: RelayStorage;
  /** Fan-out to the other nodes through Redis (relay/redisFanoutExtension.ts); only with a shared `storage`. */
  redis?: RedisFanoutOptions;
  /** Defaults: relay/limits.ts (main.ts reads the overrides from the environment). */
  limits?: RelayLimits;
  /** Who may register new spaces (relay/registrationPolicy.ts); default open. */
  registration?: RegistrationPolicy;
  /** Whether /healthz shows document and connection counts. Default: only when `host` is a loopback address. */
  healthDetail?: boolean;
}

export interface RunningRelay {
  readonly host: string;
  readonly port: number;
  /** Absolute path of the SQLite file. */
  readonly dataFile: string;
  /** Whether /healthz shows document and connection counts. */
  readonly healthDetail: boolean;
  /**
   * Stores every loaded document, closes every connection and the database. Rejects with a RelayError
   * (code `timeout`) if that takes longer than the shutdown bound; the database is then left open, since
   * a store may still be running.
   */
  close(): Promise<void>;
}

/**
 * Hocuspocus's listen() never settles when the address cannot be bound: its HTTP server emits 'error'
 * instead, which, unhandled, crashes the process with a stack trace. Here it rejects the start.
 */
function listen(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (e: Error) => reject(e);
    server.httpServer.once('error', fail);
    server.listen().then(
      () => {
        server.httpServer.off('error', fail);
        resolve();
      },
      (e: unknown) => {
        server.httpServer.off('error', fail);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function isAddressInUse(e: unknown): boolean {
  return e instanceof Error && (e as NodeJS.ErrnoException).code === 'EADDRINUSE';
}

export async function startRelay(options: RelayOptions): Promise<RunningRelay> {
  const host = options.host ?? DEFAULT_RELAY_HOST;
  const dataDir = resolve(options.dataDir);
  const dataFile = join(dataDir, RELAY_DB_FILE);
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? SHUTDOWN_TIMEOUT_MS;
  mkdirSync(dataDir, { recursive: true });

  const sqlite = options.storage ? undefined : new SQLite({ database: dataFile });
  const storageExtension = options.storage?.extension ?? sqlite!;
  // Who may access what: in the shared engine with several nodes, else a SQLite file beside the documents.
  const ownAccess = options.storage ? undefined : new SqliteAccessStore(join(dataDir, ACCESS_DB_FILE));
  const access = options.storage?.access ?? ownAccess!;
  // The change index: in the shared engine, else SQLite beside the documents (same file, its own tables).
  const ownChanges = options.storage ? undefined : sqliteChangeIndex(dataFile);
  const changes = options.storage?.changes ?? ownChanges!;
  // What a space stores, for its quota: read from the engine's documents (SQLite: the same file).
  const ownUsage = options.storage ? undefined : sqliteSpaceUsage(dataFile);
  const usage = options.storage?.usage ?? ownUsage!;
  const closeStorage = async () => {
    ownAccess?.close();
    ownChanges?.close();
    ownUsage?.close();
    await (options.storage ? options.storage.close() : sqlite?.db?.close());
  };
  const limits = options.limits ?? DEFAULT_LIMITS;
  // Redis's extension has priority 1000: Hocuspocus runs it before the others whatever its place here.
  const fanout = options.redis ? [await startRedisFanout(options.redis)] : [];
  const drain = drainExtension();
  const presence = new PresenceOwnership();
  const healthDetail = options.healthDetail ?? isLoopback(host);
  const refusals = new RefusalLog();
  const sockets = relaySockets({ maxBufferedBytes: limits.maxSocketBufferedBytes, log: refusals });
  const authLimit = authRateLimiter(limits, sockets);
  const server = new Server({
    name: 'quire-relay',
    port: options.port,
    address: host,
    quiet: true,
    // main.ts owns the signals: Hocuspocus's own handler would exit without a bound on the shutdown.
    stopOnSignals: false,
    debounce: options.storeDebounceMs ?? STORE_DEBOUNCE_MS,
    maxDebounce: options.storeMaxDebounceMs ?? STORE_MAX_DEBOUNCE_MS,
    websocketOptions: { maxPayload: MAX_FRAME_BYTES },
    timeout: limits.idleTimeoutMs,
    maxUnauthenticatedQueueSize: limits.maxUnauthenticatedQueueBytes,
    maxUnauthenticatedQueueMessages: limits.maxUnauthenticatedQueueMessages,
    maxPendingDocuments: limits.maxPendingDocuments,
    // storedAck before storage: it notes the state vector in the same task as storage encodes the document.
    // auth before the guard and limits: a viewer's write is refused as forbidden whatever its shape or size.
    extensions: [
      badRequestExtension(),
      sockets.extension,
      drain.extension,
      ...fanout,
      storedAckExtension({ changes }),
      storageExtension,
      // The attempt bound before auth: a refused attempt costs no store lookup or signature check.
      authLimit.extension,
      authExtension({ store: access, limits, registration: options.registration, beforeSignatureCheck: authLimit.beforeSignatureCheck }),
      updateGuardExtension(),
      limitsExtension(limits),
      quotaExtension({ maxSpaceBytes: limits.maxSpaceBytes, usage }),
      // Last of the content checks: what it lets into its shadow, Hocuspocus applies next.
      shadowGuardExtension(),
      // After access and limits: only an accepted message's presence is looked at. Both apply one ownership
      // of awareness client ids: a connection sets and removes only its own.
      presenceGuardExtension(presence),
      awarenessRemovalExtension(presence),
      healthExtension({ detail: healthDetail }),
    ],
  });
  sockets.watch(server.hocuspocus);
  const restoreLogs = routeHocuspocusLogs(server.hocuspocus, sockets, refusals);

  try {
    await listen(server);
  } catch (cause) {
    for (const f of fanout) await f.onDestroy().catch(() => undefined); // the listen error is the news
    restoreLogs();
    refusals.stop();
    if (isAddressInUse(cause)) throw new PortInUseError(host, options.port, { cause });
    throw new RelayError(ErrorCode.StorageUnavailable, `Relay could not start on ${host}:${options.port} with data in ${dataDir}`, { cause });
  }

  let closing: Promise<void> | undefined;
  /** The documents a shutdown still waits for, and why: printed while it waits and in its timeout error. */
  const leftInMemory = () =>
    [...server.hocuspocus.documents.values()].map(
      (d) => `${d.name} (loading ${d.isLoading}, connections ${d.getConnectionsCount()}, store pending ${server.hocuspocus.debouncer.isDebounced(`onStoreDocument-${d.name}`)}, saving ${d.saveMutex.isLocked()})`,
    );
  const shutdown = async (): Promise<void> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<'timeout'>((done) => {
      timer = setTimeout(() => done('timeout'), shutdownTimeoutMs);
    });
    const progress = setInterval(() => console.error(`Quire relay: shutdown still waiting for ${leftInMemory().join('; ')}`), SHUTDOWN_PROGRESS_MS);
    const destroyed = server.destroy().then(() => 'stored' as const); // its first pass runs synchronously
    drain.start(server.hocuspocus);
    const outcome = await Promise.race([destroyed, timedOut]);
    clearTimeout(timer);
    clearInterval(progress);
    drain.stop();
    if (outcome === 'timeout') {
      const left = leftInMemory();
      throw new RelayError(ErrorCode.Timeout, `Relay shutdown took over ${shutdownTimeoutMs} ms; ${left.length} document(s) may not be stored: ${left.join('; ')}`);
    }
    await closeStorage();
    restoreLogs();
    refusals.stop();
  };

  return {
    host,
    port: server.address.port,
    dataFile,
    healthDetail,
    close: () => (closing ??= shutdown()),
  };
}
