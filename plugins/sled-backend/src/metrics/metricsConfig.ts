import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';

/** `sled.metrics`: how DORA metrics are computed. */
export interface MetricsConfig {
  /** a success followed by a rollback this soon counts as a failed change */
  rollbackWithinMs: number;
}

const HOUR_MS = 60 * 60 * 1000;

/** Reads `sled.metrics`, naming the key of a bad value at start-up. */
export function readMetricsConfig(config: Config): MetricsConfig {
  const key = 'sled.metrics.rollbackWithin';
  if (!config.has(key)) return { rollbackWithinMs: HOUR_MS };
  let ms: number;
  try {
    ms = durationToMilliseconds(readDurationFromConfig(config, { key }));
  } catch (error) {
    throw new InputError(
      `Invalid config at ${key}: ${(error as Error).message}`,
    );
  }
  if (!(ms > 0)) {
    throw new InputError(
      `Invalid config at ${key}: must be a positive duration such as 30m or 1h`,
    );
  }
  return { rollbackWithinMs: ms };
}
