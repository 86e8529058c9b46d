import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  CreateReleaseRequest,
  Deploy,
  isFinalDeployStatus,
  Release,
  ReleaseMember,
} from '@internal/plugin-sled-common';
import { ApprovalStore } from '../database/ApprovalStore';
import { DeployStore, SledTargetFilter } from '../database/DeployStore';
import { ReleaseStore } from '../database/ReleaseStore';
import { BackendRunner } from '../service/BackendRunner';
import {
  DeployRequestContext,
  DeployRequests,
} from '../service/DeployRequests';
import { takeOverOptions } from '../service/RunnerLifecycle';
import { SledEnvironments } from '../service/SledEnvironments';
import { DeployableService } from '../service/ServiceCatalog';
import { DeployGroup } from './DeployGroupCatalog';
import { ReleaseChanges } from './ReleaseChanges';
import { DeployWatcher } from './DeployWatcher';
import { ReleasePlanner } from './ReleasePlanner';

export interface ReleaseServiceOptions {
  releases: ReleaseStore;
  store: DeployStore;
  deploys: DeployRequests;
  environments: SledEnvironments;
  /** this backend, as the runner of the releases it plans */
  runner: BackendRunner;
  watcher: DeployWatcher;
  planner: ReleasePlanner;
  logger: LoggerService;
  /** the member service, from the catalog */
  getService: (entityRef: string) => Promise<DeployableService>;
  /** told of every release change this backend writes */
  changes?: ReleaseChanges;
  /** the decisions on releases: an approved release's members do not ask again */
  approvals?: ApprovalStore;
}

/**
 * Releases a deploy group: resolves each member's artifact, creates the
 * release, and runs it in the background through the planner. Every member
 * deploy goes through `DeployRequests.createDeploy`, so locks, queues and
 * skip-if-unchanged apply to each one as to a single deploy.
 */
export class ReleaseService {
  private readonly running = new Map<
    string,
    {
      /** cancels the release */
      abort: AbortController;
      /** stops this backend's planner, leaving the release to a take-over */
      stop: AbortController;
      done: Promise<void>;
    }
  >();
  private stopped = false;

  constructor(private readonly options: ReleaseServiceOptions) {
    // a release whose approvals came on this backend runs here
    options.changes?.subscribe(change => {
      if (change.kind !== 'approved') return;
      this.start(change.release, {
        requestedBy: change.release.requestedBy,
        canOverrideLock: async () => false,
      });
    });
  }

  async createRelease(
    group: DeployGroup,
    input: CreateReleaseRequest & { rollbackOf?: string },
    context: DeployRequestContext,
  ): Promise<Release> {
    const { deploys, store, releases } = this.options;
    const env = this.options.environments.get(input.environment);
    const reason = input.reason?.trim() || undefined;
    if (env.requireReason && !reason) {
      throw new InputError(
        `reason: releases to ${env.name} must give a reason`,
      );
    }
    if (!group.members.length) {
      throw new InputError(`deployGroup: ${group.entityRef} has no members`);
    }
    const chosen = new Map<string, string>();
    for (const [ref, artifactId] of Object.entries(input.artifacts ?? {})) {
      const member = group.members.find(
        m => m.toLocaleLowerCase('en-US') === ref.toLocaleLowerCase('en-US'),
      );
      if (!member) {
        throw new InputError(
          `artifacts: ${ref} is not a member of ${group.entityRef}`,
        );
      }
      chosen.set(member, artifactId);
    }

    const waves = ReleasePlanner.waves(group.members, group.waves);
    /** set when the environment asks for approvals: once, for the whole release */
    let approvals: { expiresAfterMs: number } | undefined;
    const members: Array<{
      entityRef: string;
      wave: number;
      artifactId: string;
      artifactVersion: string;
    }> = [];
    for (const [wave, refs] of waves.entries()) {
      for (const entityRef of refs) {
        const artifactId = chosen.get(entityRef);
        const artifact = artifactId
          ? await store.getArtifact(artifactId)
          : (await store.listArtifacts({ entityRef, limit: 1 })).items[0];
        // a member not named that has no artifact yet is left out: CI has
        // not registered one, and the others are released
        if (!artifactId && !artifact) continue;
        // another service's artifact answers as a missing one: ids reveal nothing
        if (!artifact || artifact.entityRef !== entityRef) {
          throw new InputError(
            `artifacts: no artifact '${artifactId}' for ${entityRef}`,
          );
        }
        // fail the whole release up front rather than half-way through
        await deploys.assertNotLocked(
          env.name,
          { entityRef, deployGroup: group.entityRef },
          context,
        );
        const verdict = await deploys.assertGatesAllow({
          phase: 'queue',
          entityRef,
          environment: env,
          artifact,
          requestedBy: context.requestedBy,
          dryRun: Boolean(input.dryRun),
          force: false,
          reason,
        });
        approvals ??= verdict.approvals;
        members.push({
          entityRef,
          wave,
          artifactId: artifact.id,
          artifactVersion: artifact.version,
        });
      }
    }

    if (!members.length) {
      throw new InputError(
        `artifacts: no member of ${group.entityRef} has a registered artifact to release`,
      );
    }
    const release = await releases.createRelease({
      runner: this.options.runner.id,
      deployGroup: group.entityRef,
      environment: env.name,
      dryRun: Boolean(input.dryRun),
      requestedBy: context.requestedBy,
      reason,
      rollbackOf: input.rollbackOf,
      approvalExpiresAt: approvals
        ? new Date(Date.now() + approvals.expiresAfterMs).toISOString()
        : undefined,
      members,
    });
    this.options.changes?.notify({
      kind: 'created',
      releaseId: release.id,
      deployGroup: release.deployGroup,
      environment: release.environment,
      release,
    });
    // one awaiting approval starts once its approvals came (ReleaseApprovals)
    if (release.status === 'running') this.start(release, context);
    return release;
  }

  /** A new release of the artifacts of the last successful release before this one. */
  async rollback(
    id: string,
    group: DeployGroup,
    input: { reason?: string },
    context: DeployRequestContext,
  ) {
    const release = await this.getRelease(id);
    const earlier = (
      await this.options.releases.listReleases({
        deployGroup: release.deployGroup,
        environment: release.environment,
        status: ['succeeded'],
        limit: 200,
      })
    ).find(
      r => !r.dryRun && r.createdAt < release.createdAt && r.id !== release.id,
    );
    if (!earlier) {
      throw new ConflictError(
        `Nothing to roll back to: ${release.deployGroup} has no successful release to ${release.environment} before ${release.id}`,
      );
    }
    return this.createRelease(
      group,
      {
        deployGroup: release.deployGroup,
        environment: release.environment,
        artifacts: Object.fromEntries(
          earlier.members
            .filter(m => group.members.includes(m.entityRef))
            .map(m => [m.entityRef, m.artifactId]),
        ),
        reason:
          input.reason ??
          `Roll back release ${release.id} to release ${earlier.id}`,
        rollbackOf: release.id,
      },
      context,
    );
  }

  /** The release with each member's live deploy status. */
  /**
   * With a read `filter`, only the members it matches; a release it matches
   * no member of is as missing as one that does not exist (404).
   */
  async getRelease(
    id: string,
    options: { filter?: SledTargetFilter } = {},
  ): Promise<Release> {
    const release = await this.options.releases.getRelease(id, options);
    if (!release) throw new NotFoundError(`No release '${id}'`);
    return this.withLiveStatus(release);
  }

  async listReleases(options: {
    deployGroup?: string;
    limit: number;
    filter?: SledTargetFilter;
  }): Promise<Release[]> {
    const list = await this.options.releases.listReleases(options);
    return Promise.all(list.map(r => this.withLiveStatus(r)));
  }

  /** Cancels what has not finished: queued and running member deploys, and later waves. */
  async cancel(id: string): Promise<Release> {
    const release = await this.getRelease(id);
    if (release.status === 'awaiting_approval') {
      const cancelled = await this.options.releases.endAwaitingRelease(id, {
        status: 'cancelled',
        message: 'The release was cancelled before its approvals came',
      });
      if (cancelled) this.ended(cancelled, 'cancelled');
      return this.getRelease(id);
    }
    if (release.status !== 'running') {
      throw new ConflictError(`Release ${id} already ended: ${release.status}`);
    }
    // a planner that is stopping would leave the cancel undone
    const local = this.stopped ? undefined : this.running.get(id);
    if (local) {
      local.abort.abort();
      await local.done;
    } else {
      // started by another backend instance that is gone: settle it here
      for (const member of release.members) {
        if (
          member.deployId &&
          !isFinalDeployStatus(member.status as Deploy['status'])
        ) {
          const deploy = await this.options.deploys.getDeploy(member.deployId);
          if (!isFinalDeployStatus(deploy.status))
            await this.options.deploys.cancel(deploy);
        } else if (member.status === 'pending') {
          await this.options.releases.updateMember(id, member.entityRef, {
            status: 'not-started',
            message: 'The release was cancelled',
          });
          this.memberChanged(release, member.entityRef);
        }
      }
      await this.finish(release, {
        status: 'cancelled',
        message: 'The release was cancelled',
      });
    }
    return this.getRelease(id);
  }

  /**
   * Resumes the running releases of backends that stopped or fell silent
   * (never those another live replica runs). Runs at start-up and now and
   * then, as RunnerLifecycle.recover does.
   */
  async recover(options: { startup?: boolean } = {}): Promise<void> {
    const { releases, runner } = this.options;
    if (this.stopped || runner.stopping) return;
    const running = await releases.takeOverRunning(
      runner.id,
      takeOverOptions(Boolean(options.startup)),
    );
    // shutting down meanwhile: its runner row goes, and a live replica takes
    // these over in turn
    if (this.stopped || runner.stopping) return;
    for (const release of running) {
      if (this.running.has(release.id)) continue;
      this.start(release, {
        requestedBy: release.requestedBy,
        canOverrideLock: async () => false,
      });
    }
  }

  /** Waits for in-flight releases (tests, shut-down). */
  async settled(): Promise<void> {
    await Promise.all([...this.running.values()].map(r => r.done));
  }

  /**
   * Stops this backend's planners (backend shut-down) and resolves once none
   * writes any more: their releases stay running, for the replica that takes
   * them over to resume, so two planners never write one release's members.
   */
  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const planner of this.running.values()) planner.stop.abort();
    await this.settled();
  }

  private start(release: Release, context: DeployRequestContext) {
    const { planner, releases, deploys, store, watcher, logger } = this.options;
    // a backend shutting down leaves the release to the one that takes over
    if (this.stopped) return;
    const abort = new AbortController();
    const stop = new AbortController();
    /** what the planner is doing, for the stop to wait for */
    const steps = new Set<Promise<unknown>>();
    const step = <T>(fn: () => Promise<T>): Promise<T> => {
      if (stop.signal.aborted) {
        return Promise.reject(
          new Error('This backend stopped its release planners'),
        );
      }
      const running = fn();
      steps.add(running);
      running.then(
        () => steps.delete(running),
        () => steps.delete(running),
      );
      return running;
    };
    const runner = {
      start: (member: ReleaseMember): Promise<Deploy> =>
        step(() => this.startMember(release, member, context)),
      waitForEnd: (deployId: string) =>
        watcher.waitForEnd(deployId, stop.signal),
      cancel: (deployId: string) =>
        step(async () => {
          const deploy = await store.getDeploy(deployId);
          if (deploy && !isFinalDeployStatus(deploy.status))
            await deploys.cancel(deploy);
        }),
      update: (
        member: ReleaseMember,
        update: Parameters<typeof releases.updateMember>[2],
      ) =>
        step(async () => {
          await releases.updateMember(release.id, member.entityRef, update);
          this.memberChanged(release, member.entityRef);
        }),
    };
    const done = (async () => {
      try {
        const outcome = await planner.run(
          release.members,
          runner,
          abort.signal,
        );
        await step(() => this.finish(release, outcome));
      } catch (error) {
        // stopped: the release goes on running, for a take-over to resume
        if (stop.signal.aborted) return;
        logger.error(
          `Release ${release.id} of ${release.deployGroup} broke off`,
          error as Error,
        );
        await this.finish(release, {
          status: 'failed',
          message: `The release broke off: ${(error as Error).message}`,
        }).catch(() => {});
      } finally {
        // the steps the planner began before the stop
        await Promise.allSettled([...steps]);
        this.running.delete(release.id);
      }
    })();
    this.running.set(release.id, { abort, stop, done });
  }

  /** Ends a running release and tells the listeners, once: only the write that ended it. */
  private async finish(
    release: Release,
    outcome: { status: 'succeeded' | 'failed' | 'cancelled'; message?: string },
  ): Promise<void> {
    const ended = await this.options.releases.finishRelease(
      release.id,
      outcome,
    );
    if (!ended) return;
    this.ended({ ...release, message: outcome.message }, outcome.status);
  }

  private ended(
    release: Release,
    status: 'succeeded' | 'failed' | 'cancelled',
  ): void {
    this.options.changes?.notify({
      kind: 'ended',
      releaseId: release.id,
      deployGroup: release.deployGroup,
      environment: release.environment,
      status,
      message: release.message,
      requestedBy: release.requestedBy,
      dryRun: release.dryRun,
    });
  }

  private memberChanged(release: Release, entityRef: string) {
    this.options.changes?.notify({
      kind: 'member',
      releaseId: release.id,
      deployGroup: release.deployGroup,
      environment: release.environment,
      entityRef,
    });
  }

  /** Creates a member's deploy (or returns the one it already has). */
  private async startMember(
    release: Release,
    member: ReleaseMember,
    context: DeployRequestContext,
  ): Promise<Deploy> {
    const { deploys, getService } = this.options;
    if (member.deployId) return deploys.getDeploy(member.deployId);
    const service = await getService(member.entityRef);
    const { deploy } = await deploys.createDeploy(
      service,
      this.options.environments.get(release.environment),
      {
        entityRef: member.entityRef,
        environment: release.environment,
        artifactId: member.artifactId,
        dryRun: release.dryRun,
        reason: release.reason ?? `Release of ${release.deployGroup}`,
        releaseId: release.id,
      },
      // one deploy per member, even when a restart (or a second backend)
      // resumes the release before the member's deploy id was recorded
      {
        ...context,
        idempotencyKey: `release:${release.id}:${member.entityRef}`,
        ...((await this.wasApproved(release))
          ? { approvedRelease: release.id }
          : {}),
      },
    );
    return deploy;
  }

  /** Whether the release's approvals came (asked once for all members). */
  private async wasApproved(release: Release): Promise<boolean> {
    if (!this.options.approvals) return false;
    return (await this.options.approvals.countApprovals(release.id)) > 0;
  }

  private async withLiveStatus(release: Release): Promise<Release> {
    const members = await Promise.all(
      release.members.map(async member => {
        if (
          !member.deployId ||
          isFinalDeployStatus(member.status as Deploy['status'])
        )
          return member;
        const deploy = await this.options.store.getDeploy(member.deployId);
        return deploy
          ? {
              ...member,
              status: deploy.status,
              message: deploy.message ?? member.message,
            }
          : member;
      }),
    );
    return { ...release, members };
  }
}
