import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  Artifact,
  CreateDeployRequest,
  Deploy,
  EnvironmentState,
  Lock,
  ServiceState,
  isFinalDeployStatus,
} from '@internal/plugin-sled-common';
import {
  DeployCheckContext,
  DeployExecutor,
  DeployOutcome,
  DeployReporter,
  EnvironmentConfig,
} from '@internal/plugin-sled-node';
import { DeployChecks } from '../checks/DeployChecks';
import { SledConfig } from '../config';
import { DeployStore } from '../database/DeployStore';
import { TakeOverOptions } from '../database/runners';
import { hashOf } from '../database/contentHash';
import { ExecutorRegistry } from '../executors/ExecutorRegistry';
import { stopIfEnded } from '../executors/stopIfEnded';
import { DeployerImagePolicy } from './DeployerImagePolicy';
import { DeployLogs } from './DeployLogs';
import { DeployableService } from './ServiceCatalog';

/** how often a backend records that it is alive */
const HEARTBEAT_MS = 10_000;
/** a backend silent this long is gone: others take over its running deploys */
const RUNNER_TIMEOUT_MS = 30_000;
/**
 * Tries to record an outcome before it gives up: past the runner timeout, so
 * a backend whose database stays away is taken over meanwhile.
 */
const RECORD_ATTEMPTS = 11;
const RECORD_RETRY_MS = 250;
const RECORD_RETRY_MAX_MS = 5_000;

export interface DeployRequestContext {
  /** who asked: a user or service entity ref */
  requestedBy: string;
  idempotencyKey?: string;
  /** may deploy through a lock */
  canOverrideLock: () => Promise<boolean>;
}

export interface CreateDeployInput extends CreateDeployRequest {
  rollbackOf?: string;
  releaseId?: string;
}

/**
 * The deploy lifecycle. The database is the queue: a deploy row is written
 * `queued` before anything runs, and a target's oldest queued deploy starts
 * when nothing runs there (the store guarantees at most one running).
 */
export class DeployService implements DeployReporter {
  private readonly dispatching = new Map<string, Promise<void>>();
  private readonly redispatch = new Set<string>();
  /** deploys this backend claimed and is starting (until their handle is recorded) */
  private readonly launching = new Set<string>();
  /** of those, the ones cancelled through this backend meanwhile */
  private readonly cancelledWhileLaunching = new Set<string>();
  /** this backend, as the runner of the deploys it starts or takes over */
  readonly runner: string;
  private heartbeatTimer?: NodeJS.Timeout;
  private beating?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly options: {
      store: DeployStore;
      config: SledConfig;
      logs: DeployLogs;
      /** which deployer images an artifact may name */
      images: DeployerImagePolicy;
      logger: LoggerService;
      /** this backend (a new id for each process), as its deploys' runner */
      runner: string;
      /** the executors, created at start-up with this service as their reporter */
      executors: ExecutorRegistry;
      /** the deploy checks environments list */
      checks: DeployChecks;
      onChange?: (deploy: Deploy) => void;
    },
  ) {
    this.runner = options.runner;
    options.logs.onTakenOver = deployId => this.forget(deployId);
  }

  get environments(): EnvironmentConfig[] {
    return this.options.config.environments;
  }

  getEnvironment(name: string, field = 'environment'): EnvironmentConfig {
    const env = this.environments.find(e => e.name === name);
    if (!env) {
      throw new InputError(
        `${field}: unknown environment '${name}'; configured: ${this.environments
          .map(e => e.name)
          .join(', ')}`,
      );
    }
    return env;
  }

  // ---------------------------------------------------------------- requests

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
    input: CreateDeployInput,
    context: DeployRequestContext,
  ): Promise<{ deploy: Deploy; created: boolean }> {
    const requestHash = hashOf({ ...input, entityRef: service.entityRef });
    const key = context.idempotencyKey;
    try {
      return await this.createNewDeploy(service, input, context, requestHash);
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
    input: CreateDeployInput,
    context: DeployRequestContext,
    requestHash: string,
  ): Promise<{ deploy: Deploy; created: boolean }> {
    const { store } = this.options;
    const env = this.getEnvironment(input.environment);

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
    await this.assertNotLocked(env.name, service, context);
    await this.assertChecksAllow({
      phase: 'queue',
      entityRef: service.entityRef,
      environment: env,
      artifact,
      requestedBy: context.requestedBy,
      dryRun: Boolean(input.dryRun),
      force: Boolean(input.force),
      reason,
      releaseId: input.releaseId,
    });

    let status: 'queued' | 'skipped' = 'queued';
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
      },
      context.idempotencyKey
        ? {
            principal: context.requestedBy,
            key: context.idempotencyKey,
            requestHash,
          }
        : undefined,
    );
    if (!replayed) {
      this.options.onChange?.(deploy);
      if (deploy.status === 'queued')
        this.dispatch(deploy.entityRef, deploy.environment);
    }
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
        this.options.config.kubernetes.defaultDeployerImage,
      workingDirectory: service.workingDirectory,
    };
  }

  /** Deploys the last artifact that succeeded before the current one. */
  async rollback(
    service: DeployableService,
    input: { environment: string; reason?: string },
    context: DeployRequestContext,
  ) {
    const { store } = this.options;
    const env = this.getEnvironment(input.environment);
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
    const { store } = this.options;
    if (isFinalDeployStatus(deploy.status)) {
      throw new ConflictError(
        `Deploy ${deploy.id} already ended: ${deploy.status}`,
      );
    }
    if (deploy.status === 'queued') {
      const cancelled = await store.finishDeploy(deploy.id, {
        status: 'cancelled',
        message: 'Cancelled before it started',
      });
      if (cancelled) {
        this.afterFinish(cancelled);
        return cancelled;
      }
    }
    // running, or it started meanwhile
    const current = (await store.getDeploy(deploy.id))!;
    if (isFinalDeployStatus(current.status)) return current;
    if (this.launching.has(current.id)) {
      // this backend is starting it (its start checks, a Job being made):
      // recorded now; the start sees it and stops what it started, if anything
      const cancelled = await store.finishDeploy(current.id, {
        status: 'cancelled',
        message: 'Cancelled while it started',
      });
      if (cancelled) {
        this.cancelledWhileLaunching.add(current.id);
        this.afterFinish(cancelled);
        return cancelled;
      }
      return (await store.getDeploy(current.id))!;
    }
    await this.executorFor(current.environment).cancel(current);
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
   * Refuses (409, naming the check and giving its message) a deploy that one
   * of its environment's deploy checks refuses.
   */
  async assertChecksAllow(context: DeployCheckContext & { phase: 'queue' }) {
    const refused = await this.options.checks.refusal(context);
    if (refused) {
      throw new ConflictError(
        `Refused by deploy check '${refused.check}': ${refused.message}`,
      );
    }
  }

  async getState(
    service: Pick<DeployableService, 'entityRef' | 'deployGroup'>,
  ): Promise<ServiceState> {
    const { store } = this.options;
    const { entityRef } = service;
    const locks = await store.listLocks({
      entityRef,
      deployGroup: service.deployGroup,
    });
    const environments = await Promise.all(
      this.environments.map(async (env): Promise<EnvironmentState> => {
        const [currentDeploy, lastDeploy] = await Promise.all([
          store.findLatest(entityRef, env.name, { statuses: ['succeeded'] }),
          store.findLatest(entityRef, env.name, { includeDryRun: true }),
        ]);
        const artifact =
          currentDeploy && (await store.getArtifact(currentDeploy.artifactId));
        const previous =
          currentDeploy &&
          (await store.findLatest(entityRef, env.name, {
            statuses: ['succeeded'],
            excludeArtifactId: currentDeploy.artifactId,
          }));
        const rollbackTarget =
          previous && (await store.getArtifact(previous.artifactId));
        // the most specific lock: the service's own, its group's, the environment's
        const lock: Lock | undefined =
          locks.find(
            l => l.environment === env.name && l.entityRef === entityRef,
          ) ??
          locks.find(l => l.environment === env.name && l.deployGroup) ??
          locks.find(l => l.environment === env.name);
        return {
          environment: env.name,
          executor: env.executor,
          requireReason: env.requireReason,
          current:
            currentDeploy && artifact
              ? { deploy: currentDeploy, artifact }
              : undefined,
          rollbackTarget,
          lastDeploy,
          lock,
        };
      }),
    );
    return { entityRef, environments };
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

  // ---------------------------------------------------------------- dispatch

  /**
   * Starts the next queued deploy of a target when nothing runs there.
   * Calls for one target are serialised in this process; across processes
   * the store's one-running index decides.
   */
  dispatch(entityRef: string, environment: string): Promise<void> {
    const key = `${entityRef}\u0000${environment}`;
    const inFlight = this.dispatching.get(key);
    if (inFlight) {
      this.redispatch.add(key);
      return inFlight;
    }
    const run = (async () => {
      try {
        do {
          this.redispatch.delete(key);
          await this.startNext(entityRef, environment);
        } while (this.redispatch.has(key));
      } catch (error) {
        this.options.logger.error(
          `Could not start the next deploy of ${entityRef} to ${environment}`,
          error as Error,
        );
      } finally {
        this.dispatching.delete(key);
      }
    })();
    this.dispatching.set(key, run);
    return run;
  }

  private async startNext(entityRef: string, environment: string) {
    const { store, logger } = this.options;
    // a backend shutting down leaves queued deploys to the others
    if (this.stopped) return;
    const claimed = await store.claimNext(entityRef, environment, this.runner);
    if (!claimed) return;
    const { deploy, launch } = claimed;
    this.launching.add(deploy.id);
    this.options.logs.claimed(deploy.id);
    this.options.onChange?.(deploy);
    try {
      const env = this.getEnvironment(environment);
      const executor = this.executorFor(environment);
      const artifact = (await store.getArtifact(deploy.artifactId))!;
      // checked again: what a check decides on may have changed while it was queued
      const refused = await this.options.checks.refusal({
        phase: 'start',
        entityRef: deploy.entityRef,
        environment: env,
        artifact,
        requestedBy: deploy.requestedBy,
        dryRun: deploy.dryRun,
        force: deploy.force,
        reason: deploy.reason,
        releaseId: deploy.releaseId,
        deployId: deploy.id,
      });
      if (refused) {
        await this.finished(deploy.id, {
          status: 'failed',
          message: `Refused by deploy check '${refused.check}' before it started: ${refused.message}`,
        });
        return;
      }
      // cancelled through this backend while its checks ran: nothing starts
      if (this.cancelledWhileLaunching.delete(deploy.id)) return;
      const execution = await executor.start({
        deploy,
        artifact,
        environment: env,
        launch: launch!,
      });
      if (!(await store.setExecution(deploy.id, execution))) {
        await stopIfEnded(store, executor, deploy.id).catch(error =>
          logger.error(
            `Deploy ${deploy.id} was cancelled while it started, and could not be stopped`,
            error as Error,
          ),
        );
      }
      // it runs; the next one starts when it finishes
    } catch (error) {
      // claimed as the backend began to shut down: left running and never
      // launched, for the replica that takes it over to launch
      if (this.stopped) return;
      logger.error(`Deploy ${deploy.id} could not start`, error as Error);
      // finished() dispatches the target again
      await this.finished(deploy.id, {
        status: 'failed',
        message: `The deploy could not start: ${(error as Error).message}`,
      });
    } finally {
      this.launching.delete(deploy.id);
      this.cancelledWhileLaunching.delete(deploy.id);
    }
  }

  /** True while this backend starts a deploy it claimed. */
  isLaunching(deployId: string): boolean {
    return this.launching.has(deployId);
  }

  private executorFor(environment: string): DeployExecutor {
    const env = this.getEnvironment(environment);
    const executor = this.options.executors.get(env.executor);
    if (!executor) {
      throw new Error(
        `The ${env.executor} executor of environment ${env.name} is not available`,
      );
    }
    return executor;
  }

  // ---------------------------------------------------------------- reporter

  appendLog(deployId: string, text: string): void {
    this.options.logs.append(deployId, text);
  }

  async finished(
    deployId: string,
    outcome: DeployOutcome,
    options: { requested?: boolean } = {},
  ): Promise<void> {
    await this.options.logs.close(deployId);
    const deploy = await this.recordOutcome(
      deployId,
      outcome,
      options.requested ? undefined : this.runner,
    );
    if (deploy) this.afterFinish(deploy);
  }

  /**
   * Writes the outcome, retried: one that is not written leaves the deploy
   * running (and its target blocked) with nobody to end it, as nothing runs
   * any more (a local process that could not start, a Job never created).
   * A backend that stops meanwhile leaves it to the one that takes over.
   */
  private async recordOutcome(
    deployId: string,
    outcome: DeployOutcome,
    runner: string | undefined,
  ): Promise<Deploy | undefined> {
    const { store } = this.options;
    for (let attempt = 1; ; attempt++) {
      try {
        const finished = await store.finishDeploy(deployId, outcome, runner);
        if (finished || attempt === 1) return finished;
        // an earlier attempt may have been written, its answer lost: what
        // follows an end (the target's next deploy, release planners) is due
        const current = await store.getDeploy(deployId);
        return current?.status === outcome.status ? current : undefined;
      } catch (error) {
        if (attempt >= RECORD_ATTEMPTS || this.stopped) throw error;
        this.options.logger.warn(
          `Could not record the end of deploy ${deployId} (attempt ${attempt} of ${RECORD_ATTEMPTS}), trying again: ${error}`,
        );
        await new Promise(resolve =>
          setTimeout(
            resolve,
            Math.min(RECORD_RETRY_MS * 2 ** (attempt - 1), RECORD_RETRY_MAX_MS),
          ),
        );
      }
    }
  }

  /** Another backend took the deploy over: this one stops following it. */
  private forget(deployId: string) {
    for (const executor of this.options.executors.all()) {
      executor.forget?.(deployId);
    }
  }

  private afterFinish(deploy: Deploy) {
    this.options.onChange?.(deploy);
    // not awaited: this may run inside the dispatch of the same target
    this.dispatch(deploy.entityRef, deploy.environment);
  }

  // ---------------------------------------------------------------- start-up

  /** Which running deploys and releases a pass may take over. */
  takeOverOptions(startup: boolean): TakeOverOptions {
    return { timeoutMs: RUNNER_TIMEOUT_MS, unowned: startup };
  }

  /** True once the backend shuts down: it starts and takes over nothing. */
  get stopping(): boolean {
    return this.stopped;
  }

  /**
   * Starts this backend's heartbeat, then takes over what backends that are
   * gone left running.
   */
  async start(): Promise<void> {
    const { logger } = this.options;
    // recover() writes the first heartbeat before it takes anything over
    this.heartbeatTimer = setInterval(() => {
      this.beat().catch(error =>
        logger.warn(`Could not record this backend's heartbeat: ${error}`),
      );
    }, HEARTBEAT_MS);
    this.heartbeatTimer.unref?.();
    await this.recover({ startup: true });
  }

  /**
   * Takes over the running deploys of backends that stopped or stopped
   * sending heartbeats, never those another live replica runs, and hands
   * them to their executors; then starts what waits on a free target. Runs
   * at start-up and now and then (a scheduled task of each replica).
   */
  async recover(options: { startup?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    const { store } = this.options;
    // alive first: a backend whose own heartbeat cannot be written (database
    // away) takes nothing over, and after it returns it is not taken over
    await this.beat();
    // a backend that began to shut down meanwhile takes nothing over
    if (this.stopped) return;
    const running = await store.takeOverRunning(
      this.runner,
      this.takeOverOptions(Boolean(options.startup)),
    );
    for (const deploy of running) this.options.logs.resumed(deploy.id);
    for (const executor of this.options.executors.all()) {
      const mine = running.filter(
        d =>
          this.environments.find(e => e.name === d.environment)?.executor ===
          executor.kind,
      );
      if (mine.length) await executor.recover(mine);
    }
    const orphans = running.filter(
      d => !this.environments.some(e => e.name === d.environment),
    );
    for (const deploy of orphans) {
      await this.finished(deploy.id, {
        status: 'failed',
        message: `Environment ${deploy.environment} is no longer configured`,
      });
    }
    for (const target of await this.options.store.listStalledTargets()) {
      await this.dispatch(target.entityRef, target.environment);
    }
  }

  /**
   * Writes this backend's heartbeat; one at a time, so shutdown() can wait
   * for the one on its way before it removes the row.
   */
  private beat(): Promise<void> {
    this.beating ??= this.options.store.heartbeat(this.runner).finally(() => {
      this.beating = undefined;
    });
    return this.beating;
  }

  /**
   * Stops the executors (Kubernetes Jobs go on running), writes the buffered
   * output, and then lets other replicas take over at once.
   */
  async shutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.heartbeatTimer);
    // a heartbeat on its way must not bring the row back after its removal
    await this.beating?.catch(() => {});
    for (const executor of this.options.executors.all()) {
      await executor.shutdown();
    }
    await this.options.logs.flushAll();
    await this.options.store
      .removeRunner(this.runner)
      .catch(error =>
        this.options.logger.warn(
          `Could not remove this backend from the runners: ${error}`,
        ),
      );
  }
}
