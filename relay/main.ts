/**
 * `npm run relay`: starts the relay from environment variables (documented in docs/relay.md), prints one
 * line with its address, and shuts down gracefully on SIGTERM or SIGINT (a second signal forces the exit).
 */
import { resolve } from 'node:path';
import { DEFAULT_RELAY_HOST, startRelay } from './server.ts';

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
const relay = await startRelay({
  port: readPort(process.env.QUIRE_RELAY_PORT),
  host,
  dataDir,
  storeDebounceMs: readMs('QUIRE_RELAY_STORE_DEBOUNCE_MS'),
  storeMaxDebounceMs: readMs('QUIRE_RELAY_STORE_MAX_DEBOUNCE_MS'),
});
console.log(`Quire relay listening on ws://${relay.host}:${relay.port} (data: ${dataDir})`);

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
