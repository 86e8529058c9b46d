import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  Deploy,
  isFinalDeployStatus,
  Release,
  sledDeployApprovePermission,
  sledDeployCancelPermission,
  sledDeployCreatePermission,
  sledLockOverridePermission,
  sledReadPermission,
  sledReleasePermission,
} from '@internal/plugin-sled-common';
import { Request as ExpressRequest } from 'express';
import { Approver } from '../gates/ApprovalRules';
import { ReleaseApprovals } from '../gates/ReleaseApprovals';
import { SledAuthorizer } from '../permissions/SledAuthorizer';
import {
  DeployRequestContext,
  DeployRequests,
} from '../service/DeployRequests';
import { SledEnvironments } from '../service/SledEnvironments';
import { ServiceCatalog } from '../service/ServiceCatalog';
import { SledApiRouter } from '../service/SledApiRouter';
import { DeployGroup, DeployGroupCatalog } from './DeployGroupCatalog';
import { ReleaseService } from './ReleaseService';

/** Any request of the typed router (its path, query and body types vary). */
type Request = ExpressRequest<any, any, any, any>;

export interface ReleaseRouterOptions {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  authorizer: SledAuthorizer;
  releases: ReleaseService;
  deploys: DeployRequests;
  environments: SledEnvironments;
  groups: DeployGroupCatalog;
  services: ServiceCatalog;
  userInfo: UserInfoService;
  approvals: ReleaseApprovals;
}

const principalOf = (credentials: BackstageCredentials): string => {
  const p = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  return p.type === 'user' ? p.userEntityRef! : `service:${p.subject}`;
};

/** `/releases`: deploy-group releases, on the validated SLeD API router. */
export function addReleaseRoutes(
  router: SledApiRouter,
  options: ReleaseRouterOptions,
): void {
  const {
    httpAuth,
    auditor,
    authorizer,
    releases,
    deploys,
    environments,
    groups,
    services,
    approvals,
  } = options;
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
    await authorizer.authorizeDeployGroup(
      sledReleasePermission,
      group,
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

  /** The release as the caller may read it: only readable members, else 404. */
  async function readableRelease(
    req: Request,
    credentials: BackstageCredentials,
  ) {
    const id = req.params.id;
    const filter = await authorizer
      .filter(sledReadPermission, credentials)
      .catch(error => {
        // who may read nothing learns nothing of which ids exist either
        if (error instanceof NotAllowedError) {
          throw new NotFoundError(`No release '${id}'`);
        }
        throw error;
      });
    return releases.getRelease(id, { filter });
  }

  /**
   * A release just created, as the caller may read it: only the members they
   * may read (a caller may deploy what they may not read).
   */
  async function asReadable(
    release: Release,
    credentials: BackstageCredentials,
  ): Promise<Release> {
    try {
      const filter = await authorizer.filter(sledReadPermission, credentials);
      if (!filter) return release;
      return await releases.getRelease(release.id, { filter });
    } catch (error) {
      if (error instanceof NotAllowedError || error instanceof NotFoundError) {
        return { ...release, members: [] };
      }
      throw error;
    }
  }

  router.post('/releases', async (req, res) => {
    const credentials = await credentialsOf(req);
    const body = req.body;
    // input errors before any authorization
    environments.get(body.environment);
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
    res.status(202).json(await asReadable(release, credentials));
  });

  router.get('/releases', async (req, res) => {
    const credentials = await credentialsOf(req);
    const query = req.query;
    const filter = await authorizer.filter(sledReadPermission, credentials);
    const deployGroup =
      query.deployGroup &&
      (await groups.getDeployGroup(query.deployGroup)).entityRef;
    res.json({
      items: await releases.listReleases({
        deployGroup,
        // the validator applies the spec's default
        limit: query.limit!,
        filter,
      }),
    });
  });

  router.get('/releases/:id', async (req, res) => {
    res.json(await readableRelease(req, await credentialsOf(req)));
  });

  /**
   * Cancelling needs `sled.release` on the group and `sled.deploy.cancel` on
   * every member deploy still queued or running: a release is cancelled as a
   * whole or not at all, and a refusal names the members the caller may not
   * cancel. Members not started yet are simply never started.
   */
  router.post('/releases/:id/cancel', async (req, res) => {
    const credentials = await credentialsOf(req);
    const current = await readableRelease(req, credentials);
    const release = await audited(
      req,
      'release-cancel',
      { releaseId: current.id, deployGroup: current.deployGroup },
      async () => {
        const group = await groups.getDeployGroup(current.deployGroup);
        await authorizer.authorizeDeployGroup(
          sledReleasePermission,
          group,
          credentials,
        );
        // every member, also those the caller may not read
        const full = await releases.getRelease(current.id);
        const inFlight: Deploy[] = [];
        for (const member of full.members) {
          if (
            member.deployId &&
            !isFinalDeployStatus(member.status as Deploy['status'])
          ) {
            inFlight.push(await deploys.getDeploy(member.deployId));
          }
        }
        const allowed = await authorizer.allowed(
          sledDeployCancelPermission,
          inFlight,
          credentials,
        );
        const refused = inFlight.filter((_, i) => !allowed[i]);
        if (refused.length) {
          throw new NotAllowedError(
            `Not allowed: ${sledDeployCancelPermission.name} for ${refused
              .map(d => d.entityRef)
              .join(', ')} in ${
              current.environment
            }, so you may not cancel release ${
              current.id
            }; nothing was cancelled`,
          );
        }
        await releases.cancel(current.id);
        return releases.getRelease(current.id, {
          filter: await authorizer.filter(sledReadPermission, credentials),
        });
      },
    );
    res.json(release);
  });

  router.post('/releases/:id/rollback', async (req, res) => {
    const credentials = await credentialsOf(req);
    const body = req.body ?? {};
    const current = await readableRelease(req, credentials);
    const group = await groups.getDeployGroup(current.deployGroup);
    const release = await audited(
      req,
      'release-rollback',
      {
        releaseId: current.id,
        deployGroup: group.entityRef,
        environment: current.environment,
      },
      async () => {
        // sled.release on the group and sled.deploy.create on every member
        const context = await authorizeRelease(
          group,
          current.environment,
          credentials,
        );
        return releases.rollback(current.id, group, body, context);
      },
    );
    res.status(202).json(await asReadable(release, credentials));
  });

  /**
   * The caller as an approver of a release: sled.deploy.approve on every
   * member in the release's environment (a release asks once for all of
   * them); undefined for services.
   */
  async function approverOf(
    credentials: BackstageCredentials,
    release: Release,
  ): Promise<Approver | undefined> {
    if ((credentials.principal as { type: string }).type !== 'user') {
      return undefined;
    }
    const info = await options.userInfo.getUserInfo(credentials);
    // every member, also those the caller may not read
    const full = await releases.getRelease(release.id);
    const targets = await Promise.all(
      full.members.map(async member => ({
        entityRef: member.entityRef,
        environment: full.environment,
        ownerRef: (await services.getTarget(member.entityRef))?.ownerRef,
      })),
    );
    const allowed = await authorizer.allowed(
      sledDeployApprovePermission,
      targets,
      credentials,
    );
    return {
      userEntityRef: info.userEntityRef,
      ownershipEntityRefs: info.ownershipEntityRefs,
      permitted: allowed.every(Boolean),
    };
  }

  router.get('/releases/:id/approvals', async (req, res) => {
    const credentials = await credentialsOf(req);
    const release = await readableRelease(req, credentials);
    res.json(
      await approvals.list(release, await approverOf(credentials, release)),
    );
  });

  router.post('/releases/:id/approvals', async (req, res) => {
    const credentials = await credentialsOf(req);
    const current = await readableRelease(req, credentials);
    const release = await audited(
      req,
      'release-approval',
      {
        releaseId: current.id,
        deployGroup: current.deployGroup,
        environment: current.environment,
        decision: req.body.decision,
      },
      async () => {
        const approver = await approverOf(credentials, current);
        if (!approver) {
          throw new NotAllowedError('Only people approve releases');
        }
        await approvals.decide(current, approver, req.body);
        return releases.getRelease(current.id, {
          filter: await authorizer.filter(sledReadPermission, credentials),
        });
      },
    );
    res.json(release);
  });
}
