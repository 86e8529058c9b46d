import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  PermissionCondition,
  PermissionCriteria,
  PolicyDecision,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import { PolicyQuery } from '@backstage/plugin-permission-node';
import {
  createSledTargetConditionalDecision,
  sledTargetConditions,
} from '@internal/plugin-sled-backend';
import { SLED_TARGET_RESOURCE_TYPE } from '@internal/plugin-sled-common';

/** What a role can grant, by permission name. */
export const SLED_ACTIONS: Record<string, string> = {
  'sled.read': 'read',
  'sled.deploy.create': 'deploy',
  'sled.deploy.cancel': 'cancel',
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
    if (isResourcePermission(permission, RESOURCE_TYPE_CATALOG_ENTITY)) {
      // release: the resource is the DeployGroup entity. Environments do not
      // apply (each member deploy is checked in its environment); ownership
      // means owning the group, which the catalog decides.
      if (granting.some(role => !role.requireOwnership)) {
        return { result: AuthorizeResult.ALLOW };
      }
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({ claims }),
      );
    }
    if (!isResourcePermission(permission, SLED_TARGET_RESOURCE_TYPE)) {
      // basic permissions (registerArtifact) cannot be conditional
      return { result: AuthorizeResult.ALLOW };
    }
    const alternatives: PermissionCriteria<
      PermissionCondition<typeof SLED_TARGET_RESOURCE_TYPE>
    >[] = [];
    for (const role of granting) {
      const parts: PermissionCondition<typeof SLED_TARGET_RESOURCE_TYPE>[] = [];
      if (role.environments) {
        parts.push(
          sledTargetConditions.isEnvironment({
            environments: role.environments,
          }),
        );
      }
      if (role.requireOwnership) {
        parts.push(sledTargetConditions.isServiceOwner({ claims }));
      }
      if (parts.length === 0) return { result: AuthorizeResult.ALLOW };
      alternatives.push(
        parts.length === 1 ? parts[0] : { allOf: parts as any },
      );
    }
    return createSledTargetConditionalDecision(
      permission,
      alternatives.length === 1
        ? alternatives[0]
        : { anyOf: alternatives as any },
    );
  }
}
