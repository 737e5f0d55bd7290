/**
 * Malformed input fuzz: seeded corruptions of real updates offered through the guard. None may reach the
 * live document or any layer. The same corpus applied WITHOUT the guard shows the hazard is real: some
 * corrupt updates throw after changing the document (the reason the guard applies to a shadow first).
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { UpdateRejectedError } from '../errors.ts';
import { systemClock } from '../clock.ts';
import { FaultyLayer } from '../persistence/FaultyLayer.ts';
import { MemoryLayer } from '../persistence/MemoryLayer.ts';
import { DocSync } from '../manager/DocSync.ts';
import { SaveStatus } from '../manager/SaveStatus.ts';
import { mulberry32 as createRng, type Prng as Rng } from '../testing/prng.ts';

const EXTENSIVE = process.env.EXTENSIVE === '1';
/** Corrupted updates per run of the default suite (the issue asks for at least 5,000). */
const CASES = EXTENSIVE ? 100_000 : 6_000;
const BASE_SEED = 0x9e3779b9;

/** A remote replica's realistic edit: text, map and array changes, with deletions. */
function realUpdate(rng: Rng, remote: Y.Doc): Uint8Array {
  let update: Uint8Array | null = null;
  const capture = (u: Uint8Array) => (update = update ? Y.mergeUpdates([update, u]) : u);
  remote.on('update', capture);
  const t = remote.getText('t');
  const m = remote.getMap('m');
  const a = remote.getArray<unknown>('a');
  const ops = 1 + rng.int(4);
  for (let i = 0; i < ops; i++) {
    const k = rng.int(5);
    if (k === 0 && t.length > 0) t.delete(rng.int(t.length), 1 + rng.int(Math.min(3, t.length)));
    else if (k === 1) m.set(`k${rng.int(6)}`, rng.int(2) ? rng.int(1000) : { nested: 'v'.repeat(rng.int(5)) });
    else if (k === 2) a.insert(rng.int(a.length + 1), [rng.int(10), 'x'.repeat(rng.int(4))]);
    else if (k === 3 && a.length > 0) a.delete(rng.int(a.length), 1);
    else t.insert(rng.int(t.length + 1), 'abcdefghij'.slice(0, 1 + rng.int(9)), rng.int(3) === 0 ? { bold: true } : undefined);
  }
  remote.off('update', capture);
  return update ?? Y.encodeStateAsUpdate(remote);
}

/** One of several corruptions, chosen by the rng. Never returns the input unchanged. */
function corrupt(rng: Rng, u: Uint8Array, other: Uint8Array): Uint8Array {
  const b = u.slice();
  switch (rng.int(7)) {
    case 0: { // flip 1-3 bits
      for (let i = 0, n = 1 + rng.int(3); i < n; i++) b[rng.int(b.length)]! ^= 1 << rng.int(8);
      return b;
    }
    case 1: // truncate
      return b.slice(0, rng.int(b.length));
    case 2: { // overwrite a byte with a random value
      const i = rng.int(b.length);
      b[i] = (b[i]! + 1 + rng.int(255)) & 0xff;
      return b;
    }
    case 3: { // insert random bytes
      const i = rng.int(b.length + 1);
      const extra = Uint8Array.from({ length: 1 + rng.int(4) }, () => rng.int(256));
      return Uint8Array.from([...b.slice(0, i), ...extra, ...b.slice(i)]);
    }
    case 4: { // delete a run of bytes
      const i = rng.int(b.length);
      return Uint8Array.from([...b.slice(0, i), ...b.slice(i + 1 + rng.int(4))]);
    }
    case 5: { // splice two updates
      const i = rng.int(b.length);
      const j = rng.int(other.length);
      return Uint8Array.from([...b.slice(0, i), ...other.slice(j)]);
    }
    default: { // a huge varint (length or clock) at a random place
      const i = rng.int(b.length);
      return Uint8Array.from([...b.slice(0, i), 0xff, 0xff, 0xff, 0xff, 0x0f, ...b.slice(i + 1)]);
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A shared history both replicas start from, so corruptions hit a document with real content. */
function baseState(): Uint8Array {
  const rng = createRng(BASE_SEED);
  const doc = new Y.Doc();
  doc.clientID = 1; // client ids are random by default; fixed ones make every seed replay byte for byte
  for (let i = 0; i < 40; i++) realUpdate(rng, doc);
  return Y.encodeStateAsUpdate(doc);
}

describe('update guard: malformed input fuzz', () => {
  it(`lets none of ${CASES} corrupted updates reach the live document or a layer`, async () => {
    const base = baseState();
    const layer = new FaultyLayer(new MemoryLayer('s'));
    const status = new SaveStatus();
    status.addLayer(layer.name, layer.direction);

    let rejected = 0;
    let accepted = 0;
    let unguardedPartial = 0;
    const failures: string[] = [];
    // Each case is independent (its own seed and a fresh replica pair), so a failing case replays alone.
    for (let c = 0; c < CASES && failures.length === 0; c++) {
      const seed = BASE_SEED + c;
      const rng = createRng(seed);
      const live = new Y.Doc();
      live.clientID = 2;
      Y.applyUpdate(live, base);
      const remote = new Y.Doc();
      remote.clientID = 3;
      Y.applyUpdate(remote, base);
      const sync = new DocSync(live, 'p', [layer], { clock: systemClock, status, statusKey: 's/p', coalesceMs: 0 });
      const bad = corrupt(rng, realUpdate(rng, remote), realUpdate(rng, remote));
      const before = Y.encodeStateAsUpdate(live);
      const writesBefore = layer.writes;
      let refused = false;
      try {
        sync.applyRemote(bad, 'fuzz');
        accepted++; // decodes and applies cleanly: valid Yjs as far as Yjs can tell
      } catch (e) {
        rejected++;
        refused = true;
        if (!(e instanceof UpdateRejectedError)) failures.push(`seed ${seed}: threw ${String(e)}`);
        if (!sameBytes(before, Y.encodeStateAsUpdate(live))) failures.push(`seed ${seed}: live document changed by a rejected update`);
        // The hazard the guard exists for: the same bytes applied bare to a copy.
        const bare = new Y.Doc();
        Y.applyUpdate(bare, before);
        let fired = false;
        bare.on('update', () => (fired = true));
        try {
          Y.applyUpdate(bare, bad);
        } catch {
          if (fired || !sameBytes(before, Y.encodeStateAsUpdate(bare))) unguardedPartial++;
        }
      }
      await sync.flush();
      if (refused && layer.writes !== writesBefore) failures.push(`seed ${seed}: a rejected update was written`);
      sync.detach();
    }
    expect(failures, failures.slice(0, 5).join('; ')).toEqual([]);
    expect(rejected + accepted).toBe(CASES);
    expect(rejected, 'most corruptions are refused').toBeGreaterThan(CASES / 2);
    expect(unguardedPartial, 'the corpus exercises half-applied updates').toBeGreaterThan(0);
    console.log(`malformed fuzz (seeds ${BASE_SEED}..+${CASES - 1}): ${rejected} rejected, ${accepted} valid after corruption, ${unguardedPartial} would have half-applied without the guard`);
  });
});
