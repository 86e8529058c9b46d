import { SchedulerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { SledExecutorRegistration } from '@internal/plugin-sled-node';
import { SledConfig } from '../../config';
import { KubernetesClusters } from './clusters';
import { createKubernetesExecutor } from './createKubernetesExecutor';

export { KubernetesJobExecutor } from './KubernetesJobExecutor';
export { KubernetesReconciler } from './KubernetesReconciler';
export { KubernetesClusters } from './clusters';

/**
 * The built-in `kubernetes` executor (a Job per deploy), registered through
 * the executors extension point like any other, with its reconciler
 * scheduled as the `sled-kubernetes-reconcile` task of each replica (for
 * that replica's own deploys). Its environments name `cluster` and
 * `namespace`; creating it throws on clusters it cannot use.
 */
export function kubernetesExecutor(options: {
  config: Config;
  sledConfig: SledConfig;
  scheduler: SchedulerService;
}): SledExecutorRegistration {
  const { sledConfig } = options;
  return {
    kind: 'kubernetes',
    readEnvironment(environment, path) {
      if (
        !environment.getOptionalString('cluster') ||
        !environment.getOptionalString('namespace')
      ) {
        throw new InputError(
          `Invalid config at ${path}: the kubernetes executor needs both 'cluster' and 'namespace'`,
        );
      }
      return undefined;
    },
    async createExecutor({ environments, reporter, logger, deploys }) {
      const clusters = KubernetesClusters.fromConfig({
        config: options.config,
        logger,
        required: environments.map(({ environment }) => ({
          environment: environment.name,
          cluster: environment.cluster!,
        })),
        requestTimeoutMs: sledConfig.kubernetes.requestTimeoutSeconds * 1000,
      });
      const { executor, reconciler } = createKubernetesExecutor({
        clusters,
        config: sledConfig,
        reporter,
        deploys,
        logger,
      });
      await options.scheduler.scheduleTask({
        id: 'sled-kubernetes-reconcile',
        frequency: { seconds: 30 },
        timeout: { minutes: 2 },
        scope: 'local',
        fn: () => reconciler.run(),
      });
      return executor;
    },
  };
}
