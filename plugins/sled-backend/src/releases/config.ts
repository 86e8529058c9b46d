import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/** Reads `sled.releases`; a bad value stops start-up naming the key. */
export function readReleaseConfig(config: Config): { parallelism: number } {
  const parallelism =
    config.getOptionalNumber('sled.releases.parallelism') ?? 10;
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 1000) {
    throw new InputError(
      `Invalid config at sled.releases.parallelism: expected an integer from 1 to 1000, got ${parallelism}`,
    );
  }
  return { parallelism };
}
