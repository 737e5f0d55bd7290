/** Where the open page sits: the space, its ancestors, the page (each ancestor opens on click). */
import { useEffect, useState } from 'react';
import type { SpaceHandle } from '../../core/manager/SpaceHandle.ts';
import type { PageRecord } from '../../core/space/types.ts';
import { ChevronRight } from '../common/icons.tsx';
import { pageTitle } from '../tree/PageTree.tsx';

function read(space: SpaceHandle, pageId: string) {
  return { spaceName: space.space.meta().name, ancestors: space.space.ancestors(pageId), page: space.space.getPage(pageId) ?? null };
}

export function Breadcrumbs({ space, pageId, onOpen }: { space: SpaceHandle; pageId: string; onOpen: (pageId: string) => void }) {
  const [trail, setTrail] = useState(() => read(space, pageId));
  useEffect(() => {
    setTrail(read(space, pageId));
    return space.space.observe(() => setTrail(read(space, pageId)));
  }, [space, pageId]);
  const crumbs: (PageRecord | null)[] = [...trail.ancestors];
  return (
    <nav aria-label="Breadcrumbs" className="breadcrumbs">
      <ol>
        <li>
          <span className="crumb crumb--space">{trail.spaceName}</span>
        </li>
        {crumbs.map((p) =>
          p ? (
            <li key={p.id}>
              <ChevronRight />
              <button type="button" className="crumb" onClick={() => onOpen(p.id)}>
                {pageTitle(p.title)}
              </button>
            </li>
          ) : null,
        )}
        {trail.page && (
          <li>
            <ChevronRight />
            <span className="crumb crumb--current" aria-current="page">
              {pageTitle(trail.page.title)}
            </span>
          </li>
        )}
      </ol>
    </nav>
  );
}
