// Makes sure Debian's PostgreSQL and Redis binaries are present for the two-node relay tests
// (relay/cluster.test.ts starts its own private instances from them; no system service is used).
// As root with apt available it installs the missing packages (apt waits for the dpkg lock);
// otherwise it stops with the exact command to run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { postgresBinDir, redisServerPath } from './service-paths.mjs';

function missingPackages() {
  const missing = [];
  if (!postgresBinDir()) missing.push('postgresql');
  if (!redisServerPath()) missing.push('redis-server');
  return missing;
}

export function ensureServices() {
  const missing = missingPackages();
  if (missing.length === 0) return { postgres: postgresBinDir(), redis: redisServerPath() };
  const command = `apt-get update && apt-get -o DPkg::Lock::Timeout=600 install -y ${missing.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (!isRoot || !hasApt) {
    console.error(`${missing.join(' and ')} missing. Install Debian's packages first:\n  sudo sh -c '${command}'`);
    process.exit(1);
  }
  console.log(`${missing.join(' and ')} missing; installing Debian's packages: ${command}`);
  // noninteractive: no debconf questions. The packages' own services may or may not start (containers
  // usually forbid it through policy-rc.d); the tests never use them.
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
  if (r.status !== 0 || missingPackages().length > 0) {
    console.error(`Installing ${missing.join(' ')} failed; see the apt output above.`);
    process.exit(1);
  }
  return { postgres: postgresBinDir(), redis: redisServerPath() };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(ensureServices());
