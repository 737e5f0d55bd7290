/**
 * Bundle sizes (gzip) from dist/: the app shell is everything index.html loads up front (its module script,
 * modulepreloads and stylesheets); the editor chunk is PageEditor-*.js, which the shell imports lazily.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Figure } from '../figure.ts';

const gzipKiB = (file: string) => gzipSync(readFileSync(file), { level: 9 }).byteLength / 1024;

export function bundleFigures(distDir: string): Figure[] {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const shellFiles = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const shell = shellFiles.reduce((sum, f) => sum + gzipKiB(join(distDir, f)), 0);
  const editorFile = readdirSync(join(distDir, 'assets')).find((f) => /^PageEditor-.*\.js$/.test(f));
  if (!editorFile) throw new Error('dist/ has no PageEditor chunk: the editor is no longer split out');
  if (shellFiles.some((f) => f.includes('PageEditor'))) throw new Error('index.html loads the editor chunk up front');
  return [
    { workload: 'bundle size', what: `app shell (${shellFiles.length} files: JS + CSS loaded by index.html), gzip -9`, unit: 'KiB', samples: [shell], budget: 'report' },
    { workload: 'bundle size', what: `editor chunk (${editorFile}), gzip -9, loaded lazily`, unit: 'KiB', samples: [gzipKiB(join(distDir, 'assets', editorFile))], budget: 'report; the editor loads lazily' },
  ];
}
