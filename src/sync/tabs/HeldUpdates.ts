/**
 * Updates received from other tabs that their senders have not yet said are stored ("held for peer").
 *
 * Why: tabs of one browser share one IndexedDB, so a receiver does not write what another tab sent (that
 * tab writes it). Until the sender's 'acked' arrives, the receiver keeps the bytes: if the sender dies
 * first (crash, kill), the receiver writes them itself and nothing the sender's user typed is lost.
 * Memory is bounded by the sender's loss window (normally SAVE_COALESCE_MS of typing plus one write).
 */
import type { DocId } from '../../core/persistence/PersistenceLayer.ts';

interface PeerDoc {
  /** The sender acknowledged everything it posted for this document up to this seq. */
  acked: number;
  held: { seq: number; update: Uint8Array }[];
}

export class HeldUpdates {
  private readonly byTab = new Map<string, Map<DocId, PeerDoc>>();

  /** Keeps an update unless it is untracked (seq 0) or already acknowledged. Returns whether it is held. */
  hold(tab: string, docId: DocId, seq: number, update: Uint8Array): boolean {
    if (seq === 0) return false;
    const d = this.doc(tab, docId);
    if (seq <= d.acked) return false;
    d.held.push({ seq, update });
    return true;
  }

  /** The sender's store has everything it posted for `docId` up to `upToSeq`: stop holding it. */
  acked(tab: string, docId: DocId, upToSeq: number): void {
    const d = this.doc(tab, docId);
    d.acked = Math.max(d.acked, upToSeq);
    d.held = d.held.filter((h) => h.seq > d.acked);
  }

  /** Removes and returns what is held from `tab` (it died), per document, in arrival order: for every
   * document, or only for `docId`. */
  take(tab: string, docId?: DocId): Map<DocId, Uint8Array[]> {
    const out = new Map<DocId, Uint8Array[]>();
    for (const [id, d] of this.byTab.get(tab) ?? []) {
      if (docId !== undefined && id !== docId) continue;
      if (d.held.length > 0) out.set(id, d.held.map((h) => h.update));
      d.held = [];
    }
    return out;
  }

  /** Forgets what is held for a document (it was closed here: there is no live copy to write it from). */
  dropDoc(docId: DocId): void {
    for (const docs of this.byTab.values()) {
      const d = docs.get(docId);
      if (d) d.held = [];
    }
  }

  /** Every tab something is held from for `docId`, with the highest seq held from it (a sync-reply passes
   * this on, so its requester holds the reply against those authors too). */
  authors(docId: DocId): { tab: string; seq: number }[] {
    const out: { tab: string; seq: number }[] = [];
    for (const [tab, docs] of this.byTab) {
      const held = docs.get(docId)?.held ?? [];
      if (held.length > 0) out.push({ tab, seq: Math.max(...held.map((h) => h.seq)) });
    }
    return out;
  }

  /** Whether anything from `tab` is held for `docId`. */
  has(tab: string, docId: DocId): boolean {
    return (this.byTab.get(tab)?.get(docId)?.held.length ?? 0) > 0;
  }

  /** Number of updates held, from one tab or from all. */
  count(tab?: string): number {
    let n = 0;
    for (const [t, docs] of this.byTab) if (tab === undefined || t === tab) for (const d of docs.values()) n += d.held.length;
    return n;
  }

  private doc(tab: string, docId: DocId): PeerDoc {
    let docs = this.byTab.get(tab);
    if (!docs) this.byTab.set(tab, (docs = new Map<DocId, PeerDoc>()));
    let d = docs.get(docId);
    if (!d) docs.set(docId, (d = { acked: 0, held: [] }));
    return d;
  }
}
