/**
 * A raw WebSocket client of the relay that builds Hocuspocus frames itself (as a modified client could),
 * so tests can send exactly what they mean, and see exactly what the relay answers per document.
 *
 * Frames (lib0 encoding, @hocuspocus/common): varString documentName, varUint MessageType, then
 *   Auth (2):   varUint AuthMessageType (0 Token, 1 PermissionDenied, 2 Authenticated), varString token/reason/scope
 *   Sync (0):   a y-protocols sync message: varUint type (0 Step1, 1 Step2, 2 Update), varUint8Array payload
 *   Stateless (5), CLOSE (7): varString; SyncStatus (8): varInt (1 applied, 0 not)
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { Socket } from 'node:net';
import WebSocket from 'ws';

export const MessageType = { Sync: 0, Awareness: 1, Auth: 2, QueryAwareness: 3, Stateless: 5, Close: 7, SyncStatus: 8 } as const;
const AUTH_TOKEN = 0;
const AUTH_DENIED = 1;
const AUTH_OK = 2;
export const SyncType = { Step1: 0, Step2: 1, Update: 2 } as const;

export type RawEvent =
  | { doc: string; kind: 'denied'; reason: string }
  | { doc: string; kind: 'authenticated'; scope: string }
  | { doc: string; kind: 'sync'; type: number; payload: Uint8Array }
  | { doc: string; kind: 'close'; reason: string }
  | { doc: string; kind: 'stateless'; payload: string }
  | { doc: string; kind: 'status'; applied: boolean }
  | { doc: string; kind: 'other'; type: number };

export interface RawRelaySocket {
  readonly events: RawEvent[];
  /** The socket's close code once it closed, else null. */
  closedWith(): { code: number; reason: string } | null;
  auth(doc: string, token: string): void;
  sync(doc: string, type: number, payload: Uint8Array): void;
  send(frame: Uint8Array): void;
  /** Stops reading from the TCP socket (the relay's replies pile up on its side), and starts again. */
  pauseReading(): void;
  resumeReading(): void;
  close(): void;
}

/** The TCP socket under a `ws` client (ws's own field; a test may stop reading from it). */
const tcp = (ws: WebSocket): Socket => (ws as unknown as { _socket: Socket })._socket;

export function frame(doc: string, type: number, write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarString(e, doc);
  encoding.writeVarUint(e, type);
  write(e);
  return encoding.toUint8Array(e);
}

export async function openRawSocket(url: string): Promise<RawRelaySocket> {
  const ws = new WebSocket(url);
  ws.binaryType = 'nodebuffer';
  const events: RawEvent[] = [];
  let closed: { code: number; reason: string } | null = null;
  ws.on('close', (code, reason) => (closed = { code, reason: reason.toString() }));
  ws.on('message', (data: Buffer) => {
    const d = decoding.createDecoder(new Uint8Array(data));
    const doc = decoding.readVarString(d);
    const type = decoding.readVarUint(d);
    if (type === MessageType.Auth) {
      const sub = decoding.readVarUint(d);
      if (sub === AUTH_DENIED) events.push({ doc, kind: 'denied', reason: decoding.readVarString(d) });
      else if (sub === AUTH_OK) events.push({ doc, kind: 'authenticated', scope: decoding.readVarString(d) });
      else events.push({ doc, kind: 'other', type });
    } else if (type === MessageType.Sync) {
      events.push({ doc, kind: 'sync', type: decoding.readVarUint(d), payload: decoding.readVarUint8Array(d) });
    } else if (type === MessageType.Close) {
      events.push({ doc, kind: 'close', reason: decoding.readVarString(d) });
    } else if (type === MessageType.Stateless) {
      events.push({ doc, kind: 'stateless', payload: decoding.readVarString(d) });
    } else if (type === MessageType.SyncStatus) {
      events.push({ doc, kind: 'status', applied: decoding.readVarInt(d) === 1 });
    } else {
      events.push({ doc, kind: 'other', type });
    }
  });
  await new Promise<void>((done, fail) => {
    ws.once('open', () => done());
    ws.once('error', fail);
  });
  const send = (f: Uint8Array) => ws.send(f);
  return {
    events,
    closedWith: () => closed,
    auth: (doc, token) =>
      send(frame(doc, MessageType.Auth, (e) => {
        encoding.writeVarUint(e, AUTH_TOKEN);
        encoding.writeVarString(e, token);
      })),
    sync: (doc, type, payload) =>
      send(frame(doc, MessageType.Sync, (e) => {
        encoding.writeVarUint(e, type);
        encoding.writeVarUint8Array(e, payload);
      })),
    send,
    pauseReading: () => tcp(ws).pause(),
    resumeReading: () => tcp(ws).resume(),
    close: () => ws.close(),
  };
}
