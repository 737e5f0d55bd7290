/**
 * "Store it now": what a client sends when it waits for the relay to store a document it changed.
 *
 * The relay stores a document STORE_DEBOUNCE_MS after its last change (relay/server.ts): right for typing,
 * but the background sync uploads a space page by page and waits for each page's stored acknowledgement
 * before it releases the page (SpaceSyncer), so a first upload of 1,000 pages would wait out 1,000 debounces
 * (measured: 270 s with 4 pages at once). Instead the client asks, as a Hocuspocus stateless message on
 * that document's session:
 *
 *   { "t": "quire:store-now", "v": 1 }
 *
 * The relay then runs that document's pending store at once (and acknowledges it as usual, storedAck.ts).
 * It ignores the request from a read-only session, when no store is pending, and when it stored that
 * document less than STORE_NOW_MIN_INTERVAL_MS ago (the debounce stores it soon anyway): a client asking
 * after every keystroke gets at most that many stores a second, never a store per message.
 */
export const STORE_NOW_TYPE = 'quire:store-now';
export const STORE_NOW_VERSION = 1;
/** Bounds how often one document can be stored on request: at most 10 stores a second. */
export const STORE_NOW_MIN_INTERVAL_MS = 100;

export function encodeStoreNow(): string {
  return JSON.stringify({ t: STORE_NOW_TYPE, v: STORE_NOW_VERSION });
}

/** Whether a stateless payload is a store-now request (of any version: a newer one means the same). */
export function isStoreNow(payload: string): boolean {
  if (!payload.includes(STORE_NOW_TYPE)) return false; // cheap test before parsing every stateless message
  try {
    const v: unknown = JSON.parse(payload);
    return typeof v === 'object' && v !== null && (v as { t?: unknown }).t === STORE_NOW_TYPE;
  } catch {
    return false; // not JSON: some other stateless message
  }
}
