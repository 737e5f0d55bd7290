/**
 * A space stored the way the previous version of Quire stored it: ONE IndexedDB database per document,
 * y-indexeddb 9's layout (`quire:<space>:<doc>`, stores 'updates' (auto-increment keys, one Yjs update per row)
 * and 'custom'). Built here with Yjs and the core's Space (what that version wrote) and written raw into the
 * browser's IndexedDB, so the storage upgrade meets exactly the bytes a real profile holds.
 */
import type { Page } from '@playwright/test';
import * as Y from 'yjs';
import { Space } from '../src/core/space/Space.ts';

export interface PreviousVersionSpace {
  spaceId: string;
  /** Page ids in creation order; page i is titled `Page i` and holds `Words of page i.`. */
  pageIds: string[];
}

/** Writes the space into the origin's IndexedDB; call it with the page on a same-origin URL. */
export async function seedPreviousVersionSpace(page: Page, name: string, pages: number): Promise<PreviousVersionSpace> {
  const spaceId = `previous-${Math.random().toString(36).slice(2, 10)}`;
  const spaceDoc = new Y.Doc();
  const space = Space.create(spaceDoc, { id: spaceId, name });
  const pageIds: string[] = [];
  const docs: { docId: string; rows: number[][] }[] = [];
  for (let i = 0; i < pages; i++) {
    const pageId = space.createPage({ title: `Page ${i}` });
    pageIds.push(pageId);
    const doc = new Y.Doc();
    const paragraph = new Y.XmlElement('paragraph');
    doc.getXmlFragment('default').insert(0, [paragraph]);
    paragraph.insert(0, [new Y.XmlText(`Words of page ${i}.`)]);
    docs.push({ docId: pageId, rows: [Array.from(Y.encodeStateAsUpdate(doc))] });
  }
  docs.unshift({ docId: 'space', rows: [Array.from(Y.encodeStateAsUpdate(spaceDoc))] });
  await page.evaluate(
    async ({ spaceId, docs }) => {
      const write = (name: string, rows: number[][]) =>
        new Promise<void>((resolve, reject) => {
          const req = indexedDB.open(name);
          req.onupgradeneeded = () => {
            req.result.createObjectStore('updates', { autoIncrement: true });
            req.result.createObjectStore('custom');
          };
          req.onerror = () => reject(new Error(String(req.error)));
          req.onsuccess = () => {
            const db = req.result;
            const tx = db.transaction('updates', 'readwrite');
            for (const row of rows) tx.objectStore('updates').add(Uint8Array.from(row));
            tx.oncomplete = () => {
              db.close();
              resolve();
            };
            tx.onerror = () => reject(new Error(String(tx.error)));
          };
        });
      for (const { docId, rows } of docs) await write(`quire:${encodeURIComponent(spaceId)}:${encodeURIComponent(docId)}`, rows);
    },
    { spaceId, docs },
  );
  return { spaceId, pageIds };
}

/** The names of the origin's IndexedDB databases. */
export function databaseNames(page: Page): Promise<string[]> {
  return page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? ''));
}
