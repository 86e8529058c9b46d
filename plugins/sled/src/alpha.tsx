import {
  ApiBlueprint,
  coreApis,
  createFrontendPlugin,
  createRouteRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import DeploymentsIcon from '@material-ui/icons/CloudUpload';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { SearchResultListItemBlueprint } from '@backstage/plugin-search-react/alpha';
import { sledApiRef } from './api/SledApi';
import { SledClient } from './api/SledClient';
import { isDeployableService } from './isDeployableService';
import { isDeployGroup } from './components/ReleaseContent/useDeployGroup';

/** @alpha */
export const sledApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: sledApiRef,
      deps: { discoveryApi: coreApis.discovery, fetchApi: coreApis.fetch },
      factory: ({ discoveryApi, fetchApi }) =>
        new SledClient({ discoveryApi, fetchApi }),
    }),
});

/** @alpha */
export const sledDeployEntityContent = EntityContentBlueprint.make({
  name: 'deploy',
  params: {
    path: 'sled-deploy',
    title: 'Deploy',
    group: 'deployment',
    filter: isDeployableService,
    loader: () =>
      import('./components/DeployContent/EntitySledDeployContent').then(m => (
        <m.EntitySledDeployContent />
      )),
  },
});

/** @alpha */
export const sledHistoryEntityContent = EntityContentBlueprint.make({
  name: 'history',
  params: {
    path: 'sled-history',
    title: 'History',
    group: 'deployment',
    filter: isDeployableService,
    loader: () =>
      import('./components/HistoryContent/EntitySledHistoryContent').then(m => (
        <m.EntitySledHistoryContent />
      )),
  },
});

/** @alpha */
export const sledArtifactsEntityContent = EntityContentBlueprint.make({
  name: 'artifacts',
  params: {
    path: 'sled-artifacts',
    title: 'Artifacts',
    group: 'deployment',
    filter: isDeployableService,
    loader: () =>
      import('./components/ArtifactsContent/EntitySledArtifactsContent').then(
        m => <m.EntitySledArtifactsContent />,
      ),
  },
});

/**
 * The Release tab of a DeployGroup entity: current versions per member and
 * environment, releasing the group, live progress and release history.
 *
 * @alpha
 */
export const sledReleaseEntityContent = EntityContentBlueprint.make({
  name: 'release',
  params: {
    path: 'sled-release',
    title: 'Release',
    group: 'deployment',
    filter: isDeployGroup,
    loader: () =>
      import('./components/ReleaseContent/EntitySledReleaseContent').then(m => (
        <m.EntitySledReleaseContent />
      )),
  },
});

/** @alpha */
export const sledDeployedVersionsEntityCard = EntityCardBlueprint.make({
  name: 'deployed-versions',
  params: {
    filter: isDeployableService,
    loader: () =>
      import(
        './components/DeployedVersionsCard/EntitySledDeployedVersionsCard'
      ).then(m => <m.EntitySledDeployedVersionsCard />),
  },
});

/**
 * An overview card of a DeployGroup entity: its member services, their
 * owners and the version each runs in every environment.
 *
 * @alpha
 */
export const sledDeployGroupMembersEntityCard = EntityCardBlueprint.make({
  name: 'deploy-group-members',
  params: {
    filter: isDeployGroup,
    loader: () =>
      import(
        './components/DeployGroupMembersCard/EntitySledDeployGroupMembersCard'
      ).then(m => <m.EntitySledDeployGroupMembersCard />),
  },
});

/**
 * A card of a DeployGroup entity: DORA metrics of its member services, with
 * the trend against the window before.
 *
 * @alpha
 */
export const sledDeployGroupDoraEntityCard = EntityCardBlueprint.make({
  name: 'deploy-group-dora',
  params: {
    filter: isDeployGroup,
    loader: () =>
      import('./components/DoraCard/EntitySledDoraCard').then(m => (
        <m.EntitySledDoraCard />
      )),
  },
});

/**
 * The route of the Deployments page; it puts the page in the sidebar (the
 * app's nav lists pages with a route ref, a title and an icon).
 *
 * @alpha
 */
export const sledDeploymentsRouteRef = createRouteRef();

/**
 * The Deployments page at `/sled`, in the sidebar: every deployable service
 * × every environment, with the version that runs, drift along the
 * promotion path, approvals waiting, locks and deploy windows.
 *
 * @alpha
 */
export const sledDeploymentsPage = PageBlueprint.make({
  params: {
    path: '/sled',
    routeRef: sledDeploymentsRouteRef,
    title: 'Deployments',
    icon: <DeploymentsIcon />,
    loader: () =>
      import('./components/DeploymentsPage').then(m => <m.DeploymentsPage />),
  },
});

/**
 * How `sled-deploy` documents (the recent-deploys search collator) appear in
 * the search page's results.
 *
 * @alpha
 */
export const sledDeploySearchResultListItem =
  SearchResultListItemBlueprint.make({
    name: 'deploy',
    params: {
      predicate: result => result.type === 'sled-deploy',
      component: () =>
        import('./components/SearchResultItem').then(
          m => m.SledDeploySearchResultListItem,
        ),
    },
  });

/**
 * The SLeD plugin for apps on the new frontend system: the sled API client,
 * the Deploy, History and Artifacts entity tabs and the "Deployed versions"
 * overview card for deployable services, and the Release tab and "Members"
 * overview card for deploy groups.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'sled',
  extensions: [
    sledApi,
    sledDeployEntityContent,
    sledHistoryEntityContent,
    sledArtifactsEntityContent,
    sledReleaseEntityContent,
    sledDeployedVersionsEntityCard,
    sledDeployGroupMembersEntityCard,
    sledDeployGroupDoraEntityCard,
    sledDeploySearchResultListItem,
    sledDeploymentsPage,
  ],
});

export { isDeployableService } from './isDeployableService';
export { isDeployGroup } from './components/ReleaseContent/useDeployGroup';
export { sledApiRef } from './api/SledApi';
