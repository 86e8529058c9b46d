import { useApi } from '@backstage/core-plugin-api';
import {
  ACTIVE_DEPLOY_STATUSES,
  Deploy,
  DeployStatus,
  sledServiceChannel,
} from '@internal/plugin-sled-common';
import { sledApiRef } from '../../api/SledApi';
import { KeysetPages, useKeysetPages } from '../common/useKeysetPages';

export interface DeployFilters {
  environment?: string;
  status: DeployStatus[];
}

const hasActiveDeploy = (items: Deploy[]) =>
  items.some(d => ACTIVE_DEPLOY_STATUSES.includes(d.status));

/**
 * Pages of a service's deploys, fresh on the service's signals (without
 * signals: while the page shows a running deploy).
 */
export function useDeployPages(
  entityRef: string,
  filters: DeployFilters,
  pageSize: number,
): KeysetPages<Deploy> {
  const sledApi = useApi(sledApiRef);
  return useKeysetPages(
    cursor =>
      sledApi.listDeploys({
        entityRef,
        environment: filters.environment,
        status: filters.status.length ? filters.status : undefined,
        limit: pageSize,
        cursor,
      }),
    JSON.stringify([entityRef, filters.environment, filters.status, pageSize]),
    { channels: [sledServiceChannel(entityRef)], shouldPoll: hasActiveDeploy },
  );
}
