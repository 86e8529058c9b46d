import {
  BackstageCredentials,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  createConditionTransformer,
} from '@backstage/plugin-permission-node';
import { SledTargetFilter } from '../database/DeployStore';
import { SledTarget, sledTargetResourceRef } from './rules';

type TargetPermission = ResourcePermission<'sled-target'>;

/**
 * Every decision goes through the permission framework. Conditional decisions
 * are evaluated here against the target (single items) or turned into a SQL
 * filter (lists), so pagination stays correct.
 */
export class SledAuthorizer {
  private readonly applies: (
    decision: any,
    resource: SledTarget | undefined,
  ) => boolean;
  private readonly transform: ReturnType<
    typeof createConditionTransformer<any>
  >;

  constructor(
    private readonly permissions: PermissionsService,
    registry: PermissionsRegistryService,
  ) {
    const ruleset = registry.getPermissionRuleset(sledTargetResourceRef);
    this.applies = createConditionAuthorizer(ruleset);
    this.transform = createConditionTransformer(ruleset);
  }

  async allowed(
    permission: TargetPermission,
    targets: SledTarget[],
    credentials: BackstageCredentials,
  ): Promise<boolean[]> {
    const [decision] = await this.permissions.authorizeConditional(
      [{ permission }],
      { credentials },
    );
    return targets.map(target => this.applies(decision, target));
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

  /**
   * Throws 403 unless the caller may act on the catalog entity (a deploy
   * group for `sled.release`). Conditions on `catalog-entity` are evaluated
   * by the catalog, through the permission backend.
   */
  async authorizeEntity(
    permission: ResourcePermission<'catalog-entity'>,
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<void> {
    const [decision] = await this.permissions.authorize(
      [{ permission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed: ${permission.name} for ${entityRef}`,
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
    const [decision] = await this.permissions.authorizeConditional(
      [{ permission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.DENY) throw denied(permission);
    if (decision.result === AuthorizeResult.CONDITIONAL) {
      return this.transform(decision.conditions) as SledTargetFilter;
    }
    return undefined;
  }
}

function denied(
  permission: { name: string },
  target?: SledTarget,
): NotAllowedError {
  const where = target
    ? ` for ${target.entityRef}${
        target.environment ? ` in ${target.environment}` : ''
      }`
    : '';
  return new NotAllowedError(`Not allowed: ${permission.name}${where}`);
}
