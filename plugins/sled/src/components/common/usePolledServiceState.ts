import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import {
  ACTIVE_DEPLOY_STATUSES,
  ServiceState,
} from '@internal/plugin-sled-common';
import { sledApiRef } from '../../api/SledApi';

/** How often state is refreshed while a deploy is queued or running. */
export const ACTIVE_POLL_INTERVAL_MS = 2000;
/**
 * How often state is refreshed while a deploy waits for approval: people
 * approve in minutes, not seconds.
 */
export const AWAITING_APPROVAL_POLL_INTERVAL_MS = 15_000;
/** setTimeout's longest delay. */
const MAX_DELAY_MS = 2_147_483_647;

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
 * When to fetch the state again, in ms from now, or undefined for never: soon
 * while a deploy is queued or running, now and then while one waits for
 * approval, and just after an environment's deploy window opens or closes.
 */
export function nextRefreshDelay(
  state: ServiceState,
  activePollIntervalMs: number = ACTIVE_POLL_INTERVAL_MS,
  now: number = Date.now(),
): number | undefined {
  if (hasActiveDeploy(state)) {
    return activePollIntervalMs;
  }
  const delays: number[] = [];
  if (
    state.environments.some(
      env => env.lastDeploy?.status === 'awaiting_approval',
    )
  ) {
    delays.push(AWAITING_APPROVAL_POLL_INTERVAL_MS);
  }
  for (const env of state.environments) {
    const changesAt = env.window?.changesAt;
    const delay = changesAt ? Date.parse(changesAt) - now + 1000 : NaN;
    if (delay > 0) {
      delays.push(Math.min(delay, MAX_DELAY_MS));
    }
  }
  return delays.length ? Math.min(...delays) : undefined;
}

export interface PolledServiceState {
  state?: ServiceState;
  /** true only until the first response */
  loading: boolean;
  /** the error of the last refresh; `state` keeps the last good value */
  error?: Error;
  /** fetch now, e.g. after an action */
  refresh: () => void;
}

/**
 * The service's per-environment state, refreshed every couple of seconds
 * while anything is queued or running so the page updates without reloads
 * (and less often while a deploy waits for approval or a deploy window is
 * about to change: {@link nextRefreshDelay}).
 */
export function usePolledServiceState(
  entityRef: string,
  pollIntervalMs: number = ACTIVE_POLL_INTERVAL_MS,
): PolledServiceState {
  const sledApi = useApi(sledApiRef);
  const [state, setState] = useState<ServiceState>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const refresh = useCallback(() => setGeneration(g => g + 1), []);
  const timer = useRef<ReturnType<typeof setTimeout>>();

  useEffect(() => {
    let cancelled = false;
    clearTimeout(timer.current);
    sledApi.getServiceState(entityRef).then(
      next => {
        if (cancelled) return;
        setState(next);
        setError(undefined);
        setLoading(false);
        const delay = nextRefreshDelay(next, pollIntervalMs);
        if (delay !== undefined) {
          timer.current = setTimeout(refresh, delay);
        }
      },
      e => {
        if (cancelled) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => {
      cancelled = true;
      clearTimeout(timer.current);
    };
  }, [sledApi, entityRef, generation, pollIntervalMs, refresh]);

  return { state, loading, error, refresh };
}
