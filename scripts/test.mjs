// `npm test`: typecheck, lint, unit tests (Vitest), build, e2e (Playwright in Debian's Chromium).
// Ends with one line `N passed, N failed, N skipped` adding up every test of every runner.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { ensureChromium } from './ensure-chromium.mjs';
import { ensureServices } from './ensure-services.mjs';

const VITEST_JSON = '.vitest-results.json';
const PLAYWRIGHT_JSON = '.playwright-results.json';

const failedSteps = [];
function step(name, cmd, args, env = {}) {
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) failedSteps.push(name);
  return r.status === 0;
}
function readJson(path) {
  try { return JSON.parse(readFileSync(path, 'utf8')); } catch { return undefined; }
}

ensureChromium();
// PostgreSQL and Redis for the two-node relay tests (relay/cluster.test.ts), from Debian's packages.
ensureServices();
for (const f of [VITEST_JSON, PLAYWRIGHT_JSON]) if (existsSync(f)) rmSync(f);

step('typecheck', 'npm', ['run', '--silent', 'typecheck']);
step('lint', 'npm', ['run', '--silent', 'lint']);
step('unit', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${VITEST_JSON}`]);
const built = step('build', 'npx', ['vite', 'build', '--logLevel', 'warn']);
if (built) step('e2e', 'npx', ['playwright', 'test'], { PLAYWRIGHT_JSON_OUTPUT_NAME: PLAYWRIGHT_JSON });

let passed = 0, failed = 0, skipped = 0;
const v = readJson(VITEST_JSON);
if (v) { passed += v.numPassedTests; failed += v.numFailedTests; skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0); }
else failed += 1; // the unit runner produced no report: count it as a failure rather than hide it
const p = readJson(PLAYWRIGHT_JSON);
if (p) { passed += p.stats.expected + p.stats.flaky; failed += p.stats.unexpected; skipped += p.stats.skipped; }
else failed += 1;

// A step that failed without a failed test in its report (typecheck, lint, the build, or a runner that
// failed on an unhandled error after every test passed) still counts once: the summary never says
// "0 failed" for a run that failed.
const failedByTests = { unit: v ? v.numFailedTests : 1, e2e: p ? p.stats.unexpected : 1 };
for (const name of failedSteps) if (!(failedByTests[name] > 0)) failed += 1;

if (failedSteps.length) console.log(`\nFailed steps: ${failedSteps.join(', ')}`);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failedSteps.length ? 1 : 0);
