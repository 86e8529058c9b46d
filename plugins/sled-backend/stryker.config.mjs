// @ts-check
/**
 * Mutation testing (`yarn mutation` at the repository root): StrykerJS changes
 * one line of the backend at a time and runs the tests that cover it; a
 * mutant no test notices is a line the suite does not really check.
 *
 * SLED_MUTATE=permissions,releases limits it to those folders of src/
 * (default: all five). Not part of ./scripts/test: a whole run takes hours on
 * two cores. The report lands in reports/mutation/ (HTML and JSON).
 */
const FOLDERS = ['service', 'permissions', 'database', 'releases', 'executors'];
const folders = (process.env.SLED_MUTATE ?? FOLDERS.join(','))
  .split(',')
  .map(f => f.trim())
  .filter(Boolean);
for (const folder of folders) {
  if (!FOLDERS.includes(folder)) {
    throw new Error(
      `SLED_MUTATE: unknown folder '${folder}', expected some of ${FOLDERS.join(
        ', ',
      )}`,
    );
  }
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  // Backstage's own jest configuration, as `backstage-cli package test` uses it
  jest: {
    projectType: 'custom',
    configFile: 'stryker.jest.config.js',
    enableFindRelatedTests: true,
  },
  coverageAnalysis: 'perTest',
  mutate: [
    ...folders.map(folder => `src/${folder}/**/*.ts`),
    '!src/**/*.test.ts',
    '!src/**/__testUtils__/**',
  ],
  // the integration tests start backends and scripts: one at a time per core
  concurrency: Number(process.env.SLED_MUTATION_CONCURRENCY ?? 2),
  timeoutMS: 60_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // as deep below the repository root as this package, so the tests' relative
  // imports of the repository's test/ folder (the fake Kubernetes API) resolve
  tempDirName: '../../.stryker-tmp',
  cleanTempDir: 'always',
  // Module-level code (permission and rule definitions) runs once at import:
  // each of its mutants would need the whole suite, hours on two cores. They
  // are reported as ignored; the functions those definitions hold are mutated.
  ignoreStatic: true,
  // TypeScript is checked by `yarn tsc`; mutants need only run
  disableTypeChecks: true,
};
