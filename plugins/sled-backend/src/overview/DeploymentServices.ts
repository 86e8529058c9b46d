import { AuthService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { parseEntityRef, RELATION_PART_OF } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { SLED_ANNOTATION_DEPLOY_COMMAND } from '@internal/plugin-sled-common';
import { toDeployableService } from '../service/ServiceCatalog';

/** A row of the deployments matrix, as the catalog describes it. */
export interface DeploymentService {
  entityRef: string;
  title?: string;
  ownerRef?: string;
  /** the system it is part of (entity ref) */
  system?: string;
  deployGroup?: string;
}

/**
 * Every deployable service of the catalog, in one request with only the
 * fields the matrix shows, read with the plugin's own credentials (callers'
 * permissions are SLeD's, checked per target).
 */
export class DeploymentServices {
  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
  ) {}

  async list(): Promise<DeploymentService[]> {
    const { items } = await this.catalog.getEntities(
      {
        filter: {
          kind: 'Component',
          'spec.type': 'service',
          [`metadata.annotations.${SLED_ANNOTATION_DEPLOY_COMMAND}`]:
            CATALOG_FILTER_EXISTS,
        },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.title',
          'metadata.annotations',
          'spec.type',
          'relations',
        ],
      },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    return items.flatMap(entity => {
      let service;
      try {
        service = toDeployableService(entity);
      } catch {
        // a deploy command that does not parse: not deployable, as elsewhere
        return [];
      }
      if (!service) return [];
      const system = entity.relations?.find(
        r =>
          r.type === RELATION_PART_OF &&
          parseEntityRef(r.targetRef).kind === 'system',
      )?.targetRef;
      return [
        {
          entityRef: service.entityRef,
          ...(entity.metadata.title ? { title: entity.metadata.title } : {}),
          ...(service.ownerRef ? { ownerRef: service.ownerRef } : {}),
          ...(system ? { system } : {}),
          ...(service.deployGroup ? { deployGroup: service.deployGroup } : {}),
        },
      ];
    });
  }
}
