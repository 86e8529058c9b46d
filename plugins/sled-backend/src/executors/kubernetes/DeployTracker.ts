import { LoggerService } from '@backstage/backend-plugin-api';
import { Deploy } from '@internal/plugin-sled-common';
import { V1Job } from '@kubernetes/client-node';
import {
  DeployOutcome,
  DeployReporter,
  ExecutorDeploys,
} from '@internal/plugin-sled-node';
import { ClusterAccess } from './ClusterAccess';
import { describe } from './errors';
import { JobLocation } from './JobLocation';
import { jobOutcome } from './jobSpec';
import { NamespaceWatchEvents, NamespaceWatchPool } from './NamespaceWatchPool';
import { PodLogFollower } from './PodLogFollower';
import { TrackedDeploy } from './TrackedDeploy';
import { TrackedDeploys } from './TrackedDeploys';

/** wait before calling a vanished Job lost: a cancel elsewhere may explain it */
const LOST_GRACE_MS = 1500;

/**
 * Follows deploys' Jobs to their end: through their namespace's watches and
 * their pods' logs, it records the rest of the log and the outcome once, when
 * the Job ends, vanishes, or can no longer be watched.
 *
 * @public
 */
export class DeployTracker implements NamespaceWatchEvents {
  constructor(
    private readonly options: {
      /** the deploys this process has in hand */
      tracked: TrackedDeploys;
      access: ClusterAccess;
      watches: Pick<NamespaceWatchPool, 'watch' | 'linger'>;
      follower: Pick<PodLogFollower, 'follow' | 'readRest'>;
      reporter: DeployReporter;
      /** the deploy's recorded log, to resume it after a restart */
      logs: Pick<ExecutorDeploys, 'readLog'>;
      logger: LoggerService;
    },
  ) {}

  /**
   * Follows a deploy's Job; unless `start` is false, its namespace's watches
   * start and it settles at once if the cached Job ended, else its log is
   * followed.
   */
  track(
    location: JobLocation,
    deployId: string,
    seen: number,
    start = true,
  ): TrackedDeploy {
    const t = this.options.tracked.add(location, deployId, seen);
    if (start) {
      const cached = this.watch(t).jobs.cached(location.jobName).object;
      const outcome = cached && jobOutcome(cached);
      if (outcome) {
        this.settle(t, outcome);
      } else {
        this.follow(t);
      }
    }
    return t;
  }

  /** Stops following a deploy, recording nothing: the caller records it. */
  drop(t: TrackedDeploy) {
    t.settling = true;
    t.stopFollow?.();
    this.untrack(t);
  }

  /**
   * Takes over a deploy whose Job exists (after a restart): records the
   * outcome and the rest of the log if it ended, else follows it.
   */
  async attach(
    deploy: Deploy,
    location: JobLocation,
    job: V1Job,
  ): Promise<void> {
    const { tracked, access, logs } = this.options;
    if (tracked.isLocal(deploy.id) || access.stopping) return;
    const recorded = await logs.readLog(deploy.id);
    if (tracked.isLocal(deploy.id)) return;
    const t = this.track(location, deploy.id, recorded.length, false);
    const outcome = jobOutcome(job);
    if (outcome) {
      await this.settle(t, outcome);
    } else {
      this.watch(t);
      this.follow(t);
    }
  }

  /**
   * Stops following a deploy another backend runs now (this one sent no
   * heartbeat for too long), recording nothing: that backend records it.
   */
  forget(deployId: string): void {
    const t = this.options.tracked.get(deployId);
    if (!t || t.settling) return;
    t.settling = true;
    t.forgotten = true;
    t.stopFollow?.();
    this.untrack(t);
  }

  /** Ends a deploy this process may or may not follow. */
  async giveUp(deployId: string, outcome: DeployOutcome): Promise<void> {
    const t = this.options.tracked.get(deployId);
    if (t) {
      if (t.settling) return;
      this.drop(t);
    }
    await this.options.reporter.finished(deployId, outcome);
  }

  // ---------------------------------------------------------------- watch events

  onJobsListed(
    cluster: string,
    namespace: string,
    started: number,
    cachedJob: (jobName: string) => V1Job | undefined,
  ) {
    for (const o of this.options.tracked.inNamespace(cluster, namespace)) {
      const job = cachedJob(o.jobName);
      if (job) this.onJob(cluster, namespace, job);
      else if (o.since < started) this.onVanished(o);
    }
  }

  /** A Job changed (from the watch or a list). */
  onJob(cluster: string, namespace: string, job: V1Job) {
    const jobName = job.metadata?.name ?? '';
    const t = this.options.tracked.ofJob({ cluster, namespace, jobName });
    if (!t || t.settling) return;
    const outcome = jobOutcome(job);
    if (outcome) this.settle(t, outcome);
  }

  onJobDeleted(cluster: string, namespace: string, jobName: string) {
    const t = this.options.tracked.ofJob({ cluster, namespace, jobName });
    if (t) this.onVanished(t);
  }

  /** The watch cannot be kept up: end what it follows, with the reason. */
  onWatchFailed(cluster: string, namespace: string, error: unknown) {
    for (const t of this.options.tracked.inNamespace(cluster, namespace)) {
      if (t.settling) continue;
      this.settle(
        t,
        {
          status: 'failed',
          message: `${describe(error, {
            cluster,
            namespace,
            action: 'watch Jobs',
          })}. SLeD stopped following Job ${namespace}/${
            t.jobName
          }, which may still be running: check it in the cluster before deploying again.`,
        },
        false,
      );
    }
  }

  onPodsListed(cluster: string, namespace: string) {
    for (const o of this.options.tracked.inNamespace(cluster, namespace)) {
      o.podChanged?.();
    }
  }

  onPodChanged(cluster: string, namespace: string, jobName: string) {
    this.options.tracked.ofJob({ cluster, namespace, jobName })?.podChanged?.();
  }

  // ---------------------------------------------------------------- internals

  /**
   * Stops following a deploy; its namespace's watches linger if no other
   * deploy there is followed.
   */
  private untrack(t: TrackedDeploy) {
    if (this.options.tracked.remove(t)) {
      this.options.watches.linger(t.cluster, t.namespace);
    }
  }

  private watch(t: TrackedDeploy) {
    return this.options.watches.watch(t.cluster, t.namespace, this);
  }

  private follow(t: TrackedDeploy) {
    this.options.follower.follow(
      t,
      () =>
        !t.settling &&
        !this.options.access.stopping &&
        this.options.tracked.isFollowed(t),
    );
  }

  /** A followed Job is gone before it ended. */
  private onVanished(t: TrackedDeploy) {
    if (t.settling || t.cancelling) return;
    // A cancel on another replica deletes the Job and records `cancelled`
    // right after: give it that moment (then our `finished` is a no-op).
    setTimeout(() => {
      if (t.settling || t.cancelling || !this.options.tracked.isFollowed(t))
        return;
      this.settle(t, {
        status: 'lost',
        message: `lost: the Job ${t.namespace}/${t.jobName} no longer exists in cluster '${t.cluster}' (deleted before SLeD saw it finish); its outcome is unknown`,
      });
    }, LOST_GRACE_MS).unref?.();
  }

  /** Records the rest of the log and the outcome, once. */
  private async settle(
    t: TrackedDeploy,
    outcome: DeployOutcome,
    fetchLog = true,
  ) {
    if (t.settling || this.options.access.stopping) return;
    t.settling = true;
    t.stopFollow?.();
    t.podChanged?.();
    let exitCode: number | undefined;
    if (fetchLog) exitCode = await this.options.follower.readRest(t);
    // counted as followed here until recorded: a reconcile pass meanwhile
    // must not attach to it again and write its log tail a second time
    this.options.tracked.recordingBegan(t.deployId);
    this.untrack(t);
    let message = outcome.message;
    if (
      outcome.status === 'failed' &&
      exitCode !== undefined &&
      exitCode !== 0 &&
      /BackoffLimitExceeded/.test(message ?? '')
    ) {
      message = `The deploy script exited with code ${exitCode}`;
    }
    try {
      await this.options.reporter.finished(t.deployId, {
        ...outcome,
        message,
        exitCode: outcome.exitCode ?? exitCode,
      });
    } catch (error) {
      this.options.logger.error(
        `Could not record the end of deploy ${t.deployId}`,
        error as Error,
      );
    } finally {
      this.options.tracked.recordingEnded(t.deployId);
    }
  }
}
