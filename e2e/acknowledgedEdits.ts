/**
 * What the save status acknowledged, and the check that it survived a kill.
 *
 * `liveSnapshot` reads, in ONE task of the page (so no edit can slip in between), whether the save status
 * shows "Saved on this device" with nothing pending on this device, the space's tree as the app holds it,
 * the text of every open page and every open document's state vector (highest clock per Yjs client). When
 * it says saved, everything in it is acknowledged. `AckLedger` keeps the latest acknowledged state and what
 * may legitimately differ from it after a kill (edits made after it, and the one action cut short).
 * `checkStored` compares that with the documents read raw from disk after the relaunch (storedPages.ts: the
 * space's database, without any code of the app; decoded with Yjs here) and with the tree rules.
 */
import type { Page } from '@playwright/test';
import * as Y from 'yjs';
import { pageText } from '../src/collections/pageText.ts';
import { readRawPage, PAGES_MAP } from '../src/core/space/schema.ts';
import { Space } from '../src/core/space/Space.ts';
import { storedUpdates } from './storedPages.ts';

/** The space document's id among a space's documents (the others are page ids). */
export const SPACE_DOC = 'space';

export interface PageView {
  readonly id: string;
  readonly parentId: string | null;
  readonly title: string;
}

export interface LiveSnapshot {
  /** The status read "Saved on this device" and the workspace had nothing pending on this device. */
  readonly saved: boolean;
  /** What the save status showed, and the workspace's layers (for the failure message). */
  readonly status: string;
  readonly pages: PageView[];
  /** Plain text of each open page (one line per block). */
  readonly texts: Record<string, string>;
  /** Per open document (SPACE_DOC or a page id): Yjs client id -> next clock (the state vector). */
  readonly clocks: Record<string, Record<string, number>>;
}

/** Reads the app's live state and its save status in one task. Null while the workspace is not open yet. */
export async function liveSnapshot(page: Page, spaceId: string): Promise<LiveSnapshot | null> {
  return page.evaluate(async (id) => {
    interface Struct {
      id: { clock: number };
      length: number;
    }
    interface Doc {
      store: { clients: Map<number, Struct[]> };
      getXmlFragment(name: string): Node;
    }
    interface Node {
      toArray?(): Node[];
      toDelta?(): { insert?: unknown }[];
    }
    interface Handle {
      doc: Doc;
      space: { listPages(): PageView[] };
      openPageIds(): string[];
      syncOf(docId: string): { doc: Doc } | undefined;
    }
    interface Ws {
      status: { snapshot(): { device: { state: string; pending: number }; layers: unknown[] } };
      openSpace(id: string): Promise<Handle>;
    }
    const ws = (globalThis as unknown as { quire?: { workspace: Ws } }).quire?.workspace;
    if (!ws) return null;
    const handle = await ws.openSpace(id);
    // From here on, synchronous: one task, one consistent state.
    const shown = document.querySelector('[role="status"][aria-label="Save status"]')?.textContent;
    const statusSnapshot = ws.status.snapshot();
    const device = statusSnapshot.device;
    const stateVector = (doc: Doc) => {
      const sv: Record<string, number> = {};
      for (const [client, structs] of doc.store.clients) {
        const last = structs[structs.length - 1];
        if (last) sv[String(client)] = last.id.clock + last.length;
      }
      return sv;
    };
    // The same reading as src/collections/pageText.ts, without Yjs's classes at hand.
    const text = (doc: Doc) => {
      const parts: string[] = [];
      const walk = (node: Node) => {
        if (node.toDelta) return void parts.push(node.toDelta().map((d) => (typeof d.insert === 'string' ? d.insert : '')).join(''));
        for (const child of node.toArray?.() ?? []) walk(child);
      };
      walk(doc.getXmlFragment('default'));
      return parts.filter((p) => p.length > 0).join('\n');
    };
    const clocks: Record<string, Record<string, number>> = { space: stateVector(handle.doc) };
    const texts: Record<string, string> = {};
    for (const pageId of handle.openPageIds()) {
      const doc = handle.syncOf(pageId)?.doc;
      if (!doc) continue;
      clocks[pageId] = stateVector(doc);
      texts[pageId] = text(doc);
    }
    return {
      saved: shown === 'Saved on this device' && device.state === 'saved' && device.pending === 0,
      status: `${shown ?? 'no save status'}; ${JSON.stringify(
        statusSnapshot.layers.map((l) => {
          const { error, ...rest } = l as { error: (Error & { code?: string }) | null };
          return { ...rest, error: error && `${error.code}: ${error.message}; cause: ${String(error.cause)}` };
        }),
      )}`,
      pages: handle.space.listPages().map((p) => ({ id: p.id, parentId: p.parentId, title: p.title })),
      texts,
      clocks,
    };
  }, spaceId);
}

/** One thing a person did (typed, created, renamed, moved), and the page it touched when known. */
export interface Edit {
  readonly kind: string;
  readonly pageId: string | null;
}

/**
 * The acknowledged state across kills. Each action is `begin`-ed, then followed by a snapshot (`observe`);
 * a snapshot that says saved acknowledges every action before it.
 */
export class AckLedger {
  private acked = { pages: new Map<string, PageView>(), texts: new Map<string, string>(), clocks: new Map<string, Record<string, number>>() };
  /** Latest seen (acknowledged or not): a page's text and clocks stay known after its editor closed. */
  private latestTexts = new Map<string, string>();
  private latestClocks = new Map<string, Record<string, number>>();
  /** Per page: titles and parents seen since the last acknowledgement (the acknowledged ones included). */
  private titles = new Map<string, Set<string>>();
  private parents = new Map<string, Set<string | null>>();
  private done: Edit[] = [];
  private inFlight: Edit | null = null;
  /** Actions acknowledged so far (all cycles). */
  ackedEdits = 0;

  begin(edit: Edit): void {
    this.inFlight = edit;
  }

  /** Records a snapshot taken after the action in flight returned. Returns whether it acknowledged. */
  observe(s: LiveSnapshot): boolean {
    if (this.inFlight) this.done.push(this.inFlight);
    this.inFlight = null;
    for (const [id, t] of Object.entries(s.texts)) this.latestTexts.set(id, t);
    for (const [id, c] of Object.entries(s.clocks)) this.latestClocks.set(id, c);
    if (s.saved) {
      this.acked = { pages: new Map(s.pages.map((p) => [p.id, p])), texts: new Map(this.latestTexts), clocks: new Map(this.latestClocks) };
      this.titles.clear();
      this.parents.clear();
      this.ackedEdits += this.done.length;
      this.done = [];
    }
    for (const p of s.pages) {
      (this.titles.get(p.id) ?? this.titles.set(p.id, new Set()).get(p.id)!).add(p.title);
      (this.parents.get(p.id) ?? this.parents.set(p.id, new Set()).get(p.id)!).add(p.parentId);
    }
    return s.saved;
  }

  /** Reads every acknowledged document from disk and returns what is missing or broken (empty: all there). */
  async checkStored(page: Page, spaceId: string): Promise<{ lost: string[]; broken: string[]; stored: Space }> {
    const ids = [...new Set([SPACE_DOC, ...this.acked.clocks.keys(), ...this.acked.texts.keys()])];
    const rows = new Map(await Promise.all(ids.map(async (docId) => [docId, await storedUpdates(page, spaceId, docId)] as const)));
    const docs = new Map<string, Y.Doc>();
    for (const docId of ids) {
      const doc = new Y.Doc();
      for (const update of rows.get(docId)!) Y.applyUpdate(doc, update);
      docs.set(docId, doc);
    }
    const lost: string[] = [];
    for (const [docId, clocks] of this.acked.clocks) {
      const sv = Y.decodeStateVector(Y.encodeStateVector(docs.get(docId)!));
      for (const [client, clock] of Object.entries(clocks)) {
        const has = sv.get(Number(client)) ?? 0;
        if (has < clock) lost.push(`${docId}: client ${client} stored up to clock ${has}, acknowledged ${clock}`);
      }
    }
    const stored = new Space(docs.get(SPACE_DOC)!, { id: spaceId });
    // Only the page cut short by the kill may differ from what was seen; any other difference is a loss.
    const cutShort = this.inFlight?.pageId ?? null;
    for (const [id, acked] of this.acked.pages) {
      const now = stored.getPage(id);
      if (!now) {
        lost.push(`page ${id} ("${acked.title}") is gone`);
        continue;
      }
      if (id === cutShort) continue;
      if (!this.titles.get(id)?.has(now.title)) lost.push(`page ${id}: title "${now.title}", acknowledged "${acked.title}"`);
      if (!this.parents.get(id)?.has(now.parentId)) lost.push(`page ${id}: parent ${now.parentId}, acknowledged ${acked.parentId}`);
    }
    for (const [id, text] of this.acked.texts) {
      const now = pageText(docs.get(id)!);
      if (!now.startsWith(text)) lost.push(`page ${id}: text ${JSON.stringify(now)} does not start with the acknowledged ${JSON.stringify(text)}`);
    }
    return { lost, broken: treeProblems(docs.get(SPACE_DOC)!, stored), stored };
  }

  /** After a relaunch: forget the cut-short action (the state on disk is the new starting point). */
  relaunched(): void {
    this.inFlight = null;
    this.done = [];
  }
}

/** The tree's invariants on the stored space document: the Space's own checks, raw parents exist, no loops. */
export function treeProblems(doc: Y.Doc, space: Space): string[] {
  const problems = space.checkInvariants();
  const raw = new Map<string, string | null>();
  doc.getMap(PAGES_MAP).forEach((value, id) => {
    const page = readRawPage(id, value);
    if (page) raw.set(id, page.parent);
  });
  for (const [id, parent] of raw) {
    if (parent !== null && !raw.has(parent)) problems.push(`page ${id}: parent ${parent} does not exist`);
    const seen = new Set<string>();
    for (let cur: string | null = id; cur !== null; cur = raw.get(cur) ?? null) {
      if (seen.has(cur)) {
        problems.push(`page ${id}: its parents loop`);
        break;
      }
      seen.add(cur);
    }
  }
  // Every page reaches the top level through its effective parents, in fewer steps than there are pages.
  const records = new Map(space.listPages().map((p) => [p.id, p]));
  for (const page of records.values()) {
    let cur: string | null = page.id;
    for (let steps = 0; cur !== null; steps++, cur = records.get(cur)?.parentId ?? null) {
      if (!records.has(cur) || steps > records.size) {
        problems.push(`page ${page.id}: not reachable from the top level`);
        break;
      }
    }
  }
  return problems;
}
