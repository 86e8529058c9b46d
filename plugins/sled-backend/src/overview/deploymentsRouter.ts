import {
  AuthService,
  DatabaseService,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { sledReadPermission } from '@internal/plugin-sled-common';
import { LockStore } from '../database/LockStore';
import { DeployGates } from '../gates/DeployGates';
import { SledAuthorizer } from '../permissions/SledAuthorizer';
import { SledApiRouter } from '../service/SledApiRouter';
import { SledEnvironments } from '../service/SledEnvironments';
import { DatabaseDeploymentStore } from './DatabaseDeploymentStore';
import { DeploymentMatrixBuilder } from './DeploymentMatrixBuilder';
import { DeploymentServices } from './DeploymentServices';

export interface DeploymentRoutesOptions {
  httpAuth: HttpAuthService;
  auth: AuthService;
  authorizer: SledAuthorizer;
  /** the plugin's database, migrated already (by the deploy store) */
  database: DatabaseService;
  catalog: CatalogService;
  locks: Pick<LockStore, 'listLocks'>;
  environments: SledEnvironments;
  gates: DeployGates;
}

/**
 * `GET /deployments`: the matrix of every deployable service × every
 * environment that the Deployments page shows, of what the caller may read.
 */
export function addDeploymentRoutes(
  router: SledApiRouter,
  options: DeploymentRoutesOptions,
): void {
  const { httpAuth, authorizer } = options;
  // made on the first request: routes are added before the database is needed
  let matrix: Promise<DeploymentMatrixBuilder> | undefined;
  const matrixBuilder = () =>
    (matrix ??= options.database.getClient().then(
      db =>
        new DeploymentMatrixBuilder({
          services: new DeploymentServices(options.catalog, options.auth),
          store: DatabaseDeploymentStore.create(db),
          locks: options.locks,
          environments: options.environments,
          gates: options.gates,
        }),
    ));

  router.get('/deployments', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    // a flat denial is a 403; a conditional one filters the rows in SQL
    const filter = await authorizer.filter(sledReadPermission, credentials);
    const builder = await matrixBuilder();
    res.json(
      await builder.build(req.query, {
        filter,
        readable: targets =>
          filter
            ? authorizer.allowed(sledReadPermission, targets, credentials)
            : Promise.resolve(targets.map(() => true)),
      }),
    );
  });
}
