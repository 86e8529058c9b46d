import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/**
 * The sled-owned resource type: a deploy target, one service in one
 * environment. Artifacts are targets without an environment.
 */
export const SLED_TARGET_RESOURCE_TYPE = 'sled-target';

/** Read deploys, logs, artifacts and state. */
export const sledReadPermission = createPermission({
  name: 'sled.read',
  attributes: { action: 'read' },
  resourceType: SLED_TARGET_RESOURCE_TYPE,
});

/** Create a deploy, including a rollback. */
export const sledDeployCreatePermission = createPermission({
  name: 'sled.deploy.create',
  attributes: { action: 'create' },
  resourceType: SLED_TARGET_RESOURCE_TYPE,
});

/** Cancel a queued or running deploy. */
export const sledDeployCancelPermission = createPermission({
  name: 'sled.deploy.cancel',
  attributes: { action: 'update' },
  resourceType: SLED_TARGET_RESOURCE_TYPE,
});

/** Register an artifact (CI service principals). */
export const sledArtifactRegisterPermission = createPermission({
  name: 'sled.artifact.register',
  attributes: { action: 'create' },
});

/** Add or remove a lock on an environment or a service in it. */
export const sledLockPermission = createPermission({
  name: 'sled.lock',
  attributes: { action: 'update' },
  resourceType: SLED_TARGET_RESOURCE_TYPE,
});

/** Deploy to a locked target. */
export const sledLockOverridePermission = createPermission({
  name: 'sled.lock.override',
  attributes: { action: 'update' },
  resourceType: SLED_TARGET_RESOURCE_TYPE,
});

/**
 * Release a whole deploy group: create, cancel and roll back its releases,
 * and lock or unlock the whole group. The resource is the `DeployGroup`
 * catalog entity, so a policy can grant it by ownership of the group with
 * the catalog's own conditions (`catalogConditions.isEntityOwner`); the
 * catalog evaluates them. Every member deploy is still checked with
 * `sled.deploy.create` (and `sled.lock` for a group lock) on its target.
 */
export const sledReleasePermission = createPermission({
  name: 'sled.release',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

export const sledPermissions = [
  sledReadPermission,
  sledDeployCreatePermission,
  sledDeployCancelPermission,
  sledArtifactRegisterPermission,
  sledLockPermission,
  sledLockOverridePermission,
  sledReleasePermission,
];

/** Identifies a deploy target: one service, optionally in one environment. */
export interface SledTargetRef {
  entityRef: string;
  environment?: string;
}

/**
 * The permission resource ref of a `sled-target`: `<entityRef>#<environment>`,
 * or just the entity ref when no environment is given. Entity refs never
 * contain `#`, so the split is unambiguous.
 */
export function stringifySledTargetRef(target: SledTargetRef): string {
  return target.environment
    ? `${target.entityRef}#${target.environment}`
    : target.entityRef;
}

/** Inverse of {@link stringifySledTargetRef}. */
export function parseSledTargetRef(resourceRef: string): SledTargetRef {
  const hash = resourceRef.indexOf('#');
  if (hash < 0) {
    return { entityRef: resourceRef };
  }
  return {
    entityRef: resourceRef.slice(0, hash),
    environment: resourceRef.slice(hash + 1) || undefined,
  };
}
