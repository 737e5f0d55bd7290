/**
 * The Quire relay: Hocuspocus configured, not re-implemented. It keeps every document in embedded SQLite,
 * runs the core's update guard on every incoming update, and answers a health probe.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Server } from '@hocuspocus/server';
import { SQLite } from '@hocuspocus/extension-sqlite';
import { ErrorCode } from '../src/core/errors.ts';
import { MAX_UPDATE_BYTES } from '../src/core/guard/UpdateGuard.ts';
import { RelayError } from './RelayError.ts';
import { healthExtension } from './healthExtension.ts';
import { storedAckExtension } from './storedAckExtension.ts';
import { sqliteChangeIndex } from './storage/sqliteChangeIndex.ts';
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
}

export interface RunningRelay {
  readonly host: string;
  readonly port: number;
  /** Absolute path of the SQLite file. */
  readonly dataFile: string;
  /**
   * Stores every loaded document, closes every connection and the database. Rejects with a RelayError
   * (code `timeout`) if that takes longer than the shutdown bound; the database is then left open, since
   * a store may still be running.
   */
  close(): Promise<void>;
}

export async function startRelay(options: RelayOptions): Promise<RunningRelay> {
  const host = options.host ?? DEFAULT_RELAY_HOST;
  const dataDir = resolve(options.dataDir);
  const dataFile = join(dataDir, RELAY_DB_FILE);
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? SHUTDOWN_TIMEOUT_MS;
  mkdirSync(dataDir, { recursive: true });

  const sqlite = new SQLite({ database: dataFile });
  const changes = sqliteChangeIndex(dataFile);
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
    // storedAck before sqlite: it notes the state vector in the same task as sqlite encodes the document.
    extensions: [storedAckExtension({ changes }), sqlite, updateGuardExtension(), healthExtension()],
  });

  try {
    await server.listen();
  } catch (cause) {
    throw new RelayError(ErrorCode.StorageUnavailable, `Relay could not start on ${host}:${options.port} with data in ${dataDir}`, { cause });
  }

  let closing: Promise<void> | undefined;
  const shutdown = async (): Promise<void> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<'timeout'>((done) => {
      timer = setTimeout(() => done('timeout'), shutdownTimeoutMs);
    });
    const outcome = await Promise.race([server.destroy().then(() => 'stored' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      const left = server.hocuspocus.getDocumentsCount();
      throw new RelayError(ErrorCode.Timeout, `Relay shutdown took over ${shutdownTimeoutMs} ms; ${left} document(s) may not be stored`);
    }
    sqlite.db?.close();
    changes.close();
  };

  return {
    host,
    port: server.address.port,
    dataFile,
    close: () => (closing ??= shutdown()),
  };
}
