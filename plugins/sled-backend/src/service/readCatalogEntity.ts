import { AuthService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { ServiceUnavailableError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';

/**
 * Reads one entity with the plugin's own credentials. The catalog's own
 * errors (their bodies carry stacks and internal addresses) never reach a
 * caller, not even as the cause (error bodies serialize causes): the caller
 * gets a 503 that says only that the catalog could not answer.
 */
export async function readCatalogEntity(
  catalog: CatalogService,
  auth: AuthService,
  entityRef: string,
): Promise<Entity | undefined> {
  try {
    return await catalog.getEntityByRef(entityRef, {
      credentials: await auth.getOwnServiceCredentials(),
    });
  } catch {
    throw new ServiceUnavailableError(
      'The software catalog could not be read; try again later',
    );
  }
}
