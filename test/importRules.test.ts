// Proves the import rules bite: dependency-cruiser, run exactly as `npm run lint` runs it (the CLI with the
// repository's .dependency-cruiser.mjs), fails on a miniature of the wings whose `wrong*` files each break
// one rule, and passes once those files are left out. See docs/decisions/0014-import-rules.md.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'importRules');
const CLI = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Run {
  exitCode: number | null;
  /** What the developer reads: one `error <rule>: <from> → <to>` per violation (a cycle continues on the next lines). */
  report: string;
  /** `<rule>: <from> -> <to>` per violation, a package target shortened to its name. */
  violations: string[];
}

/** Runs the checker's CLI over the fixture's src/ and relay/, with the options `npm run lint` gives it. */
function cruise(...extraArgs: string[]): Promise<Run> {
  const args = [CLI, 'src', 'relay', '--config', join(ROOT, '.dependency-cruiser.mjs'), ...extraArgs];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: FIXTURES });
    let report = '';
    child.stdout.on('data', (chunk: Buffer) => (report += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (report += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      const violations = [...report.matchAll(/error (\S+): (\S+) → ?(\S*)/g)].map(
        ([, rule, from, to]) => `${rule}: ${from} -> ${(to ?? '').replace(/^.*node_modules\/([^/]+)\/.*$/, '$1')}`,
      );
      resolve({ exitCode, report, violations });
    });
  });
}

describe('import rules (dependency-cruiser)', () => {
  let all: Run;
  let allowedOnly: Run;
  beforeAll(async () => {
    // Both runs at once: each is a Node process that spends most of its time starting up.
    [all, allowedOnly] = await Promise.all([cruise(), cruise('--exclude', '/wrong')]);
  });

  it('fails on each wrong-way import, naming the rule it breaks', () => {
    expect(all.exitCode).not.toBe(0);
    expect(all.violations.filter((v) => !v.startsWith('no-circular')).sort()).toEqual([
      'collections-imports: src/collections/wrongShelf.tsx -> src/ui/Page.tsx',
      'core-imports: src/core/wrongDynamicStorage.ts -> src/storage/rows.ts',
      'core-packages: src/core/wrongReact.ts -> react',
      'core-test-imports: src/core/testing/wrongKitStorage.ts -> src/storage/rows.ts',
      'protocol-imports: src/protocol/wrongStorageType.ts -> src/storage/rows.ts',
      'protocol-packages: src/protocol/wrongDexie.ts -> dexie',
      'relay-imports: relay/wrongSync.ts -> src/sync/channel.ts',
      'ui-imports: src/ui/wrongStorage.ts -> src/storage/rows.ts',
    ]);
  });

  it('fails on an import cycle', () => {
    const cycles = all.violations.filter((v) => v.startsWith('no-circular'));
    expect(cycles).toHaveLength(1);
    // The report walks the cycle: `A → ⏎ B → ⏎ A`.
    expect(all.report).toMatch(/error no-circular: src\/core\/wrongCycle(A|B)\.ts → \s+src\/core\/wrongCycle(A|B)\.ts →\s+src\/core\/wrongCycle\1\.ts/);
  });

  it('passes for the allowed arrows: packages, test kits, relay/testing, every wing to the ones it may import', () => {
    expect(allowedOnly.violations).toEqual([]);
    expect(allowedOnly.report).toMatch(/no dependency violations found/);
    expect(allowedOnly.exitCode).toBe(0);
  });
});
