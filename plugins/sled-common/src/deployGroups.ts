/** The `apiVersion` of `DeployGroup` catalog entities. */
export const DEPLOY_GROUP_API_VERSION = 'sled.dev/v1alpha1';
/** The catalog kind of a set of services released together. */
export const DEPLOY_GROUP_KIND = 'DeployGroup';

/**
 * Group → member service. Catalog queries such as
 * `filter=kind=DeployGroup,relations.hasDeployMember=component:default/cart`
 * find the group a service belongs to.
 */
export const RELATION_HAS_DEPLOY_MEMBER = 'hasDeployMember';
/** Member service → group; the reverse of {@link RELATION_HAS_DEPLOY_MEMBER}. */
export const RELATION_DEPLOY_MEMBER_OF = 'deployMemberOf';
