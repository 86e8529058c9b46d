/** Marks a pre-release: it sorts before the release of the same version. */
const PRE_RELEASE = '!';
/** Ends a version: it sorts before any further field ("1.4" < "1.4.1"). */
const END = '"';
/** Between fields: '.', '-' and '_' alike. */
const SEPARATOR = '.';
/** Before a number: numbers sort before letters, as semver's identifiers do. */
const NUMBER = '0';

/** A numeric core (`1.4.2`, `v2`), after which '-' starts a pre-release. */
const NUMERIC_CORE = /^v?\d+(?:\.\d+)*(?=-|$)/i;

/** Digit runs as themselves: length first, so 9 < 10 and 007 = 7. */
function fieldsOf(text: string): string {
  return text.toLowerCase().replace(/\d+|[._-]/g, token => {
    if (!/\d/.test(token)) return SEPARATOR;
    const digits = token.replace(/^0+(?=\d)/, '');
    return `${NUMBER}${String(digits.length).padStart(3, '0')}${digits}`;
  });
}

/**
 * A key whose byte order is the order of versions, stored with each artifact
 * (`sled_artifacts.version_key`) so that "the artifacts between two versions"
 * is a range in SQL. Versions compare the way semver and most CI numbering
 * schemes mean them:
 *
 * - numbers as numbers (`1.4.10` after `1.4.9`; `build-100` after `build-99`),
 *   letters case-insensitively, `.` `-` `_` alike between fields;
 * - a leading `v` is ignored (`v1.4.2` = `1.4.2`);
 * - a pre-release (`-` after a numeric core) before its release
 *   (`1.5.0-rc.2` < `1.5.0`), and numbers before letters within it;
 * - a shorter version before a longer one that starts with it (`1.4` < `1.4.1`);
 * - build metadata (`+…`) only after everything else.
 *
 * Versions that are not ordered by themselves (commit hashes) get an order,
 * but not a meaningful one. The key is hex, so every database collation
 * orders it the same way. Keep `migrations/20261208030000_artifact_version_order.js`,
 * which fills the key of earlier artifacts, in step with this function.
 */
export function versionOrderKey(version: string): string {
  const plus = version.indexOf('+');
  const precedence = plus < 0 ? version : version.slice(0, plus);
  const build = plus < 0 ? '' : version.slice(plus + 1);
  const core = NUMERIC_CORE.exec(precedence)?.[0];
  let key: string;
  if (core !== undefined && precedence.length > core.length) {
    const pre = precedence.slice(core.length + 1);
    key = `${fieldsOf(core.replace(/^v/i, ''))}${PRE_RELEASE}${fieldsOf(pre)}`;
  } else {
    key = fieldsOf(core !== undefined ? core.replace(/^v/i, '') : precedence);
  }
  key = `${key}${END}${fieldsOf(build)}`;
  return Buffer.from(key, 'latin1').toString('hex');
}
