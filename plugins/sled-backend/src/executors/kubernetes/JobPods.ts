import { V1Pod } from '@kubernetes/client-node';
import { ClusterClients } from './clusters';
import { LABEL_JOB_NAME } from './jobSpec';
import { NamespaceWatchPool } from './NamespaceWatchPool';
import { createdAt } from './podState';
import { TrackedDeploy } from './TrackedDeploy';

/**
 * The pod of a followed deploy's Job: its newest, from the namespace's pod
 * watch while that is current, else listed; and waiting for it to change.
 *
 * @public
 */
export class JobPods {
  constructor(
    private readonly options: {
      watches: Pick<NamespaceWatchPool, 'cachedPod'>;
    },
  ) {}

  /** The Job's newest pod, listed. */
  async findPod(
    api: ClusterClients,
    t: TrackedDeploy,
  ): Promise<V1Pod | undefined> {
    const pods = await api.core.listNamespacedPod({
      namespace: t.namespace,
      labelSelector: `${LABEL_JOB_NAME}=${t.jobName}`,
    });
    return pods.items.slice().sort((a, b) => createdAt(b) - createdAt(a))[0];
  }

  /**
   * The Job's newest pod: from the namespace's pod watch while it is current,
   * else listed.
   */
  async currentPod(
    api: ClusterClients,
    t: TrackedDeploy,
  ): Promise<{ pod?: V1Pod; watched: boolean }> {
    const cached = this.options.watches.cachedPod(
      t.cluster,
      t.namespace,
      t.jobName,
    );
    if (cached?.current) return { pod: cached.object, watched: true };
    return { pod: await this.findPod(api, t), watched: false };
  }

  /** Waits until the Job's pod changes, or `ms` at most. */
  podChange(t: TrackedDeploy, ms: number): Promise<void> {
    return new Promise(resolve => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const done = () => {
        clearTimeout(timer);
        if (t.podChanged === done) t.podChanged = undefined;
        resolve();
      };
      timer = setTimeout(done, ms);
      t.podChanged = done;
    });
  }
}
