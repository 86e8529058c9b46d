import {
  BackstageCredentials,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  PolicyDecision,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  createConditionTransformer,
} from '@backstage/plugin-permission-node';
import {
  SLED_DEPLOY_GROUP_RESOURCE_TYPE,
  SLED_GATE_RESOURCE_TYPE,
  SLED_LOCK_RESOURCE_TYPE,
  SLED_TARGET_RESOURCE_TYPE,
} from '@internal/plugin-sled-common';
import { SledTargetFilter } from '../database/DeployStore';
import {
  SledDeployGroupResource,
  SledTarget,
  sledDeployGroupResourceRef,
  sledGateResourceRef,
  sledLockResourceRef,
  sledTargetResourceRef,
} from './rules';

/** A permission on deploy targets, locks or gates: all are decided on a {@link SledTarget}. */
type TargetPermission = ResourcePermission<
  | typeof SLED_TARGET_RESOURCE_TYPE
  | typeof SLED_LOCK_RESOURCE_TYPE
  | typeof SLED_GATE_RESOURCE_TYPE
>;
type DeployGroupPermission = ResourcePermission<
  typeof SLED_DEPLOY_GROUP_RESOURCE_TYPE
>;

interface Ruleset {
  applies: (decision: PolicyDecision, resource: any) => boolean;
  transform: (conditions: any) => unknown;
}

/**
 * Every decision goes through the permission framework. Conditional decisions
 * are evaluated here against the resource (single items) or turned into a SQL
 * filter (lists), so pagination stays correct. Each resource type is decided
 * with its own rules.
 */
export class SledAuthorizer {
  private readonly rulesets: Map<string, Ruleset>;

  constructor(
    private readonly permissions: PermissionsService,
    registry: PermissionsRegistryService,
  ) {
    this.rulesets = new Map(
      [
        sledTargetResourceRef,
        sledLockResourceRef,
        sledGateResourceRef,
        sledDeployGroupResourceRef,
      ].map(ref => {
        const ruleset = registry.getPermissionRuleset(ref as any);
        return [
          ref.resourceType,
          {
            applies: createConditionAuthorizer(ruleset as any),
            transform: createConditionTransformer(ruleset as any),
          },
        ];
      }),
    );
  }

  private rulesetOf(permission: ResourcePermission): Ruleset {
    const ruleset = this.rulesets.get(permission.resourceType);
    if (!ruleset) {
      throw new Error(
        `${permission.name} has resource type ${permission.resourceType}, which sled does not decide`,
      );
    }
    return ruleset;
  }

  /** One decision for many resources of the permission's type. */
  private async decide<T>(
    permission: ResourcePermission,
    resources: T[],
    credentials: BackstageCredentials,
  ): Promise<boolean[]> {
    const { applies } = this.rulesetOf(permission);
    const [decision] = await this.permissions.authorizeConditional(
      [{ permission }],
      { credentials },
    );
    return resources.map(resource => applies(decision, resource));
  }

  async allowed(
    permission: TargetPermission,
    targets: SledTarget[],
    credentials: BackstageCredentials,
  ): Promise<boolean[]> {
    return this.decide(permission, targets, credentials);
  }

  /** Throws 403 unless the caller may act on the target. */
  async authorize(
    permission: TargetPermission,
    target: SledTarget,
    credentials: BackstageCredentials,
  ): Promise<void> {
    const [ok] = await this.allowed(permission, [target], credentials);
    if (!ok) throw denied(permission, target);
  }

  /** Throws 403 unless the caller may act on the deploy group (`sled.release`). */
  async authorizeDeployGroup(
    permission: DeployGroupPermission,
    group: SledDeployGroupResource,
    credentials: BackstageCredentials,
  ): Promise<void> {
    const [ok] = await this.decide(permission, [group], credentials);
    if (!ok) {
      throw new NotAllowedError(
        `Not allowed: ${permission.name} for ${group.entityRef}`,
      );
    }
  }

  async authorizeBasic(
    permission: BasicPermission,
    credentials: BackstageCredentials,
  ): Promise<void> {
    const [decision] = await this.permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) throw denied(permission);
  }

  /**
   * For list endpoints: undefined means everything, a filter means only
   * matching rows; a flat denial is a 403.
   */
  async filter(
    permission: TargetPermission,
    credentials: BackstageCredentials,
  ): Promise<SledTargetFilter | undefined> {
    const { transform } = this.rulesetOf(permission);
    const [decision] = await this.permissions.authorizeConditional(
      [{ permission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.DENY) throw denied(permission);
    if (decision.result === AuthorizeResult.CONDITIONAL) {
      return transform(decision.conditions) as SledTargetFilter;
    }
    return undefined;
  }
}

function denied(
  permission: { name: string },
  target?: SledTarget,
): NotAllowedError {
  let where = '';
  if (target) {
    const env = target.environment ? ` in ${target.environment}` : '';
    where = target.entityRef
      ? ` for ${target.entityRef}${env}`
      : ` for the whole environment${env ? ` ${target.environment}` : ''}`;
  }
  return new NotAllowedError(`Not allowed: ${permission.name}${where}`);
}
