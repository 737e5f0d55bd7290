/** The version of Quire recorded in a new database's manifest (`appVersionCreatedWith`). Keep equal to
 * package.json's version; it is informational (support, bundle export), never used to decide upgrades. */
export const APP_VERSION = '0.1.0';
