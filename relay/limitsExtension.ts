/**
 * Per-document and per-socket limits that Hocuspocus does not have (its own queue and timeout options are
 * set in server.ts). Values and their environment variables: relay/limits.ts, docs/relay.md "Limits".
 *
 * - Document size: an update that would grow a document past `maxDocumentBytes` is refused with
 *   `too-large`, closing that document's session only. The size is tracked as an upper bound (the encoded
 *   size when loaded, plus every accepted update's bytes); only when the bound says "over" is the document
 *   encoded to get the exact size, so the O(document) cost is paid near the limit only.
 * - Message rate: a token bucket per socket (all its documents), `messagesPerSecond` sustained and
 *   `messageBurst` deep. A message that finds it empty is refused with `rate-limited`, closing the session
 *   of the document it was for; after `rateLimitStrikes` such refusals (the count resets when the bucket is
 *   full again) the relay closes the whole socket (code 4429, reason `rate-limited`).
 */
import type { Document, Extension, beforeHandleMessagePayload, beforeSyncPayload } from '@hocuspocus/server';
import * as Y from 'yjs';
import { RelayCloseCode, RelayCloseReason } from '../src/protocol/accessMessages.ts';
import { SessionRefusal } from './SessionRefusal.ts';
import type { RelayLimits } from './limits.ts';

const SYNC_STEP_2 = 1;
const SYNC_UPDATE = 2;

interface Bucket {
  tokens: number;
  at: number;
  strikes: number;
}

export function limitsExtension(limits: RelayLimits, now: () => number = Date.now): Extension {
  const sizes = new WeakMap<Document, number>();
  // Keyed by the socket object, so a bucket goes away with its socket.
  const buckets = new WeakMap<object, Bucket>();

  function take(socket: object): 'ok' | 'refuse' | 'close-socket' {
    const t = now();
    let b = buckets.get(socket);
    if (!b) buckets.set(socket, (b = { tokens: limits.messageBurst, at: t, strikes: 0 }));
    b.tokens = Math.min(limits.messageBurst, b.tokens + ((t - b.at) * limits.messagesPerSecond) / 1000);
    b.at = t;
    if (b.tokens >= limits.messageBurst) b.strikes = 0;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 'ok';
    }
    b.strikes += 1;
    return b.strikes >= limits.rateLimitStrikes ? 'close-socket' : 'refuse';
  }

  return {
    extensionName: 'quire-limits',

    beforeHandleMessage({ connection }: beforeHandleMessagePayload): Promise<void> {
      const verdict = take(connection.webSocket);
      if (verdict === 'ok') return Promise.resolve();
      if (verdict === 'close-socket') connection.webSocket.close(RelayCloseCode[RelayCloseReason.RateLimited], RelayCloseReason.RateLimited);
      return Promise.reject(new SessionRefusal(RelayCloseReason.RateLimited, `over ${limits.messagesPerSecond} messages/s`));
    },

    beforeSync({ type, payload, document }: beforeSyncPayload): Promise<void> {
      if (type !== SYNC_STEP_2 && type !== SYNC_UPDATE) return Promise.resolve();
      let bound = sizes.get(document) ?? Y.encodeStateAsUpdate(document).byteLength;
      if (bound + payload.byteLength > limits.maxDocumentBytes) {
        bound = Y.encodeStateAsUpdate(document).byteLength;
        sizes.set(document, bound);
        if (bound + payload.byteLength > limits.maxDocumentBytes && !Y.snapshotContainsUpdate(Y.snapshot(document), payload)) {
          return Promise.reject(new SessionRefusal(RelayCloseReason.TooLarge, `document over ${limits.maxDocumentBytes} bytes`));
        }
      }
      sizes.set(document, bound + payload.byteLength);
      return Promise.resolve();
    },
  };
}
