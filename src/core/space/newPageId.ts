/**
 * Random page ids: RFC 4122 version 4 UUIDs. lib0's uuidv4 asks the platform for randomness once per hex
 * digit (about 0.2 ms per id); this takes the 16 bytes in one call, which matters when pages are created
 * in bulk (imports, templates).
 */
import { getRandomValues } from 'lib0/webcrypto';

/** Bytes in a UUID. */
const UUID_BYTES = 16;

export function newPageId(): string {
  const b = getRandomValues(new Uint8Array(UUID_BYTES));
  b[6] = (b[6]! & 0x0f) | 0x40; // version 4
  b[8] = (b[8]! & 0x3f) | 0x80; // variant 10xx
  let hex = '';
  for (const byte of b) hex += byte.toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
