import { Deploy, DeployExecution } from '@internal/plugin-sled-common';
import { DeployExecutor, DeployJob } from '@internal/plugin-sled-node';
import { KubernetesClusterAccess } from './ClusterAccess';
import { DeployTracker } from './DeployTracker';
import { JobCanceller } from './JobCanceller';
import { JobLauncher } from './JobLauncher';
import { NamespaceWatchPool } from './NamespaceWatchPool';
import { TrackedDeploys } from './TrackedDeploys';

/**
 * Runs each deploy as a Kubernetes Job (one per deploy, named after the deploy
 * id): {@link JobLauncher} creates it, {@link DeployTracker} follows it with
 * one Job watch per cluster and namespace, streams the pod's log into the
 * deploy log, and records the outcome when the Job ends; {@link JobCanceller}
 * deletes it. Jobs outlive the backend; the {@link KubernetesReconciler}
 * picks them up again (`recover`).
 *
 * @public
 */
export class KubernetesJobExecutor implements DeployExecutor {
  readonly kind = 'kubernetes' as const;

  constructor(
    private readonly parts: {
      access: Pick<KubernetesClusterAccess, 'stop' | 'close'>;
      launcher: Pick<JobLauncher, 'start'>;
      canceller: Pick<JobCanceller, 'cancel'>;
      /** runs the reconcile pass at start-up and on a take-over */
      reconciler: Pick<DeployExecutor, 'recover'>;
      tracked: Pick<TrackedDeploys, 'clear'>;
      tracker: Pick<DeployTracker, 'forget'>;
      watches: Pick<NamespaceWatchPool, 'shutdown'>;
    },
  ) {}

  start(job: DeployJob): Promise<DeployExecution> {
    return this.parts.launcher.start(job);
  }

  cancel(deploy: Deploy): Promise<void> {
    return this.parts.canceller.cancel(deploy);
  }

  recover(running: Deploy[]): Promise<void> {
    return this.parts.reconciler.recover(running);
  }

  forget(deployId: string): void {
    this.parts.tracker.forget(deployId);
  }

  async shutdown(): Promise<void> {
    const { access, tracked, watches } = this.parts;
    access.stop();
    tracked.clear();
    watches.shutdown();
    access.close();
  }
}
