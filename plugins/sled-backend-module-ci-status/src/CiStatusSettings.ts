import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/**
 * What the `ci-status` check requires (`sled.ciStatus`).
 *
 * @public
 */
export interface CiStatusSettings {
  /**
   * The CI check names an artifact must have passed. Undefined: every check
   * recorded for the artifact must have passed, and at least one must be.
   */
  required?: string[];
}

// the names CI may record (ArtifactCheck.name in SLeD's OpenAPI document)
const CHECK_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const KEY = 'sled.ciStatus.required';

/**
 * Reads and checks `sled.ciStatus` from the root config, naming the key
 * that is wrong.
 *
 * @public
 */
export function readCiStatusSettings(config: Config): CiStatusSettings {
  let required: string[] | undefined;
  try {
    required = config.getOptionalStringArray(KEY);
  } catch (error) {
    throw new InputError(
      `Invalid config at ${KEY}: must be a list of CI check names (${
        (error as Error).message
      })`,
    );
  }
  if (required === undefined) return {};
  if (required.length === 0) {
    throw new InputError(
      `Invalid config at ${KEY}: name at least one CI check, or leave the key out to require every check CI records`,
    );
  }
  required.forEach((name, index) => {
    if (!CHECK_NAME.test(name)) {
      throw new InputError(
        `Invalid config at ${KEY}[${index}]: '${name}' is not a CI check name (lower-case letters, digits and . _ -, at most 64)`,
      );
    }
    if (required!.indexOf(name) !== index) {
      throw new InputError(
        `Invalid config at ${KEY}[${index}]: '${name}' is listed twice`,
      );
    }
  });
  return { required };
}
