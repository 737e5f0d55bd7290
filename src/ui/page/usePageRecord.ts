/** The current record of one page, re-read after every change of the space's tree (renames, icon, touch). */
import { useEffect, useState } from 'react';
import type { SpaceHandle } from '../../core/manager/SpaceHandle.ts';
import type { PageRecord } from '../../core/space/types.ts';

export function usePageRecord(space: SpaceHandle, pageId: string): PageRecord | undefined {
  const [page, setPage] = useState(() => space.space.getPage(pageId));
  useEffect(() => {
    setPage(space.space.getPage(pageId));
    return space.space.observe(() => setPage(space.space.getPage(pageId)));
  }, [space, pageId]);
  return page;
}
