import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  AuthorizeResult,
  PermissionCondition,
  PermissionCriteria,
  PolicyDecision,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import { PolicyQuery } from '@backstage/plugin-permission-node';
import {
  createSledDeployGroupConditionalDecision,
  createSledGateConditionalDecision,
  createSledLockConditionalDecision,
  createSledTargetConditionalDecision,
  sledDeployGroupConditions,
  sledGateConditions,
  sledLockConditions,
  sledTargetConditions,
} from '@internal/plugin-sled-backend';
import {
  SLED_DEPLOY_GROUP_RESOURCE_TYPE,
  SLED_GATE_RESOURCE_TYPE,
  SLED_LOCK_RESOURCE_TYPE,
  SLED_TARGET_RESOURCE_TYPE,
} from '@internal/plugin-sled-common';

type TargetType =
  | typeof SLED_TARGET_RESOURCE_TYPE
  | typeof SLED_LOCK_RESOURCE_TYPE
  | typeof SLED_GATE_RESOURCE_TYPE;

/** What a role can grant, by permission name. */
export const SLED_ACTIONS: Record<string, string> = {
  'sled.read': 'read',
  'sled.deploy.create': 'deploy',
  'sled.deploy.cancel': 'cancel',
  'sled.deploy.approve': 'approve',
  'sled.gate.override': 'gateOverride',
  'sled.lock': 'lock',
  'sled.lock.override': 'overrideLock',
  'sled.artifact.register': 'registerArtifact',
  'sled.release': 'release',
};
const ACTIONS = new Set(Object.values(SLED_ACTIONS));

export interface SledRole {
  name: string;
  members: string[];
  actions: string[];
  environments?: string[];
  requireOwnership: boolean;
}

export function readSledRoles(config: Config): SledRole[] {
  return (config.getOptionalConfigArray('sled.policy.roles') ?? []).map(
    (role, i) => {
      const actions = role.getStringArray('actions');
      for (const action of actions) {
        if (!ACTIONS.has(action)) {
          throw new InputError(
            `Invalid config at sled.policy.roles[${i}].actions: unknown action '${action}', expected one of ${[
              ...ACTIONS,
            ].join(', ')}`,
          );
        }
      }
      return {
        name: role.getString('name'),
        members: role.getStringArray('members'),
        actions,
        environments: role.getOptionalStringArray('environments'),
        requireOwnership: role.getOptionalBoolean('requireOwnership') ?? false,
      };
    },
  );
}

/**
 * Decides SLeD permissions from roles; everything that is not SLeD's is
 * allowed, so the catalog and other plugins keep working. A user's claims
 * are their ownership entity refs (themselves and their groups).
 */
export class SledRolePolicy {
  constructor(private readonly roles: SledRole[]) {}

  decide(request: PolicyQuery, claims: string[] | undefined): PolicyDecision {
    const action = SLED_ACTIONS[request.permission.name];
    if (!action) return { result: AuthorizeResult.ALLOW };
    if (!claims) return { result: AuthorizeResult.DENY };

    const granting = this.roles.filter(
      role =>
        role.actions.includes(action) &&
        role.members.some(m => m === '*' || claims.includes(m)),
    );
    if (granting.length === 0) return { result: AuthorizeResult.DENY };

    const permission = request.permission;
    if (isResourcePermission(permission, SLED_DEPLOY_GROUP_RESOURCE_TYPE)) {
      // release: the resource is the deploy group. Environments do not apply
      // (each member deploy is checked in its environment); ownership means
      // owning the group.
      if (granting.some(role => !role.requireOwnership)) {
        return { result: AuthorizeResult.ALLOW };
      }
      return createSledDeployGroupConditionalDecision(
        permission,
        sledDeployGroupConditions.isDeployGroupOwner({ claims }),
      );
    }
    const isLock = isResourcePermission(permission, SLED_LOCK_RESOURCE_TYPE);
    const isGate = isResourcePermission(permission, SLED_GATE_RESOURCE_TYPE);
    if (
      !isLock &&
      !isGate &&
      !isResourcePermission(permission, SLED_TARGET_RESOURCE_TYPE)
    ) {
      // basic permissions (registerArtifact) cannot be conditional
      return { result: AuthorizeResult.ALLOW };
    }
    // locks, gates and targets have the same rules, each of its own resource type
    let conditions: typeof sledTargetConditions = sledTargetConditions;
    if (isLock) conditions = sledLockConditions as any;
    if (isGate) conditions = sledGateConditions as any;
    const alternatives: PermissionCriteria<PermissionCondition<TargetType>>[] =
      [];
    for (const role of granting) {
      const parts: PermissionCondition<TargetType>[] = [];
      if (role.environments) {
        parts.push(
          conditions.isEnvironment({ environments: role.environments }),
        );
      }
      if (role.requireOwnership) {
        parts.push(conditions.isServiceOwner({ claims }));
      }
      if (parts.length === 0) return { result: AuthorizeResult.ALLOW };
      alternatives.push(
        parts.length === 1 ? parts[0] : { allOf: parts as any },
      );
    }
    const criteria =
      alternatives.length === 1
        ? alternatives[0]
        : ({ anyOf: alternatives } as any);
    if (isLock) {
      return createSledLockConditionalDecision(permission as any, criteria);
    }
    if (isGate) {
      return createSledGateConditionalDecision(permission as any, criteria);
    }
    return createSledTargetConditionalDecision(permission as any, criteria);
  }
}
