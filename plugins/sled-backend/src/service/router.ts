import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  Deploy,
  DeployStatus,
  isFinalDeployStatus,
  sledArtifactRegisterPermission,
  sledDeployCancelPermission,
  sledDeployCreatePermission,
  sledGateOverridePermission,
  sledLockOverridePermission,
  sledLockPermission,
  sledReadPermission,
  sledReleasePermission,
} from '@internal/plugin-sled-common';
import { Request as ExpressRequest } from 'express';
import { DeployStore, DeployStores } from '../database/DeployStore';
import { DeployGates } from '../gates/DeployGates';
import { environmentGates } from '../gates/environmentGates';
import { SledAuthorizer } from '../permissions/SledAuthorizer';
import { SledTarget } from '../permissions/rules';
import {
  DeployGroup,
  DeployGroupCatalog,
} from '../releases/DeployGroupCatalog';
import { DeployerImagePolicy } from './DeployerImagePolicy';
import { DeployLogs } from './DeployLogs';
import { DeployRequests } from './DeployRequests';
import { ServiceCatalog } from './ServiceCatalog';
import { ServiceStates } from './ServiceStates';
import { SledEnvironments } from './SledEnvironments';
import { SledApiRouter } from './SledApiRouter';
import { SledSignals } from '../signals/SledSignals';

/** Any request of the typed router (its path, query and body types vary). */
type Request = ExpressRequest<any, any, any, any>;

export interface RouterOptions {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  authorizer: SledAuthorizer;
  deploys: DeployRequests;
  states: ServiceStates;
  environments: SledEnvironments;
  gates: DeployGates;
  store: DeployStore & Pick<DeployStores, 'artifactChecks'>;
  logs: DeployLogs;
  catalog: ServiceCatalog;
  groups: DeployGroupCatalog;
  images: DeployerImagePolicy;
  /** live updates of open tabs, told of lock changes */
  signals?: SledSignals;
}

const principalOf = (credentials: BackstageCredentials): string => {
  const p = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  return p.type === 'user' ? p.userEntityRef! : `service:${p.subject}`;
};

/** A comma-separated query value as its items (`a,,b` → `[a, b]`). */
const commaList = (value?: string) =>
  value === undefined ? undefined : value.split(',').filter(Boolean);

/**
 * The routes of artifacts, deploys, rollbacks, state and locks, on the
 * validated SLeD API router: what reaches a handler has passed the spec.
 */
export function addDeployRoutes(
  router: SledApiRouter,
  options: RouterOptions,
): void {
  const {
    httpAuth,
    auditor,
    authorizer,
    deploys,
    states,
    environments,
    gates,
    store,
    logs,
    catalog,
    groups,
    images,
    signals,
  } = options;
  const credentialsOf = (req: Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });

  /** Runs a state change as an audit event: success or failure with its error. */
  async function audited<T>(
    req: Request,
    eventId: string,
    meta: Record<string, any>,
    critical: boolean,
    action: () => Promise<T>,
    resultMeta: (result: T) => Record<string, any> = () => ({}),
  ): Promise<T> {
    const event = await auditor.createEvent({
      eventId,
      request: req,
      severityLevel: critical ? 'high' : 'medium',
      meta,
    });
    try {
      const result = await action();
      await event.success({ meta: resultMeta(result) });
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }
  // production, and any environment that asks for a reason, is audited at high severity
  const isCritical = (environment?: string) =>
    environment === 'production' ||
    (!!environment && !!environments.find(environment)?.requireReason);

  /**
   * Throws the 404 of a missing record unless the caller may read the
   * target: who may not read a record learns nothing of its existence.
   */
  const assertReadable = async (
    target: SledTarget,
    credentials: BackstageCredentials,
    missing: () => Error,
  ) => {
    const [ok] = await authorizer.allowed(
      sledReadPermission,
      [target],
      credentials,
    );
    if (!ok) throw missing();
  };

  const readableDeploy = async (
    req: Request,
    credentials: BackstageCredentials,
  ) => {
    const id = req.params.id;
    const deploy = await deploys.getDeploy(id);
    await assertReadable(
      deploy,
      credentials,
      () => new NotFoundError(`No deploy '${id}'`),
    );
    return deploy;
  };
  const lockOverride =
    (
      credentials: BackstageCredentials,
      target:
        | Deploy
        | { entityRef: string; environment: string; ownerRef?: string },
    ) =>
    async () =>
      (
        await authorizer.allowed(
          sledLockOverridePermission,
          [target],
          credentials,
        )
      )[0];

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // ---------------------------------------------------------------- artifacts

  router.post('/artifacts', async (req, res) => {
    const credentials = await credentialsOf(req);
    await authorizer.authorizeBasic(
      sledArtifactRegisterPermission,
      credentials,
    );
    const body = req.body;
    const result = await audited(
      req,
      'artifact-register',
      { entityRef: body.entityRef, version: body.version },
      false,
      async () => {
        const service = await catalog.getDeployable(body.entityRef);
        if (body.deploy?.image) images.assertAllowed(body.deploy.image);
        const registered = await store.registerArtifact(
          { ...body, entityRef: service.entityRef },
          service.ownerRef,
        );
        if (!body.checks?.length) return registered;
        if (registered.created) {
          await store.artifactChecks.recordChecks(
            registered.artifact.id,
            body.checks,
          );
        }
        const checks = await store.artifactChecks.listChecks(
          registered.artifact.id,
        );
        return { ...registered, artifact: { ...registered.artifact, checks } };
      },
      r => ({ artifactId: r.artifact.id, created: r.created }),
    );
    res.status(result.created ? 201 : 200).json(result.artifact);
  });

  router.get('/artifacts', async (req, res) => {
    const credentials = await credentialsOf(req);
    const { entityRef, ids, limit, cursor } = req.query;
    const filter = await authorizer.filter(sledReadPermission, credentials);
    res.json(
      await store.listArtifacts({
        entityRef,
        ids: commaList(ids),
        // the validator applies the spec's default
        limit: limit!,
        cursor,
        filter,
      }),
    );
  });

  router.get('/artifacts/:id', async (req, res) => {
    const credentials = await credentialsOf(req);
    const id = req.params.id;
    const artifact = await deploys.getArtifact(id);
    await assertReadable(
      { entityRef: artifact.entityRef, ownerRef: artifact.ownerRef },
      credentials,
      () => new NotFoundError(`No artifact '${id}'`),
    );
    const checks = await store.artifactChecks.listChecks(id);
    res.json(checks.length ? { ...artifact, checks } : artifact);
  });

  // ------------------------------------------------------------- environments

  router.get('/environments', async (req, res) => {
    const credentials = await credentialsOf(req);
    const filter = await authorizer.filter(sledReadPermission, credentials);
    const locks = await store.listLocks({ filter });
    res.json(
      environments.list.map(env => ({
        ...env,
        ...environmentGates(gates, env.name),
        locks: locks.filter(
          l => l.environment === env.name && !l.entityRef && !l.deployGroup,
        ),
      })),
    );
  });

  // ------------------------------------------------------------------ deploys

  router.post('/deploys', async (req, res) => {
    const credentials = await credentialsOf(req);
    const body = req.body;
    const idempotencyKey = req.header('idempotency-key');
    const env = environments.get(body.environment);
    const service = await catalog.getDeployable(body.entityRef);
    const target = {
      entityRef: service.entityRef,
      environment: env.name,
      ownerRef: service.ownerRef,
    };
    await authorizer.authorize(sledDeployCreatePermission, target, credentials);
    if (body.overrideGates) {
      await authorizer.authorize(
        sledGateOverridePermission,
        target,
        credentials,
      );
    }
    const { deploy, created } = await audited(
      req,
      'deploy-create',
      {
        ...target,
        artifactId: body.artifactId,
        dryRun: !!body.dryRun,
        ...(body.overrideGates ? { overrideGates: true } : {}),
      },
      // a deploy past the gates is audited at high severity anywhere
      isCritical(body.environment) || !!body.overrideGates,
      () =>
        deploys.createDeploy(service, env, body, {
          requestedBy: principalOf(credentials),
          idempotencyKey,
          canOverrideLock: lockOverride(credentials, target),
        }),
      r => ({
        deployId: r.deploy.id,
        status: r.deploy.status,
        ...(r.deploy.gatesOverridden ? { gatesOverridden: true } : {}),
      }),
    );
    const accepted =
      deploy.status === 'queued' || deploy.status === 'awaiting_approval';
    res.status(created && accepted ? 202 : 200).json(deploy);
  });

  router.get('/deploys', async (req, res) => {
    const credentials = await credentialsOf(req);
    const { entityRef, environment, status, createdAfter, limit, cursor } =
      req.query;
    const filter = await authorizer.filter(sledReadPermission, credentials);
    res.json(
      await store.listDeploys({
        entityRef,
        environment,
        // the spec's pattern admits only deploy statuses
        status: commaList(status) as DeployStatus[] | undefined,
        createdAfter,
        limit: limit!,
        cursor,
        filter,
      }),
    );
  });

  router.get('/deploys/:id', async (req, res) => {
    res.json(await readableDeploy(req, await credentialsOf(req)));
  });

  router.get('/deploys/:id/logs', async (req, res) => {
    const deploy = await readableDeploy(req, await credentialsOf(req));
    const { follow } = req.query;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache');
    if (follow !== 'true') {
      res.send(await logs.read(deploy.id));
      return;
    }
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    const abort = new AbortController();
    req.on('close', () => abort.abort());
    const isFinished = async () => {
      const current = await store.getDeploy(deploy.id);
      return !current || isFinalDeployStatus(current.status);
    };
    for await (const text of logs.follow(deploy.id, isFinished, abort.signal)) {
      res.write(text);
    }
    res.end();
  });

  router.post('/deploys/:id/cancel', async (req, res) => {
    const credentials = await credentialsOf(req);
    const deploy = await readableDeploy(req, credentials);
    await authorizer.authorize(sledDeployCancelPermission, deploy, credentials);
    const cancelled = await audited(
      req,
      'deploy-cancel',
      {
        deployId: deploy.id,
        entityRef: deploy.entityRef,
        environment: deploy.environment,
      },
      isCritical(deploy.environment),
      () => deploys.cancel(deploy),
      d => ({ status: d.status }),
    );
    res.json(cancelled);
  });

  router.post('/rollbacks', async (req, res) => {
    const credentials = await credentialsOf(req);
    const body = req.body;
    const env = environments.get(body.environment);
    const service = await catalog.getDeployable(body.entityRef);
    const target = {
      entityRef: service.entityRef,
      environment: env.name,
      ownerRef: service.ownerRef,
    };
    await authorizer.authorize(sledDeployCreatePermission, target, credentials);
    const { deploy, created } = await audited(
      req,
      'deploy-rollback',
      target,
      isCritical(body.environment),
      () =>
        deploys.rollback(service, env, body, {
          requestedBy: principalOf(credentials),
          canOverrideLock: lockOverride(credentials, target),
        }),
      r => ({ deployId: r.deploy.id, artifactId: r.deploy.artifactId }),
    );
    res.status(created && deploy.status === 'queued' ? 202 : 200).json(deploy);
  });

  // -------------------------------------------------------------------- state

  router.get('/state', async (req, res) => {
    const credentials = await credentialsOf(req);
    const { entityRef } = req.query;
    const service = await catalog.getDeployable(entityRef);
    const state = await states.getState(service);
    const readable = await authorizer.allowed(
      sledReadPermission,
      state.environments.map(e => ({
        entityRef: service.entityRef,
        environment: e.environment,
        ownerRef: service.ownerRef,
      })),
      credentials,
    );
    if (!readable.some(Boolean)) {
      throw new NotAllowedError(
        `Not allowed: ${sledReadPermission.name} for ${service.entityRef}`,
      );
    }
    res.json({
      ...state,
      environments: state.environments.filter((_, i) => readable[i]),
    });
  });

  // -------------------------------------------------------------------- locks

  /**
   * Who may add or remove a lock: `sled.lock` on the service (or the whole
   * environment); for a deploy group, `sled.release` on the group and
   * `sled.lock` on every member in the environment, as releasing needs
   * `sled.deploy.create` on every member.
   */
  async function authorizeLock(
    lock: {
      environment: string;
      entityRef?: string;
      deployGroup?: string;
      ownerRef?: string;
    },
    credentials: BackstageCredentials,
    group?: DeployGroup,
  ) {
    if (lock.deployGroup) {
      await authorizer.authorizeDeployGroup(
        sledReleasePermission,
        { entityRef: lock.deployGroup, ownerRef: lock.ownerRef },
        credentials,
      );
      const targets = await Promise.all(
        (group?.members ?? []).map(async member => ({
          entityRef: member,
          environment: lock.environment,
          ownerRef: (await catalog.getTarget(member))?.ownerRef,
        })),
      );
      const allowed = await authorizer.allowed(
        sledLockPermission,
        targets,
        credentials,
      );
      const denied = targets.filter((_, i) => !allowed[i]);
      if (denied.length) {
        throw new NotAllowedError(
          `Not allowed: ${sledLockPermission.name} for ${denied
            .map(t => t.entityRef)
            .join(', ')} in ${
            lock.environment
          }, so you may not lock or unlock ${lock.deployGroup} there`,
        );
      }
      return;
    }
    const { entityRef = '', environment, ownerRef } = lock;
    await authorizer.authorize(
      sledLockPermission,
      { entityRef, environment, ownerRef },
      credentials,
    );
  }

  router.post('/locks', async (req, res) => {
    const credentials = await credentialsOf(req);
    const body = req.body;
    if (body.expiresAt && Date.parse(body.expiresAt) <= Date.now()) {
      throw new InputError('Invalid body: expiresAt: must be in the future');
    }
    environments.get(body.environment);
    const service = body.entityRef
      ? await catalog.getDeployable(body.entityRef)
      : undefined;
    const entityRef = service?.entityRef;
    const group = body.deployGroup
      ? await groups.getDeployGroup(body.deployGroup)
      : undefined;
    const lock = {
      ...body,
      entityRef,
      deployGroup: group?.entityRef,
      ownerRef: service?.ownerRef ?? group?.ownerRef,
    };
    await authorizeLock(lock, credentials, group);
    const created = await audited(
      req,
      'lock-create',
      {
        environment: body.environment,
        entityRef: entityRef ?? null,
        deployGroup: lock.deployGroup ?? null,
        reason: body.reason,
      },
      isCritical(body.environment),
      () => store.createLock({ ...lock, createdBy: principalOf(credentials) }),
      l => ({ lockId: l.id }),
    );
    signals?.lockChanged(created, group?.members);
    res.status(201).json(created);
  });

  router.get('/locks', async (req, res) => {
    const credentials = await credentialsOf(req);
    const query = req.query;
    if (!query.entityRef) {
      // each lock as what it locks: its environment, service and owner
      const filter = await authorizer.filter(sledReadPermission, credentials);
      res.json(await store.listLocks({ ...query, filter }));
      return;
    }
    // the locks that apply to one service (its own, its group's and
    // environment-wide ones): those in the environments where the caller
    // may read the service
    const service = await catalog.getDeployable(query.entityRef);
    const names = query.environment
      ? [environments.get(query.environment).name]
      : environments.list.map(e => e.name);
    const readable = await authorizer.allowed(
      sledReadPermission,
      names.map(environment => ({
        entityRef: service.entityRef,
        environment,
        ownerRef: service.ownerRef,
      })),
      credentials,
    );
    if (!readable.some(Boolean)) {
      throw new NotAllowedError(
        `Not allowed: ${sledReadPermission.name} for ${service.entityRef}`,
      );
    }
    res.json(
      await store.listLocks({
        entityRef: service.entityRef,
        // the service's own group, never one the caller names: the locks of
        // another group are not the service's to show
        deployGroup: service.deployGroup,
        environments: names.filter((_, i) => readable[i]),
      }),
    );
  });

  router.delete('/locks/:id', async (req, res) => {
    const credentials = await credentialsOf(req);
    const id = req.params.id;
    const missing = () => new NotFoundError(`No lock '${id}'`);
    const lock = await store.getLock(id);
    if (!lock) throw missing();
    let ownerRef: string | undefined;
    let group: DeployGroup | undefined;
    if (lock.entityRef) {
      ownerRef = (await catalog.getTarget(lock.entityRef))?.ownerRef;
    } else if (lock.deployGroup) {
      group = await groups.findDeployGroup(lock.deployGroup);
      ownerRef = group?.ownerRef;
    }
    await assertReadable(
      {
        entityRef: lock.entityRef ?? '',
        environment: lock.environment,
        ownerRef,
      },
      credentials,
      missing,
    );
    await authorizeLock({ ...lock, ownerRef }, credentials, group);
    await audited(
      req,
      'lock-delete',
      {
        lockId: lock.id,
        environment: lock.environment,
        entityRef: lock.entityRef ?? null,
        deployGroup: lock.deployGroup ?? null,
      },
      isCritical(lock.environment),
      () => store.deleteLock(lock.id),
    );
    signals?.lockChanged(lock, group?.members);
    res.status(204).end();
  });
}
