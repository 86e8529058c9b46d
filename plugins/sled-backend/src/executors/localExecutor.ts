import { SledExecutorRegistration } from '@internal/plugin-sled-node';
import { LocalProcessExecutor } from './LocalProcessExecutor';

/**
 * The built-in `local` executor (a child process on the backend host),
 * registered through the executors extension point like any other.
 */
export function localExecutor(options: {
  /** `sled.local.timeoutSeconds` */
  timeoutSeconds: number;
}): SledExecutorRegistration {
  return {
    kind: 'local',
    createExecutor: ({ reporter, logger }) =>
      new LocalProcessExecutor({
        reporter,
        logger,
        timeoutSeconds: options.timeoutSeconds,
      }),
  };
}
