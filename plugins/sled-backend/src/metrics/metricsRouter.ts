import { HttpAuthService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { DoraMetrics, sledReadPermission } from '@internal/plugin-sled-common';
import { SledAuthorizer } from '../permissions/SledAuthorizer';
import { DeployGroupCatalog } from '../releases/DeployGroupCatalog';
import { ServiceCatalog } from '../service/ServiceCatalog';
import { SledApiRouter } from '../service/SledApiRouter';
import { SledEnvironments } from '../service/SledEnvironments';
import { DoraMetricsStore, DoraScope } from './DoraMetricsStore';
import { MetricsConfig } from './metricsConfig';

const DAY_MS = 24 * 60 * 60 * 1000;
/** the window when `from` is not given */
const DEFAULT_WINDOW_MS = 30 * DAY_MS;
const LONGEST_WINDOW_MS = 366 * DAY_MS;

export interface MetricsRouterOptions {
  httpAuth: HttpAuthService;
  authorizer: SledAuthorizer;
  catalog: Pick<ServiceCatalog, 'getDeployable'>;
  groups: Pick<DeployGroupCatalog, 'getDeployGroup'>;
  environments: SledEnvironments;
  metrics: DoraMetricsStore;
  config: MetricsConfig;
  /** the clock of the default window */
  now?: () => Date;
}

/**
 * `GET /metrics/dora`: DORA figures of a service, a deploy group, an owner
 * or every service, counting only the deploys the caller may read.
 */
export function addMetricsRoutes(
  router: SledApiRouter,
  options: MetricsRouterOptions,
): void {
  const { httpAuth, authorizer, environments } = options;
  const now = options.now ?? (() => new Date());

  router.get('/metrics/dora', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const query = req.query;
    const given = (['entityRef', 'deployGroup', 'owner'] as const).filter(
      key => query[key] !== undefined,
    );
    if (given.length > 1) {
      throw new InputError(
        `${given.join(
          ', ',
        )}: give at most one of entityRef, deployGroup and owner`,
      );
    }
    const environment =
      query.environment === undefined
        ? undefined
        : environments.get(query.environment).name;
    const to = query.to ? new Date(query.to) : now();
    const from = query.from
      ? new Date(query.from)
      : new Date(to.getTime() - DEFAULT_WINDOW_MS);
    const span = to.getTime() - from.getTime();
    if (span <= 0) throw new InputError('from: must be before to');
    if (span > LONGEST_WINDOW_MS) {
      throw new InputError('from: the window is at most 366 days long');
    }

    // a flat denial is a 403; a conditional one filters the ledger
    const filter = await authorizer.filter(sledReadPermission, credentials);
    const scope: DoraScope = { environment, filter };
    const answer: Omit<DoraMetrics, 'current' | 'previous'> = {
      rollbackWithinSeconds: Math.round(options.config.rollbackWithinMs / 1000),
      ...(environment ? { environment } : {}),
    };
    if (query.entityRef !== undefined) {
      const service = await options.catalog.getDeployable(query.entityRef);
      // the caller may read the service somewhere (in this environment)
      const where = environment
        ? [environment]
        : environments.list.map(e => e.name);
      const allowed = await authorizer.allowed(
        sledReadPermission,
        where.map(env => ({
          entityRef: service.entityRef,
          ownerRef: service.ownerRef,
          environment: env,
        })),
        credentials,
      );
      if (!allowed.some(Boolean)) {
        await authorizer.authorize(
          sledReadPermission,
          {
            entityRef: service.entityRef,
            ownerRef: service.ownerRef,
            environment: where[0],
          },
          credentials,
        );
      }
      scope.entityRefs = [service.entityRef];
      answer.entityRef = service.entityRef;
    } else if (query.deployGroup !== undefined) {
      const group = await options.groups.getDeployGroup(query.deployGroup);
      scope.entityRefs = group.members;
      answer.deployGroup = group.entityRef;
    } else if (query.owner !== undefined) {
      scope.ownerRef = ownerRefOf(query.owner);
      answer.owner = scope.ownerRef;
    }

    const [current, previous] = await options.metrics.figures(
      scope,
      [
        { from, to },
        { from: new Date(from.getTime() - span), to: from },
      ],
      { rollbackWithinMs: options.config.rollbackWithinMs },
    );
    res.json({ ...answer, current, previous });
  });
}

/** `team-a` is `group:default/team-a`, as owners are recorded. */
function ownerRefOf(owner: string): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    );
  } catch (error) {
    throw new InputError(
      `owner: invalid entity ref '${owner}': ${(error as Error).message}`,
    );
  }
}
