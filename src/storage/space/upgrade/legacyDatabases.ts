/**
 * Finding what is still in the old format: the page databases of every space (y-indexeddb 9's one database per
 * document, ../../pages/naming.ts), grouped by space. One `indexedDB.databases()` call for the whole origin, made
 * once when the app opens (not per space): after the upgrade the origin holds few databases, so it stays cheap.
 */
import { ErrorCode, PersistenceError } from '../../../core/errors.ts';
import type { DocId } from '../../../core/persistence/PersistenceLayer.ts';
import { fromIndexedDbError } from '../../pages/fromIndexedDbError.ts';
import { indexedDbFactory } from '../../pages/idb.ts';
import { pageDbOf } from '../../pages/naming.ts';
import { UPGRADE_LAYER } from './upgradeSpace.ts';

/** Space id -> the documents it still has in the old format. Rejects with PersistenceError. */
export async function legacyDatabases(given?: IDBFactory): Promise<Map<string, DocId[]>> {
  const factory = indexedDbFactory(UPGRADE_LAYER, given);
  if (typeof factory.databases !== 'function') {
    // Every browser Quire supports has had it since 2024 (Firefox 126); without it old pages could not be found.
    throw new PersistenceError(ErrorCode.Unsupported, 'This browser cannot list its databases, so Quire cannot find pages stored by an older version.', { layer: UPGRADE_LAYER });
  }
  let names: string[];
  try {
    names = (await factory.databases()).map((d) => d.name ?? '');
  } catch (e) {
    throw fromIndexedDbError(e, { layer: UPGRADE_LAYER });
  }
  const bySpace = new Map<string, DocId[]>();
  for (const name of names) {
    const of = pageDbOf(name);
    if (!of) continue;
    const docs = bySpace.get(of.spaceId) ?? [];
    docs.push(of.docId);
    bySpace.set(of.spaceId, docs);
  }
  return bySpace;
}
