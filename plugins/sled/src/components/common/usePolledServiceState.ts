import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import {
  ACTIVE_DEPLOY_STATUSES,
  ServiceState,
} from '@internal/plugin-sled-common';
import { sledApiRef } from '../../api/SledApi';

/** How often state is refreshed while a deploy is queued or running. */
export const ACTIVE_POLL_INTERVAL_MS = 2000;

export function hasActiveDeploy(state: ServiceState | undefined): boolean {
  return Boolean(
    state?.environments.some(
      env =>
        env.lastDeploy &&
        ACTIVE_DEPLOY_STATUSES.includes(env.lastDeploy.status),
    ),
  );
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
 * while anything is queued or running so the page updates without reloads.
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
        if (hasActiveDeploy(next)) {
          timer.current = setTimeout(refresh, pollIntervalMs);
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
