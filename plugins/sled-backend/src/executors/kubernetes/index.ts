import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { SledConfig } from '../../config';
import { DeployStore } from '../../database/DeployStore';
import { DeployReporter } from '../DeployExecutor';
import { KubernetesClusters } from './clusters';
import { KubernetesJobExecutor } from './KubernetesJobExecutor';
import { KubernetesReconciler } from './KubernetesReconciler';

export { KubernetesJobExecutor } from './KubernetesJobExecutor';
export { KubernetesReconciler } from './KubernetesReconciler';
export { KubernetesClusters } from './clusters';

/**
 * The Kubernetes executor with its reconciler, scheduled as the
 * `sled-kubernetes-reconcile` task of each replica (for that replica's own
 * deploys). Throws on clusters it cannot use.
 */
export async function createKubernetesExecutor(options: {
  config: Config;
  sledConfig: SledConfig;
  logger: LoggerService;
  scheduler: SchedulerService;
  store: DeployStore;
  reporter: DeployReporter;
  /** this backend, as the runner of its deploys */
  runner: string;
  /** true while this backend starts a deploy it claimed */
  isLaunching: (deployId: string) => boolean;
  readLog: (deployId: string) => Promise<string>;
}): Promise<KubernetesJobExecutor> {
  const { sledConfig, logger } = options;
  const clusters = KubernetesClusters.fromConfig({
    config: options.config,
    logger,
    required: sledConfig.environments
      .filter(e => e.executor === 'kubernetes')
      .map(e => ({ environment: e.name, cluster: e.cluster! })),
    requestTimeoutMs: sledConfig.kubernetes.requestTimeoutSeconds * 1000,
  });
  const executor = new KubernetesJobExecutor({
    reporter: options.reporter,
    logger,
    clusters,
    config: sledConfig,
    readLog: options.readLog,
  });
  const reconciler = new KubernetesReconciler({
    executor,
    store: options.store,
    reporter: options.reporter,
    config: sledConfig,
    logger,
    runner: options.runner,
    isLaunching: options.isLaunching,
  });
  await options.scheduler.scheduleTask({
    id: 'sled-kubernetes-reconcile',
    frequency: { seconds: 30 },
    timeout: { minutes: 2 },
    scope: 'local',
    fn: () => reconciler.run(),
  });
  return executor;
}
