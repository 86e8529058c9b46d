import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { CatalogDeployGroupClaims } from './processor/CatalogDeployGroupClaims';
import { DeployGroupEntityProcessor } from './processor/DeployGroupEntityProcessor';

/**
 * Adds the `DeployGroup` kind (`sled.dev/v1alpha1`) to the catalog.
 *
 * @public
 */
export const catalogModuleSledDeployGroups = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'sled-deploy-groups',
  register(env) {
    env.registerInit({
      deps: {
        processing: catalogProcessingExtensionPoint,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
        logger: coreServices.logger,
      },
      async init({ processing, catalog, auth, logger }) {
        processing.addProcessor(
          new DeployGroupEntityProcessor({
            claims: new CatalogDeployGroupClaims(catalog, auth),
            logger,
          }),
        );
      },
    });
  },
});
