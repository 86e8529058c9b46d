import { useApi } from '@backstage/core-plugin-api';
import {
  ACTIVE_DEPLOY_STATUSES,
  SLED_ENVIRONMENTS_CHANNEL,
  ServiceState,
  sledServiceChannel,
} from '@internal/plugin-sled-common';
import { sledApiRef } from '../../api/SledApi';
import { useLiveQuery } from './useLiveQuery';

/**
 * Without signals: how often state is refreshed while a deploy is queued or
 * running.
 */
export const ACTIVE_POLL_INTERVAL_MS = 2000;
/**
 * Without signals: how often state is refreshed while a deploy waits for
 * approval (people approve in minutes, not seconds).
 */
export const AWAITING_APPROVAL_POLL_INTERVAL_MS = 15_000;

export function hasActiveDeploy(state: ServiceState | undefined): boolean {
  return Boolean(
    state?.environments.some(
      env =>
        env.lastDeploy &&
        ACTIVE_DEPLOY_STATUSES.includes(env.lastDeploy.status),
    ),
  );
}

/**
 * Without signals, when to fetch the state again: soon while a deploy is
 * queued or running, now and then while one waits for approval.
 */
export function pollDelay(
  state: ServiceState,
  activePollIntervalMs: number = ACTIVE_POLL_INTERVAL_MS,
): number | undefined {
  if (hasActiveDeploy(state)) return activePollIntervalMs;
  if (
    state.environments.some(
      env => env.lastDeploy?.status === 'awaiting_approval',
    )
  ) {
    return AWAITING_APPROVAL_POLL_INTERVAL_MS;
  }
  return undefined;
}

/**
 * When the state changes by itself, signals or not: just after an
 * environment's deploy window opens or closes.
 */
export function windowChangeDelay(
  state: ServiceState,
  now: number = Date.now(),
): number | undefined {
  const delays: number[] = [];
  for (const env of state.environments) {
    const changesAt = env.window?.changesAt;
    const delay = changesAt ? Date.parse(changesAt) - now + 1000 : NaN;
    if (delay > 0) delays.push(delay);
  }
  return delays.length ? Math.min(...delays) : undefined;
}

export interface LiveServiceState {
  state?: ServiceState;
  /** true only until the first response */
  loading: boolean;
  /** the error of the last refresh; `state` keeps the last good value */
  error?: Error;
  /** fetch now, e.g. after an action */
  refresh: () => void;
}

/**
 * The service's per-environment state, kept fresh: on every sled signal of
 * the service (its deploys, approvals and locks, its group's locks) and of
 * environment-wide locks, when a deploy window opens or closes, and only
 * when signals do not reach the tab, by polling ({@link pollDelay}).
 */
export function useServiceState(
  entityRef: string,
  pollIntervalMs: number = ACTIVE_POLL_INTERVAL_MS,
): LiveServiceState {
  const sledApi = useApi(sledApiRef);
  const query = useLiveQuery(
    () => sledApi.getServiceState(entityRef),
    JSON.stringify(['state', entityRef]),
    {
      channels: [sledServiceChannel(entityRef), SLED_ENVIRONMENTS_CHANNEL],
      pollDelayMs: state => pollDelay(state, pollIntervalMs),
      changesInMs: state => windowChangeDelay(state),
    },
  );
  return {
    state: query.value,
    loading: query.loading,
    error: query.error,
    refresh: query.refresh,
  };
}
