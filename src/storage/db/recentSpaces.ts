import type { QuireDatabase } from './QuireDatabase.ts';
import type { SpaceRow } from './rows.ts';
import { fromDexieError } from '../../core/persistence/fromDexieError.ts';

/** How many spaces the recent list shows. */
export const RECENT_SPACES_LIMIT = 10;

/** The most recently opened spaces, newest first, read through the lastOpenedAt index (never-opened
 * and deleted spaces have a null lastOpenedAt and are not in that index). */
export async function listRecentSpaces(db: QuireDatabase, limit: number = RECENT_SPACES_LIMIT): Promise<SpaceRow[]> {
  try {
    return await recentSpacesQuery(db, limit);
  } catch (e) {
    throw fromDexieError(e, { action: 'list recent spaces' });
  }
}

/** The query itself, also run inside liveQuery by the recent-spaces collection. */
export function recentSpacesQuery(db: QuireDatabase, limit: number = RECENT_SPACES_LIMIT): Promise<SpaceRow[]> {
  return db.spaces
    .orderBy('lastOpenedAt')
    .reverse()
    .filter((s) => !s.deleted)
    .limit(limit)
    .toArray();
}
