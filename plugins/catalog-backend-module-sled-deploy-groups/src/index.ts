/**
 * Catalog backend module for SLeD deploy groups: the `DeployGroup` kind, its
 * validation, and the relations between a group, its members and its owner.
 *
 * @packageDocumentation
 */
export { catalogModuleSledDeployGroups as default } from './module';
export { DeployGroupEntityProcessor } from './processor/DeployGroupEntityProcessor';
export type {
  DeployGroupEntityProcessorOptions,
  DeployGroupClaims,
} from './processor/DeployGroupEntityProcessor';
export {
  DEPLOY_GROUP_API_VERSION,
  DEPLOY_GROUP_KIND,
  RELATION_HAS_DEPLOY_MEMBER,
  RELATION_DEPLOY_MEMBER_OF,
  isDeployGroupEntity,
} from './processor/DeployGroupEntity';
export type { DeployGroupEntity } from './processor/DeployGroupEntity';
export { CatalogDeployGroupClaims } from './processor/CatalogDeployGroupClaims';
