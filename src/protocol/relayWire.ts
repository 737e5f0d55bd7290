/**
 * Quire's own client side of Hocuspocus's wire protocol (server 4.7, `@hocuspocus/common` 4.8), byte for
 * byte, with no Y.Doc: the relay layer forwards update bytes to the core and answers from the live
 * document (decision 0011). Every frame, both ways, is one binary WebSocket message:
 *
 *   varString documentName        the relay document ("<spaceId>/<docId>"); frames of many documents share
 *                                  one socket (multiplexing)
 *   varUint   messageType          one of MessageType below, then per type:
 *
 *   0 Sync          varUint syncType (y-protocols): 0 SyncStep1 varUint8Array stateVector
 *                                                    1 SyncStep2 varUint8Array update
 *                                                    2 Update    varUint8Array update
 *                   (4 SyncReply from the server is read the same way)
 *   1 Awareness     varUint8Array awarenessUpdate (y-protocols/awareness encoding)
 *   2 Auth          varUint authType: client -> relay: 0 Token varString token
 *                                     relay -> client: 0 Token (no payload: "send your token again")
 *                                                      1 PermissionDenied varString reason
 *                                                      2 Authenticated varString scope ('readonly' | 'read-write')
 *   3 QueryAwareness (no payload; the relay answers nothing on an established session: used as keep-alive)
 *   5 Stateless     varString payload (Quire's stored acknowledgements and change queries are JSON)
 *   7 CLOSE         client -> relay: no payload (end this document's session)
 *                   relay -> client: varString reason (the session was closed; see closeReason.ts)
 *   8 SyncStatus    varUint 1|0 (the relay applied | dropped the last update; applied is NOT stored)
 *   A frame of exactly one byte 9 is the relay's application Ping; the client answers the one byte 10 (Pong).
 *
 * A session starts with the client's Auth Token frame; the relay answers Authenticated or PermissionDenied,
 * and only then handles that document's other frames (it queues them meanwhile, up to 1000 messages or
 * 5 MiB per socket, beyond which it kills the whole socket: never keep sending to a refused document).
 *
 * Every incoming frame is validated here: a frame that does not decode exactly (unknown type, truncated,
 * trailing bytes, a state vector that is not one) is a PersistenceError 'invalid-update', never a crash.
 * Update bytes are not interpreted: the core's guard checks them before they touch a document.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { ErrorCode, PersistenceError } from '../core/errors.ts';

export const MessageType = {
  Sync: 0,
  Awareness: 1,
  Auth: 2,
  QueryAwareness: 3,
  SyncReply: 4,
  Stateless: 5,
  Close: 7,
  SyncStatus: 8,
  Ping: 9,
  Pong: 10,
} as const;

export const SyncType = { Step1: 0, Step2: 1, Update: 2 } as const;
export const AuthType = { Token: 0, PermissionDenied: 1, Authenticated: 2 } as const;

/** Bounds a document name the client accepts (the relay's are `<uuid>/<id>`, well under this). */
export const MAX_DOC_NAME_BYTES = 1024;

export type IncomingFrame =
  | { readonly doc: string; readonly kind: 'sync-step1'; readonly stateVector: Uint8Array }
  | { readonly doc: string; readonly kind: 'sync-step2'; readonly update: Uint8Array }
  | { readonly doc: string; readonly kind: 'update'; readonly update: Uint8Array }
  | { readonly doc: string; readonly kind: 'awareness'; readonly update: Uint8Array }
  | { readonly doc: string; readonly kind: 'token-request' }
  | { readonly doc: string; readonly kind: 'permission-denied'; readonly reason: string }
  | { readonly doc: string; readonly kind: 'authenticated'; readonly scope: 'readonly' | 'read-write' }
  | { readonly doc: string; readonly kind: 'stateless'; readonly payload: string }
  | { readonly doc: string; readonly kind: 'close'; readonly reason: string }
  | { readonly doc: string; readonly kind: 'sync-status'; readonly applied: boolean }
  | { readonly doc: null; readonly kind: 'ping' };

function frame(doc: string, type: number, body: (e: encoding.Encoder) => void = () => undefined): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarString(e, doc);
  encoding.writeVarUint(e, type);
  body(e);
  return encoding.toUint8Array(e);
}

export const encodeAuth = (doc: string, token: string) =>
  frame(doc, MessageType.Auth, (e) => {
    encoding.writeVarUint(e, AuthType.Token);
    encoding.writeVarString(e, token);
  });

const syncFrame = (doc: string, syncType: number, bytes: Uint8Array) =>
  frame(doc, MessageType.Sync, (e) => {
    encoding.writeVarUint(e, syncType);
    encoding.writeVarUint8Array(e, bytes);
  });

export const encodeSyncStep1 = (doc: string, stateVector: Uint8Array) => syncFrame(doc, SyncType.Step1, stateVector);
export const encodeSyncStep2 = (doc: string, update: Uint8Array) => syncFrame(doc, SyncType.Step2, update);
export const encodeUpdate = (doc: string, update: Uint8Array) => syncFrame(doc, SyncType.Update, update);
export const encodeAwareness = (doc: string, update: Uint8Array) => frame(doc, MessageType.Awareness, (e) => encoding.writeVarUint8Array(e, update));
export const encodeQueryAwareness = (doc: string) => frame(doc, MessageType.QueryAwareness);
export const encodeStateless = (doc: string, payload: string) => frame(doc, MessageType.Stateless, (e) => encoding.writeVarString(e, payload));
export const encodeClose = (doc: string) => frame(doc, MessageType.Close);
export const PONG_FRAME = new Uint8Array([MessageType.Pong]);

function invalid(why: string, cause?: unknown): PersistenceError {
  return new PersistenceError(ErrorCode.InvalidUpdate, `Malformed frame from the relay: ${why}`, { layer: 'relay', cause });
}

/** Decodes one frame from the relay. Throws PersistenceError('invalid-update') for anything malformed. */
export function decodeFrame(bytes: Uint8Array): IncomingFrame {
  if (bytes.byteLength === 1 && bytes[0] === MessageType.Ping) return { doc: null, kind: 'ping' };
  let result: IncomingFrame;
  const d = decoding.createDecoder(bytes);
  try {
    const doc = decoding.readVarString(d);
    if (new TextEncoder().encode(doc).byteLength > MAX_DOC_NAME_BYTES) throw invalid('document name too long');
    const type = decoding.readVarUint(d);
    switch (type) {
      case MessageType.Sync:
      case MessageType.SyncReply: {
        const syncType = decoding.readVarUint(d);
        const payload = decoding.readVarUint8Array(d);
        if (syncType === SyncType.Step1) {
          Y.decodeStateVector(payload); // throws when it is not one
          result = { doc, kind: 'sync-step1', stateVector: payload };
        } else if (syncType === SyncType.Step2) result = { doc, kind: 'sync-step2', update: payload };
        else if (syncType === SyncType.Update) result = { doc, kind: 'update', update: payload };
        else throw invalid(`unknown sync type ${syncType}`);
        break;
      }
      case MessageType.Awareness:
        result = { doc, kind: 'awareness', update: decoding.readVarUint8Array(d) };
        break;
      case MessageType.Auth: {
        const authType = decoding.readVarUint(d);
        if (authType === AuthType.Token) result = { doc, kind: 'token-request' };
        else if (authType === AuthType.PermissionDenied) result = { doc, kind: 'permission-denied', reason: decoding.readVarString(d) };
        else if (authType === AuthType.Authenticated) {
          const scope = decoding.readVarString(d);
          if (scope !== 'readonly' && scope !== 'read-write') throw invalid(`unknown scope "${scope.slice(0, 40)}"`);
          result = { doc, kind: 'authenticated', scope };
        } else throw invalid(`unknown auth type ${authType}`);
        break;
      }
      case MessageType.Stateless:
        result = { doc, kind: 'stateless', payload: decoding.readVarString(d) };
        break;
      case MessageType.Close:
        result = { doc, kind: 'close', reason: decoding.hasContent(d) ? decoding.readVarString(d) : '' };
        break;
      case MessageType.SyncStatus: {
        const applied = decoding.readVarUint(d);
        if (applied !== 0 && applied !== 1) throw invalid(`sync status ${applied}`);
        result = { doc, kind: 'sync-status', applied: applied === 1 };
        break;
      }
      default:
        throw invalid(`unknown message type ${type}`);
    }
  } catch (e) {
    if (e instanceof PersistenceError) throw e;
    throw invalid('truncated or not a Hocuspocus frame', e);
  }
  if (decoding.hasContent(d)) throw invalid(`${bytes.byteLength - d.pos} trailing byte(s) after a ${result.kind} frame`);
  return result;
}
