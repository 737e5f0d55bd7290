/**
 * The peer: automerge-repo 2.5.6 with its IndexedDB storage adapter, used as a library in this page only,
 * doing what Quire does for the same workloads: create B documents, reopen B documents (a fresh repo, as
 * after a restart), open one, apply an edit and persist it. Quire's side runs through a SpaceManager over a
 * named local store (stores.ts: the space store the app uses, or the page store it leaves) and SpaceHandle, with
 * the same typical body (about 2,000 characters) in each document. Like the peer, it writes no projection.
 */
import type * as Y from 'yjs';
import { Repo, type AutomergeUrl } from '@automerge/automerge-repo';
import { IndexedDBStorageAdapter } from '@automerge/automerge-repo-storage-indexeddb';
import { mulberry32 } from '../../src/core/testing/prng.ts';
import { TYPICAL_CHARS, writeBody } from './seed.ts';
import { storeManager, type StoreKind } from './stores.ts';
import { deleteDb, paragraphs, sample } from './timing.ts';

const AUTOMERGE_DB = 'bench-automerge';

interface Note {
  text: string;
}

function newRepo(): Repo {
  return new Repo({ storage: new IndexedDBStorageAdapter(AUTOMERGE_DB), network: [] });
}

export async function automerge(n: number, batch: number) {
  await deleteDb(AUTOMERGE_DB);
  const body = paragraphs(TYPICAL_CHARS, 200, mulberry32(5).next).join('\n');
  let urls: AutomergeUrl[] = [];
  const create = await sample(n, async () => {
    const repo = newRepo();
    const handles = Array.from({ length: batch }, () => repo.create<Note>({ text: body }));
    await repo.flush();
    urls = handles.map((h) => h.url);
    await repo.shutdown();
  });
  const reopen = await sample(n, async () => {
    const repo = newRepo();
    for (const url of urls) (await repo.find<Note>(url)).doc();
    await repo.shutdown();
  });
  const openOne = await sample(n, async () => {
    const repo = newRepo();
    (await repo.find<Note>(urls[0]!)).doc();
    await repo.shutdown();
  });
  const repo = newRepo();
  const h = await repo.find<Note>(urls[0]!);
  const edit = await sample(n, async (i) => {
    h.change((d) => void (d.text = d.text.slice(0, i) + 'x' + d.text.slice(i)));
    await repo.flush([h.documentId]);
  });
  await repo.shutdown();
  return { create, reopen, openOne, edit };
}

export async function quire(n: number, batch: number, kind: StoreKind) {
  const rnd = mulberry32(5);
  const setup = storeManager(kind);
  const spaceId = (await setup.createSpace({ name: 'peer comparison' })).id;
  await setup.close();
  let ids: string[] = [];
  const create = await sample(n, async () => {
    const ws = storeManager(kind);
    const handle = await ws.openSpace(spaceId);
    ids = Array.from({ length: batch }, () => handle.space.createPage({ title: 'note' }));
    await Promise.all(
      ids.map(async (id) => {
        const page = await handle.openPage(id);
        writeBody(page.doc, TYPICAL_CHARS, 200, rnd.next);
        await page.release();
      }),
    );
    await ws.close();
  });
  const reopen = await sample(n, async () => {
    const ws = storeManager(kind);
    const handle = await ws.openSpace(spaceId);
    for (const id of ids) await (await handle.openPage(id)).release();
    await ws.close();
  });
  const openOne = await sample(n, async () => {
    const ws = storeManager(kind);
    const handle = await ws.openSpace(spaceId);
    await (await handle.openPage(ids[0]!)).release();
    await ws.close();
  });
  const ws = storeManager(kind);
  const handle = await ws.openSpace(spaceId);
  const page = await handle.openPage(ids[0]!);
  const sync = handle.syncOf(ids[0]!);
  const edit = await sample(n, async () => {
    const paragraph = page.doc.getXmlFragment('default').get(0) as Y.XmlElement;
    (paragraph.get(0) as Y.XmlText).insert(0, 'x');
    await sync?.flush();
  });
  await page.release();
  await ws.close();
  return { create, reopen, openOne, edit };
}
