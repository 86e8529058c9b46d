import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
} from '@backstage/core-plugin-api';
import { coreApis } from '@backstage/frontend-plugin-api';
import { sledApiRef } from './api/SledApi';
import { SledClient } from './api/SledClient';
import {
  artifactsContentRouteRef,
  deployContentRouteRef,
  historyContentRouteRef,
} from './routes';

/**
 * The SLeD plugin for apps on the legacy frontend system.
 *
 * @public
 */
export const sledPlugin = createPlugin({
  id: 'sled',
  apis: [
    createApiFactory({
      api: sledApiRef,
      deps: { discoveryApi: coreApis.discovery, fetchApi: coreApis.fetch },
      factory: ({ discoveryApi, fetchApi }) =>
        new SledClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    deploy: deployContentRouteRef,
    history: historyContentRouteRef,
    artifacts: artifactsContentRouteRef,
  },
});

/**
 * The Deploy tab of a service: environments, actions and the live log.
 *
 * @public
 */
export const EntitySledDeployContent = sledPlugin.provide(
  createRoutableExtension({
    name: 'EntitySledDeployContent',
    component: () =>
      import('./components/DeployContent/EntitySledDeployContent').then(
        m => m.EntitySledDeployContent,
      ),
    mountPoint: deployContentRouteRef,
  }),
);

/**
 * The History tab of a service: every deploy, filters, chart and details.
 *
 * @public
 */
export const EntitySledHistoryContent = sledPlugin.provide(
  createRoutableExtension({
    name: 'EntitySledHistoryContent',
    component: () =>
      import('./components/HistoryContent/EntitySledHistoryContent').then(
        m => m.EntitySledHistoryContent,
      ),
    mountPoint: historyContentRouteRef,
  }),
);

/**
 * The Artifacts tab of a service: builds, where they run, deploy actions.
 *
 * @public
 */
export const EntitySledArtifactsContent = sledPlugin.provide(
  createRoutableExtension({
    name: 'EntitySledArtifactsContent',
    component: () =>
      import('./components/ArtifactsContent/EntitySledArtifactsContent').then(
        m => m.EntitySledArtifactsContent,
      ),
    mountPoint: artifactsContentRouteRef,
  }),
);

/**
 * An overview card with the version deployed in each environment.
 *
 * @public
 */
export const EntitySledDeployedVersionsCard = sledPlugin.provide(
  createComponentExtension({
    name: 'EntitySledDeployedVersionsCard',
    component: {
      lazy: () =>
        import(
          './components/DeployedVersionsCard/EntitySledDeployedVersionsCard'
        ).then(m => m.EntitySledDeployedVersionsCard),
    },
  }),
);

/**
 * An overview card of a DeployGroup entity: each member service, its owner
 * and the version it runs in each environment. Show it with `isDeployGroup`.
 *
 * @public
 */
export const EntitySledDeployGroupMembersCard = sledPlugin.provide(
  createComponentExtension({
    name: 'EntitySledDeployGroupMembersCard',
    component: {
      lazy: () =>
        import(
          './components/DeployGroupMembersCard/EntitySledDeployGroupMembersCard'
        ).then(m => m.EntitySledDeployGroupMembersCard),
    },
  }),
);
