import type { IndexableType } from 'dexie';
import { createCollection, type Collection } from '@tanstack/react-db';
import { dexieCollectionOptions, forbidden, type DexieCollectionConfig } from './dexieCollectionOptions.ts';

/**
 * Creates a collection over a Dexie table. A read-only one throws PersistenceError 'forbidden'
 * synchronously from insert/update/delete, before any optimistic state exists, also inside a manual
 * TanStack transaction (where the collection's own handlers would never run). Its handlers refuse too.
 */
export function createDexieCollection<T extends object, TKey extends string | number, TDexieKey extends IndexableType = IndexableType>(
  config: DexieCollectionConfig<T, TKey, TDexieKey>,
): Collection<T, TKey> {
  const collection = createCollection(dexieCollectionOptions(config));
  if (config.readOnly) {
    const refuse = (): never => {
      throw forbidden(config.id);
    };
    Object.assign(collection, { insert: refuse, update: refuse, delete: refuse });
  }
  return collection;
}
