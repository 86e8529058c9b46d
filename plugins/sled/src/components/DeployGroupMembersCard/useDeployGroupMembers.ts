import { CompoundEntityRef, RELATION_OWNED_BY } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import {
  catalogApiRef,
  getEntityRelations,
} from '@backstage/plugin-catalog-react';
import { Environment, ServiceState } from '@internal/plugin-sled-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { sledApiRef } from '../../api/SledApi';

/** One member service of a deploy group, as its members card shows it. */
export interface DeployGroupMember {
  entityRef: string;
  /** false when the catalog has no such entity (or the user may not read it) */
  inCatalog: boolean;
  owners: CompoundEntityRef[];
  /** what sled knows of it; undefined when sled could not say */
  state?: ServiceState;
}

/**
 * The environments and, for each member, its owner from the catalog and its
 * per-environment state from sled: the same reads the Release tab makes.
 */
export function useDeployGroupMembers(members: string[]) {
  const catalogApi = useApi(catalogApiRef);
  const sledApi = useApi(sledApiRef);
  return useAsyncRetry(async (): Promise<{
    environments: Environment[];
    members: DeployGroupMember[];
  }> => {
    const [environments, entities, states] = await Promise.all([
      sledApi.listEnvironments(),
      members.length
        ? catalogApi
            .getEntitiesByRefs({
              entityRefs: members,
              fields: [
                'kind',
                'metadata.namespace',
                'metadata.name',
                'relations',
              ],
            })
            .then(r => r.items)
        : [],
      // one member sled cannot read does not hide the others
      Promise.all(
        members.map(ref => sledApi.getServiceState(ref).catch(() => undefined)),
      ),
    ]);
    return {
      environments,
      members: members.map((entityRef, i) => ({
        entityRef,
        inCatalog: Boolean(entities[i]),
        owners: getEntityRelations(entities[i], RELATION_OWNED_BY),
        state: states[i],
      })),
    };
  }, [catalogApi, sledApi, members]);
}
