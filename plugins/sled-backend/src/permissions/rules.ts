import {
  createConditionExports,
  createPermissionResourceRef,
  createPermissionRule,
  PermissionResourceRef,
} from '@backstage/plugin-permission-node';
import {
  SLED_DEPLOY_GROUP_RESOURCE_TYPE,
  SLED_GATE_RESOURCE_TYPE,
  SLED_LOCK_RESOURCE_TYPE,
  SLED_TARGET_RESOURCE_TYPE,
} from '@internal/plugin-sled-common';
import { z } from 'zod';
import { SledTargetQuery } from '../database/DeployStore';

/** A deploy target as permission rules see it. */
export interface SledTarget {
  entityRef: string;
  /** absent for artifacts, which belong to a service in no environment */
  environment?: string;
  /** the service's owner (catalog `ownedBy` relation) */
  ownerRef?: string;
}

/** A deploy group as permission rules see it. */
export interface SledDeployGroupResource {
  entityRef: string;
  /** the group's owner (catalog `ownedBy` relation) */
  ownerRef?: string;
}

/** How a deploy-group condition reads as a query (columns of group rows). */
export interface SledDeployGroupQuery {
  column: 'deploy_group' | 'owner_ref';
  values: string[];
}

type TargetResourceRef<T extends string> = PermissionResourceRef<
  SledTarget,
  SledTargetQuery,
  T,
  'sled'
>;

export const sledTargetResourceRef = createPermissionResourceRef<
  SledTarget,
  SledTargetQuery
>().with({ pluginId: 'sled', resourceType: SLED_TARGET_RESOURCE_TYPE });

export const sledLockResourceRef = createPermissionResourceRef<
  SledTarget,
  SledTargetQuery
>().with({ pluginId: 'sled', resourceType: SLED_LOCK_RESOURCE_TYPE });

export const sledGateResourceRef = createPermissionResourceRef<
  SledTarget,
  SledTargetQuery
>().with({ pluginId: 'sled', resourceType: SLED_GATE_RESOURCE_TYPE });

export const sledDeployGroupResourceRef = createPermissionResourceRef<
  SledDeployGroupResource,
  SledDeployGroupQuery
>().with({ pluginId: 'sled', resourceType: SLED_DEPLOY_GROUP_RESOURCE_TYPE });

/**
 * The rules of a target resource type. Deploy targets and locks share their
 * resources and so their rules, each bound to its own resource type.
 */
function createTargetRules<T extends string>(
  resourceRef: TargetResourceRef<T>,
) {
  const isEnvironment = createPermissionRule({
    name: 'IS_ENVIRONMENT',
    description: 'Allow targets in one of the given environments',
    resourceRef,
    paramsSchema: z.object({
      environments: z.array(z.string()).describe('environment names'),
    }),
    apply: (target: SledTarget, { environments }) =>
      target.environment !== undefined &&
      environments.includes(target.environment),
    toQuery: ({ environments }): SledTargetQuery => ({
      column: 'environment',
      values: environments,
    }),
  });

  const isServiceOwner = createPermissionRule({
    name: 'IS_SERVICE_OWNER',
    description:
      'Allow targets whose service is owned by one of the given entity refs (pass the user’s ownership claims)',
    resourceRef,
    paramsSchema: z.object({
      claims: z
        .array(z.string())
        .describe('ownership entity refs, e.g. group:default/team-a'),
    }),
    apply: (target: SledTarget, { claims }) =>
      target.ownerRef !== undefined && claims.includes(target.ownerRef),
    toQuery: ({ claims }): SledTargetQuery => ({
      column: 'owner_ref',
      values: claims,
    }),
  });

  const isService = createPermissionRule({
    name: 'IS_SERVICE',
    description: 'Allow targets of the given services',
    resourceRef,
    paramsSchema: z.object({
      entityRefs: z.array(z.string()).describe('service entity refs'),
    }),
    apply: (target: SledTarget, { entityRefs }) =>
      entityRefs.includes(target.entityRef),
    toQuery: ({ entityRefs }): SledTargetQuery => ({
      column: 'entity_ref',
      values: entityRefs,
    }),
  });

  return { isEnvironment, isServiceOwner, isService };
}

/** The permission rules of the `sled-target` resource type (deploys, artifacts). */
export const sledTargetRules = createTargetRules(sledTargetResourceRef);

/** The permission rules of the `sled-lock` resource type (locks, overrides). */
export const sledLockRules = createTargetRules(sledLockResourceRef);

/** The permission rules of the `sled-gate` resource type (approvals, gate overrides). */
export const sledGateRules = createTargetRules(sledGateResourceRef);

const isDeployGroupOwner = createPermissionRule({
  name: 'IS_DEPLOY_GROUP_OWNER',
  description:
    'Allow deploy groups owned by one of the given entity refs (pass the user’s ownership claims)',
  resourceRef: sledDeployGroupResourceRef,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe('ownership entity refs, e.g. group:default/team-a'),
  }),
  apply: (group, { claims }) =>
    group.ownerRef !== undefined && claims.includes(group.ownerRef),
  toQuery: ({ claims }) => ({ column: 'owner_ref', values: claims }),
});

const isDeployGroup = createPermissionRule({
  name: 'IS_DEPLOY_GROUP',
  description: 'Allow the given deploy groups',
  resourceRef: sledDeployGroupResourceRef,
  paramsSchema: z.object({
    entityRefs: z.array(z.string()).describe('deploy group entity refs'),
  }),
  apply: (group, { entityRefs }) => entityRefs.includes(group.entityRef),
  toQuery: ({ entityRefs }) => ({ column: 'deploy_group', values: entityRefs }),
});

/** The permission rules of the `sled-deploy-group` resource type. */
export const sledDeployGroupRules = { isDeployGroupOwner, isDeployGroup };

/** Conditions for policies: `sledTargetConditions.isEnvironment({ environments: ['staging'] })`. */
export const {
  conditions: sledTargetConditions,
  createConditionalDecision: createSledTargetConditionalDecision,
} = createConditionExports({
  resourceRef: sledTargetResourceRef,
  rules: sledTargetRules,
});

/** Conditions for `sled.lock` and `sled.lock.override`: `sledLockConditions.isServiceOwner({ claims })`. */
export const {
  conditions: sledLockConditions,
  createConditionalDecision: createSledLockConditionalDecision,
} = createConditionExports({
  resourceRef: sledLockResourceRef,
  rules: sledLockRules,
});

/** Conditions for `sled.deploy.approve` and `sled.gate.override`: `sledGateConditions.isEnvironment({ environments })`. */
export const {
  conditions: sledGateConditions,
  createConditionalDecision: createSledGateConditionalDecision,
} = createConditionExports({
  resourceRef: sledGateResourceRef,
  rules: sledGateRules,
});

/** Conditions for `sled.release`: `sledDeployGroupConditions.isDeployGroupOwner({ claims })`. */
export const {
  conditions: sledDeployGroupConditions,
  createConditionalDecision: createSledDeployGroupConditionalDecision,
} = createConditionExports({
  resourceRef: sledDeployGroupResourceRef,
  rules: sledDeployGroupRules,
});
