import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  parseSledTargetRef,
  sledPermissions,
} from '@internal/plugin-sled-common';
import { readSledConfig } from './config';
import { DatabaseDeployStore } from './database/DatabaseDeployStore';
import { LocalProcessExecutor } from './executors/LocalProcessExecutor';
import { createKubernetesExecutor } from './executors/kubernetes';
import { SledAuthorizer } from './permissions/SledAuthorizer';
import { sledTargetResourceRef, sledTargetRules } from './permissions/rules';
import { DeployLogs } from './service/DeployLogs';
import { DeployService } from './service/DeployService';
import { createRouter } from './service/router';
import { ServiceCatalog } from './service/ServiceCatalog';

/**
 * SLeD: service-level deploys. REST API at `/api/sled`.
 *
 * @public
 */
export const sledPlugin = createBackendPlugin({
  pluginId: 'sled',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        auditor: coreServices.auditor,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        lifecycle: coreServices.lifecycle,
        scheduler: coreServices.scheduler,
        catalog: catalogServiceRef,
      },
      async init({
        config,
        logger,
        database,
        httpRouter,
        httpAuth,
        auth,
        auditor,
        permissions,
        permissionsRegistry,
        lifecycle,
        scheduler,
        catalog,
      }) {
        const sledConfig = readSledConfig(config);
        const serviceCatalog = new ServiceCatalog(catalog, auth);
        const store = await DatabaseDeployStore.create({ database });
        const logs = new DeployLogs(store, logger);
        const deploys = new DeployService({ store, config: sledConfig, logs, logger });
        if (sledConfig.environments.some(e => e.executor === 'local')) {
          deploys.addExecutor(
            new LocalProcessExecutor({
              reporter: deploys,
              logger,
              timeoutSeconds: sledConfig.local.timeoutSeconds,
            }),
          );
        }
        if (sledConfig.environments.some(e => e.executor === 'kubernetes')) {
          deploys.addExecutor(
            await createKubernetesExecutor({
              config,
              sledConfig,
              logger,
              scheduler,
              store,
              reporter: deploys,
              readLog: id => logs.read(id),
            }),
          );
        }

        sledConfig.environments.forEach((environment, i) => {
          if (!deploys.hasExecutor(environment.executor)) {
            throw new Error(
              `Invalid config at sled.environments[${i}].executor: the '${environment.executor}' executor is not available in this backend`,
            );
          }
        });

        permissionsRegistry.addResourceType({
          resourceRef: sledTargetResourceRef,
          permissions: sledPermissions,
          rules: Object.values(sledTargetRules),
          getResources: async resourceRefs => {
            return Promise.all(
              resourceRefs.map(async ref => {
                const target = parseSledTargetRef(ref);
                const service = await serviceCatalog.getTarget(target.entityRef);
                return service && { ...target, entityRef: service.entityRef, ownerRef: service.ownerRef };
              }),
            );
          },
        });
        permissionsRegistry.addPermissions(sledPermissions);

        httpRouter.use(
          await createRouter({
            httpAuth,
            auditor,
            authorizer: new SledAuthorizer(permissions, permissionsRegistry),
            deploys,
            store,
            logs,
            catalog: serviceCatalog,
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });

        lifecycle.addStartupHook(() => deploys.recover());
        lifecycle.addShutdownHook(async () => {
          await deploys.shutdown();
          await logs.flushAll();
        });
      },
    });
  },
});
