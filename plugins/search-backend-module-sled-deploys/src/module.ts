import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { searchIndexRegistryExtensionPoint } from '@backstage/plugin-search-backend-node/alpha';
import { readScheduleConfig } from './collators/config';
import { SledDeploysCollatorFactory } from './collators/SledDeploysCollatorFactory';

/**
 * Indexes recent SLeD deploys for the portal's search, on a schedule
 * (`search.collators.sledDeploys`).
 *
 * @public
 */
export const searchModuleSledDeploys = createBackendModule({
  pluginId: 'search',
  moduleId: 'sled-deploys-collator',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        indexRegistry: searchIndexRegistryExtensionPoint,
      },
      async init({
        config,
        discovery,
        auth,
        logger,
        scheduler,
        indexRegistry,
      }) {
        indexRegistry.addCollator({
          schedule: scheduler.createScheduledTaskRunner(
            readScheduleConfig(config),
          ),
          factory: SledDeploysCollatorFactory.fromConfig(config, {
            discovery,
            auth,
            logger,
          }),
        });
      },
    });
  },
});
