// Where Debian's PostgreSQL and Redis binaries live, for the two-node relay tests (relay/cluster.test.ts).
// Debian keeps initdb and pg_ctl out of PATH, under /usr/lib/postgresql/<major>/bin; /usr/bin only has
// the pg_ctlcluster wrappers, which manage system clusters and need root.
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const DEBIAN_POSTGRES_ROOT = '/usr/lib/postgresql';

function onPath(binary) {
  return (process.env.PATH ?? '').split(delimiter).find((dir) => dir !== '' && existsSync(join(dir, binary)));
}

/** @returns {string | undefined} the directory holding initdb and pg_ctl (QUIRE_PG_BIN, PATH, newest Debian major) */
export function postgresBinDir() {
  const has = (dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'));
  if (process.env.QUIRE_PG_BIN) return has(process.env.QUIRE_PG_BIN) ? process.env.QUIRE_PG_BIN : undefined;
  const fromPath = onPath('initdb');
  if (fromPath && has(fromPath)) return fromPath;
  if (!existsSync(DEBIAN_POSTGRES_ROOT)) return undefined;
  const majors = readdirSync(DEBIAN_POSTGRES_ROOT).filter((n) => /^\d+$/.test(n)).sort((a, b) => Number(b) - Number(a));
  return majors.map((m) => join(DEBIAN_POSTGRES_ROOT, m, 'bin')).find(has);
}

/** @returns {string | undefined} the redis-server binary (QUIRE_REDIS_SERVER, then PATH) */
export function redisServerPath() {
  if (process.env.QUIRE_REDIS_SERVER) return existsSync(process.env.QUIRE_REDIS_SERVER) ? process.env.QUIRE_REDIS_SERVER : undefined;
  const dir = onPath('redis-server');
  return dir ? join(dir, 'redis-server') : undefined;
}
