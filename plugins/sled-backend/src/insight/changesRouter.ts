import { HttpAuthService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { sledReadPermission } from '@internal/plugin-sled-common';
import { ArtifactStore } from '../database/ArtifactStore';
import { SledAuthorizer } from '../permissions/SledAuthorizer';
import { SledApiRouter } from '../service/SledApiRouter';
import { SledEnvironments } from '../service/SledEnvironments';
import { ArtifactChangeInsight } from './ArtifactChangeInsight';

export interface ChangesRouterOptions {
  httpAuth: HttpAuthService;
  authorizer: SledAuthorizer;
  environments: SledEnvironments;
  artifacts: Pick<ArtifactStore, 'getArtifact'>;
  insight: ArtifactChangeInsight;
}

/**
 * `GET /artifacts/:id/changes`: what a deploy of the artifact to an
 * environment brings or takes back, for whoever may read the service there
 * (sled.read on the target; 404 otherwise, as for a missing artifact).
 */
export function addChangeRoutes(
  router: SledApiRouter,
  options: ChangesRouterOptions,
): void {
  const { httpAuth, authorizer, environments, artifacts, insight } = options;

  router.get('/artifacts/:id/changes', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { id } = req.params;
    const env = environments.get(req.query.environment);
    const candidate = await artifacts.getArtifact(id);
    const [readable] = candidate
      ? await authorizer.allowed(
          sledReadPermission,
          [
            {
              entityRef: candidate.entityRef,
              environment: env.name,
              ownerRef: candidate.ownerRef,
            },
          ],
          credentials,
        )
      : [false];
    if (!candidate || !readable) throw new NotFoundError(`No artifact '${id}'`);
    res.json(
      await insight.describe({
        candidate,
        environment: env.name,
        deployId: req.query.deployId,
        // the validator applies the spec's default
        limit: req.query.limit!,
      }),
    );
  });
}
