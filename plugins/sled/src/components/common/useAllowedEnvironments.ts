import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  sledDeployCreatePermission,
  stringifySledTargetRef,
} from '@internal/plugin-sled-common';

const NONE: ReadonlySet<string> = new Set();

/**
 * The environments of `environments` the user may deploy this service to,
 * asked of the permission framework in one go (the permission client
 * batches the requests).
 */
export function useDeployableEnvironments(
  entityRef: string,
  environments: string[],
): { loading: boolean; allowed: ReadonlySet<string>; error?: Error } {
  const permissionApi = useApi(permissionApiRef);
  const key = environments.join(',');
  const { value, loading, error } = useAsync(async () => {
    const names = key ? key.split(',') : [];
    const decisions = await Promise.all(
      names.map(environment =>
        permissionApi.authorize({
          permission: sledDeployCreatePermission,
          resourceRef: stringifySledTargetRef({ entityRef, environment }),
        }),
      ),
    );
    return new Set(names.filter((_, i) => decisions[i].result === 'ALLOW'));
  }, [permissionApi, entityRef, key]);
  return { loading, allowed: value ?? NONE, error };
}
