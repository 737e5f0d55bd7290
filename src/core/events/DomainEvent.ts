/**
 * Domain events between the tabs of one browser, wire format version 1 (document 001's event bus).
 *
 * They say THAT something changed, never carry the change itself: content travels as Yjs updates
 * (TabChannelLayer) and read models follow through Dexie. A tab uses them to react to what it cannot
 * learn otherwise, e.g. a space deleted in another tab must be let go (not written again) here.
 *
 *   v: 1          format version (another version is refused: 'version-too-new')
 *   type          'spaces-changed'   change: 'created' | 'renamed' | 'deleted', spaceId
 *                 'space-changed'    spaceId                      (name or icon of an open space)
 *                 'pages-changed'    spaceId, pageIds (1..MAX_EVENT_PAGE_IDS), change: 'changed' | 'deleted'
 *                 'document-changed' spaceId, pageId              (the page store acknowledged a change)
 *   source        the sending tab's id (1..128 chars)
 *   at            sender's clock, ms since the epoch (a finite, non-negative number)
 * Ids are 1..256 chars. Unknown extra fields are ignored. Every event is validated by `parseDomainEvent`
 * before it is broadcast and again by every receiver before it acts: it throws a typed PersistenceError
 * ('invalid-update' or 'version-too-new') naming what was wrong.
 */
import { ErrorCode, PersistenceError } from '../errors.ts';

export const DOMAIN_EVENT_VERSION = 1;
/** Bounds one pages-changed event (a larger batch is split by the sender). */
export const MAX_EVENT_PAGE_IDS = 1_000;
const MAX_ID = 256;
const MAX_SOURCE = 128;

interface Base {
  readonly v: typeof DOMAIN_EVENT_VERSION;
  readonly source: string;
  readonly at: number;
  readonly spaceId: string;
}
export type DomainEvent =
  | (Base & { readonly type: 'spaces-changed'; readonly change: 'created' | 'renamed' | 'deleted' })
  | (Base & { readonly type: 'space-changed' })
  | (Base & { readonly type: 'pages-changed'; readonly change: 'changed' | 'deleted'; readonly pageIds: readonly string[] })
  | (Base & { readonly type: 'document-changed'; readonly pageId: string });

type Omit3<T> = T extends unknown ? Omit<T, 'v' | 'source' | 'at'> : never;
/** An event as a sender states it; the channel adds v, source and at. */
export type DomainEventInit = Omit3<DomainEvent>;

/** Where the workspace announces what it changed (a channel to the other tabs, or nothing). */
export interface DomainEventSink {
  publish(event: DomainEventInit): void;
}

function invalid(why: string): PersistenceError {
  return new PersistenceError(ErrorCode.InvalidUpdate, `Rejected domain event: ${why}`, { layer: 'events' });
}

function id(value: unknown, field: string, max = MAX_ID): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) throw invalid(`${field} must be a string of 1..${max} characters`);
  return value;
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw invalid(`${field} must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** Validates untrusted input as a domain event; returns a clean copy (extra fields dropped). */
export function parseDomainEvent(input: unknown): DomainEvent {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalid('not an object');
  const m = input as Record<string, unknown>;
  if (m.v !== DOMAIN_EVENT_VERSION) {
    if (typeof m.v === 'number' && m.v > DOMAIN_EVENT_VERSION) {
      throw new PersistenceError(ErrorCode.VersionTooNew, `Rejected domain event: version ${m.v} is newer than ${DOMAIN_EVENT_VERSION}`, { layer: 'events' });
    }
    throw invalid('v must be 1');
  }
  const source = id(m.source, 'source', MAX_SOURCE);
  if (typeof m.at !== 'number' || !Number.isFinite(m.at) || m.at < 0) throw invalid('at must be a non-negative finite number');
  const base = { v: DOMAIN_EVENT_VERSION, source, at: m.at, spaceId: id(m.spaceId, 'spaceId') } as const;
  const type = oneOf(m.type, 'type', ['spaces-changed', 'space-changed', 'pages-changed', 'document-changed'] as const);
  switch (type) {
    case 'spaces-changed':
      return { ...base, type, change: oneOf(m.change, 'change', ['created', 'renamed', 'deleted'] as const) };
    case 'space-changed':
      return { ...base, type };
    case 'pages-changed': {
      if (!Array.isArray(m.pageIds) || m.pageIds.length === 0 || m.pageIds.length > MAX_EVENT_PAGE_IDS) {
        throw invalid(`pageIds must hold 1..${MAX_EVENT_PAGE_IDS} ids`);
      }
      const pageIds = (m.pageIds as unknown[]).map((p, i) => id(p, `pageIds[${i}]`));
      return { ...base, type, change: oneOf(m.change, 'change', ['changed', 'deleted'] as const), pageIds };
    }
    case 'document-changed':
      return { ...base, type, pageId: id(m.pageId, 'pageId') };
  }
}
