import type { Collection } from '@tanstack/react-db';
import type {
  DraftMailboxRow,
  QuireDatabase,
  RoutingRow,
  TabRow,
  UiPreferenceRow,
  UploadJobRow,
  ViewRow,
} from '../storage/db/index.ts';
import { byString } from './byString.ts';
import { createDexieCollection } from './createDexieCollection.ts';

/** The UI-state collections of document 001: written directly by the UI, last writer wins. */
export interface UiStateCollections {
  tabs: Collection<TabRow, string>;
  routing: Collection<RoutingRow, string>;
  uiPreferences: Collection<UiPreferenceRow, string>;
  draftMailbox: Collection<DraftMailboxRow, string>;
  uploadJobs: Collection<UploadJobRow, string>;
  views: Collection<ViewRow, string>;
}

export function createUiStateCollections(db: QuireDatabase): UiStateCollections {
  const id = (table: string) => `${db.name}:${table}`;
  return {
    tabs: createDexieCollection({
      id: id('tabs'),
      table: db.tabs,
      getKey: (row) => row.id,
      compare: (a, b) => byString(a.order, b.order) || byString(a.id, b.id),
    }),
    routing: createDexieCollection({ id: id('routing'), table: db.routing, getKey: (row) => row.id }),
    uiPreferences: createDexieCollection({ id: id('uiPreferences'), table: db.uiPreferences, getKey: (row) => row.key }),
    draftMailbox: createDexieCollection({ id: id('draftMailbox'), table: db.draftMailbox, getKey: (row) => row.pageId }),
    uploadJobs: createDexieCollection({
      id: id('uploadJobs'),
      table: db.uploadJobs,
      getKey: (row) => row.id,
      compare: (a, b) => a.createdAtMs - b.createdAtMs || byString(a.id, b.id),
    }),
    views: createDexieCollection({ id: id('views'), table: db.views, getKey: (row) => row.id }),
  };
}
