/**
 * Rollout status of workloads, read the way `kubectl rollout status` reads
 * it, and what is wrong with pods that are not ready (container waiting
 * reasons, failed scheduling, the pod's warning events).
 */

type Obj = Record<string, any>;

export interface RolloutState {
  ready: boolean;
  /** `1/3 ready`, `waiting for the controller` */
  summary: string;
  /** set when the rollout cannot finish (progress deadline exceeded) */
  failed?: string;
}

const observed = (obj: Obj) =>
  (obj.status?.observedGeneration ?? 0) >= (obj.metadata?.generation ?? 0);

/** Where a workload's rollout stands. */
export function rolloutState(obj: Obj): RolloutState {
  const status = obj.status ?? {};
  if (!observed(obj)) {
    return {
      ready: false,
      summary: 'waiting for the controller to see the new spec',
    };
  }
  switch (obj.kind) {
    case 'Deployment': {
      const want = obj.spec?.replicas ?? 1;
      const progressing = (status.conditions ?? []).find(
        (c: Obj) => c.type === 'Progressing',
      );
      if (progressing?.reason === 'ProgressDeadlineExceeded') {
        return {
          ready: false,
          summary: 'progress deadline exceeded',
          failed: `progress deadline exceeded: ${
            progressing.message ?? ''
          }`.trim(),
        };
      }
      const updated = status.updatedReplicas ?? 0;
      const replicas = status.replicas ?? 0;
      const available = status.availableReplicas ?? 0;
      if (updated < want) {
        return {
          ready: false,
          summary: `${updated}/${want} updated, ${available} available`,
        };
      }
      if (replicas > updated) {
        return {
          ready: false,
          summary: `${updated}/${want} updated, ${
            replicas - updated
          } old pending termination`,
        };
      }
      if (available < updated) {
        return { ready: false, summary: `${available}/${want} ready` };
      }
      return { ready: true, summary: `ready (${available}/${want})` };
    }
    case 'StatefulSet': {
      const want = obj.spec?.replicas ?? 1;
      const ready = status.readyReplicas ?? 0;
      const updated = status.updatedReplicas ?? 0;
      if (ready < want)
        return { ready: false, summary: `${ready}/${want} ready` };
      if (
        (obj.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate'
      ) {
        if (updated < want) {
          return {
            ready: false,
            summary: `${updated}/${want} updated, ${ready} ready`,
          };
        }
        if (
          status.updateRevision &&
          status.currentRevision !== status.updateRevision
        ) {
          return {
            ready: false,
            summary: `${ready}/${want} ready, finishing the update`,
          };
        }
      }
      return { ready: true, summary: `ready (${ready}/${want})` };
    }
    case 'DaemonSet': {
      const want = status.desiredNumberScheduled ?? 0;
      const updated = status.updatedNumberScheduled ?? 0;
      const available = status.numberAvailable ?? 0;
      if (updated < want)
        return { ready: false, summary: `${updated}/${want} updated` };
      if (available < want)
        return { ready: false, summary: `${available}/${want} ready` };
      return { ready: true, summary: `ready (${available}/${want})` };
    }
    default:
      return { ready: true, summary: 'ready' };
  }
}

/** `k=v,k2=v2` from a workload's `spec.selector.matchLabels`. */
export function selectorOf(obj: Obj): string | undefined {
  const labels = obj.spec?.selector?.matchLabels;
  if (!labels || !Object.keys(labels).length) return undefined;
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

const isReady = (pod: Obj) =>
  (pod.status?.conditions ?? []).some(
    (c: Obj) => c.type === 'Ready' && c.status === 'True',
  );

/**
 * What keeps a pod from being ready, from its status, or undefined when
 * the status says nothing (yet): `ImagePullBackOff: Back-off pulling image …`.
 */
export function podProblem(pod: Obj): string | undefined {
  if (isReady(pod) || pod.status?.phase === 'Succeeded') return undefined;
  const statuses: Obj[] = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
  for (const s of statuses) {
    const waiting = s.state?.waiting;
    if (
      waiting?.reason &&
      waiting.reason !== 'ContainerCreating' &&
      waiting.reason !== 'PodInitializing'
    ) {
      return [waiting.reason, waiting.message].filter(Boolean).join(': ');
    }
    const terminated = s.state?.terminated ?? s.lastState?.terminated;
    if (terminated && terminated.exitCode !== 0) {
      return `${s.name} exited with code ${terminated.exitCode}${
        terminated.reason ? ` (${terminated.reason})` : ''
      }${s.restartCount ? `, restarted ${s.restartCount} times` : ''}`;
    }
  }
  const unscheduled = (pod.status?.conditions ?? []).find(
    (c: Obj) => c.type === 'PodScheduled' && c.status === 'False',
  );
  if (unscheduled) {
    return [unscheduled.reason, unscheduled.message].filter(Boolean).join(': ');
  }
  if (pod.status?.phase === 'Failed') {
    return [pod.status.reason ?? 'Failed', pod.status.message]
      .filter(Boolean)
      .join(': ');
  }
  return undefined;
}

/** Warning events about a pod, newest last: `BackOff: Back-off restarting failed container`. */
export function eventLines(events: Obj[]): string[] {
  return events
    .filter(e => e.type === 'Warning')
    .sort((a, b) =>
      String(a.lastTimestamp ?? a.eventTime ?? '').localeCompare(
        String(b.lastTimestamp ?? b.eventTime ?? ''),
      ),
    )
    .map(e => `${e.reason}: ${e.message}`);
}

export { isReady as podIsReady };
