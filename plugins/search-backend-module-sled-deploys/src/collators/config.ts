import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

const CONFIG_KEY = 'search.collators.sledDeploys';

export const defaults = {
  schedule: {
    frequency: { minutes: 10 },
    timeout: { minutes: 15 },
    initialDelay: { seconds: 10 },
  } as SchedulerServiceTaskScheduleDefinition,
  windowDays: 30,
};

export function readScheduleConfig(
  config: Config,
): SchedulerServiceTaskScheduleDefinition {
  const schedule = config.getOptionalConfig(`${CONFIG_KEY}.schedule`);
  if (!schedule) return defaults.schedule;
  try {
    return readSchedulerServiceTaskScheduleDefinitionFromConfig(schedule);
  } catch (error) {
    throw new InputError(
      `Invalid schedule at ${CONFIG_KEY}.schedule: ${error}`,
    );
  }
}

export function readWindowDays(config: Config): number {
  const days = config.getOptionalNumber(`${CONFIG_KEY}.windowDays`);
  if (days === undefined) return defaults.windowDays;
  if (!(days > 0)) {
    throw new InputError(
      `Invalid config at ${CONFIG_KEY}.windowDays: must be a positive number of days, got ${days}`,
    );
  }
  return days;
}
