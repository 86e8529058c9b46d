import { createPermission } from '@backstage/plugin-permission-common';

/**
 * The sled-owned resource type of deploys: a deploy target, one service in
 * one environment. Artifacts are targets without an environment. Resource
 * refs are `<entityRef>#<environment>` ({@link stringifySledTargetRef}).
 */
export const SLED_TARGET_RESOURCE_TYPE = 'sled-target';

/**
 * The sled-owned resource type of locks: the same targets as
 * {@link SLED_TARGET_RESOURCE_TYPE} (same resource refs and rules), kept apart
 * so a policy keyed by (resource type, action), as the community RBAC plugin's
 * conditional policies are, tells locking from cancelling.
 */
export const SLED_LOCK_RESOURCE_TYPE = 'sled-lock';

/**
 * The sled-owned resource type of release gates: the same targets as
 * {@link SLED_TARGET_RESOURCE_TYPE} (same resource refs and rules), kept
 * apart so a policy keyed by (resource type, action) tells approving a
 * deploy and overriding a gate from deploying and cancelling.
 */
export const SLED_GATE_RESOURCE_TYPE = 'sled-gate';

/**
 * The sled-owned resource type of deploy groups: resource refs are the
 * `DeployGroup` entity refs, with the group's owner for rules.
 */
export const SLED_DEPLOY_GROUP_RESOURCE_TYPE = 'sled-deploy-group';

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

/**
 * Approve or reject a deploy awaiting approval on the target; the
 * environment's configured approvers are checked as well.
 */
export const sledDeployApprovePermission = createPermission({
  name: 'sled.deploy.approve',
  attributes: { action: 'create' },
  resourceType: SLED_GATE_RESOURCE_TYPE,
});

/**
 * Deploy past a promotion soak, a deploy window or a failed deploy check,
 * with a reason (never past approvals).
 */
export const sledGateOverridePermission = createPermission({
  name: 'sled.gate.override',
  attributes: { action: 'update' },
  resourceType: SLED_GATE_RESOURCE_TYPE,
});

/** Register an artifact (CI service principals). */
export const sledArtifactRegisterPermission = createPermission({
  name: 'sled.artifact.register',
  attributes: { action: 'create' },
});

/** Add or remove a lock on an environment or a service in it. */
export const sledLockPermission = createPermission({
  name: 'sled.lock',
  attributes: { action: 'create' },
  resourceType: SLED_LOCK_RESOURCE_TYPE,
});

/** Deploy to a locked target. */
export const sledLockOverridePermission = createPermission({
  name: 'sled.lock.override',
  attributes: { action: 'update' },
  resourceType: SLED_LOCK_RESOURCE_TYPE,
});

/**
 * Release a whole deploy group: create, cancel and roll back its releases,
 * and lock or unlock the whole group. The resource is the deploy group (its
 * entity ref), of sled's own resource type, so any policy can grant it by
 * the group's ownership (`sledDeployGroupConditions.isDeployGroupOwner`).
 * Every member deploy is still checked with `sled.deploy.create` (and
 * `sled.deploy.cancel` when a release is cancelled) on its target.
 */
export const sledReleasePermission = createPermission({
  name: 'sled.release',
  attributes: { action: 'create' },
  resourceType: SLED_DEPLOY_GROUP_RESOURCE_TYPE,
});

/** The permissions of deploy targets (`sled-target`). */
export const sledTargetPermissions = [
  sledReadPermission,
  sledDeployCreatePermission,
  sledDeployCancelPermission,
];

/** The permissions of release gates (`sled-gate`). */
export const sledGatePermissions = [
  sledDeployApprovePermission,
  sledGateOverridePermission,
];

/** The permissions of locks (`sled-lock`). */
export const sledLockPermissions = [
  sledLockPermission,
  sledLockOverridePermission,
];

/** The permissions of deploy groups (`sled-deploy-group`). */
export const sledDeployGroupPermissions = [sledReleasePermission];

/** Every sled permission. */
export const sledPermissions = [
  ...sledTargetPermissions,
  ...sledGatePermissions,
  sledArtifactRegisterPermission,
  ...sledLockPermissions,
  ...sledDeployGroupPermissions,
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
