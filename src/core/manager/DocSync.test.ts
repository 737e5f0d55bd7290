import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ErrorCode, PersistenceError, UpdateRejectedError } from '../errors.ts';
import { systemClock } from '../clock.ts';
import { FaultyLayer } from '../persistence/FaultyLayer.ts';
import { MemoryLayer, MemoryStore } from '../persistence/MemoryLayer.ts';
import { textOf } from '../testing/persistenceContract.ts';
import { DocSync } from './DocSync.ts';
import { SaveStatus } from './SaveStatus.ts';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setup(opts: { coalesceMs?: number; layers?: number; fault?: ConstructorParameters<typeof FaultyLayer>[1] } = {}) {
  const store = new MemoryStore();
  const status = new SaveStatus();
  const inner = Array.from({ length: opts.layers ?? 1 }, (_, i) => new MemoryLayer('s', store, `mem${i}`));
  const layers = inner.map((l) => new FaultyLayer(l, opts.fault ?? {}));
  for (const l of layers) status.addLayer(l.name, l.direction);
  const doc = new Y.Doc();
  const sync = new DocSync(doc, 'p1', layers, { clock: systemClock, status, statusKey: 's/p1', coalesceMs: opts.coalesceMs ?? 20, retryInitialMs: 5, retryMaxMs: 20 });
  const type = (s: string) => {
    const t = doc.getText('t');
    for (const ch of s) t.insert(t.length, ch);
  };
  return { store, status, inner, layers, doc, sync, type };
}

/**
 * A layer that stores at once but acknowledges only when the test says (as a relay acknowledges after its
 * store debounce), and fails the saves the test picks.
 */
class LateAckLayer extends MemoryLayer {
  readonly immediate = true;
  readonly held: { update: Uint8Array; resolve: () => void; reject: (e: unknown) => void }[] = [];
  constructor(
    store: MemoryStore,
    readonly pipelined: boolean,
  ) {
    super('s', store, pipelined ? 'late-pipelined' : 'late');
  }
  override save(docId: string, update: Uint8Array): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.held.push({ update, resolve: () => void super.save(docId, update).then(resolve, reject), reject });
    });
  }
}

describe('DocSync with a layer that acknowledges late', () => {
  const setupLate = (pipelined: boolean, retryInitialMs = 5) => {
    const status = new SaveStatus();
    const layer = new LateAckLayer(new MemoryStore(), pipelined);
    status.addLayer(layer.name, layer.direction);
    const doc = new Y.Doc();
    const sync = new DocSync(doc, 'p1', [layer], { clock: systemClock, status, statusKey: 's/p1', coalesceMs: 20, retryInitialMs, retryMaxMs: Math.max(20, retryInitialMs) });
    const type = (ch: string) => doc.getText('t').insert(doc.getText('t').length, ch);
    return { status, layer, sync, type };
  };

  it('pipelined: hands each change over at once while earlier ones await their acknowledgement', async () => {
    const { layer, sync, type, status } = setupLate(true);
    type('a');
    type('b');
    type('c');
    expect(layer.held.map((h) => h.update.byteLength > 0)).toEqual([true, true, true]);
    expect(status.snapshot().pending).toBe(3);
    for (const h of layer.held.splice(0)) h.resolve();
    await sync.flush();
    expect(textOf(await layer.load('p1'))).toBe('abc');
    expect(status.snapshot()).toMatchObject({ state: 'saved', pending: 0 });
  });

  it('pipelined: a failed batch among acknowledged ones is retried alone and nothing is lost', async () => {
    const { layer, sync, type, status } = setupLate(true);
    type('a');
    type('b');
    type('c');
    const [first, second, third] = layer.held.splice(0);
    first!.resolve();
    second!.reject(new PersistenceError(ErrorCode.StorageUnavailable, 'relay went away'));
    third!.resolve();
    await wait(30); // the retry timer hands the failed batch over again
    expect(layer.held).toHaveLength(1);
    layer.held.splice(0)[0]!.resolve();
    await sync.flush();
    expect(textOf(await layer.load('p1'))).toBe('abc');
    expect(status.snapshot()).toMatchObject({ state: 'saved', pending: 0 });
  });

  it('closing does not wait for a remote layer (a relay out of reach), only for the layers on this device', async () => {
    const status = new SaveStatus();
    const store = new MemoryStore();
    const local = new MemoryLayer('s', store, 'local');
    const relay = Object.assign(new LateAckLayer(new MemoryStore(), true), { remote: true });
    status.addLayer(local.name, local.direction, false);
    status.addLayer(relay.name, relay.direction, true);
    const doc = new Y.Doc();
    const sync = new DocSync(doc, 'p1', [local, relay], { clock: systemClock, status, statusKey: 's/p1', coalesceMs: 5, retryInitialMs: 5, retryMaxMs: 20 });
    doc.getText('t').insert(0, 'typed offline');
    await sync.close(); // resolves although the relay never acknowledged
    expect(textOf(await local.load('p1'))).toBe('typed offline');
    expect(relay.held).toHaveLength(1); // handed over: the relay layer keeps it and sends it when it can
    // A flush that includes remote layers still waits for them (the background sync relies on it).
    const doc2 = new Y.Doc();
    const sync2 = new DocSync(doc2, 'p2', [local, relay], { clock: systemClock, status, statusKey: 's/p2', coalesceMs: 5, retryInitialMs: 5, retryMaxMs: 20 });
    doc2.getText('t').insert(0, 'x');
    let flushed = false;
    const flushing = sync2.flush().then(() => (flushed = true));
    await wait(30);
    expect(flushed).toBe(false);
    for (const h of relay.held.splice(0)) h.resolve();
    await flushing;
    expect(flushed).toBe(true);
  });

  it('tells a layer of each change it queues for it, also while that layer waits out a retry backoff', async () => {
    const { layer, type, sync } = setupLate(true, 60_000); // the backoff outlasts the test
    const told: string[] = [];
    Object.assign(layer, { queued: (docId: string) => told.push(docId) });
    type('a');
    layer.held.splice(0)[0]!.reject(new PersistenceError(ErrorCode.Forbidden, 'refused'));
    await wait(1); // the failure is handled: the layer's queue now waits for its retry timer
    type('b');
    expect(layer.held).toHaveLength(0); // not handed over during the backoff...
    expect(told).toEqual(['p1', 'p1']); // ...but announced at once
    sync.detach();
  });

  it('not pipelined: one save in flight, the changes made meanwhile wait and go out merged', async () => {
    const { layer, sync, type } = setupLate(false);
    type('a');
    type('b');
    type('c');
    expect(layer.held).toHaveLength(1);
    layer.held.splice(0)[0]!.resolve();
    await wait(10);
    expect(layer.held).toHaveLength(1); // 'b' and 'c' as one write
    layer.held.splice(0)[0]!.resolve();
    await sync.flush();
    expect(textOf(await layer.load('p1'))).toBe('abc');
  });
});

describe('DocSync', () => {
  it('coalesces a burst of keystrokes into one write per layer and acknowledges it', async () => {
    const { layers, inner, sync, type, status } = setup({ layers: 2 });
    type('hello world');
    expect(status.snapshot().state).toBe('saving');
    expect(status.snapshot().pending).toBe(22);
    await sync.flush();
    expect(layers.map((l) => l.writes)).toEqual([1, 1]);
    for (const l of inner) expect(textOf(await l.load('p1'))).toBe('hello world');
    expect(status.snapshot()).toMatchObject({ state: 'saved', pending: 0 });
  });

  it('writes on its own after the coalescing delay, without a flush', async () => {
    const { inner, type, status } = setup({ coalesceMs: 10 });
    type('abc');
    await wait(60);
    expect(textOf(await inner[0]!.load('p1'))).toBe('abc');
    expect(status.snapshot().state).toBe('saved');
  });

  it('keeps the updates of a failed write, reports one error, and writes them on retry', async () => {
    const { inner, sync, type, status } = setup({ fault: { failWrite: { at: 1, mode: 'once' } } });
    type('keep me');
    const err: unknown = await sync.flush().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PersistenceError);
    expect((err as PersistenceError).code).toBe(ErrorCode.QuotaExceeded);
    expect(status.snapshot().state).toBe('error');
    await wait(50);
    expect(textOf(await inner[0]!.load('p1'))).toBe('keep me');
    expect(status.errors).toHaveLength(1);
    expect(status.snapshot().state).toBe('saved');
  });

  it('reports a layer failing forever once, keeps everything pending, and saves the backlog when healed', async () => {
    const { inner, layers, sync, type, status } = setup({ fault: { failWrite: { at: 2, mode: 'forever' } } });
    type('a');
    await sync.flush();
    type('bcd');
    await expect(sync.flush()).rejects.toBeInstanceOf(PersistenceError);
    await wait(60);
    type('ef');
    await expect(sync.flush()).rejects.toBeInstanceOf(PersistenceError);
    expect(layers[0]!.failedWrites).toBeGreaterThan(2);
    expect(status.errors).toHaveLength(1);
    expect(status.snapshot().pending).toBe(5);
    expect(textOf(await inner[0]!.load('p1'))).toBe('a');
    layers[0]!.heal();
    await sync.flush();
    expect(textOf(await inner[0]!.load('p1'))).toBe('abcdef');
    expect(status.snapshot().state).toBe('saved');
  });

  it('refuses to close while it cannot save, and closes once it can', async () => {
    const { layers, sync, type, doc } = setup({ fault: { failWrite: { at: 1, mode: 'forever' } } });
    type('x');
    await expect(sync.close()).rejects.toBeInstanceOf(PersistenceError);
    type('y'); // still attached: the edit is queued
    layers[0]!.heal();
    await sync.close();
    expect(textOf(await layers[0]!.load('p1'))).toBe('xy');
    doc.getText('t').insert(0, 'after close');
    await wait(40);
    expect(layers[0]!.writes).toBeLessThanOrEqual(3);
  });

  it('saves a remote update to the other layers but not back to the layer it came from', async () => {
    const { layers, sync, doc } = setup({ layers: 2 });
    const remote = new Y.Doc();
    remote.getText('t').insert(0, 'from afar');
    sync.applyRemote(Y.encodeStateAsUpdate(remote), layers[0]!);
    expect(doc.getText('t').toString()).toBe('from afar');
    await sync.flush();
    expect(layers[0]!.writes).toBe(0);
    expect(layers[1]!.writes).toBe(1);
  });

  it('rejects a malformed remote update before it reaches the document or any layer', async () => {
    const { layers, sync, doc, type } = setup();
    type('base');
    await sync.flush();
    const before = Y.encodeStateAsUpdate(doc);
    expect(() => sync.applyRemote(new Uint8Array([1, 2, 3, 250, 255, 7]), 'relay')).toThrow(UpdateRejectedError);
    expect(() => sync.applyRemote(new Uint8Array(), 'relay')).toThrow(UpdateRejectedError);
    await sync.flush();
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
    expect(layers[0]!.writes).toBe(1);
  });

  it('writes a big paste at once instead of waiting for the coalescing delay', async () => {
    const { layers, type, doc } = setup({ coalesceMs: 60_000 });
    type('x');
    doc.getText('t').insert(1, 'y'.repeat(1_100_000));
    await wait(30);
    expect(layers[0]!.writes).toBe(1);
  });

  it('a flush of a detached DocSync with writes still queued rejects instead of waiting forever', async () => {
    const { sync, type } = setup({ coalesceMs: 60_000 });
    type('never written');
    sync.detach();
    const e: unknown = await sync.flush().catch((x: unknown) => x);
    expect((e as PersistenceError).code).toBe(ErrorCode.Closed);
  });
});
