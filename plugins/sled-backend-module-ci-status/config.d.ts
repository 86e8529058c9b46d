export interface Config {
  sled?: {
    /** The `ci-status` deploy check (plugin sled-backend-module-ci-status). */
    ciStatus?: {
      /**
       * The CI check names an artifact must have passed, e.g.
       * `[unit-tests, e2e]`; checks CI records under other names are
       * ignored. Left out: every check recorded for the artifact must have
       * passed, and at least one must be recorded. Names are lower-case
       * letters, digits and `. _ -`, as CI records them.
       */
      required?: string[];
    };
  };
}
