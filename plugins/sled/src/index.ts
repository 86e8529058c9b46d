/**
 * SLeD frontend: Deploy, History and Artifacts tabs and a deployed-versions
 * card for deployable services in the catalog, a members card for deploy
 * groups.
 *
 * @packageDocumentation
 */
export {
  sledPlugin,
  EntitySledDeployContent,
  EntitySledHistoryContent,
  EntitySledArtifactsContent,
  EntitySledDeployedVersionsCard,
  EntitySledDeployGroupMembersCard,
} from './plugin';
export { sledApiRef } from './api/SledApi';
export type { SledApi } from './api/SledApi';
export { SledClient } from './api/SledClient';
export { isDeployableService } from './isDeployableService';
export { isDeployGroup } from './components/ReleaseContent/useDeployGroup';
export { SledDeploySearchResultListItem } from './components/SearchResultItem';
export type {
  SledDeploySearchDocument,
  SledDeploySearchResultListItemProps,
} from './components/SearchResultItem';
