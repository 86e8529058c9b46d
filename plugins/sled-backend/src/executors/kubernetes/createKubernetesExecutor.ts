import { LoggerService } from '@backstage/backend-plugin-api';
import { DeployReporter, ExecutorDeploys } from '@internal/plugin-sled-node';
import { SledConfig } from '../../config';
import { KubernetesClusterAccess } from './ClusterAccess';
import { ClusterJobs } from './ClusterJobs';
import { KubernetesClusters } from './clusters';
import { DeployTracker } from './DeployTracker';
import { JobCanceller } from './JobCanceller';
import { JobLauncher } from './JobLauncher';
import { JobPods } from './JobPods';
import { KubernetesJobExecutor } from './KubernetesJobExecutor';
import { KubernetesReconciler } from './KubernetesReconciler';
import { NamespaceWatchPool } from './NamespaceWatchPool';
import { PodLogFollower } from './PodLogFollower';
import { TrackedDeploys } from './TrackedDeploys';

/**
 * Builds the Kubernetes executor and its reconciler from their parts, each
 * given what it works with: the one place they are wired together.
 *
 * @public
 */
export function createKubernetesExecutor(options: {
  clusters: KubernetesClusters;
  config: SledConfig;
  reporter: DeployReporter;
  /** this backend's deploys: their records and recorded logs */
  deploys: ExecutorDeploys;
  logger: LoggerService;
}): { executor: KubernetesJobExecutor; reconciler: KubernetesReconciler } {
  const { clusters, config, reporter, deploys, logger } = options;
  const access = new KubernetesClusterAccess(clusters);
  const jobs = new ClusterJobs({ access, logger });
  const watches = new NamespaceWatchPool({
    access,
    logger,
    timeoutSeconds: config.kubernetes.watchTimeoutSeconds,
  });
  const follower = new PodLogFollower({
    access,
    pods: new JobPods({ watches }),
    reporter,
    logger,
  });
  const tracked = new TrackedDeploys();
  const tracker = new DeployTracker({
    tracked,
    access,
    watches,
    follower,
    reporter,
    logs: deploys,
    logger,
  });
  const launcher = new JobLauncher({
    access,
    jobs,
    tracked,
    tracker,
    settings: config.kubernetes,
  });
  const canceller = new JobCanceller({
    jobs,
    tracked,
    tracker,
    reporter,
    environments: config.environments,
    logger,
  });
  const reconciler = new KubernetesReconciler({
    deploys,
    reporter,
    config,
    logger,
    access,
    jobs,
    tracked,
    tracker,
    launcher,
    canceller,
  });
  const executor = new KubernetesJobExecutor({
    access,
    launcher,
    canceller,
    reconciler,
    tracked,
    tracker,
    watches,
  });
  return { executor, reconciler };
}
