import { ErrorCode } from '../src/core/errors.ts';
import type { UpdateRejectedError } from '../src/core/errors.ts';

/** Close code for a document session whose update the guard refused (4000-4999 is the application range). */
export const INVALID_UPDATE_CLOSE_CODE = 4400;

/** A WebSocket close reason may hold at most 123 bytes (RFC 6455 5.5: 125-byte control payload, 2 for the code). */
const MAX_CLOSE_REASON_BYTES = 123;

/**
 * What the relay throws from a Hocuspocus hook to refuse an update. Hocuspocus closes only that document's
 * session with `code` and `reason` (it reads both off whatever is thrown), so the rest of the socket lives on.
 * The provider keeps only the reason, hence the reason starts with Quire's error code: `invalid-update: why`.
 */
export class UpdateRefusal extends Error {
  override readonly name = 'UpdateRefusal';
  readonly code = INVALID_UPDATE_CLOSE_CODE;
  readonly reason: string;
  constructor(readonly rejection: UpdateRejectedError) {
    super(rejection.message, { cause: rejection });
    this.reason = truncateUtf8(`${ErrorCode.InvalidUpdate}: ${rejection.message}`, MAX_CLOSE_REASON_BYTES);
  }
}

function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.byteLength <= maxBytes) return text;
  // Cut on a character boundary: decoding a cut multi-byte sequence would add a replacement character.
  let cut = maxBytes;
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return new TextDecoder().decode(bytes.subarray(0, cut));
}
