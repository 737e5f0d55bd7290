/**
 * "Which documents of this space changed since sequence N": a Hocuspocus stateless exchange on the space
 * document's session (so only a connection allowed to read the space may ask), version 1.
 *
 *   client -> relay  { "t": "quire:changes?", "v": 1, "id": "<request id>", "since": <integer >= 0> }
 *   relay -> client  { "t": "quire:changes",  "v": 1, "id": "<same id>", "seq": <integer>, "docs": ["<docId>", ...] }
 *
 * `seq` is the space's change sequence now (store it; ask with it next time); `docs` lists each document
 * stored after `since` once (the relay's ChangeIndex). The space document itself is listed as 'space'.
 * Both sides validate: ids are strings of at most MAX_CHANGE_ID_CHARS, at most MAX_CHANGED_DOCS documents.
 */
import { ErrorCode, PersistenceError } from '../core/errors.ts';

export const CHANGES_QUERY_TYPE = 'quire:changes?';
export const CHANGES_ANSWER_TYPE = 'quire:changes';
export const CHANGES_VERSION = 1;
/** Bounds a document or request id in the exchange (page ids are UUIDs). */
export const MAX_CHANGE_ID_CHARS = 200;
/** Bounds the documents in one answer: a space of 100,000 pages all changed still fits. */
export const MAX_CHANGED_DOCS = 100_000;

export interface ChangesQuery {
  readonly id: string;
  readonly since: number;
}
export interface ChangesAnswer {
  readonly id: string;
  readonly seq: number;
  readonly docs: readonly string[];
}

export const encodeChangesQuery = (q: ChangesQuery) => JSON.stringify({ t: CHANGES_QUERY_TYPE, v: CHANGES_VERSION, id: q.id, since: q.since });
export const encodeChangesAnswer = (a: ChangesAnswer) => JSON.stringify({ t: CHANGES_ANSWER_TYPE, v: CHANGES_VERSION, id: a.id, seq: a.seq, docs: a.docs });

function refuse(why: string, code: ErrorCode = ErrorCode.InvalidUpdate): PersistenceError {
  return new PersistenceError(code, `Rejected change message: ${why}`, { layer: 'relay' });
}

function parse(payload: string, type: string): Record<string, unknown> | null {
  let m: unknown;
  try {
    m = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof m !== 'object' || m === null || (m as { t?: unknown }).t !== type) return null;
  const v = (m as { v?: unknown }).v;
  if (v !== CHANGES_VERSION) throw typeof v === 'number' && v > CHANGES_VERSION ? refuse(`version ${v} is newer`, ErrorCode.VersionTooNew) : refuse('bad version');
  return m as Record<string, unknown>;
}

const isId = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= MAX_CHANGE_ID_CHARS;
const isSeq = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/** A query, null for another kind of message; throws PersistenceError for a malformed one. */
export function parseChangesQuery(payload: string): ChangesQuery | null {
  const m = parse(payload, CHANGES_QUERY_TYPE);
  if (!m) return null;
  if (!isId(m.id) || !isSeq(m.since)) throw refuse('id must be a short string and since a non-negative integer');
  return { id: m.id, since: m.since };
}

/** An answer, null for another kind of message; throws PersistenceError for a malformed one. */
export function parseChangesAnswer(payload: string): ChangesAnswer | null {
  const m = parse(payload, CHANGES_ANSWER_TYPE);
  if (!m) return null;
  if (!isId(m.id) || !isSeq(m.seq) || !Array.isArray(m.docs) || m.docs.length > MAX_CHANGED_DOCS || !m.docs.every(isId)) throw refuse('id, seq or docs malformed');
  return { id: m.id, seq: m.seq, docs: m.docs };
}
