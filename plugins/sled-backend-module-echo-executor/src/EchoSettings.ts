import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/**
 * An echo environment's own keys: `echo.outcome` is how its deploys end.
 *
 * @public
 */
export interface EchoSettings {
  outcome: 'succeeded' | 'failed';
}

const OUTCOMES = ['succeeded', 'failed'] as const;

/**
 * Reads and checks an echo environment's keys, naming the one that is wrong.
 *
 * @public
 */
export function readEchoSettings(config: Config, path: string): EchoSettings {
  const outcome = config.getOptionalString('echo.outcome') ?? 'succeeded';
  if (!(OUTCOMES as readonly string[]).includes(outcome)) {
    throw new InputError(
      `Invalid config at ${path}.echo.outcome: must be ${OUTCOMES.join(
        ' or ',
      )}, not '${outcome}'`,
    );
  }
  return { outcome: outcome as EchoSettings['outcome'] };
}
