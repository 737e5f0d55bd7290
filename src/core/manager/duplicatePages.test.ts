import { describe, expect, it } from 'vitest';
import { PersistenceError } from '../errors.ts';
import { FaultyLayer, type FaultMode } from '../persistence/FaultyLayer.ts';
import { MemoryLayer, MemoryStore } from '../persistence/MemoryLayer.ts';
import type { DocId } from '../persistence/PersistenceLayer.ts';
import { copyTitle, duplicatePage, DUPLICATE_CONCURRENCY } from './duplicatePages.ts';
import type { SpaceHandle } from './SpaceHandle.ts';
import { SpaceManager } from './SpaceManager.ts';

const fast = { coalesceMs: 1, retryInitialMs: 1, retryMaxMs: 4 };
const memory = (store: MemoryStore) => (spaceId: string) => new MemoryLayer(spaceId, store);
/** Bounds how long a test waits for the retries to write a backlog. */
const SETTLE_TIMEOUT_MS = 5_000;

async function textOf(h: SpaceHandle, pageId: string): Promise<string> {
  const page = await h.openPage(pageId);
  const text = page.doc.getText('body').toString();
  await page.release();
  return text;
}

async function write(h: SpaceHandle, pageId: string, text: string): Promise<void> {
  const page = await h.openPage(pageId);
  page.doc.getText('body').insert(0, text);
  await page.release();
}

/** Recipe (Soup (Stock), Bread, Old in the trash), then After; every page but Bread holds text. */
async function seed(store: MemoryStore): Promise<void> {
  const m = new SpaceManager({ layers: [memory(store)], ...fast });
  const h = await m.createSpace({ id: 's', name: 'Copies' });
  const pages: [string, string, string | null, string | null][] = [
    ['recipe', 'Recipe', null, '🍲'],
    ['soup', 'Soup', 'recipe', null],
    ['bread', 'Bread', 'recipe', '🍞'],
    ['old', 'Old', 'recipe', null],
    ['stock', 'Stock', 'soup', null],
    ['after', 'After', null, null],
  ];
  for (const [id, title, parentId, icon] of pages) h.space.createPage({ id, title, parentId, icon });
  for (const [id, text] of [['recipe', 'Top'], ['soup', 'Lentils'], ['stock', 'Bones'], ['old', 'Gone']] as const) await write(h, id, text);
  h.space.trashPage('old');
  await m.close();
}

/** The tree as "title[icon]" lines indented by depth (trashed pages left out), and every page's text. */
async function shape(h: SpaceHandle): Promise<{ tree: string[]; texts: Record<string, string> }> {
  const tree: string[] = [];
  const texts: Record<string, string> = {};
  const walk = async (parentId: string | null, depth: number) => {
    for (const p of h.space.children(parentId)) {
      tree.push(`${'  '.repeat(depth)}${p.title}${p.icon ? `[${p.icon}]` : ''}`);
      texts[p.id] = await textOf(h, p.id);
      await walk(p.id, depth + 1);
    }
  };
  await walk(null, 0);
  return { tree, texts };
}

const ORIGINAL = ['Recipe[🍲]', '  Soup', '    Stock', '  Bread[🍞]', 'After'];
const DUPLICATED = ['Recipe[🍲]', '  Soup', '    Stock', '  Bread[🍞]', 'Recipe (copy)[🍲]', '  Soup', '    Stock', '  Bread[🍞]', 'After'];

function sequentialIds(): () => string {
  let n = 0;
  return () => `copy-${++n}`;
}

describe('duplicatePage', () => {
  it('copies a page right after itself with its live sub-pages, titles, icons, order and contents, durably', async () => {
    const store = new MemoryStore();
    await seed(store);
    const m = new SpaceManager({ layers: [memory(store)], ...fast });
    const h = await m.openSpace('s');
    const copy = await duplicatePage(h, 'recipe', { newId: sequentialIds() });
    expect(copy).toBe('copy-1');
    expect(h.space.getPage(copy)?.title).toBe('Recipe (copy)');
    // Resolved means durable: a manager over the same store sees it all without this one closing.
    const other = new SpaceManager({ layers: [memory(store)] });
    const reopened = await other.openSpace('s');
    const got = await shape(reopened);
    expect(got.tree).toEqual(DUPLICATED);
    expect(got.texts).toMatchObject({ 'copy-1': 'Top', 'copy-2': 'Lentils', 'copy-3': '', 'copy-4': 'Bones' });
    expect(reopened.space.checkInvariants()).toEqual([]);
    // The trashed sub-page was not copied, and a page without content got no document.
    expect(reopened.space.listPages()).toHaveLength(6 + 4);
    expect(await new MemoryLayer('s', store).listDocs()).not.toContain('copy-3');
    await m.close();
  });

  it('gives each copy the links of its original, so the copies count among the targets\' backlinks', async () => {
    const store = new MemoryStore();
    await seed(store);
    const m = new SpaceManager({ layers: [memory(store)], ...fast });
    const h = await m.openSpace('s');
    const target = h.space.listPages().find((p) => p.id !== 'recipe' && !p.inTrash)!.id;
    h.space.setPageLinks('recipe', [target]);
    const copy = await duplicatePage(h, 'recipe', { newId: sequentialIds() });
    expect(h.space.getPage(copy)?.links).toEqual([target]);
    await m.close();
  });

  it('titles an untitled copy, and refuses a page in the trash or not in the space', async () => {
    expect(copyTitle('')).toBe('Untitled (copy)');
    expect(copyTitle('Plan')).toBe('Plan (copy)');
    const store = new MemoryStore();
    await seed(store);
    const m = new SpaceManager({ layers: [memory(store)], ...fast });
    const h = await m.openSpace('s');
    await expect(duplicatePage(h, 'old')).rejects.toMatchObject({ code: 'invalid-operation' });
    await expect(duplicatePage(h, 'missing')).rejects.toMatchObject({ code: 'not-found' });
    await m.close();
  });

  it('makes copies independent of their originals: editing one leaves the other unchanged', async () => {
    const store = new MemoryStore();
    await seed(store);
    const m = new SpaceManager({ layers: [memory(store)], ...fast });
    const h = await m.openSpace('s');
    await duplicatePage(h, 'recipe', { newId: sequentialIds() });
    const copySoup = await h.openPage('copy-2');
    const soup = await h.openPage('soup');
    copySoup.doc.getText('body').insert(7, ' and carrots');
    soup.doc.getText('body').delete(0, 1);
    expect(copySoup.doc.getText('body').toString()).toBe('Lentils and carrots');
    expect(soup.doc.getText('body').toString()).toBe('entils');
    await copySoup.release();
    await soup.release();
    await m.close();
    const again = await new SpaceManager({ layers: [memory(store)] }).openSpace('s');
    expect(await textOf(again, 'copy-2')).toBe('Lentils and carrots');
    expect(await textOf(again, 'soup')).toBe('entils');
  });

  it(`copies a big subtree with at most ${DUPLICATE_CONCURRENCY} documents written at once`, async () => {
    const store = new MemoryStore();
    let inFlight = 0;
    let most = 0;
    class CountingLayer extends MemoryLayer {
      override async save(docId: DocId, update: Uint8Array): Promise<void> {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 2));
        try {
          await super.save(docId, update);
        } finally {
          inFlight--;
        }
      }
    }
    const m = new SpaceManager({ layers: [(id) => new CountingLayer(id, store)], ...fast });
    const h = await m.createSpace({ id: 's', name: 'Big' });
    h.space.createPage({ id: 'root', title: 'Root' });
    for (let i = 0; i < 40; i++) {
      h.space.createPage({ id: `p${i}`, title: `P${i}`, parentId: i < 20 ? 'root' : `p${i - 20}` });
      await write(h, `p${i}`, `text ${i}`);
    }
    await h.flush();
    most = 0;
    const copy = await duplicatePage(h, 'root');
    expect(most).toBeLessThanOrEqual(DUPLICATE_CONCURRENCY + 1); // + the space document's own write
    expect(most).toBeGreaterThan(1);
    const children = h.space.children(copy);
    expect(children.map((p) => p.title)).toEqual(Array.from({ length: 20 }, (_, i) => `P${i}`));
    expect(await textOf(h, h.space.children(children[3]!.id)[0]!.id)).toBe('text 23');
    await m.close();
  });

  describe('fault injection: the k-th write fails, for k = 1, 2, ... until none does', () => {
    for (const mode of ['once', 'forever'] as const satisfies readonly FaultMode[]) {
      it(`all or nothing, one error reported (${mode})`, async () => {
        let k = 1;
        let refused = 0;
        for (;;) {
          const store = new MemoryStore();
          await seed(store);
          let faulty: FaultyLayer | null = null;
          const m = new SpaceManager({
            layers: [(id) => (faulty = new FaultyLayer(new MemoryLayer(id, store), { failWrite: { at: k, mode } }))],
            ...fast,
          });
          const h = await m.openSpace('s');
          const outcome = await duplicatePage(h, 'recipe', { newId: sequentialIds() }).then(
            () => 'resolved' as const,
            (e: unknown) => e,
          );
          const injected = (faulty as FaultyLayer | null)?.failedWrites ?? 0;
          const where = `write ${k} fails ${mode}`;
          if (outcome !== 'resolved') {
            expect(outcome, where).toBeInstanceOf(PersistenceError);
            refused++;
          }
          if (injected === 0) expect(outcome, where).toBe('resolved');
          if (mode === 'once') {
            const end = Date.now() + SETTLE_TIMEOUT_MS;
            while (m.status.snapshot().state !== 'saved' && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
            expect(m.status.snapshot().state, `${where}: backlog written`).toBe('saved');
          }
          expect(m.status.errors.length, `${where}: ${m.status.errors.map((e) => e.message).join('; ')}`).toBe(injected > 0 ? 1 : 0);
          await h.abandon();

          const reopened = await new SpaceManager({ layers: [memory(store)] }).openSpace('s');
          const got = await shape(reopened);
          // The original is untouched; the copy is in the tree whole, with every content, or not at all.
          expect(got.tree, where).toEqual(outcome === 'resolved' || got.tree.length > ORIGINAL.length ? DUPLICATED : ORIGINAL);
          expect(got.texts, where).toMatchObject({ recipe: 'Top', soup: 'Lentils', bread: '', stock: 'Bones' });
          if (got.tree.length > ORIGINAL.length) expect(got.texts, where).toMatchObject({ 'copy-1': 'Top', 'copy-2': 'Lentils', 'copy-4': 'Bones' });
          if (outcome === 'resolved') expect(got.tree, where).toEqual(DUPLICATED);
          if (injected === 0) break;
          k++;
          expect(k, 'still faulting').toBeLessThan(20);
        }
        expect(k, 'at least one write was failed').toBeGreaterThan(1);
        expect(refused, 'at least one duplicate was refused').toBeGreaterThan(0);
        console.log(`duplicatePage fault injection (${mode}): ${k - 1} runs with a failed write (${refused} refused), then one clean`);
      });
    }
  });
});
