// Import rules: which wing may import which (docs/decisions/0014-import-rules.md).
// `npm run lint` runs `depcruise src relay`; test/importRules.test.ts proves a wrong-way import fails it.
// The arrows: core <- protocol <- storage, sync <- collections <- app <- ui; sw and relay as below.
// test/, bench/ and e2e/ are harnesses: they may import anything (any wing, relay/, any package), so lint
// does not cruise them; the one rule about them (no-harness-imports) keeps src/ and relay/ from importing them.

/**
 * The wings under src/ and the other wings each may import (a wing may always import itself).
 * To add an arrow, add the wing's name to the importer's list here and a row to the decision's table.
 */
const ARROWS = {
  core: [],
  protocol: ['core'],
  storage: ['core', 'protocol'],
  sync: ['core', 'protocol'],
  collections: ['core', 'storage'],
  app: ['core', 'protocol', 'storage', 'sync', 'collections'],
  // The UI asks app for everything it shows; it never opens storage or wires sync itself.
  ui: ['core', 'protocol', 'collections', 'app'],
  sw: ['core', 'protocol', 'storage'],
};

/** Packages the code (not the tests) of src/core may import: it runs unchanged in Node and in the browser. */
const CORE_PACKAGES = ['yjs', 'lib0', 'fractional-indexing'];

/** Packages the code of src/protocol may import: the client and the relay share it, so it has no host either. */
const PROTOCOL_PACKAGES = ['yjs', 'lib0'];

/** Test files and test kits (`testing/` folders): they may also import relay/testing and any test package. */
const TEST_CODE = ['\\.test\\.tsx?$', '/testing/'];

/** The harnesses (tests across wings, benchmarks, end-to-end): they may import anything; src/ and relay/ never import them. */
const HARNESSES = '^(test|bench|e2e)/';

/** A path pattern (relative to the repository) matching anything outside the local source tree: packages, node:*. */
const NOT_LOCAL = '^(?!(src|relay|test|bench|e2e)/)';

const wingRules = Object.entries(ARROWS).flatMap(([wing, allowed]) => {
  const mayImport = [wing, ...allowed].join('|');
  const comment = `src/${wing} may import ${allowed.length ? allowed.map((w) => `src/${w}`).join(', ') : 'no other wing'} (and itself).`;
  return [
    {
      name: `${wing}-imports`,
      comment,
      severity: 'error',
      from: { path: `^src/${wing}/`, pathNot: TEST_CODE },
      to: { path: '^(src|relay)/', pathNot: `^src/(${mayImport})/` },
    },
    {
      name: `${wing}-test-imports`,
      comment: `${comment} Its tests and test kits may also import relay/testing.`,
      severity: 'error',
      from: { path: [`^src/${wing}/testing/`, `^src/${wing}/.*/testing/`, `^src/${wing}/.*\\.test\\.tsx?$`] },
      to: { path: '^(src|relay)/', pathNot: [`^src/(${mayImport})/`, '^relay/testing/'] },
    },
  ];
});

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles: a cycle makes the arrows meaningless and the load order fragile.',
      severity: 'error',
      from: { path: '^(src|relay)/' },
      to: { circular: true },
    },
    ...wingRules,
    {
      name: 'relay-imports',
      comment: 'relay/ (code and tests) imports from src/ only src/core and src/protocol.',
      severity: 'error',
      from: { path: '^relay/' },
      to: { path: '^src/', pathNot: '^src/(core|protocol)/' },
    },
    {
      name: 'no-test-kits-in-code',
      comment: 'Code never imports a test kit (`testing/`) or a test file; only tests and other kits do.',
      severity: 'error',
      from: { path: '^(src|relay)/', pathNot: TEST_CODE },
      to: { path: TEST_CODE },
    },
    {
      name: 'no-harness-imports',
      comment: 'src/ and relay/ never import the harnesses (test/, bench/, e2e/); those may import anything.',
      severity: 'error',
      from: { path: '^(src|relay)/' },
      to: { path: HARNESSES },
    },
    {
      name: 'core-packages',
      comment: `src/core imports only ${CORE_PACKAGES.join(', ')}: no host (node:*, DOM libraries), no UI, no storage.`,
      severity: 'error',
      from: { path: '^src/core/', pathNot: TEST_CODE },
      to: { path: NOT_LOCAL, pathNot: `(^|/)node_modules/(${CORE_PACKAGES.join('|')})/` },
    },
    {
      name: 'protocol-packages',
      comment: `src/protocol imports only ${PROTOCOL_PACKAGES.join(', ')}: the relay (Node) and the client (browser) share it.`,
      severity: 'error',
      from: { path: '^src/protocol/', pathNot: TEST_CODE },
      to: { path: NOT_LOCAL, pathNot: `(^|/)node_modules/(${PROTOCOL_PACKAGES.join('|')})/` },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing cannot be checked: fix the path or install the package.',
      severity: 'error',
      from: { path: '^(src|relay)/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Type-only imports count: a type import is an arrow too (the UI must not know storage's row shapes).
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    moduleSystems: ['es6', 'cjs'],
    // Every local import is relative with its extension (`allowImportingTsExtensions`) and no tsconfig has
    // `paths`, so no tsconfig is needed to resolve (the result was checked identical with tsConfig set). If
    // aliases are ever added, set `tsConfig: { fileName: 'tsconfig.json' }` here.
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs'], conditionNames: ['import', 'node', 'default'] },
  },
};
