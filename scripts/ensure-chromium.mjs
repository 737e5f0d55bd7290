// Makes sure Debian's Chromium is present for the e2e suite (Playwright cannot download browsers here).
// As root with apt available it installs the `chromium` package (apt waits for the dpkg lock);
// otherwise it stops with the exact command to run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromiumPath } from './chromium-path.mjs';

export const APT_INSTALL_COMMAND = 'apt-get update && apt-get -o DPkg::Lock::Timeout=600 install -y chromium';

export function ensureChromium() {
  if (chromiumPath()) return chromiumPath();
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (!isRoot || !hasApt) {
    console.error(`Chromium is missing. Install Debian's Chromium first:\n  sudo sh -c '${APT_INSTALL_COMMAND}'`);
    process.exit(1);
  }
  console.log(`Chromium is missing; installing Debian's package: ${APT_INSTALL_COMMAND}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  if (r.status !== 0 || !chromiumPath()) {
    console.error('Installing chromium failed; see the apt output above.');
    process.exit(1);
  }
  return chromiumPath();
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(ensureChromium());
