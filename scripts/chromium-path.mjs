// Where Debian's Chromium lives. The real binary skips the Debian wrapper's shell noise.
import { existsSync } from 'node:fs';

export const CHROMIUM_CANDIDATES = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'];

/** @returns {string | undefined} */
export function chromiumPath() {
  return process.env.QUIRE_CHROMIUM ?? CHROMIUM_CANDIDATES.find((p) => existsSync(p));
}
