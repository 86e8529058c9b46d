import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  Artifact,
  CreateDeployRequest,
  Deploy,
  isFinalDeployStatus,
} from '@internal/plugin-sled-common';
import { EnvironmentConfig } from '@internal/plugin-sled-node';
import { hashOf } from '../database/contentHash';
import { DeployStore } from '../database/DeployStore';
import { ExecutorRegistry } from '../executors/ExecutorRegistry';
import { DeployGates, GateRequest, GateVerdict } from '../gates/DeployGates';
import { DeployChanges } from './DeployChanges';
import { DeployerImagePolicy } from './DeployerImagePolicy';
import { DeployOutcomes } from './DeployOutcomes';
import { DeployableService } from './ServiceCatalog';
import { SledEnvironments } from './SledEnvironments';
import { StartingDeploys } from './StartingDeploys';

/** Who asks for a deploy, and what they may do beyond asking. */
export interface DeployRequestContext {
  /** who asked: a user or service entity ref */
  requestedBy: string;
  idempotencyKey?: string;
  /** may deploy through a lock */
  canOverrideLock: () => Promise<boolean>;
  /**
   * The release whose approvals were given for it: its member deploys do not
   * ask again (set by the release service, never from a request's input).
   */
  approvedRelease?: string;
}

export interface CreateDeployInput extends CreateDeployRequest {
  /** checked by the caller: sled.gate.override on the target, and a reason */
  overrideGates?: boolean;
  rollbackOf?: string;
  releaseId?: string;
}

/**
 * What callers ask of deploys: create one (queued, replayed or skipped),
 * roll back, cancel, and the refusals every request goes through (locks,
 * deploy checks). A queued deploy is told to {@link DeployChanges}, where
 * the dispatcher picks it up; nothing here starts a deploy.
 */
export class DeployRequests {
  constructor(
    private readonly options: {
      store: Pick<
        DeployStore,
        | 'createDeploy'
        | 'findIdempotent'
        | 'getDeploy'
        | 'getArtifact'
        | 'countActive'
        | 'findLatest'
        | 'listLocks'
      >;
      environments: SledEnvironments;
      executors: ExecutorRegistry;
      /** promotion, windows, deploy checks and approvals */
      gates: DeployGates;
      /** which deployer images an artifact may name */
      images: DeployerImagePolicy;
      /** the deployer image when neither the artifact nor the entity names one */
      defaultDeployerImage?: string;
      outcomes: DeployOutcomes;
      starting: StartingDeploys;
      changes: DeployChanges;
    },
  ) {}

  /**
   * Creates a deploy: 202 queued (or replayed), 200 skipped. A request with
   * an Idempotency-Key already used by the same principal answers with the
   * earlier deploy (409 if the body differs), even where the request itself
   * would now be refused (a lock set since, say). The key is looked up only
   * when the request is refused or its insert collides with the key, so a
   * new request costs no extra statement.
   */
  async createDeploy(
    service: DeployableService,
    env: EnvironmentConfig,
    input: CreateDeployInput,
    context: DeployRequestContext,
  ): Promise<{ deploy: Deploy; created: boolean }> {
    const requestHash = hashOf({ ...input, entityRef: service.entityRef });
    const key = context.idempotencyKey;
    try {
      return await this.createNewDeploy(
        service,
        env,
        input,
        context,
        requestHash,
      );
    } catch (error) {
      if (!key) throw error;
      const { store } = this.options;
      const earlier = await store.findIdempotent(context.requestedBy, key);
      if (!earlier) throw error;
      if (earlier.requestHash !== requestHash) {
        throw new ConflictError(
          `Idempotency-Key '${key}' was already used for a different request`,
        );
      }
      return {
        deploy: (await store.getDeploy(earlier.deployId))!,
        created: false,
      };
    }
  }

  private async createNewDeploy(
    service: DeployableService,
    env: EnvironmentConfig,
    input: CreateDeployInput,
    context: DeployRequestContext,
    requestHash: string,
  ): Promise<{ deploy: Deploy; created: boolean }> {
    const { store } = this.options;
    const artifact = await store.getArtifact(input.artifactId);
    // another service's artifact answers as a missing one: ids reveal nothing
    if (!artifact || artifact.entityRef !== service.entityRef) {
      throw new InputError(
        `artifactId: no artifact '${input.artifactId}' for ${service.entityRef}`,
      );
    }
    const reason = input.reason?.trim() || undefined;
    if (env.requireReason && !reason) {
      throw new InputError(`reason: deploys to ${env.name} must give a reason`);
    }
    if (input.overrideGates && !reason) {
      throw new InputError(
        `reason: overriding the gates of ${env.name} needs a reason`,
      );
    }
    await this.assertNotLocked(env.name, service, context);
    const gates = await this.assertGatesAllow({
      phase: 'queue',
      entityRef: service.entityRef,
      environment: env,
      artifact,
      requestedBy: context.requestedBy,
      dryRun: Boolean(input.dryRun),
      force: Boolean(input.force),
      reason,
      releaseId: input.releaseId,
      override: Boolean(input.overrideGates),
    });

    const approvedWithRelease =
      !!input.releaseId && context.approvedRelease === input.releaseId;
    let status: 'queued' | 'skipped' | 'awaiting_approval' =
      gates.approvals && !approvedWithRelease ? 'awaiting_approval' : 'queued';
    let message: string | undefined;
    if (!input.force && !input.dryRun) {
      const active = await store.countActive(service.entityRef, env.name);
      const last = await store.findLatest(service.entityRef, env.name, {
        statuses: ['succeeded', 'failed', 'cancelled', 'lost'],
      });
      if (
        active === 0 &&
        last?.status === 'succeeded' &&
        last.artifactId === artifact.id
      ) {
        status = 'skipped';
        message = `${artifact.version} is already deployed to ${env.name} (deploy ${last.id}); use force to deploy it again`;
      }
    }

    const { deploy, replayed } = await store.createDeploy(
      {
        entityRef: service.entityRef,
        ownerRef: service.ownerRef,
        environment: env.name,
        artifact,
        status,
        dryRun: Boolean(input.dryRun),
        force: Boolean(input.force),
        requestedBy: context.requestedBy,
        reason,
        rollbackOf: input.rollbackOf,
        releaseId: input.releaseId,
        message,
        launch: this.launchOf(service, artifact, env),
        gatesOverridden: gates.overridden,
        approvalExpiresAt:
          status === 'awaiting_approval' && gates.approvals
            ? new Date(
                Date.now() + gates.approvals.expiresAfterMs,
              ).toISOString()
            : undefined,
      },
      context.idempotencyKey
        ? {
            principal: context.requestedBy,
            key: context.idempotencyKey,
            requestHash,
          }
        : undefined,
    );
    // a queued deploy is started by the dispatcher, which listens
    if (!replayed) this.options.changes.notify(deploy);
    return { deploy, created: !replayed };
  }

  /**
   * What a deploy runs: the command of the catalog entity (reviewed in the
   * service's repository), never one an artifact names; on Kubernetes, the
   * artifact's deployer image only when the image policy allows it (it is
   * checked again here: the policy may have changed since registration),
   * else the entity's or the configured default.
   */
  private launchOf(
    service: DeployableService,
    artifact: Artifact,
    env: EnvironmentConfig,
  ) {
    const named = artifact.deploy?.image;
    if (named && env.executor === 'kubernetes') {
      const refusal = this.options.images.refusal(named);
      if (refusal) {
        throw new InputError(
          `artifactId: artifact ${artifact.version} names the deployer image ${refusal}`,
        );
      }
    }
    return {
      command: service.command,
      image:
        (env.executor === 'kubernetes' ? named : undefined) ??
        service.deployerImage ??
        this.options.defaultDeployerImage,
      workingDirectory: service.workingDirectory,
    };
  }

  /** Deploys the last artifact that succeeded before the current one. */
  async rollback(
    service: DeployableService,
    env: EnvironmentConfig,
    input: { reason?: string },
    context: DeployRequestContext,
  ) {
    const { store } = this.options;
    const current = await store.findLatest(service.entityRef, env.name, {
      statuses: ['succeeded'],
    });
    if (!current) {
      throw new ConflictError(
        `Nothing to roll back: ${service.entityRef} has no successful deploy to ${env.name}`,
      );
    }
    const previous = await store.findLatest(service.entityRef, env.name, {
      statuses: ['succeeded'],
      excludeArtifactId: current.artifactId,
    });
    if (!previous) {
      throw new ConflictError(
        `Nothing to roll back to: ${current.artifactVersion} is the only version that succeeded on ${env.name}`,
      );
    }
    return this.createDeploy(
      service,
      env,
      {
        entityRef: service.entityRef,
        environment: env.name,
        artifactId: previous.artifactId,
        reason:
          input.reason ??
          `Roll back ${current.artifactVersion} to ${previous.artifactVersion}`,
        rollbackOf: current.id,
      },
      context,
    );
  }

  async cancel(deploy: Deploy): Promise<Deploy> {
    const { store, outcomes, starting } = this.options;
    if (isFinalDeployStatus(deploy.status)) {
      throw new ConflictError(
        `Deploy ${deploy.id} already ended: ${deploy.status}`,
      );
    }
    if (deploy.status === 'queued' || deploy.status === 'awaiting_approval') {
      const cancelled = await outcomes.end(deploy.id, {
        status: 'cancelled',
        message: 'Cancelled before it started',
      });
      if (cancelled) return cancelled;
    }
    // running, or it started meanwhile
    const current = (await store.getDeploy(deploy.id))!;
    if (isFinalDeployStatus(current.status)) return current;
    if (starting.isLaunching(current.id)) {
      // this backend is starting it (its start checks, a Job being made):
      // recorded now; the start sees it and stops what it started, if anything
      starting.markCancelled(current.id);
      const cancelled = await outcomes.end(current.id, {
        status: 'cancelled',
        message: 'Cancelled while it started',
      });
      return cancelled ?? (await store.getDeploy(current.id))!;
    }
    const env = this.options.environments.get(current.environment);
    await this.options.executors.forEnvironment(env).cancel(current);
    return (await store.getDeploy(current.id))!;
  }

  /**
   * Refuses (409, naming the lock) when the service, its deploy group or the
   * whole environment is locked, unless the caller may override locks.
   */
  async assertNotLocked(
    environment: string,
    service: Pick<DeployableService, 'entityRef' | 'deployGroup'>,
    context: DeployRequestContext,
  ) {
    const locks = await this.options.store.listLocks({
      environment,
      entityRef: service.entityRef,
      deployGroup: service.deployGroup,
    });
    if (locks.length === 0) return;
    if (await context.canOverrideLock()) return;
    const lock = locks[0];
    let what = `${environment} is locked`;
    if (lock.entityRef) {
      what = `${lock.entityRef} is locked in ${environment}`;
    } else if (lock.deployGroup) {
      what = `${service.entityRef} is locked in ${environment} with its deploy group ${lock.deployGroup}`;
    }
    throw new ConflictError(
      `${what} by ${lock.createdBy}: ${lock.reason} (lock ${lock.id}${
        lock.expiresAt ? `, until ${lock.expiresAt}` : ''
      })`,
    );
  }

  /**
   * Refuses (409, naming the gate, the target and how to go on) a deploy
   * that one of its environment's gates refuses: promotion, windows, deploy
   * checks; says whether it will wait for approvals.
   */
  assertGatesAllow(
    request: GateRequest & { phase: 'queue' },
  ): Promise<GateVerdict> {
    return this.options.gates.assertAllowed(request);
  }

  async getArtifact(id: string): Promise<Artifact> {
    const artifact = await this.options.store.getArtifact(id);
    if (!artifact) throw new NotFoundError(`No artifact '${id}'`);
    return artifact;
  }

  async getDeploy(id: string): Promise<Deploy> {
    const deploy = await this.options.store.getDeploy(id);
    if (!deploy) throw new NotFoundError(`No deploy '${id}'`);
    return deploy;
  }
}
