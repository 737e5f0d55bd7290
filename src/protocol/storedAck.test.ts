import { describe, expect, it } from 'vitest';
import { toBase64 } from 'lib0/buffer';
import * as Y from 'yjs';
import { ErrorCode } from '../core/errors.ts';
import { ackCovers, ackCoversDoc, encodeStoredAck, parseStoredAck } from './storedAck.ts';

const ackOf = (doc: Y.Doc) => parseStoredAck(encodeStoredAck(Y.encodeSnapshot(Y.snapshot(doc))))!;

describe('stored acknowledgement', () => {
  it('round-trips a snapshot and says whether it covers an update', () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    expect(ackCoversDoc(ackOf(doc), doc)).toBe(true); // nothing written yet
    doc.getText('t').insert(0, 'abc');
    const ack = ackOf(doc);
    expect(ackCovers(ack, updates[0]!)).toBe(true);
    doc.getText('t').insert(3, 'd');
    expect(ackCovers(ack, updates[1]!)).toBe(false);
    expect(ackCoversDoc(ack, doc)).toBe(false);
  });

  it('sees a delete-only update, which a state vector cannot', () => {
    const doc = new Y.Doc();
    doc.getText('t').insert(0, 'abc');
    const before = ackOf(doc);
    const sv = Y.encodeStateVector(doc);
    let deletion: Uint8Array | null = null;
    doc.on('update', (u: Uint8Array) => (deletion = u));
    doc.getText('t').delete(0, 1);
    expect(Y.encodeStateVector(doc)).toEqual(sv); // no clock moved
    expect(ackCovers(before, deletion!)).toBe(false);
    expect(ackCovers(ackOf(doc), deletion!)).toBe(true);
  });

  it('ignores stateless messages of other kinds', () => {
    expect(parseStoredAck('hello')).toBeNull();
    expect(parseStoredAck('{"t":"presence"}')).toBeNull();
    expect(parseStoredAck('null')).toBeNull();
  });

  it('refuses a malformed, older or newer acknowledgement with a typed error', () => {
    const invalid = expect.objectContaining({ code: ErrorCode.InvalidUpdate }) as Error;
    expect(() => parseStoredAck('{"t":"quire:stored","v":2,"snapshot":7}')).toThrow(invalid);
    expect(() => parseStoredAck('{"t":"quire:stored","v":2,"snapshot":"////"}')).toThrow(invalid);
    expect(() => parseStoredAck(`{"t":"quire:stored","v":2,"snapshot":"${toBase64(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]))}"}`)).toThrow(invalid);
    expect(() => parseStoredAck('{"t":"quire:stored","snapshot":"AAA="}')).toThrow(invalid);
    expect(() => parseStoredAck('{"t":"quire:stored","v":1,"sv":"AA=="}')).toThrow(invalid);
    expect(() => parseStoredAck('{"t":"quire:stored","v":3,"snapshot":"AAA="}')).toThrow(expect.objectContaining({ code: ErrorCode.VersionTooNew }) as Error);
  });
});
