import { AuthService } from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  Entity,
  RELATION_OWNED_BY,
  parseEntityRef,
  parseLocationRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  RELATION_DEPLOY_MEMBER_OF,
  SLED_ANNOTATION_DEPLOYER_IMAGE,
  SLED_ANNOTATION_DEPLOY_COMMAND,
} from '@internal/plugin-sled-common';
import { dirname } from 'path';
import { readCatalogEntity } from './readCatalogEntity';

/** A catalog Component that SLeD can deploy. */
export interface DeployableService {
  entityRef: string;
  ownerRef?: string;
  /** the deploy group that releases it, from the catalog relation */
  deployGroup?: string;
  /** from `sled.dev/deploy-command`, split on whitespace (never a shell) */
  command: string[];
  deployerImage?: string;
  /** the folder of the catalog file, for file locations (local executor) */
  workingDirectory?: string;
}

/** Parses an annotation value as argv: a JSON array, or words split on whitespace. */
export function parseCommand(value: string): string[] {
  const trimmed = value.trim();
  const invalid = () =>
    new InputError(
      `Invalid ${SLED_ANNOTATION_DEPLOY_COMMAND}: expected an array of strings or words`,
    );
  let argv: unknown;
  if (trimmed.startsWith('[')) {
    try {
      argv = JSON.parse(trimmed);
    } catch {
      throw invalid();
    }
  } else {
    argv = trimmed.split(/\s+/).filter(Boolean);
  }
  if (
    !Array.isArray(argv) ||
    argv.length === 0 ||
    !argv.every(p => typeof p === 'string' && p.length > 0)
  ) {
    throw invalid();
  }
  return argv;
}

export function toDeployableService(
  entity: Entity,
): DeployableService | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const command = annotations[SLED_ANNOTATION_DEPLOY_COMMAND];
  if (
    entity.kind.toLocaleLowerCase('en-US') !== 'component' ||
    entity.spec?.type !== 'service' ||
    !command
  ) {
    return undefined;
  }
  let workingDirectory: string | undefined;
  const location = annotations[ANNOTATION_LOCATION];
  if (location) {
    const { type, target } = parseLocationRef(location);
    if (type === 'file') workingDirectory = dirname(target);
  }
  const owner = entity.relations?.find(r => r.type === RELATION_OWNED_BY);
  return {
    entityRef: stringifyEntityRef(entity),
    ownerRef: owner?.targetRef,
    deployGroup: entity.relations?.find(
      r => r.type === RELATION_DEPLOY_MEMBER_OF,
    )?.targetRef,
    command: parseCommand(command),
    deployerImage: annotations[SLED_ANNOTATION_DEPLOYER_IMAGE],
    workingDirectory,
  };
}

/**
 * Looks up deployable services in the catalog with the plugin's own
 * credentials: callers' permissions are checked by SLeD's own permissions,
 * and CI tokens are restricted to this plugin.
 */
export class ServiceCatalog {
  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
  ) {}

  /** The service, or a 400 that says why it cannot be deployed. */
  async getDeployable(entityRef: string): Promise<DeployableService> {
    let normalized: string;
    try {
      normalized = stringifyEntityRef(parseEntityRef(entityRef));
    } catch (error) {
      throw new InputError(
        `Invalid entityRef '${entityRef}': ${(error as Error).message}`,
      );
    }
    const entity = await readCatalogEntity(this.catalog, this.auth, normalized);
    if (!entity) {
      throw new InputError(
        `entityRef: no entity '${normalized}' in the catalog`,
      );
    }
    const service = toDeployableService(entity);
    if (!service) {
      throw new InputError(
        `entityRef: '${normalized}' is not a deployable service (a Component of type service with the ${SLED_ANNOTATION_DEPLOY_COMMAND} annotation)`,
      );
    }
    return service;
  }

  /** Every deployable service in the catalog (those it has processed so far). */
  async listDeployable(): Promise<DeployableService[]> {
    const { items } = await this.catalog.getEntities(
      {
        filter: {
          kind: 'Component',
          'spec.type': 'service',
          [`metadata.annotations.${SLED_ANNOTATION_DEPLOY_COMMAND}`]:
            CATALOG_FILTER_EXISTS,
        },
      },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    return items.flatMap(entity => toDeployableService(entity) ?? []);
  }

  /** For permission resources: the target with its owner, if the service exists. */
  async getTarget(entityRef: string): Promise<DeployableService | undefined> {
    try {
      return await this.getDeployable(entityRef);
    } catch {
      return undefined;
    }
  }
}
