import type { Collection } from '@tanstack/react-db';
import type { PageCollections, RoutingRow, UiStateCollections } from '../../collections/index.ts';
import { putRow } from '../common/putRow.ts';
import { formatRoute, parseRoute, type Route } from './route.ts';

/** Remembers the route as the last one ('active') and as its space's last one, so both reopen at start. */
export function rememberRoute(routing: Collection<RoutingRow, string>, route: Route): void {
  if (!route.spaceId) return;
  const path = formatRoute(route);
  const now = Date.now();
  for (const id of ['active', route.spaceId]) {
    putRow(routing, id, { id, activeTabId: null, path, updatedAtMs: now }, { path, updatedAtMs: now });
  }
}

/** Where to start when the URL names no space: the last route, else the most recently opened space. */
export async function startRoute(collections: PageCollections, ui: UiStateCollections): Promise<Route | null> {
  await ui.routing.preload();
  const last = ui.routing.get('active');
  const spaces = await collections.spaces().toArrayWhenReady();
  if (last) {
    const route = parseRoute(last.path);
    if (route.spaceId && spaces.some((s) => s.id === route.spaceId)) return route;
  }
  const recent = await collections.recentSpaces().toArrayWhenReady();
  const first = recent[0] ?? [...spaces].sort((a, b) => a.createdAt - b.createdAt)[0];
  return first ? { spaceId: first.id, pageId: null } : null;
}

