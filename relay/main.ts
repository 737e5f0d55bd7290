/**
 * `npm run relay`: starts the relay from environment variables (documented in docs/relay.md), prints one
 * line with its address, and shuts down gracefully on SIGTERM or SIGINT (a second signal forces the exit).
 */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { QuireError } from '../src/core/errors.ts';
import { limitsFromEnv } from './limits.ts';
import { PortInUseError } from './RelayError.ts';
import { describeRegistration, registrationPolicyFromEnv } from './registrationPolicy.ts';
import { DEFAULT_RELAY_HOST, startRelay } from './server.ts';
import type { RunningRelay } from './server.ts';
import { openPostgresStorage, redactUrl } from './storage/postgresStorage.ts';
import type { RelayStorage } from './stores.ts';

/** A fixed default so that the app and a newcomer's second window find the relay without configuration. */
export const DEFAULT_RELAY_PORT = 4444;
export const DEFAULT_RELAY_DATA = './relay-data';

const EXIT_OK = 0;
const EXIT_FAILED = 1;

function readPort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_RELAY_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`QUIRE_RELAY_PORT must be an integer from 0 to 65535, got "${raw}"`);
    process.exit(EXIT_FAILED);
  }
  return port;
}

const host = process.env.QUIRE_RELAY_HOST || DEFAULT_RELAY_HOST;
const dataDir = resolve(process.env.QUIRE_RELAY_DATA || DEFAULT_RELAY_DATA);
/** Optional: store debounce bounds in ms (docs/relay.md); tests shorten them. */
function readMs(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0) {
    console.error(`${name} must be a non-negative integer (ms), got "${raw}"`);
    process.exit(EXIT_FAILED);
  }
  return ms;
}

/** A setting read from the environment, or the relay stops with the reader's message (it names the variable). */
function orExit<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(EXIT_FAILED);
  }
}

/** Optional: QUIRE_RELAY_HEALTH_DETAIL `1` or `0`; unset, server.ts decides (on for a loopback host only). */
function readHealthDetail(): boolean | undefined {
  const raw = process.env.QUIRE_RELAY_HEALTH_DETAIL;
  if (raw === undefined || raw === '') return undefined;
  if (raw !== '1' && raw !== '0') {
    console.error(`QUIRE_RELAY_HEALTH_DETAIL must be 1 or 0, got "${raw}"`);
    process.exit(EXIT_FAILED);
  }
  return raw === '1';
}

const port = readPort(process.env.QUIRE_RELAY_PORT);
// Several nodes: documents in one shared PostgreSQL database, live updates between nodes through Redis.
const databaseUrl = process.env.QUIRE_RELAY_DATABASE_URL || undefined;
const redisUrl = process.env.QUIRE_RELAY_REDIS_URL || undefined;
const nodeId = process.env.QUIRE_RELAY_NODE_ID || `${hostname()}-${process.pid}`;
if (redisUrl && !databaseUrl) {
  // Nodes with their own SQLite files would each store only what their own clients sent.
  console.error('QUIRE_RELAY_REDIS_URL needs QUIRE_RELAY_DATABASE_URL: the nodes must share one database');
  process.exit(EXIT_FAILED);
}

const registration = orExit(() => registrationPolicyFromEnv(process.env));
let relay: RunningRelay;
let storage: RelayStorage | undefined;
try {
  storage = databaseUrl ? await openPostgresStorage({ url: databaseUrl }) : undefined;
  relay = await startRelay({ port, host, dataDir, storage, redis: redisUrl ? { url: redisUrl, nodeId } : undefined, limits: orExit(() => limitsFromEnv(process.env)), registration, healthDetail: readHealthDetail(), storeDebounceMs: readMs('QUIRE_RELAY_STORE_DEBOUNCE_MS'), storeMaxDebounceMs: readMs('QUIRE_RELAY_STORE_MAX_DEBOUNCE_MS') });
} catch (e) {
  await storage?.close().catch(() => undefined); // the start failed: that failure is the one to report
  if (e instanceof PortInUseError) {
    // The likeliest start failure of all (a relay already running): one line and the way out, no trace.
    console.error(`Quire relay: could not start: port ${e.port} on ${e.host} is already in use (is a relay already running?). Stop it, or pick another port with QUIRE_RELAY_PORT, e.g. QUIRE_RELAY_PORT=${e.port === 65_535 ? e.port - 1 : e.port + 1} npm run relay`);
    process.exit(EXIT_FAILED);
  }
  const code = e instanceof QuireError ? ` (${e.code})` : '';
  console.error(`Quire relay: could not start${code}: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(EXIT_FAILED);
}
const data = databaseUrl ? redactUrl(databaseUrl) : dataDir;
console.log(`Quire relay listening on ws://${relay.host}:${relay.port} (data: ${data})`);
const registrationLines = describeRegistration(registration, relay.host);
console.log(registrationLines.info);
if (registrationLines.warning) console.warn(registrationLines.warning);
console.log(relay.healthDetail ? 'Quire relay: /healthz shows document and connection counts (QUIRE_RELAY_HEALTH_DETAIL=0 hides them)' : 'Quire relay: /healthz shows status only (QUIRE_RELAY_HEALTH_DETAIL=1 adds document and connection counts)');
if (redisUrl) console.log(`Quire relay: node ${nodeId}, fan-out through ${redactUrl(redisUrl)}`);

let stopping = false;
function stop(signal: NodeJS.Signals): void {
  if (stopping) {
    console.error(`Quire relay: ${signal} again, exiting without waiting for stores`);
    process.exit(EXIT_FAILED);
  }
  stopping = true;
  console.log(`Quire relay: ${signal}, storing documents and closing`);
  relay.close().then(
    () => {
      console.log('Quire relay: stopped, everything stored');
      process.exit(EXIT_OK);
    },
    (e: unknown) => {
      console.error('Quire relay: shutdown failed', e);
      process.exit(EXIT_FAILED);
    },
  );
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
