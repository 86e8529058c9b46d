import { Config } from '@backstage/config';

/**
 * The environments whose news reaches the owning team
 * (`sled.environments[].notify: true`): what reaches them, and what fails
 * there, is told to the service's owning group, not only to the requester.
 */
export function readNotifyEnvironments(config: Config): Set<string> {
  const notify = new Set<string>();
  for (const env of config.getOptionalConfigArray('sled.environments') ?? []) {
    if (env.getOptionalBoolean('notify')) notify.add(env.getString('name'));
  }
  return notify;
}
