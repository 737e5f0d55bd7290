/**
 * A static server over a private copy of the built app, for tests that must change what the server
 * serves (a new version of the service worker) without touching `dist/` under the shared preview server.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticCopy {
  /** Where the copy lives (tests edit files in it). */
  dir: string;
  url: string;
  close(): Promise<void>;
}

/** Serves a private copy of `from` (default: this build's `dist`; another build to test an upgrade from it). */
export async function serveCopyOfDist(from = 'dist'): Promise<StaticCopy> {
  const dir = mkdtempSync(join(tmpdir(), 'quire-dist-'));
  cpSync(from, dir, { recursive: true });
  const server: Server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(dir, path);
    let found: boolean;
    try {
      found = statSync(file).isFile();
    } catch {
      found = false;
    }
    if (!found) file = join(dir, 'index.html'); // navigations fall back to the shell, like the real host
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    dir,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
