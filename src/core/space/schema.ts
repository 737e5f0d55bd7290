/**
 * The layout of a space document, and the reading of page records from it.
 *
 * The document holds a Y.Map 'meta' and a Y.Map 'pages' (page id -> one nested Y.Map per page). A nested map
 * per page, rather than one JSON value, lets a concurrent rename and move of the same page both survive: each
 * field is its own last-writer-wins register.
 *
 * Everything read here may come from another replica, so nothing is trusted: a field of the wrong type reads
 * as its neutral value and a page entry that is not a Y.Map does not exist.
 */
import * as Y from 'yjs';

/** Name of the root Y.Map holding the space's metadata. */
export const META_MAP = 'meta';
/** Name of the root Y.Map holding one nested Y.Map per page. */
export const PAGES_MAP = 'pages';

/** Keys of the meta map. */
export const MetaField = { name: 'name', icon: 'icon', createdAt: 'createdAt' } as const;

/**
 * Keys of a page's map. `parent`, `order`, `lamport` and `client` are always written together (a move), so
 * the last mover wins all four; `lamport` + `client` are the move stamp used to break cycles.
 */
export const PageField = {
  title: 'title',
  icon: 'icon',
  createdAt: 'createdAt',
  updatedAt: 'updatedAt',
  trashed: 'trashed',
  trashedAt: 'trashedAt',
  parent: 'parent',
  order: 'order',
  lamport: 'lamport',
  client: 'client',
  /** The pages this page's content links to (sorted, unique); absent means none. Written by setPageLinks. */
  links: 'links',
} as const;

/** A page's fields as stored, after validation. */
export interface RawPage {
  readonly id: string;
  readonly title: string;
  readonly icon: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly trashed: boolean;
  readonly trashedAt: number | null;
  /** The parent as written: may name a page that no longer exists. */
  readonly parent: string | null;
  readonly order: string;
  readonly lamport: number;
  readonly client: number;
  /** Ids of the pages the content links to, sorted and unique (see PageField.links). */
  readonly links: readonly string[];
}

function str(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}
function strOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
/** A list of page ids as stored; anything that is not a string is dropped, duplicates too. */
function ids(value: unknown): readonly string[] {
  if (!Array.isArray(value) || value.length === 0) return NO_LINKS;
  const unique = [...new Set(value.filter((v): v is string => typeof v === 'string' && v !== ''))].sort();
  return unique.length === 0 ? NO_LINKS : Object.freeze(unique);
}
const NO_LINKS: readonly string[] = Object.freeze([]);
function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
function numOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Reads one entry of the pages map; undefined when it is not a page. */
export function readRawPage(id: string, value: unknown): RawPage | undefined {
  if (!(value instanceof Y.Map)) return undefined;
  const map = value as Y.Map<unknown>;
  return {
    id,
    title: str(map.get(PageField.title), ''),
    icon: strOrNull(map.get(PageField.icon)),
    createdAt: num(map.get(PageField.createdAt)),
    updatedAt: num(map.get(PageField.updatedAt)),
    trashed: map.get(PageField.trashed) === true,
    trashedAt: numOrNull(map.get(PageField.trashedAt)),
    parent: strOrNull(map.get(PageField.parent)),
    order: str(map.get(PageField.order), ''),
    lamport: num(map.get(PageField.lamport)),
    client: num(map.get(PageField.client)),
    links: ids(map.get(PageField.links)),
  };
}

/** The fields of a new page's map, in the shape `new Y.Map(entries)` takes (a new page links nowhere). */
export function pageEntries(page: Omit<RawPage, 'id' | 'links'>): [string, unknown][] {
  return [
    [PageField.title, page.title],
    [PageField.icon, page.icon],
    [PageField.createdAt, page.createdAt],
    [PageField.updatedAt, page.updatedAt],
    [PageField.trashed, page.trashed],
    [PageField.trashedAt, page.trashedAt],
    [PageField.parent, page.parent],
    [PageField.order, page.order],
    [PageField.lamport, page.lamport],
    [PageField.client, page.client],
  ];
}
