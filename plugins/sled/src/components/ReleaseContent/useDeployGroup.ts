import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';

/** The member refs of a DeployGroup entity, as full refs, each once. */
export function deployGroupMembers(entity: Entity): string[] {
  const spec = (entity.spec ?? {}) as { members?: string[] };
  const full = (ref: string) =>
    stringifyEntityRef(
      parseEntityRef(ref, {
        defaultKind: 'component',
        defaultNamespace: 'default',
      }),
    );
  // once each, however the group spells a member
  return [...new Set((spec.members ?? []).map(full))];
}

/** True for a SLeD `DeployGroup` catalog entity. */
export function isDeployGroup(entity: Entity): boolean {
  return entity.kind.toLocaleLowerCase('en-US') === 'deploygroup';
}
