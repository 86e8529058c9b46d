import { LoggerService } from '@backstage/backend-plugin-api';
import { V1Job, V1Pod } from '@kubernetes/client-node';
import { ClusterAccess } from './ClusterAccess';
import { watchKey } from './JobLocation';
import { LABEL_JOB_NAME, MANAGED_SELECTOR } from './jobSpec';
import { NamespaceWatch } from './NamespaceWatch';
import { createdAt } from './podState';

/** how long a namespace's watches outlive its last followed deploy */
const WATCH_LINGER_MS = 60_000;

/**
 * What the Job and pod watches of a namespace tell the deploys they follow.
 *
 * @public
 */
export interface NamespaceWatchEvents {
  /**
   * A list of the namespace's Jobs replaced the cache; `started` is when it
   * was asked for (ms), `cachedJob` reads the cache.
   */
  onJobsListed(
    cluster: string,
    namespace: string,
    started: number,
    cachedJob: (jobName: string) => V1Job | undefined,
  ): void;
  /** A Job changed (from the watch). */
  onJob(cluster: string, namespace: string, job: V1Job): void;
  /** A Job was deleted. */
  onJobDeleted(cluster: string, namespace: string, jobName: string): void;
  /** The Job watch cannot be kept up. */
  onWatchFailed(cluster: string, namespace: string, error: unknown): void;
  /** A list of the namespace's pods replaced the cache. */
  onPodsListed(cluster: string, namespace: string): void;
  /** The newest pod of a Job changed, or was deleted. */
  onPodChanged(cluster: string, namespace: string, jobName: string): void;
}

/**
 * The Job and pod watches of one namespace of one cluster.
 *
 * @public
 */
export interface NamespaceWatches {
  jobs: NamespaceWatch<V1Job>;
  pods: NamespaceWatch<V1Pod>;
  /** stops them, once no deploy of the namespace has been followed for a while */
  idle?: NodeJS.Timeout;
}

/**
 * The running {@link NamespaceWatches}, one per cluster and namespace that
 * has followed deploys; watches outlive the last of them for a while, so the
 * next deploy need not list and watch from scratch.
 *
 * @public
 */
export class NamespaceWatchPool {
  private readonly watches = new Map<string, NamespaceWatches>();

  constructor(
    private readonly options: {
      access: ClusterAccess;
      logger: LoggerService;
      /** `timeoutSeconds` of each watch request */
      timeoutSeconds: number;
    },
  ) {}

  /**
   * Starts the watches of a namespace, unless they run: its Jobs (their
   * outcome) and their pods (when the log can be read), telling `events`.
   */
  watch(
    cluster: string,
    namespace: string,
    events: NamespaceWatchEvents,
  ): NamespaceWatches {
    const key = watchKey(cluster, namespace);
    const running = this.watches.get(key);
    if (running) {
      clearTimeout(running.idle);
      running.idle = undefined;
      return running;
    }
    const { access, logger, timeoutSeconds: timeout } = this.options;
    if (access.stopping) throw new Error('The backend is shutting down');
    const jobs: NamespaceWatch<V1Job> = new NamespaceWatch<V1Job>(
      access,
      {
        plural: 'Jobs',
        path: ns => `/apis/batch/v1/namespaces/${encodeURIComponent(ns)}/jobs`,
        list: (api, ns) =>
          api.batch.listNamespacedJob({
            namespace: ns,
            labelSelector: MANAGED_SELECTOR,
          }),
        key: job => job.metadata?.name,
        listed: started =>
          events.onJobsListed(
            cluster,
            namespace,
            started,
            jobName => jobs.cached(jobName).object,
          ),
        changed: job => events.onJob(cluster, namespace, job),
        deleted: name => events.onJobDeleted(cluster, namespace, name),
        gaveUp: error => events.onWatchFailed(cluster, namespace, error),
      },
      cluster,
      namespace,
      timeout,
      logger,
    );
    const wake = (jobName: string) =>
      events.onPodChanged(cluster, namespace, jobName);
    const pods = new NamespaceWatch<V1Pod>(
      access,
      {
        plural: 'pods',
        path: ns => `/api/v1/namespaces/${encodeURIComponent(ns)}/pods`,
        list: (api, ns) =>
          api.core.listNamespacedPod({
            namespace: ns,
            labelSelector: MANAGED_SELECTOR,
          }),
        // the newest pod of each Job
        key: pod => pod.metadata?.labels?.[LABEL_JOB_NAME],
        replaces: (cached, next) =>
          cached.metadata?.name === next.metadata?.name ||
          createdAt(next) >= createdAt(cached),
        listed: () => events.onPodsListed(cluster, namespace),
        changed: pod => wake(pod.metadata!.labels![LABEL_JOB_NAME]),
        deleted: wake,
      },
      cluster,
      namespace,
      timeout,
      logger,
    );
    const watches: NamespaceWatches = { jobs, pods };
    this.watches.set(key, watches);
    jobs.run();
    pods.run();
    return watches;
  }

  /**
   * No deploy of the namespace is followed any more: its watches stop after
   * a while, unless one is followed again meanwhile.
   */
  linger(cluster: string, namespace: string): void {
    const key = watchKey(cluster, namespace);
    const watches = this.watches.get(key);
    if (watches && !watches.idle) {
      // the next deploy (one service's deploys run one after the other)
      // finds them running, so it need not list and watch from scratch
      watches.idle = setTimeout(() => {
        watches.jobs.stop();
        watches.pods.stop();
        if (this.watches.get(key) === watches) this.watches.delete(key);
      }, WATCH_LINGER_MS);
      watches.idle.unref?.();
    }
  }

  /** The watched newest pod of a Job, if its namespace is watched. */
  cachedPod(
    cluster: string,
    namespace: string,
    jobName: string,
  ): { object?: V1Pod; current: boolean } | undefined {
    return this.watches.get(watchKey(cluster, namespace))?.pods.cached(jobName);
  }

  /** Stops every watch (backend shut-down). */
  shutdown(): void {
    for (const w of this.watches.values()) {
      clearTimeout(w.idle);
      w.jobs.stop();
      w.pods.stop();
    }
    this.watches.clear();
  }
}
