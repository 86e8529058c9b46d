import { DeployExecution } from '@internal/plugin-sled-common';
import { DeployJob, EnvironmentConfig } from '@internal/plugin-sled-node';
import { ClusterAccess } from './ClusterAccess';
import { ClusterJobs } from './ClusterJobs';
import { DeployTracker } from './DeployTracker';
import { KubernetesSettings, buildJob } from './jobSpec';
import { TrackedDeploys } from './TrackedDeploys';

/**
 * Starts a deploy as a Kubernetes Job named after the deploy id: creates the
 * Job (or adopts the one a previous attempt created), then follows it. One
 * start per deploy is in flight in a process, and a deploy it already follows
 * is not started again.
 *
 * @public
 */
export class JobLauncher {
  constructor(
    private readonly options: {
      access: ClusterAccess;
      jobs: Pick<ClusterJobs, 'createOrAdopt'>;
      /** the deploys this process has in hand */
      tracked: Pick<
        TrackedDeploys,
        'isLocal' | 'startInFlight' | 'whileStarting'
      >;
      tracker: Pick<DeployTracker, 'track'>;
      settings: KubernetesSettings;
    },
  ) {}

  async start(job: DeployJob): Promise<DeployExecution> {
    const { access, jobs, tracked, tracker } = this.options;
    const id = job.deploy.id;
    const { cluster, namespace } = this.locate(job.environment);
    const { body, specHash } = buildJob(job, this.options.settings);
    const jobName = body.metadata!.name!;
    if (access.stopping) throw new Error('The backend is shutting down');
    const execution: DeployExecution = {
      executor: 'kubernetes',
      handle: `${cluster}/${namespace}/${jobName}`,
      cluster,
      namespace,
      jobName,
    };
    // already being started or followed here: never a second follower
    const inFlight = tracked.startInFlight(id);
    if (inFlight) return inFlight;
    if (tracked.isLocal(id)) return execution;
    const starting = (async () => {
      await jobs.createOrAdopt({ cluster, namespace, jobName }, body, specHash);
      // a stopping backend leaves the Job to the next one (the reconciler)
      if (!access.stopping)
        tracker.track({ cluster, namespace, jobName }, id, 0);
      return execution;
    })();
    return tracked.whileStarting(id, starting);
  }

  private locate(environment: EnvironmentConfig) {
    if (!environment.cluster || !environment.namespace) {
      throw new Error(
        `Environment ${environment.name} has no cluster and namespace`,
      );
    }
    return { cluster: environment.cluster, namespace: environment.namespace };
  }
}
