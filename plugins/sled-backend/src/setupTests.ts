// Integration tests start whole backends; on a busy two-core CI machine running
// every package's suite at once that can pass jest's 5 s default.
jest.setTimeout(60_000);

// Suites on PostgreSQL skip it when no server is configured (a laptop without
// one). CI must run them: ./scripts/test starts PostgreSQL and sets this.
if (
  process.env.CI &&
  !process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
) {
  throw new Error(
    'CI is set but BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING is not: the PostgreSQL suites would be skipped. Run ./scripts/test, which starts PostgreSQL 15, or unset CI.',
  );
}
