import type { PageRecord, SpaceMeta } from '../../core/space/types.ts';
import { pagesWithLiveChildren, samePageRow, toPageRow } from './pageRows.ts';
import type { QuireDatabase } from './QuireDatabase.ts';
import type { PageRow, SpaceRow } from './rows.ts';
import { spaceKeyRange } from './spaceKeyRange.ts';
import { fromDexieError } from '../../core/persistence/fromDexieError.ts';

/** The canonical state of one space (from the core's Space: `meta()` and `listPages()`, trashed included). */
export interface CanonicalSpace {
  meta: SpaceMeta;
  pages: readonly PageRecord[];
}

/** What a rebuild changed; all zero (and spaceChanged false) means the projection was already right. */
export interface RebuildReport {
  inserted: number;
  updated: number;
  removed: number;
  unchanged: number;
  spaceChanged: boolean;
}

/**
 * Recomputes one space's projection rows (its spaces row and all its pages rows) from the canonical state,
 * in one transaction. Only rows that differ are written, so the report doubles as an integrity check and
 * live queries over unchanged rows are not woken. Appends no event: the log records domain changes, and a
 * rebuild changes nothing in the domain. The registry fields (lastOpenedAt, deleted) are kept.
 */
export async function rebuildProjections(
  db: QuireDatabase,
  spaceId: string,
  canonical: CanonicalSpace,
  now: () => number = Date.now,
): Promise<RebuildReport> {
  const parents = pagesWithLiveChildren(canonical.pages);
  const wanted = new Map<string, PageRow>(canonical.pages.map((p) => [p.id, toPageRow(spaceId, p, parents.has(p.id))]));
  const [lower, upper] = spaceKeyRange(spaceId);
  try {
    return await db.transaction('rw', db.pages, db.spaces, async () => {
      const report: RebuildReport = { inserted: 0, updated: 0, removed: 0, unchanged: 0, spaceChanged: false };
      const existing = await db.pages.where('[spaceId+id]').between(lower, upper, true, true).toArray();
      const toRemove: [string, string][] = [];
      const toPut: PageRow[] = [];
      const seen = new Set<string>();
      for (const row of existing) {
        const want = wanted.get(row.id);
        seen.add(row.id);
        if (!want) {
          toRemove.push([spaceId, row.id]);
          report.removed++;
        } else if (samePageRow(row, want)) {
          report.unchanged++;
        } else {
          toPut.push(want);
          report.updated++;
        }
      }
      for (const [id, row] of wanted) {
        if (seen.has(id)) continue;
        toPut.push(row);
        report.inserted++;
      }
      await db.pages.bulkDelete(toRemove);
      await db.pages.bulkPut(toPut);

      const space = await db.spaces.get(spaceId);
      const { meta } = canonical;
      if (!space || space.name !== meta.name || space.icon !== meta.icon || space.createdAt !== meta.createdAt) {
        const row: SpaceRow = {
          id: spaceId,
          name: meta.name,
          icon: meta.icon,
          createdAt: meta.createdAt,
          updatedAt: now(),
          lastOpenedAt: space?.lastOpenedAt ?? null,
          deleted: space?.deleted ?? false,
        };
        await db.spaces.put(row);
        report.spaceChanged = true;
      }
      return report;
    });
  } catch (e) {
    throw fromDexieError(e, { action: `rebuild the projections of space ${spaceId}` });
  }
}
