import type { Migration } from './Migration.ts';

/**
 * Schema 1: the registry of spaces, the page-tree projection, the event log, the manifest and the
 * UI-state tables of document 001. Released: never edit, add a new migration instead.
 */
export const migration001: Migration = {
  version: 1,
  description: 'initial schema',
  stores: {
    spaces: 'id, lastOpenedAt',
    pages: '[spaceId+id], [spaceId+parentId+order]',
    events: '[spaceId+seq], [spaceId+entityType+entityId+seq]',
    meta: 'key',
    tabs: 'id, order',
    routing: 'id',
    uiPreferences: 'key',
    draftMailbox: 'pageId, spaceId, updatedAtMs',
    uploadJobs: 'id, spaceId, status',
    views: 'id',
  },
};
