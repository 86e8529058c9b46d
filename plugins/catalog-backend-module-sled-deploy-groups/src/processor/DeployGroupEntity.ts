import { Entity } from '@backstage/catalog-model';

import {
  DEPLOY_GROUP_API_VERSION,
  DEPLOY_GROUP_KIND,
  RELATION_DEPLOY_MEMBER_OF,
  RELATION_HAS_DEPLOY_MEMBER,
} from '@internal/plugin-sled-common';

// shared with the SLeD frontend and backend
export {
  DEPLOY_GROUP_API_VERSION,
  DEPLOY_GROUP_KIND,
  RELATION_DEPLOY_MEMBER_OF,
  RELATION_HAS_DEPLOY_MEMBER,
};

/**
 * A set of services released together, owned by a team.
 *
 * @public
 */
export interface DeployGroupEntity extends Entity {
  apiVersion: typeof DEPLOY_GROUP_API_VERSION;
  kind: typeof DEPLOY_GROUP_KIND;
  spec: {
    /** The owning team (a Group or User ref). */
    owner: string;
    /** Member services (Component refs; kind defaults to component). */
    members: string[];
    /**
     * Ordered waves of member refs. Members in no wave are released in a last
     * wave after all listed ones.
     */
    waves?: string[][];
  };
}

/** @public */
export const isDeployGroupEntity = (
  entity: Entity,
): entity is DeployGroupEntity =>
  entity.apiVersion === DEPLOY_GROUP_API_VERSION &&
  entity.kind === DEPLOY_GROUP_KIND;

/** JSON schema of the kind, used by entityKindSchemaValidator. */
export const deployGroupSchema = {
  $schema: 'http://json-schema.org/draft-07/schema',
  $id: 'DeployGroupV1alpha1',
  description:
    'A SLeD deploy group: services released together, owned by a team.',
  allOf: [
    { $ref: 'Entity' },
    {
      type: 'object',
      required: ['spec'],
      properties: {
        apiVersion: { enum: [DEPLOY_GROUP_API_VERSION] },
        kind: { enum: [DEPLOY_GROUP_KIND] },
        spec: {
          type: 'object',
          required: ['owner', 'members'],
          additionalProperties: false,
          properties: {
            owner: { type: 'string', minLength: 1 },
            members: {
              type: 'array',
              minItems: 1,
              items: { type: 'string', minLength: 1 },
            },
            waves: {
              type: 'array',
              items: {
                type: 'array',
                minItems: 1,
                items: { type: 'string', minLength: 1 },
              },
            },
          },
        },
      },
    },
  ],
};
