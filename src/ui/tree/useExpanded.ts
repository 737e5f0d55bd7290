import { useCallback, useEffect, useState } from 'react';
import type { Collection } from '@tanstack/react-db';
import type { ViewRow } from '../../collections/index.ts';
import { putRow } from '../common/putRow.ts';

/** The expanded pages of a space's tree, kept in the `views` UI-state collection. */
export function useExpanded(views: Collection<ViewRow, string>, spaceId: string | null) {
  const [state, setState] = useState<{ spaceId: string; ids: ReadonlySet<string> } | null>(null);
  useEffect(() => {
    if (!spaceId) return;
    let live = true;
    views.preload().then(
      () => live && setState({ spaceId, ids: new Set(views.get(spaceId)?.expandedPageIds ?? []) }),
      () => live && setState({ spaceId, ids: new Set() }),
    );
    return () => {
      live = false;
    };
  }, [views, spaceId]);
  const current = state && state.spaceId === spaceId ? state.ids : null;
  const set = useCallback(
    (pageId: string, expand: boolean) => {
      if (!spaceId || !current || current.has(pageId) === expand) return;
      const next = new Set(current);
      if (expand) next.add(pageId);
      else next.delete(pageId);
      setState({ spaceId, ids: next });
      const ids = [...next];
      const now = Date.now();
      putRow(views, spaceId, { id: spaceId, expandedPageIds: ids, sidebarWidth: null, updatedAtMs: now }, { expandedPageIds: ids, updatedAtMs: now });
    },
    [views, spaceId, current],
  );
  return [current, set] as const;
}

