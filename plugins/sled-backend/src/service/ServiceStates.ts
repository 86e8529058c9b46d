import {
  EnvironmentState,
  Lock,
  ServiceState,
} from '@internal/plugin-sled-common';
import { DeployStore } from '../database/DeployStore';
import { DeployGates } from '../gates/DeployGates';
import { environmentGates } from '../gates/environmentGates';
import { DeployableService } from './ServiceCatalog';
import { SledEnvironments } from './SledEnvironments';

/**
 * What runs where for one service: per environment, the current version,
 * what a rollback would return to, the last deploy and the lock that applies.
 */
export class ServiceStates {
  constructor(
    private readonly options: {
      store: Pick<DeployStore, 'findLatest' | 'getArtifact' | 'listLocks'>;
      environments: SledEnvironments;
      gates: DeployGates;
    },
  ) {}

  async getState(
    service: Pick<DeployableService, 'entityRef' | 'deployGroup'>,
  ): Promise<ServiceState> {
    const { store } = this.options;
    const { entityRef } = service;
    const locks = await store.listLocks({
      entityRef,
      deployGroup: service.deployGroup,
    });
    const environments = await Promise.all(
      this.options.environments.list.map(
        async (env): Promise<EnvironmentState> => {
          const [currentDeploy, lastDeploy] = await Promise.all([
            store.findLatest(entityRef, env.name, { statuses: ['succeeded'] }),
            store.findLatest(entityRef, env.name, { includeDryRun: true }),
          ]);
          const artifact =
            currentDeploy &&
            (await store.getArtifact(currentDeploy.artifactId));
          const previous =
            currentDeploy &&
            (await store.findLatest(entityRef, env.name, {
              statuses: ['succeeded'],
              excludeArtifactId: currentDeploy.artifactId,
            }));
          const rollbackTarget =
            previous && (await store.getArtifact(previous.artifactId));
          // the most specific lock: the service's own, its group's, the environment's
          const lock: Lock | undefined =
            locks.find(
              l => l.environment === env.name && l.entityRef === entityRef,
            ) ??
            locks.find(l => l.environment === env.name && l.deployGroup) ??
            locks.find(l => l.environment === env.name);
          return {
            environment: env.name,
            executor: env.executor,
            requireReason: env.requireReason,
            current:
              currentDeploy && artifact
                ? { deploy: currentDeploy, artifact }
                : undefined,
            rollbackTarget,
            lastDeploy,
            lock,
            ...environmentGates(this.options.gates, env.name),
          };
        },
      ),
    );
    return { entityRef, environments };
  }
}
