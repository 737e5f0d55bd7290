/**
 * "Which documents of this space did the relay store after sequence N?" (changeQuery.ts), asked on the
 * space document's session: each question holds that session open until its answer, a timeout, the relay
 * out of reach, or a refusal of the document.
 */
import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import { SPACE_DOC_ID, type DocId } from '../../core/persistence/PersistenceLayer.ts';
import { encodeChangesQuery, type ChangesAnswer } from '../../protocol/changeQuery.ts';
import type { RelayDoc } from './RelayDoc.ts';
import type { RelayDocSessions } from './RelayDocSessions.ts';

/** Bounds how long a "changes since" question may wait for its answer. */
export const CHANGES_TIMEOUT_MS = 10_000;

interface Waiter {
  readonly docId: DocId;
  readonly resolve: (a: ChangesAnswer) => void;
  readonly reject: (e: PersistenceError) => void;
}

export class ChangeQueries {
  private readonly waiters = new Map<string, Waiter>();
  private next = 1;

  /**
   * @param name the layer's name (in error messages)
   * @param send sends a stateless message on a document's session (RelayLayer.sendStateless; it throws
   *   the layer's typed error when it cannot)
   */
  constructor(
    private readonly name: string,
    private readonly sessions: RelayDocSessions,
    private readonly send: (docId: DocId, payload: string) => void,
  ) {}

  ask(since: number): Promise<ChangesAnswer> {
    const id = `q${this.next++}`;
    const d = this.sessions.doc(SPACE_DOC_ID);
    return new Promise<ChangesAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.waiters.delete(id)) return;
        d.holds--;
        this.sessions.maybeEnd(d);
        reject(new PersistenceError(ErrorCode.Timeout, `${this.name}: no answer to "changes since ${since}" within ${CHANGES_TIMEOUT_MS} ms`, { layer: this.name }));
      }, CHANGES_TIMEOUT_MS);
      d.holds++;
      this.waiters.set(id, {
        docId: SPACE_DOC_ID,
        resolve: (a) => {
          clearTimeout(timer);
          resolve(a);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      try {
        this.send(SPACE_DOC_ID, encodeChangesQuery({ id, since }));
      } catch (e) {
        this.waiters.get(id)?.reject(e as PersistenceError);
        this.waiters.delete(id);
        d.holds--;
      }
    });
  }

  /** An answer arrived on `d`'s session; one nobody waits for (timed out) is dropped. */
  answered(d: RelayDoc, answer: ChangesAnswer): void {
    const w = this.waiters.get(answer.id);
    if (!w) return;
    this.waiters.delete(answer.id);
    d.holds--;
    w.resolve(answer);
    this.sessions.maybeEnd(d);
  }

  /** The relay refused `docId`: its questions fail with the refusal (its holds are dropped with it). */
  refused(docId: DocId, error: PersistenceError): void {
    for (const [id, w] of this.waiters) {
      if (w.docId !== docId) continue;
      this.waiters.delete(id);
      w.reject(error);
    }
  }

  /** The relay is out of reach: every question fails now, and releases its hold. */
  unreachable(error: (docId: DocId) => PersistenceError): void {
    for (const [id, w] of this.waiters) {
      this.waiters.delete(id);
      this.sessions.doc(w.docId).holds--;
      w.reject(error(w.docId));
    }
  }

  /** The layer closed: every question fails with `error()`. */
  close(error: () => PersistenceError): void {
    for (const w of this.waiters.values()) w.reject(error());
    this.waiters.clear();
  }
}
