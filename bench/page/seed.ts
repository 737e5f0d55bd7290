/**
 * Builds the bench's spaces through Quire's own commands (Space, SpaceHandle), seeded, in this origin's IndexedDB:
 * through LocalWorkspace (the app's store and Dexie projection), where the built app served from the same origin
 * finds them, or through a bare SpaceManager over a named store (stores.ts) for the store rows.
 */
import * as Y from 'yjs';
import { LOCAL_ORIGIN } from '../../src/core/space/Space.ts';
import { mulberry32 } from '../../src/core/testing/prng.ts';
import { LocalWorkspace } from '../../src/app/LocalWorkspace.ts';
import type { SpaceHandle } from '../../src/core/manager/SpaceHandle.ts';
import { storeManager, type StoreKind } from './stores.ts';
import { paragraphs } from './timing.ts';

/** Pages created per space-document transaction: one projection batch each, as an import would write. */
const PAGES_PER_TRANSACTION = 500;
/** Pages at the top level before the rest nest under earlier pages (the sidebar's first screen). */
const TOP_LEVEL_PAGES = 40;
/** Page documents written at once while seeding bodies. */
const BODY_WRITES_IN_FLIGHT = 8;
/** A typical page: about 2,000 characters in 10 paragraphs. */
export const TYPICAL_CHARS = 2000;

export interface SeedRequest {
  name: string;
  pages: number;
  seed: number;
  /** How many pages (the first ones) get a typical body, so their document exists in the page store. */
  bodies: number;
  /** Characters of one extra heavy page, 0 for none. */
  heavyChars: number;
}

export interface SeededSpace {
  spaceId: string;
  /** Top-level page ids in sidebar order (visible at first paint). */
  topIds: string[];
  /** Pages with a typical body. */
  bodyIds: string[];
  heavyId: string | null;
  ms: number;
}

export function writeBody(doc: Y.Doc, chars: number, per: number, next: () => number): void {
  const frag = doc.getXmlFragment('default'); // the field the editor's Collaboration extension binds to
  const nodes = paragraphs(chars, per, next).map((text) => {
    const p = new Y.XmlElement('paragraph');
    p.insert(0, [new Y.XmlText(text)]);
    return p;
  });
  doc.transact(() => frag.push(nodes));
}

async function writeBodies(handle: SpaceHandle, ids: readonly string[], chars: number, per: number, seed: number): Promise<void> {
  const rnd = mulberry32(seed);
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const page = await handle.openPage(ids[next++]!);
      writeBody(page.doc, chars, per, rnd.next);
      await page.release(); // the last release flushes: the body is durable
    }
  };
  await Promise.all(Array.from({ length: BODY_WRITES_IN_FLIGHT }, worker));
}

/** Creates the request's pages (and bodies) in an open, empty space and flushes them. */
async function fillSpace(handle: SpaceHandle, r: SeedRequest): Promise<Omit<SeededSpace, 'topIds' | 'ms'>> {
  const space = handle.space;
  const rnd = mulberry32(r.seed);
  const ids: string[] = [];
  // The top level first; later pages nest under a page of an earlier transaction (a page created in the
  // running transaction is not yet visible to the tree's parent check).
  for (let start = 0; start < r.pages; ) {
    const end = Math.min(r.pages, start === 0 ? TOP_LEVEL_PAGES : start + PAGES_PER_TRANSACTION);
    space.doc.transact(() => {
      for (let i = start; i < end; i++) {
        const parentId = start === 0 ? null : ids[rnd.int(start)]!;
        ids.push(space.createPage({ parentId, title: `Page ${i}` }));
      }
    }, LOCAL_ORIGIN);
    start = end;
  }
  let heavyId: string | null = null;
  if (r.heavyChars > 0) heavyId = space.createPage({ title: 'Heavy page', index: 0 }); // first, so its row is on screen
  await handle.flush();
  const bodyIds = ids.slice(0, r.bodies);
  await writeBodies(handle, bodyIds, TYPICAL_CHARS, 200, r.seed + 1);
  if (heavyId) await writeBodies(handle, [heavyId], r.heavyChars, 1000, r.seed + 2);
  return { spaceId: handle.id, bodyIds, heavyId };
}

/** Seeds a space through LocalWorkspace: the app's store and projection, for the rows that drive the built app. */
export async function seedSpace(r: SeedRequest): Promise<SeededSpace> {
  const t0 = performance.now();
  const ws = await LocalWorkspace.open();
  try {
    const handle = await ws.createSpace({ name: r.name });
    const seeded = await fillSpace(handle, r);
    await ws.projected(handle.id);
    const topIds = handle.space.children(null).map((p) => p.id);
    await ws.closeSpace(handle.id);
    return { ...seeded, topIds, ms: performance.now() - t0 };
  } finally {
    await ws.close();
  }
}

/** Seeds a space into one named store through a bare SpaceManager (no projection): the store rows' spaces. */
export async function seedStore(kind: StoreKind, r: SeedRequest): Promise<SeededSpace> {
  const t0 = performance.now();
  const manager = storeManager(kind);
  try {
    const handle = await manager.createSpace({ name: r.name });
    const seeded = await fillSpace(handle, r);
    const topIds = handle.space.children(null).map((p) => p.id);
    await manager.closeSpace(handle.id);
    return { ...seeded, topIds, ms: performance.now() - t0 };
  } finally {
    await manager.close();
  }
}
