import { describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { ErrorCode, PersistenceError } from '../core/errors.ts';
import { decodeFrame, encodeAuth, encodeStateless, encodeSyncStep1, encodeSyncStep2, encodeUpdate, MessageType } from './relayWire.ts';

function raw(write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
}
const serverFrame = (doc: string, type: number, body: (e: encoding.Encoder) => void = () => undefined) =>
  raw((e) => {
    encoding.writeVarString(e, doc);
    encoding.writeVarUint(e, type);
    body(e);
  });

describe('relay wire', () => {
  it('decodes what the relay sends', () => {
    const doc = new Y.Doc();
    doc.getText('t').insert(0, 'x');
    const sv = Y.encodeStateVector(doc);
    const update = Y.encodeStateAsUpdate(doc);
    expect(decodeFrame(encodeSyncStep1('s/p', sv))).toEqual({ doc: 's/p', kind: 'sync-step1', stateVector: sv });
    expect(decodeFrame(encodeSyncStep2('s/p', update))).toEqual({ doc: 's/p', kind: 'sync-step2', update });
    expect(decodeFrame(encodeUpdate('s/p', update))).toEqual({ doc: 's/p', kind: 'update', update });
    expect(decodeFrame(encodeStateless('s/p', '{"a":1}'))).toEqual({ doc: 's/p', kind: 'stateless', payload: '{"a":1}' });
    expect(decodeFrame(serverFrame('s/p', MessageType.Close, (e) => encoding.writeVarString(e, 'revoked')))).toEqual({ doc: 's/p', kind: 'close', reason: 'revoked' });
    expect(decodeFrame(serverFrame('s/p', MessageType.SyncStatus, (e) => encoding.writeVarUint(e, 1)))).toEqual({ doc: 's/p', kind: 'sync-status', applied: true });
    expect(decodeFrame(serverFrame('s/p', MessageType.Auth, (e) => (encoding.writeVarUint(e, 2), encoding.writeVarString(e, 'readonly'))))).toEqual({ doc: 's/p', kind: 'authenticated', scope: 'readonly' });
    expect(decodeFrame(serverFrame('s/p', MessageType.Auth, (e) => (encoding.writeVarUint(e, 1), encoding.writeVarString(e, 'expired'))))).toEqual({ doc: 's/p', kind: 'permission-denied', reason: 'expired' });
    expect(decodeFrame(new Uint8Array([MessageType.Ping]))).toEqual({ doc: null, kind: 'ping' });
  });

  it('refuses every malformed frame with a typed invalid-update error, never a crash', () => {
    const bad = [
      new Uint8Array([]),
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]),
      serverFrame('s/p', 42),
      serverFrame('s/p', MessageType.Sync, (e) => encoding.writeVarUint(e, 7)),
      serverFrame('s/p', MessageType.Sync, (e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint8Array(e, new Uint8Array([5, 1])))),
      serverFrame('s/p', MessageType.Sync, (e) => (encoding.writeVarUint(e, 1), encoding.writeVarUint(e, 100))),
      serverFrame('s/p', MessageType.Auth, (e) => (encoding.writeVarUint(e, 2), encoding.writeVarString(e, 'root'))),
      serverFrame('s/p', MessageType.SyncStatus, (e) => encoding.writeVarUint(e, 3)),
      raw((e) => (encoding.writeUint8Array(e, encodeAuth('s/p', 't')), encoding.writeUint8(e, 1))),
      serverFrame('x'.repeat(2000), MessageType.Stateless, (e) => encoding.writeVarString(e, '')),
    ];
    for (const frame of bad) {
      let error: unknown = null;
      try {
        decodeFrame(frame);
      } catch (e) {
        error = e;
      }
      expect(error, `frame ${[...frame.slice(0, 12)].join(',')}`).toBeInstanceOf(PersistenceError);
      expect((error as PersistenceError).code).toBe(ErrorCode.InvalidUpdate);
    }
  });
});
