import { ServiceState } from '@internal/plugin-sled-common';

/** The version a service runs in an environment, or undefined when none. */
export function currentVersion(
  state: ServiceState | undefined,
  environment: string,
): string | undefined {
  return state?.environments.find(e => e.environment === environment)?.current
    ?.artifact.version;
}
