/**
 * Hash routing: `#/space/<spaceId>` or `#/space/<spaceId>/page/<pageId>`. The hash survives reloads and
 * offline cold starts (the service worker serves the same shell for every URL) and needs no server.
 */
import { useEffect, useState } from 'react';

export interface Route {
  spaceId: string | null;
  pageId: string | null;
}

export const EMPTY_ROUTE: Route = { spaceId: null, pageId: null };

export function parseRoute(hash: string): Route {
  const m = /^#\/space\/([^/]+)(?:\/page\/([^/]+))?\/?$/.exec(hash);
  if (!m) return EMPTY_ROUTE;
  return { spaceId: decodeURIComponent(m[1] ?? ''), pageId: m[2] ? decodeURIComponent(m[2]) : null };
}

export function formatRoute(route: Route): string {
  if (!route.spaceId) return '#/';
  const space = `#/space/${encodeURIComponent(route.spaceId)}`;
  return route.pageId ? `${space}/page/${encodeURIComponent(route.pageId)}` : space;
}

/** Goes to a route: a new history entry, or the current one replaced (restoring, repairing). */
export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const hash = formatRoute(route);
  if (window.location.hash === hash) return;
  if (options.replace) {
    history.replaceState(history.state, '', hash);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = hash;
  }
}

/** The current route, following the hash. */
export function useHashRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () =>
      setRoute((prev) => {
        const next = parseRoute(window.location.hash);
        return next.spaceId === prev.spaceId && next.pageId === prev.pageId ? prev : next;
      });
    window.addEventListener('hashchange', onChange);
    onChange();
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
