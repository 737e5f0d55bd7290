import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ErrorCode } from '../../core/errors.ts';
import { ackCovers, encodeStoredAck, parseStoredAck } from './storedAck.ts';

describe('stored acknowledgement', () => {
  it('round-trips a state vector and says whether it covers a document\'s own changes', () => {
    const doc = new Y.Doc();
    expect(ackCovers(new Map(), doc)).toBe(true); // nothing written yet
    doc.getText('t').insert(0, 'abc');
    const ack = parseStoredAck(encodeStoredAck(Y.encodeStateVector(doc)));
    expect(ack?.get(doc.clientID)).toBe(3);
    expect(ackCovers(ack!, doc)).toBe(true);
    doc.getText('t').insert(3, 'd');
    expect(ackCovers(ack!, doc)).toBe(false);
  });

  it('ignores stateless messages of other kinds', () => {
    expect(parseStoredAck('hello')).toBeNull();
    expect(parseStoredAck('{"t":"presence"}')).toBeNull();
    expect(parseStoredAck('null')).toBeNull();
  });

  it('refuses a malformed or newer acknowledgement with a typed error', () => {
    expect(() => parseStoredAck('{"t":"quire:stored","v":1,"sv":7}')).toThrow(expect.objectContaining({ code: ErrorCode.InvalidUpdate }) as Error);
    expect(() => parseStoredAck('{"t":"quire:stored","v":1,"sv":"////"}')).toThrow(expect.objectContaining({ code: ErrorCode.InvalidUpdate }) as Error);
    expect(() => parseStoredAck('{"t":"quire:stored","sv":"AA=="}')).toThrow(expect.objectContaining({ code: ErrorCode.InvalidUpdate }) as Error);
    expect(() => parseStoredAck('{"t":"quire:stored","v":2,"sv":"AA=="}')).toThrow(expect.objectContaining({ code: ErrorCode.VersionTooNew }) as Error);
  });
});
