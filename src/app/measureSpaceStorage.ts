// How much one space takes on this device, in whichever format it is stored (a space not yet moved by the storage
// upgrade is still in the previous version's databases; one half-moved counts both until the old copy is removed).
import { measureSpaceStorage as measureOldFormat, type SpaceStorage } from '../storage/pages/measureSpaceStorage.ts';
import { measureSpaceDb } from '../storage/space/measureSpaceDb.ts';

export type { SpaceStorage };

export async function measureSpaceStorage(spaceId: string, factory: IDBFactory = globalThis.indexedDB): Promise<SpaceStorage> {
  const [current, old] = await Promise.all([measureSpaceDb(spaceId, factory), measureOldFormat(spaceId, factory)]);
  return { bytes: current.bytes + old.bytes, documents: Math.max(current.documents, old.documents) };
}
