import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';

/** The member refs and waves of a DeployGroup entity, as full refs. */
export function deployGroupMembers(entity: Entity): {
  members: string[];
  waves: string[][];
} {
  const spec = (entity.spec ?? {}) as {
    members?: string[];
    waves?: string[][];
  };
  const full = (ref: string) =>
    stringifyEntityRef(
      parseEntityRef(ref, {
        defaultKind: 'component',
        defaultNamespace: 'default',
      }),
    );
  return {
    members: (spec.members ?? []).map(full),
    waves: (spec.waves ?? []).map(w => w.map(full)),
  };
}

/** True for a SLeD `DeployGroup` catalog entity. */
export function isDeployGroup(entity: Entity): boolean {
  return entity.kind.toLocaleLowerCase('en-US') === 'deploygroup';
}
