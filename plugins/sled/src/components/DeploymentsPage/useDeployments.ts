import { useApi } from '@backstage/core-plugin-api';
import {
  DeploymentMatrix,
  DeploymentMatrixQuery,
} from '@internal/plugin-sled-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { sledApiRef } from '../../api/SledApi';

/** The deployments matrix for the filters, fetched again when they change. */
export function useDeployments(query: DeploymentMatrixQuery) {
  const api = useApi(sledApiRef);
  const { owner, system, deployGroup } = query;
  return useAsyncRetry<DeploymentMatrix>(
    () => api.getDeployments({ owner, system, deployGroup }),
    [api, owner, system, deployGroup],
  );
}
