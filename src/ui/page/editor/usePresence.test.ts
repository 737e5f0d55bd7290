import { describe, expect, it } from 'vitest';
import { applyAwarenessUpdate, Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { awarenessFor, retireAwareness } from './usePresence.ts';

describe('page awareness', () => {
  it('a new Awareness on the same page continues the clock, so other devices take its state at once', () => {
    const doc = new Y.Doc();
    const other = new Awareness(new Y.Doc()); // another device, as the relay forwards to it
    const forward = (a: Awareness) => applyAwarenessUpdate(other, encodeAwarenessUpdate(a, [a.clientID]), 'relay');

    const first = awarenessFor(doc);
    for (let i = 0; i < 5; i++) {
      first.setLocalStateField('user', { name: `Ada ${i}` });
      forward(first);
    }
    retireAwareness(doc, first);
    forward(first); // "left"
    expect(other.getStates().has(doc.clientID)).toBe(false);

    const second = awarenessFor(doc); // the page re-attached (role or name changed)
    second.setLocalStateField('user', { name: 'Ada again' });
    forward(second);
    expect(other.getStates().get(doc.clientID)).toEqual({ user: { name: 'Ada again' } });
  });
});
