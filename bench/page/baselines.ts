/**
 * Raw platform baselines, measured in the same run as Quire's figures: raw IndexedDB, bare y-indexeddb,
 * bare Yjs, WebCrypto, structuredClone. Each returns samples in ms.
 */
import * as Y from 'yjs';
import { IndexeddbPersistence, storeState } from 'y-indexeddb';
import { mulberry32 } from '../../src/core/testing/prng.ts';
import { deleteDb, done, openDb, paragraphs, req, sample } from './timing.ts';

const RAW_DB = 'bench-raw';
/** Children per parent in the raw rows, so the index read returns a sidebar-sized list. */
const CHILDREN_PER_PARENT = 50;
/** Yjs ops timed together per sample: one op is far below the timer's resolution. */
const OPS_PER_SAMPLE = 1000;

interface RawRow {
  id: string;
  parent: string;
  order: string;
  title: string;
  updatedAt: number;
}

function rawRow(i: number): RawRow {
  return { id: `p${i}`, parent: `parent${Math.floor(i / CHILDREN_PER_PARENT)}`, order: `a${i}`, title: `Page ${i}`, updatedAt: i };
}

async function rawDb(rows: number): Promise<IDBDatabase> {
  await deleteDb(RAW_DB);
  const db = await openDb(RAW_DB, (d) => d.createObjectStore('rows', { keyPath: 'id' }).createIndex('parent', ['parent', 'order']));
  const tx = db.transaction('rows', 'readwrite');
  for (let i = 0; i < rows; i++) tx.objectStore('rows').put(rawRow(i));
  await done(tx);
  return db;
}

export async function rawIndexedDb(n: number, rows: number) {
  const db = await rawDb(rows);
  // Strict durability, as Quire's page store writes, so the comparison is like for like.
  const put = await sample(n, async (i) => {
    const tx = db.transaction('rows', 'readwrite', { durability: 'strict' });
    tx.objectStore('rows').put({ ...rawRow(i), title: `edit ${i}` });
    await done(tx);
  });
  const getAll = await sample(n, () => req(db.transaction('rows').objectStore('rows').getAll()));
  const indexRead = await sample(n, (i) =>
    req(db.transaction('rows').objectStore('rows').index('parent').getAll(IDBKeyRange.bound([`parent${i % 10}`], [`parent${i % 10}`, []]))),
  );
  db.close();
  const names: string[] = [];
  const openCreate = await sample(n, async (i) => {
    const name = `bench-open-${i}`;
    names.push(name);
    const d = await openDb(name, (x) => {
      // The shape y-indexeddb gives each page database.
      x.createObjectStore('updates', { autoIncrement: true });
      x.createObjectStore('custom');
    });
    d.close();
  }, (i) => deleteDb(`bench-open-${i}`));
  await Promise.all(names.map(deleteDb));
  return { put, getAll, indexRead, openCreate };
}

/** Bare y-indexeddb: open a small (about 2,000 characters) compacted document, as a typical page is. */
export async function yIndexeddbOpen(n: number) {
  const name = 'bench-yidb-small';
  await deleteDb(name);
  const doc = new Y.Doc();
  const frag = doc.getXmlFragment('default');
  const rnd = mulberry32(7);
  for (const text of paragraphs(2000, 200, rnd.next)) {
    const p = new Y.XmlElement('paragraph');
    p.insert(0, [new Y.XmlText(text)]);
    frag.push([p]);
  }
  const writer = new IndexeddbPersistence(name, doc);
  await writer.whenSynced;
  await storeState(writer, true); // compacted: one row
  await writer.destroy();
  return sample(n, async () => {
    const d = new Y.Doc();
    const p = new IndexeddbPersistence(name, d);
    await p.whenSynced;
    if (d.getXmlFragment('default').length === 0) throw new Error('y-indexeddb opened an empty document');
    await p.destroy();
  });
}

/** Bare Yjs: the cost of one op (a one-character insert, averaged over a batch), encode and decode of a large document. */
export function bareYjs(n: number, largeChars: number) {
  const doc = new Y.Doc();
  const text = doc.getText('t');
  const oneOp: number[] = [];
  for (let s = 0; s < n; s++) {
    const t0 = performance.now();
    for (let i = 0; i < OPS_PER_SAMPLE; i++) text.insert(text.length, 'a');
    oneOp.push((performance.now() - t0) / OPS_PER_SAMPLE);
  }
  const large = new Y.Doc();
  const body = large.getText('body');
  const rnd = mulberry32(11);
  // Typed in chunks, so the document carries a realistic history of many small items.
  for (const p of paragraphs(largeChars, 40, rnd.next)) body.insert(Math.floor(rnd.next() * body.length), p);
  let update: Uint8Array = new Uint8Array();
  const encode: number[] = [];
  const decode: number[] = [];
  for (let s = 0; s < n; s++) {
    let t0 = performance.now();
    update = Y.encodeStateAsUpdate(large);
    encode.push(performance.now() - t0);
    t0 = performance.now();
    Y.applyUpdate(new Y.Doc(), update);
    decode.push(performance.now() - t0);
  }
  return { oneOp, encode, decode, largeBytes: update.byteLength };
}

/** WebCrypto SHA-256 of 1 MiB: ms per MiB. */
export async function sha256(n: number) {
  const data = new Uint8Array(1 << 20);
  for (let i = 0; i < data.length; i++) data[i] = i & 255;
  return sample(n, () => crypto.subtle.digest('SHA-256', data));
}

/** structuredClone of `rows` sidebar-shaped rows. */
export function clone(n: number, rows: number) {
  const list = Array.from({ length: rows }, (_, i) => rawRow(i));
  const out: number[] = [];
  for (let s = 0; s < n; s++) {
    const t0 = performance.now();
    structuredClone(list);
    out.push(performance.now() - t0);
  }
  return out;
}
