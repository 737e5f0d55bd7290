// Public surface of the page tree.
export { LOCAL_ORIGIN, Space } from './Space.ts';
export type { CreatePageOptions, SpaceOptions } from './Space.ts';
export type { ChangeOrigin, PageChange, PageRecord, SpaceListener, SpaceMeta } from './types.ts';
export { META_MAP, PAGES_MAP } from './schema.ts';
