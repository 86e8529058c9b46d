import { Entity } from '@backstage/catalog-model';
import { SLED_ANNOTATION_DEPLOY_COMMAND } from '@internal/plugin-sled-common';

/**
 * True for a catalog Component of type `service` that declares how it is
 * deployed (the `sled.dev/deploy-command` annotation).
 *
 * @public
 */
export function isDeployableService(entity: Entity): boolean {
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'component' &&
    entity.spec?.type === 'service' &&
    Boolean(entity.metadata.annotations?.[SLED_ANNOTATION_DEPLOY_COMMAND])
  );
}
