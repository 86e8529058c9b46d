import {
  createConditionExports,
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import { SLED_TARGET_RESOURCE_TYPE } from '@internal/plugin-sled-common';
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

export const sledTargetResourceRef = createPermissionResourceRef<
  SledTarget,
  SledTargetQuery
>().with({ pluginId: 'sled', resourceType: SLED_TARGET_RESOURCE_TYPE });

const isEnvironment = createPermissionRule({
  name: 'IS_ENVIRONMENT',
  description: 'Allow deploy targets in one of the given environments',
  resourceRef: sledTargetResourceRef,
  paramsSchema: z.object({
    environments: z.array(z.string()).describe('environment names'),
  }),
  apply: (target, { environments }) =>
    target.environment !== undefined &&
    environments.includes(target.environment),
  toQuery: ({ environments }) => ({
    column: 'environment',
    values: environments,
  }),
});

const isServiceOwner = createPermissionRule({
  name: 'IS_SERVICE_OWNER',
  description:
    'Allow deploy targets whose service is owned by one of the given entity refs (pass the user’s ownership claims)',
  resourceRef: sledTargetResourceRef,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe('ownership entity refs, e.g. group:default/team-a'),
  }),
  apply: (target, { claims }) =>
    target.ownerRef !== undefined && claims.includes(target.ownerRef),
  toQuery: ({ claims }) => ({ column: 'owner_ref', values: claims }),
});

const isService = createPermissionRule({
  name: 'IS_SERVICE',
  description: 'Allow deploy targets of the given services',
  resourceRef: sledTargetResourceRef,
  paramsSchema: z.object({
    entityRefs: z.array(z.string()).describe('service entity refs'),
  }),
  apply: (target, { entityRefs }) => entityRefs.includes(target.entityRef),
  toQuery: ({ entityRefs }) => ({ column: 'entity_ref', values: entityRefs }),
});

/** The permission rules SLeD supports for its `sled-target` resource type. */
export const sledTargetRules = { isEnvironment, isServiceOwner, isService };

/** Conditions for policies: `sledTargetConditions.isEnvironment({ environments: ['staging'] })`. */
export const {
  conditions: sledTargetConditions,
  createConditionalDecision: createSledTargetConditionalDecision,
} = createConditionExports({
  resourceRef: sledTargetResourceRef,
  rules: sledTargetRules,
});
