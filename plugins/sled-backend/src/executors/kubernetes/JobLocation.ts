import { Deploy } from '@internal/plugin-sled-common';
import { EnvironmentConfig } from '@internal/plugin-sled-node';
import { jobNameFor } from './jobSpec';

/**
 * Where a deploy's Job is: its cluster, namespace and name.
 *
 * @public
 */
export interface JobLocation {
  cluster: string;
  namespace: string;
  jobName: string;
}

/**
 * Where a deploy's Job is: as recorded when it started, else where its
 * environment puts it.
 *
 * @public
 */
export function jobLocationOf(
  deploy: Deploy,
  environments: EnvironmentConfig[],
): JobLocation {
  const env = environments.find(e => e.name === deploy.environment);
  return {
    cluster: deploy.execution?.cluster ?? env?.cluster ?? '',
    namespace: deploy.execution?.namespace ?? env?.namespace ?? '',
    jobName: deploy.execution?.jobName ?? jobNameFor(deploy.id),
  };
}

/**
 * The key of a namespace of a cluster (its watches).
 *
 * @public
 */
export function watchKey(cluster: string, namespace: string) {
  return `${cluster}\u0000${namespace}`;
}

/**
 * The key of a Job (the deploy that follows it).
 *
 * @public
 */
export function jobKey(location: JobLocation) {
  return `${watchKey(location.cluster, location.namespace)}\u0000${
    location.jobName
  }`;
}
