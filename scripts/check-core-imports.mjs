// Fails when src/core imports an outer layer (storage, sync, collections, ui, sw) or a host package.
// Belt and braces next to the ESLint rule and the DOM-free tsconfig: imports run one way,
// core <- storage/sync <- collections <- ui.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Packages src/core may import. Anything else is a review decision, not an accident. */
const ALLOWED_PACKAGES = ['yjs', 'lib0', 'fractional-indexing'];
const FORBIDDEN_DIRS = ['storage', 'sync', 'collections', 'ui', 'sw'];

function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const problems = [];
for (const file of walk('src/core')) {
  const src = readFileSync(file, 'utf8');
  // Tests and the exported test kits run only in Node: they may use test packages, never outer layers.
  const testOnly = file.endsWith('.test.ts') || file.includes('/testing/');
  for (const m of src.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    const spec = m[1] ?? m[2];
    if (spec.startsWith('.')) {
      if (FORBIDDEN_DIRS.some((d) => spec.split('/').includes(d) && spec.includes('..'))) problems.push(`${file}: imports outer layer '${spec}'`);
    } else {
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (!testOnly && !ALLOWED_PACKAGES.includes(pkg)) problems.push(`${file}: imports '${spec}', not an allowed core dependency`);
    }
  }
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`src/core imports: ok`);
