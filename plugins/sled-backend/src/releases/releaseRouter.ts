import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  Release,
  sledDeployCreatePermission,
  sledLockOverridePermission,
  sledReadPermission,
  sledReleasePermission,
} from '@internal/plugin-sled-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { SledAuthorizer } from '../permissions/SledAuthorizer';
import { DeployRequestContext } from '../service/DeployService';
import * as schemas from '../service/schemas';
import { ServiceCatalog } from '../service/ServiceCatalog';
import { DeployGroup, DeployGroupCatalog } from './DeployGroupCatalog';
import { ReleaseService } from './ReleaseService';
import {
  createReleaseSchema,
  listReleasesQuery,
  rollbackReleaseSchema,
} from './schemas';

export interface ReleaseRouterOptions {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  authorizer: SledAuthorizer;
  releases: ReleaseService;
  groups: DeployGroupCatalog;
  services: ServiceCatalog;
}

const principalOf = (credentials: BackstageCredentials): string => {
  const p = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  return p.type === 'user' ? p.userEntityRef! : `service:${p.subject}`;
};

/** `/releases`: deploy-group releases. */
export async function createReleaseRouter(
  options: ReleaseRouterOptions,
): Promise<express.Router> {
  const { httpAuth, auditor, authorizer, releases, groups, services } = options;
  const router = Router();
  router.use(express.json({ limit: '1mb' }));

  const credentialsOf = (req: Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });

  async function audited(
    req: Request,
    eventId: string,
    meta: Record<string, any>,
    action: () => Promise<Release>,
  ) {
    const event = await auditor.createEvent({
      eventId,
      request: req,
      severityLevel: 'high',
      meta,
    });
    try {
      const release = await action();
      await event.success({
        meta: { releaseId: release.id, members: release.members.length },
      });
      return release;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  /**
   * Releasing needs `sled.release` on the deploy group, and — because every
   * member is a deploy — `sled.deploy.create` on each member in the environment.
   */
  async function authorizeRelease(
    group: DeployGroup,
    environment: string,
    credentials: BackstageCredentials,
  ) {
    await authorizer.authorizeEntity(
      sledReleasePermission,
      group.entityRef,
      credentials,
    );
    const targets = await Promise.all(
      group.members.map(async entityRef => {
        const service = await services.getTarget(entityRef);
        return { entityRef, environment, ownerRef: service?.ownerRef };
      }),
    );
    const allowed = await authorizer.allowed(
      sledDeployCreatePermission,
      targets,
      credentials,
    );
    const denied = targets.filter((_, i) => !allowed[i]).map(t => t.entityRef);
    if (denied.length) {
      throw new NotAllowedError(
        `You may not deploy ${denied.join(
          ', ',
        )} to ${environment}, so you may not release ${group.entityRef} there`,
      );
    }
    const overrides = await authorizer.allowed(
      sledLockOverridePermission,
      targets,
      credentials,
    );
    const context: DeployRequestContext = {
      requestedBy: principalOf(credentials),
      canOverrideLock: async () => overrides.every(Boolean),
    };
    return context;
  }

  router.post('/releases', async (req, res) => {
    const credentials = await credentialsOf(req);
    const body = schemas.parse(createReleaseSchema, req.body, 'body');
    const group = await groups.getDeployGroup(body.deployGroup);
    const release = await audited(
      req,
      'release-create',
      {
        deployGroup: group.entityRef,
        environment: body.environment,
        dryRun: !!body.dryRun,
      },
      async () => {
        const context = await authorizeRelease(
          group,
          body.environment,
          credentials,
        );
        return releases.createRelease(group, body, context);
      },
    );
    res.status(202).json(release);
  });

  router.get('/releases', async (req, res) => {
    const credentials = await credentialsOf(req);
    await authorizer.filter(sledReadPermission, credentials);
    const query = schemas.parse(listReleasesQuery, req.query, 'query');
    const deployGroup =
      query.deployGroup &&
      (await groups.getDeployGroup(query.deployGroup)).entityRef;
    res.json({
      items: await releases.listReleases({ deployGroup, limit: query.limit }),
    });
  });

  router.get('/releases/:id', async (req, res) => {
    const credentials = await credentialsOf(req);
    await authorizer.filter(sledReadPermission, credentials);
    res.json(
      await releases.getRelease(
        schemas.parse(schemas.idParam, req.params.id, 'path'),
      ),
    );
  });

  router.post('/releases/:id/cancel', async (req, res) => {
    const credentials = await credentialsOf(req);
    const id = schemas.parse(schemas.idParam, req.params.id, 'path');
    const current = await releases.getRelease(id);
    const release = await audited(
      req,
      'release-cancel',
      { releaseId: id, deployGroup: current.deployGroup },
      async () => {
        await authorizer.authorizeEntity(
          sledReleasePermission,
          current.deployGroup,
          credentials,
        );
        return releases.cancel(id);
      },
    );
    res.json(release);
  });

  router.post('/releases/:id/rollback', async (req, res) => {
    const credentials = await credentialsOf(req);
    const id = schemas.parse(schemas.idParam, req.params.id, 'path');
    const body = schemas.parse(rollbackReleaseSchema, req.body ?? {}, 'body');
    const current = await releases.getRelease(id);
    const group = await groups.getDeployGroup(current.deployGroup);
    const release = await audited(
      req,
      'release-rollback',
      {
        releaseId: id,
        deployGroup: group.entityRef,
        environment: current.environment,
      },
      async () => {
        const context = await authorizeRelease(
          group,
          current.environment,
          credentials,
        );
        return releases.rollback(id, group, body, context);
      },
    );
    res.status(202).json(release);
  });

  return router;
}
