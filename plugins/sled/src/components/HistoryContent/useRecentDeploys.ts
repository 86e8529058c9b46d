import { useApi } from '@backstage/core-plugin-api';
import { Deploy } from '@internal/plugin-sled-common';
import useAsync from 'react-use/esm/useAsync';
import { sledApiRef } from '../../api/SledApi';

/** How many of the newest deploys the chart summarises. */
export const RECENT_DEPLOYS_SAMPLE = 1000;
const PAGE_SIZE = 500;

/** The newest deploys of a service (up to {@link RECENT_DEPLOYS_SAMPLE}). */
export function useRecentDeploys(entityRef: string, environment?: string) {
  const sledApi = useApi(sledApiRef);
  return useAsync(async () => {
    const deploys: Deploy[] = [];
    let cursor: string | undefined;
    do {
      const page = await sledApi.listDeploys({
        entityRef,
        environment,
        limit: Math.min(PAGE_SIZE, RECENT_DEPLOYS_SAMPLE - deploys.length),
        cursor,
      });
      deploys.push(...page.items);
      cursor = page.items.length > 0 ? page.nextCursor : undefined;
    } while (cursor && deploys.length < RECENT_DEPLOYS_SAMPLE);
    return deploys;
  }, [sledApi, entityRef, environment]);
}
