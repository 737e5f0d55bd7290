/**
 * Every released schema of the "quire" database, oldest first. Append a new numbered file to change the
 * schema; never edit a released one.
 */
import { migration001 } from './001_initial.ts';
import { migration002 } from './002_trash_and_draft_base.ts';
import { migration003 } from './003_page_links.ts';
import { migration004 } from './004_space_store.ts';
import type { Migration } from './Migration.ts';

export type { Migration } from './Migration.ts';

export const MIGRATIONS: readonly Migration[] = [migration001, migration002, migration003, migration004];

/** The newest schema this code knows; a database with a higher version is left untouched. */
export const CURRENT_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
