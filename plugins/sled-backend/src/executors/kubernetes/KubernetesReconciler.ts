import { LoggerService } from '@backstage/backend-plugin-api';
import { Deploy } from '@internal/plugin-sled-common';
import { DeployReporter, ExecutorDeploys } from '@internal/plugin-sled-node';
import { SledConfig } from '../../config';
import { stopIfEnded } from '../stopIfEnded';
import { ClusterAccess } from './ClusterAccess';
import { ClusterJobs } from './ClusterJobs';
import { DeployTracker } from './DeployTracker';
import { describe } from './errors';
import { JobCanceller } from './JobCanceller';
import { JobLauncher } from './JobLauncher';
import { jobLocationOf } from './JobLocation';
import { TrackedDeploys } from './TrackedDeploys';

/**
 * On the scheduled pass, deploys younger than this are left alone: this
 * backend may still be between claiming them and creating their Job.
 */
const GRACE_MS = 15_000;
/** past the Job's deadline plus this, a deploy without an outcome is ended */
const GIVE_UP_AFTER_DEADLINE_MS = 10 * 60_000;

/**
 * Brings the running Kubernetes deploys this backend runs in line with the
 * cluster: those it takes over (at start-up and from replicas that died, via
 * `recover()`), and on a scheduled task of each replica its own that no part
 * of it follows (a take-over whose Job could not be read, say). It re-attaches
 * to running Jobs, records outcomes and remaining logs of Jobs that ended
 * meanwhile, creates Jobs for deploys written but never launched (idempotent:
 * the Job name is derived from the deploy id, and a 409 adopts the same
 * spec), and ends as `lost` deploys whose Job vanished.
 *
 * Deploys another replica runs are never touched, even when their Job ended:
 * that replica records them, or, once it is gone, the replica that takes them
 * over. So a Job's outcome and log tail are recorded by one process.
 *
 * @public
 */
export class KubernetesReconciler {
  private running?: Promise<void>;

  constructor(
    private readonly options: {
      /** this backend's deploys; a deploy it is launching is left be */
      deploys: ExecutorDeploys;
      reporter: DeployReporter;
      config: SledConfig;
      logger: LoggerService;
      access: Pick<ClusterAccess, 'stopping'>;
      jobs: Pick<ClusterJobs, 'read'>;
      /** the deploys this process starts or follows */
      tracked: Pick<TrackedDeploys, 'isLocal'>;
      tracker: Pick<DeployTracker, 'attach' | 'giveUp'>;
      launcher: Pick<JobLauncher, 'start'>;
      canceller: Pick<JobCanceller, 'cancel'>;
    },
  ) {}

  /** The pass at start-up, and on a take-over, over the deploys taken. */
  async recover(running: Deploy[]): Promise<void> {
    await this.run({ startup: true, deploys: running });
  }

  /** One pass; passes in one process never overlap. */
  async run(
    options: { startup?: boolean; deploys?: Deploy[] } = {},
  ): Promise<void> {
    while (this.running) await this.running.catch(() => {});
    this.running = this.pass(options).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(options: { startup?: boolean; deploys?: Deploy[] }) {
    const { deploys: records, config, access } = this.options;
    const kubernetesEnvs = new Map(
      config.environments
        .filter(e => e.executor === 'kubernetes')
        .map(e => [e.name, e]),
    );
    const deploys = (options.deploys ?? (await records.listRunning())).filter(
      d => kubernetesEnvs.has(d.environment),
    );
    for (const deploy of deploys) {
      // a stopping backend leaves its deploys to the replica that takes over
      if (access.stopping) return;
      try {
        await this.reconcile(deploy, Boolean(options.startup));
      } catch (error) {
        this.options.logger.error(
          `Could not reconcile deploy ${deploy.id}`,
          error as Error,
        );
      }
    }
  }

  private async reconcile(listed: Deploy, startup: boolean) {
    const {
      jobs,
      tracked,
      tracker,
      canceller,
      deploys: records,
      reporter,
      config,
      logger,
    } = this.options;
    const isLaunching = (id: string) => records.isLaunching(id);
    if (isLaunching(listed.id)) return;
    let deploy = listed;
    const age = Date.now() - Date.parse(deploy.startedAt ?? deploy.createdAt);
    const deadlineMs =
      config.kubernetes.activeDeadlineSeconds * 1000 +
      GIVE_UP_AFTER_DEADLINE_MS;
    const location = jobLocationOf(deploy, config.environments);

    if (tracked.isLocal(deploy.id)) {
      if (age > deadlineMs) {
        await tracker.giveUp(deploy.id, {
          status: 'failed',
          message: `No outcome from Job ${location.namespace}/${location.jobName} in cluster '${location.cluster}' long after its deadline; check the Job in the cluster`,
        });
      }
      return;
    }
    if (!startup && age < GRACE_MS) return;

    let job;
    try {
      job = await jobs.read(location);
    } catch (error) {
      const message = describe(error, {
        ...location,
        action: `read Job ${location.jobName}`,
      });
      if (age > deadlineMs) {
        await reporter.finished(deploy.id, {
          status: 'failed',
          message: `${message}; gave up after the Job's deadline passed. Its outcome is unknown: check the cluster`,
        });
      } else {
        logger.warn(`Reconcile of deploy ${deploy.id}: ${message}; will retry`);
      }
      return;
    }

    // The list may be old by now (a pass reads one Job after another, each
    // with retries): act on the deploy as it is, if this backend still has
    // it to do.
    const current = await records.getDeploy(deploy.id);
    if (
      !current ||
      current.status !== 'running' ||
      tracked.isLocal(deploy.id) ||
      isLaunching(deploy.id)
    ) {
      return;
    }
    deploy = current;

    if (!job) {
      if (!deploy.execution) {
        await this.launch(deploy);
        return;
      }
      await reporter.finished(deploy.id, {
        status: 'lost',
        message: `lost: the Job ${location.namespace}/${location.jobName} no longer exists in cluster '${location.cluster}' (deleted, or removed by ttlSecondsAfterFinished before SLeD recorded its outcome); its outcome is unknown`,
      });
      return;
    }

    if (!deploy.execution) {
      // created by a backend that stopped before recording it
      const running = await records.setExecution(deploy.id, {
        executor: 'kubernetes',
        handle: `${location.cluster}/${location.namespace}/${location.jobName}`,
        ...location,
      });
      // cancelled meanwhile: its Job is stopped, never followed
      if (!running) {
        await stopIfEnded(records, canceller, deploy.id);
        return;
      }
    }
    // this backend runs the deploy and no part of it follows the Job
    await tracker.attach(deploy, location, job);
  }

  /** A deploy claimed as running whose Job was never created. */
  private async launch(deploy: Deploy) {
    const {
      access,
      launcher,
      canceller,
      deploys: records,
      reporter,
      config,
      logger,
    } = this.options;
    const environment = config.environments.find(
      e => e.name === deploy.environment,
    )!;
    const [artifact, launch] = await Promise.all([
      records.getArtifact(deploy.artifactId),
      records.getLaunch(deploy.id),
    ]);
    if (!artifact || !launch) {
      await reporter.finished(deploy.id, {
        status: 'failed',
        message:
          'The deploy could not start: its artifact or launch settings are missing',
      });
      return;
    }
    try {
      // the gates are asked again, as before every start: a window may
      // have closed while no backend ran it
      const refusal = await records.startRefusal(deploy, artifact);
      if (refusal) {
        await reporter.finished(deploy.id, {
          status: 'failed',
          message: refusal,
        });
        return;
      }
      logger.info(
        `Deploy ${deploy.id} was never launched; creating its Job now`,
      );
      const execution = await launcher.start({
        deploy,
        artifact,
        environment,
        launch,
      });
      if (!(await records.setExecution(deploy.id, execution))) {
        await stopIfEnded(records, canceller, deploy.id);
      }
    } catch (error) {
      // a stopping backend leaves the launch to the replica that takes over
      if (access.stopping) return;
      await reporter.finished(deploy.id, {
        status: 'failed',
        message: `The deploy could not start: ${(error as Error).message}`,
      });
    }
  }
}
