import { Entity } from '@backstage/catalog-model';
import { RELATION_DEPLOY_MEMBER_OF } from '@internal/plugin-sled-common';

/**
 * The entity ref of the deploy group that releases a service (the catalog's
 * `deployMemberOf` relation), or undefined when it is in none.
 */
export function deployGroupOf(entity: Entity): string | undefined {
  return entity.relations?.find(r => r.type === RELATION_DEPLOY_MEMBER_OF)
    ?.targetRef;
}
