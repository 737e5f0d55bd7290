/**
 * The core side of the tab layer, held at the DocSync level with a scripted same-origin layer: the
 * `immediate` hint, updates from a same-origin layer kept out of the one-way layers, `localDurable`,
 * `persist` and `settle`.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { UpdateRejectedError } from '../../core/errors.ts';
import { systemClock } from '../../core/clock.ts';
import { DocSync } from '../../core/manager/DocSync.ts';
import { SaveStatus } from '../../core/manager/SaveStatus.ts';
import { FaultyLayer } from '../../core/persistence/FaultyLayer.ts';
import { MemoryLayer, MemoryStore } from '../../core/persistence/MemoryLayer.ts';
import type { DocId, LocalDocBinding, SameOriginLayer, SaveInfo } from '../../core/persistence/PersistenceLayer.ts';
import { ScriptedTwoWayLayer } from '../../core/testing/ScriptedTwoWayLayer.ts';

class ScriptedSameOrigin extends ScriptedTwoWayLayer implements SameOriginLayer {
  readonly sameOrigin = true as const;
  readonly immediate = true;
  readonly saves: { update: Uint8Array; info: SaveInfo | undefined }[] = [];
  readonly durable: number[] = [];
  binding: LocalDocBinding | null = null;
  settling: Promise<void> | undefined = undefined;

  override save(docId: DocId, update: Uint8Array, info?: SaveInfo): Promise<void> {
    this.saves.push({ update, info });
    return super.save(docId, update);
  }
  bind(_docId: DocId, binding: LocalDocBinding): () => void {
    this.binding = binding;
    return () => (this.binding = null);
  }
  localDurable(_docId: DocId, upToSeq: number): void {
    this.durable.push(upToSeq);
  }
  settle(): Promise<void> | undefined {
    return this.settling;
  }
}

function setup(coalesceMs = 1000) {
  const status = new SaveStatus();
  const store = new FaultyLayer(new MemoryLayer('s', new MemoryStore(), 'memory'), {});
  const tabs = new ScriptedSameOrigin('s', new MemoryStore(), 'tabs');
  const relay = new ScriptedTwoWayLayer('s', new MemoryStore(), 'relay');
  for (const l of [store, tabs, relay]) status.addLayer(l.name, l.direction);
  const doc = new Y.Doc();
  const sync = new DocSync(doc, 'p', [store, tabs, relay], { clock: systemClock, status, statusKey: 's/p', coalesceMs });
  return { status, store, tabs, relay, doc, sync };
}

function peerEdit(text: string): Uint8Array {
  const peer = new Y.Doc();
  peer.getText('t').insert(0, text);
  return Y.encodeStateAsUpdate(peer);
}

describe('DocSync with a same-origin (other tabs) layer', () => {
  it('hands each change to an immediate layer at once while the store waits for coalescing', () => {
    const { store, tabs, relay, doc, sync } = setup();
    doc.getText('t').insert(0, 'a');
    doc.getText('t').insert(1, 'b');
    expect(tabs.saves.length).toBeGreaterThanOrEqual(1);
    expect(store.writes).toBe(0);
    expect(sync.pending(relay)).toBe(2);
    sync.detach();
  });

  it('keeps updates from another tab out of the one-way layers but passes them to other two-way layers', async () => {
    const { store, relay, sync, tabs, doc } = setup(5);
    sync.applyRemote(peerEdit('from the other tab'), tabs);
    expect(doc.getText('t').toString()).toBe('from the other tab');
    expect(sync.pending(store)).toBe(0);
    expect(sync.pending(relay)).toBe(1);
    await sync.flush();
    expect(store.writes).toBe(0);
    sync.detach();
  });

  it('numbers the writes it hands over and reports what the store acknowledged', async () => {
    const { tabs, doc, sync } = setup(5);
    doc.getText('t').insert(0, 'x');
    await Promise.resolve();
    doc.getText('t').insert(1, 'y');
    const seqs = tabs.saves.map((s) => s.info?.seq);
    expect(seqs.every((s) => typeof s === 'number')).toBe(true);
    expect(tabs.durable).toEqual([]);
    await sync.flush();
    expect(tabs.durable.at(-1)).toBe(Math.max(...(seqs as number[])));
    sync.detach();
  });

  it('persist writes a dead peer\'s update to the one-way layers (pending, then saved); a refused one changes nothing', async () => {
    const { store, tabs, doc, sync, status } = setup(5);
    const update = peerEdit('orphan');
    sync.applyRemote(update, tabs);
    expect(sync.pending(store)).toBe(0);
    tabs.binding!.persist(update);
    expect(sync.pending(store)).toBe(1);
    expect(status.snapshot().state).toBe('saving');
    await sync.flush();
    expect(store.writes).toBe(1);
    expect(status.snapshot().state).toBe('saved');
    expect(() => tabs.binding!.persist(new Uint8Array([255, 255, 255, 9]))).toThrow(UpdateRejectedError);
    expect(sync.pending(store)).toBe(0);
    expect(doc.getText('t').toString()).toBe('orphan');
    sync.detach();
    expect(tabs.binding).toBeNull();
  });

  it('flush waits for a settling layer, and writes what it handed over', async () => {
    const { store, tabs, sync } = setup(5);
    let done!: () => void;
    tabs.settling = new Promise<void>((r) => (done = r));
    let flushed = false;
    const f = sync.flush().then(() => (flushed = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(flushed).toBe(false);
    tabs.binding!.persist(peerEdit('left behind'));
    tabs.settling = undefined;
    done();
    await f;
    expect(store.writes).toBe(1);
    sync.detach();
  });
});
