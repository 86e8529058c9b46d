import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  sledArtifactRegisterPermission,
  sledDeployApprovePermission,
  sledGateOverridePermission,
  sledReadPermission,
} from '@internal/plugin-sled-common';
import { Request as ExpressRequest } from 'express';
import { ArtifactCheckStore } from '../database/ArtifactCheckStore';
import { ArtifactStore } from '../database/ArtifactStore';
import { DeployQueue } from '../database/DeployQueue';
import { SledAuthorizer } from '../permissions/SledAuthorizer';
import { ServiceCatalog } from '../service/ServiceCatalog';
import { SledApiRouter } from '../service/SledApiRouter';
import { SledEnvironments } from '../service/SledEnvironments';
import { Approver } from './ApprovalRules';
import { DeployApprovals } from './DeployApprovals';
import { DeployGates } from './DeployGates';

type Request = ExpressRequest<any, any, any, any>;

export interface GateRouterOptions {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  authorizer: SledAuthorizer;
  userInfo: UserInfoService;
  gates: DeployGates;
  approvals: DeployApprovals;
  environments: SledEnvironments;
  catalog: ServiceCatalog;
  queue: Pick<DeployQueue, 'getDeploy'>;
  artifacts: Pick<ArtifactStore, 'getArtifact'>;
  artifactChecks: ArtifactCheckStore;
}

/**
 * `/gates` (a preview of every gate for the caller), `/deploys/:id/approvals`
 * (the decisions, and approving or rejecting) and `/artifacts/:id/checks`
 * (CI's check results), on the validated SLeD API router.
 */
export function addGateRoutes(
  router: SledApiRouter,
  options: GateRouterOptions,
): void {
  const { httpAuth, auditor, authorizer, gates, approvals } = options;
  const credentialsOf = (req: Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });
  const principalOf = (credentials: BackstageCredentials): string => {
    const p = credentials.principal as {
      type: string;
      userEntityRef?: string;
      subject?: string;
    };
    return p.type === 'user' ? p.userEntityRef! : `service:${p.subject}`;
  };

  /** The deploy, or the 404 of a missing one to whoever may not read it. */
  const readableDeploy = async (
    id: string,
    credentials: BackstageCredentials,
  ) => {
    const deploy = await options.queue.getDeploy(id);
    const [ok] = deploy
      ? await authorizer.allowed(sledReadPermission, [deploy], credentials)
      : [false];
    if (!deploy || !ok) throw new NotFoundError(`No deploy '${id}'`);
    return deploy;
  };

  /** The caller as an approver of the deploy's target; undefined for services. */
  const approverOf = async (
    credentials: BackstageCredentials,
    target: { entityRef: string; environment: string; ownerRef?: string },
  ): Promise<Approver | undefined> => {
    if ((credentials.principal as { type: string }).type !== 'user') {
      return undefined;
    }
    const info = await options.userInfo.getUserInfo(credentials);
    const [permitted] = await authorizer.allowed(
      sledDeployApprovePermission,
      [target],
      credentials,
    );
    return {
      userEntityRef: info.userEntityRef,
      ownershipEntityRefs: info.ownershipEntityRefs,
      permitted,
    };
  };

  router.get('/gates', async (req, res) => {
    const credentials = await credentialsOf(req);
    const { entityRef, environment, artifactId } = req.query;
    const env = options.environments.get(environment);
    const service = await options.catalog.getDeployable(entityRef);
    const target = {
      entityRef: service.entityRef,
      environment: env.name,
      ownerRef: service.ownerRef,
    };
    await authorizer.authorize(sledReadPermission, target, credentials);
    const artifact = await options.artifacts.getArtifact(artifactId);
    // another service's artifact answers as a missing one: ids reveal nothing
    if (!artifact || artifact.entityRef !== service.entityRef) {
      throw new InputError(
        `artifactId: no artifact '${artifactId}' for ${service.entityRef}`,
      );
    }
    const [canOverride] = await authorizer.allowed(
      sledGateOverridePermission,
      [target],
      credentials,
    );
    const verdict = await gates.evaluate({
      phase: 'queue',
      entityRef: service.entityRef,
      environment: env,
      artifact,
      requestedBy: principalOf(credentials),
      dryRun: false,
      force: false,
    });
    res.json({ allowed: verdict.allowed, canOverride, gates: verdict.gates });
  });

  router.get('/deploys/:id/approvals', async (req, res) => {
    const credentials = await credentialsOf(req);
    const deploy = await readableDeploy(req.params.id, credentials);
    res.json(
      await approvals.list(deploy, await approverOf(credentials, deploy)),
    );
  });

  router.post('/deploys/:id/approvals', async (req, res) => {
    const credentials = await credentialsOf(req);
    const deploy = await readableDeploy(req.params.id, credentials);
    const approver = await approverOf(credentials, deploy);
    const event = await auditor.createEvent({
      eventId: 'deploy-approval',
      request: req,
      severityLevel:
        deploy.environment === 'production' ||
        options.environments.find(deploy.environment)?.requireReason
          ? 'high'
          : 'medium',
      meta: {
        deployId: deploy.id,
        entityRef: deploy.entityRef,
        environment: deploy.environment,
        decision: req.body.decision,
      },
    });
    try {
      if (!approver) {
        throw new NotAllowedError('Only people approve deploys');
      }
      const decided = await approvals.decide(deploy, approver, req.body);
      await event.success({ meta: { status: decided.status } });
      res.json(decided);
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });

  router.post('/artifacts/:id/checks', async (req, res) => {
    const credentials = await credentialsOf(req);
    await authorizer.authorizeBasic(
      sledArtifactRegisterPermission,
      credentials,
    );
    const id = req.params.id;
    const artifact = await options.artifacts.getArtifact(id);
    if (!artifact) throw new NotFoundError(`No artifact '${id}'`);
    await options.artifactChecks.recordChecks(id, [req.body]);
    res.json({
      ...artifact,
      checks: await options.artifactChecks.listChecks(id),
    });
  });
}
