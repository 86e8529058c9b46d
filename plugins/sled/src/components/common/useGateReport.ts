import { useEffect } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { GateReport } from '@internal/plugin-sled-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { sledApiRef } from '../../api/SledApi';
import { gatesReopenAt } from './gates';

/** setTimeout's longest delay; a later gate is asked about again then. */
const MAX_DELAY_MS = 2_147_483_647;
/** When a gate said it would open by now and still refuses, ask again this late. */
const OVERDUE_RETRY_MS = 30_000;

export interface GateQuery {
  entityRef: string;
  environment: string;
  artifactId: string;
}

export interface GateReportState {
  /** true from the moment there is a query until its answer is in */
  checking: boolean;
  /** the answer to the current query */
  report?: GateReport;
  /** why the current query could not be answered */
  error?: Error;
  /** ask again, e.g. after the backend refused a deploy */
  retry: () => void;
}

/**
 * What the release gates say of deploying an artifact to an environment,
 * for the current user (`GET /gates`); nothing while `query` is undefined.
 * An answer is only ever given for the query it was asked for: while the
 * query changes, `checking` is true at once, before the request leaves.
 * While a refusing gate will pass on its own (a soak ending, a window
 * opening), the gates are asked again when it does.
 */
export function useGateReport(query: GateQuery | undefined): GateReportState {
  const sledApi = useApi(sledApiRef);
  const key = query
    ? JSON.stringify([query.entityRef, query.environment, query.artifactId])
    : undefined;
  const answer = useAsyncRetry(async () => {
    if (!query || !key) {
      return undefined;
    }
    try {
      return { key, report: await sledApi.getGates(query) };
    } catch (error) {
      return { key, error: error as Error };
    }
    // the query is identified by its key
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sledApi, key]);

  const settled =
    !answer.loading && answer.value?.key === key ? answer.value : undefined;
  const report = settled && 'report' in settled ? settled.report : undefined;
  const error = settled && 'error' in settled ? settled.error : undefined;

  const reopensAt = report ? gatesReopenAt(report) : undefined;
  const { retry } = answer;
  useEffect(() => {
    if (!reopensAt) {
      return undefined;
    }
    const untilOpen = Date.parse(reopensAt) - Date.now() + 1000;
    const delay = untilOpen > 1000 ? untilOpen : OVERDUE_RETRY_MS;
    const timer = setTimeout(retry, Math.min(delay, MAX_DELAY_MS));
    return () => clearTimeout(timer);
  }, [reopensAt, retry]);

  return { checking: Boolean(key) && !settled, report, error, retry };
}
