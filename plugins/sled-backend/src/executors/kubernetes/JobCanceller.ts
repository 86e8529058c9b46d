import { LoggerService } from '@backstage/backend-plugin-api';
import { Deploy } from '@internal/plugin-sled-common';
import { DeployReporter, EnvironmentConfig } from '@internal/plugin-sled-node';
import { ClusterJobs } from './ClusterJobs';
import { DeployTracker } from './DeployTracker';
import { jobLocationOf } from './JobLocation';
import { TrackedDeploys } from './TrackedDeploys';

/**
 * Cancels a deploy: deletes its Job and records it `cancelled`, whether this
 * process follows it, another replica does, or its Job is still being
 * created.
 *
 * @public
 */
export class JobCanceller {
  constructor(
    private readonly options: {
      jobs: Pick<ClusterJobs, 'delete'>;
      /** the deploys this process has in hand */
      tracked: Pick<TrackedDeploys, 'get'>;
      tracker: Pick<DeployTracker, 'drop'>;
      reporter: DeployReporter;
      environments: EnvironmentConfig[];
      logger: LoggerService;
    },
  ) {}

  async cancel(deploy: Deploy): Promise<void> {
    const { jobs, tracked, tracker, reporter } = this.options;
    const location = jobLocationOf(deploy, this.options.environments);
    const t = tracked.get(deploy.id);
    if (t) t.cancelling = true;
    let deleted: boolean;
    try {
      deleted = await jobs.delete(location);
    } catch (error) {
      if (t) t.cancelling = false;
      throw error;
    }
    if (t) {
      // settling records the outcome itself, unless this backend dropped the
      // deploy: the cancel was asked of it all the same, so it records it
      if (t.settling && !t.forgotten) return;
      tracker.drop(t);
    }
    await reporter.finished(
      deploy.id,
      {
        status: 'cancelled',
        message: `Cancelled: Job ${location.namespace}/${location.jobName} was deleted`,
      },
      // requested here; another replica may be the one following the Job
      { requested: true },
    );
    if (!deleted) {
      // No Job yet: it may be being created (here or on another replica).
      // Whoever creates it sees the deploy cancelled once it records the Job
      // (recorded above), and deletes it; a Job created before that record
      // is deleted now.
      await jobs
        .delete(location)
        .catch(error =>
          this.options.logger.warn(
            `Deploy ${deploy.id} was cancelled, but its Job could not be deleted: ${error}`,
          ),
        );
    }
  }
}
