import { V1ObjectMeta, V1Pod } from '@kubernetes/client-node';
import { CONTAINER_NAME } from './jobSpec';

/**
 * A pod's creation time (ms): a Date when listed, a string when watched.
 *
 * @public
 */
export function createdAt(object: { metadata?: V1ObjectMeta }): number {
  const created = object.metadata?.creationTimestamp;
  return created ? new Date(created).getTime() : 0;
}

/**
 * How the deploy container of a pod ended, once it has.
 *
 * @public
 */
export function terminatedState(pod: V1Pod | undefined) {
  return pod?.status?.containerStatuses?.find(c => c.name === CONTAINER_NAME)
    ?.state?.terminated;
}
