/**
 * A seeded corpus of corrupt content updates for the relay's update guard (relay/shadowGuardExtension.ts):
 * realistic page edits (a ProseMirror-shaped XmlFragment, as PageEditor writes, plus text, map and array
 * changes) made by a remote replica of a realistic document, then corrupted in one of several ways. The same
 * seed gives the same document, edit and corruption byte for byte (client ids are fixed).
 *
 * `classify` says what each one does: refused by the shape check (decode), throws when applied to the
 * document it was made for ("stateful"), throws when applied to a fresh empty document, or applies cleanly.
 */
import * as Y from 'yjs';
import { UpdateRejectedError } from '../../src/core/errors.ts';
import { checkUpdateShape } from '../../src/core/guard/UpdateGuard.ts';
import { mulberry32 } from '../../src/core/testing/prng.ts';
import type { Prng } from '../../src/core/testing/prng.ts';

/** Client ids of the replicas: fixed, so that every seed replays byte for byte. */
const BASE_CLIENT = 1;
const REMOTE_CLIENT = 3;
const WORDS = ['quire', 'page', 'sync', 'relay', 'caret', 'note', 'draft', 'space', 'link', 'list'];

function paragraphText(rng: Prng): string {
  return Array.from({ length: 2 + rng.int(12) }, () => rng.pick(WORDS)).join(' ');
}

/** One realistic edit on `doc` (typing, formatting, a new or deleted paragraph, a title, a list item). */
export function editPage(rng: Prng, doc: Y.Doc): void {
  const body = doc.getXmlFragment('default');
  const k = rng.int(10);
  if (k < 2 || body.length === 0) {
    const p = new Y.XmlElement(rng.int(4) === 0 ? 'heading' : 'paragraph');
    if (p.nodeName === 'heading') p.setAttribute('level', String(1 + rng.int(3)));
    p.insert(0, [new Y.XmlText(paragraphText(rng))]);
    body.insert(rng.int(body.length + 1), [p]);
    return;
  }
  const p = body.get(rng.int(body.length));
  const text = p instanceof Y.XmlElement ? p.get(0) : null;
  if (!(text instanceof Y.XmlText)) return;
  if (k < 6) text.insert(rng.int(text.length + 1), rng.pick(WORDS).slice(0, 1 + rng.int(5)));
  else if (k === 6 && text.length > 1) text.delete(rng.int(text.length - 1), 1 + rng.int(Math.min(4, text.length - 1)));
  else if (k === 7 && text.length > 2) text.format(rng.int(text.length - 1), 1 + rng.int(3), { bold: true });
  else if (k === 8) doc.getMap('meta').set(rng.pick(['title', 'icon', 'updated']), rng.int(2) ? paragraphText(rng) : rng.int(1e6));
  else if (body.length > 1) body.delete(rng.int(body.length), 1);
  else doc.getArray('links').insert(0, [rng.pick(WORDS)]);
}

/** A realistic page of `edits` edits by one client, encoded (the document the relay holds). */
export function realisticPage(seed: number, edits: number): Uint8Array {
  const rng = mulberry32(seed);
  const doc = new Y.Doc();
  doc.clientID = BASE_CLIENT;
  for (let i = 0; i < edits; i++) editPage(rng, doc);
  return Y.encodeStateAsUpdate(doc);
}

/** One of several corruptions, chosen by the rng; never returns the input unchanged (as the core's corpus). */
export function corrupt(rng: Prng, u: Uint8Array, other: Uint8Array): Uint8Array {
  const b = u.slice();
  switch (rng.int(7)) {
    case 0: // flip 1-3 bits
      for (let i = 0, n = 1 + rng.int(3); i < n; i++) b[rng.int(b.length)]! ^= 1 << rng.int(8);
      return b;
    case 1: // truncate
      return b.slice(0, rng.int(b.length));
    case 2: {
      // overwrite a byte with another value
      const i = rng.int(b.length);
      b[i] = (b[i]! + 1 + rng.int(255)) & 0xff;
      return b;
    }
    case 3: {
      // insert random bytes
      const i = rng.int(b.length + 1);
      return Uint8Array.from([...b.slice(0, i), ...Array.from({ length: 1 + rng.int(4) }, () => rng.int(256)), ...b.slice(i)]);
    }
    case 4: {
      // delete a run of bytes
      const i = rng.int(b.length);
      return Uint8Array.from([...b.slice(0, i), ...b.slice(i + 1 + rng.int(4))]);
    }
    case 5: {
      // splice two updates
      return Uint8Array.from([...b.slice(0, rng.int(b.length)), ...other.slice(rng.int(other.length))]);
    }
    default: {
      // a huge varint (a length or a clock) at a random place
      const i = rng.int(b.length);
      return Uint8Array.from([...b.slice(0, i), 0xff, 0xff, 0xff, 0xff, 0x0f, ...b.slice(i + 1)]);
    }
  }
}

/** A remote replica's edit of `base`, as the update a client would send. */
function remoteEdit(rng: Prng, remote: Y.Doc): Uint8Array {
  let update: Uint8Array | null = null;
  const capture = (u: Uint8Array) => (update = update ? Y.mergeUpdates([update, u]) : u);
  remote.on('update', capture);
  for (let i = 0, n = 1 + rng.int(3); i < n; i++) editPage(rng, remote);
  remote.off('update', capture);
  return update ?? Y.encodeStateVector(remote);
}

export interface CorruptCase {
  readonly seed: number;
  /** The document the update was made for, encoded. */
  readonly base: Uint8Array;
  readonly update: Uint8Array;
}

/** The corrupt update of one seed against `base` (a realisticPage). */
export function corruptCase(seed: number, base: Uint8Array): CorruptCase {
  const rng = mulberry32(seed);
  const remote = new Y.Doc();
  remote.clientID = REMOTE_CLIENT;
  Y.applyUpdate(remote, base);
  const update = corrupt(rng, remoteEdit(rng, remote), remoteEdit(rng, remote));
  remote.destroy();
  return { seed, base, update };
}

export type Verdict = 'shape' | 'throws' | 'applies';

/** What applying `update` to a copy of `base` does: refused by the shape check, throws, or applies. */
export function classify(base: Uint8Array | null, update: Uint8Array): Verdict {
  try {
    checkUpdateShape(update);
  } catch (e) {
    if (e instanceof UpdateRejectedError) return 'shape';
    throw e;
  }
  const doc = new Y.Doc();
  try {
    if (base) Y.applyUpdate(doc, base);
    Y.applyUpdate(doc, update);
    return 'applies';
  } catch {
    return 'throws';
  } finally {
    doc.destroy();
  }
}
