import { LoggerService } from '@backstage/backend-plugin-api';
import { Deploy, DeployExecution } from '@internal/plugin-sled-common';
import { V1Job, V1ObjectMeta, V1Pod } from '@kubernetes/client-node';
import { StringDecoder } from 'string_decoder';
import { Writable } from 'stream';
import {
  DeployExecutor,
  DeployJob,
  DeployOutcome,
  DeployReporter,
  EnvironmentConfig,
} from '@internal/plugin-sled-node';
import { SledConfig } from '../../config';
import { ClusterClients, KubernetesClusters } from './clusters';
import {
  KubernetesDeployError,
  classify,
  describe,
  sleep,
  withRetry,
} from './errors';
import {
  ANNOTATION_SPEC_HASH,
  CONTAINER_NAME,
  LABEL_JOB_NAME,
  MANAGED_SELECTOR,
  buildJob,
  jobNameFor,
  jobOutcome,
} from './jobSpec';

/** A deploy whose Job this process follows. */
interface Tracked {
  deployId: string;
  cluster: string;
  namespace: string;
  jobName: string;
  /** when tracking began (ms) */
  since: number;
  /** characters of the pod's log already recorded */
  seen: number;
  settling: boolean;
  cancelling: boolean;
  /** another backend runs the deploy now; this one dropped it */
  forgotten?: boolean;
  stopFollow?: () => void;
  /** wakes the log follower waiting for the Job's pod to change */
  podChanged?: () => void;
}

/** Where a deploy's Job is. */
export interface JobLocation {
  cluster: string;
  namespace: string;
  jobName: string;
}

const RETRY_ATTEMPTS = 5;
const RETRY_DELAY_MS = 200;
/** consecutive watch failures (with backoff) before tracked deploys are given up on */
const MAX_WATCH_FAILURES = 8;
/** wait before calling a vanished Job lost: a cancel elsewhere may explain it */
const LOST_GRACE_MS = 1500;
/** how long the end of a Job waits for the pod watch to show its pod ended */
const POD_END_WAIT_MS = 500;
/** how long a namespace's watches outlive its last followed deploy */
const WATCH_LINGER_MS = 60_000;

/** What a {@link NamespaceWatch} lists and watches, and whom it tells. */
interface WatchedKind<T> {
  /** for messages, e.g. `Jobs` */
  plural: string;
  /** the collection's path in a namespace */
  path: (namespace: string) => string;
  list: (
    api: ClusterClients,
    namespace: string,
  ) => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
  /** the cache key of an object: objects with one key replace each other */
  key: (object: T) => string | undefined;
  /** whether `next` replaces `cached` under one key (default: always) */
  replaces?: (cached: T, next: T) => boolean;
  /** a list replaced the cache; `started` is when it was asked for (ms) */
  listed?: (started: number) => void;
  changed: (object: T) => void;
  deleted: (key: string) => void;
  /** the watch failed too often in a row (it goes on trying) */
  gaveUp?: (error: unknown) => void;
}

/**
 * One watch of SLeD's objects of one kind in a namespace of a cluster, with a
 * cache: list, then watch from the list's resourceVersion with
 * `timeoutSeconds`, re-watch from the last resourceVersion seen, and re-list
 * on `410 Expired`.
 */
class NamespaceWatch<T extends { metadata?: V1ObjectMeta }> {
  private stopped = false;
  private resourceVersion?: string;
  private readonly objects = new Map<string, T>();
  private abortCurrent?: () => void;
  /** the cache is current: listed, and the watch has not failed since */
  private current = false;

  constructor(
    private readonly owner: KubernetesJobExecutor,
    private readonly kind: WatchedKind<T>,
    private readonly cluster: string,
    private readonly namespace: string,
    private readonly timeoutSeconds: number,
    private readonly logger: LoggerService,
  ) {}

  /** The cached object, and whether the cache is current. */
  cached(key: string): { object?: T; current: boolean } {
    return { object: this.objects.get(key), current: this.current };
  }

  stop() {
    this.stopped = true;
    this.current = false;
    this.abortCurrent?.();
  }

  async run() {
    let failures = 0;
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) await this.relist();
        if (this.stopped) return;
        await this.watchOnce();
        failures = 0;
      } catch (error) {
        this.current = false;
        if (this.stopped) return;
        if (classify(error) === 'gone') {
          this.resourceVersion = undefined;
          continue;
        }
        failures++;
        this.logger.warn(
          `Watch of ${this.kind.plural} in ${this.namespace} of cluster ${
            this.cluster
          } failed (${failures}): ${describe(error, {
            cluster: this.cluster,
            namespace: this.namespace,
            action: `watch ${this.kind.plural}`,
          })}`,
        );
        const auth = classify(error) === 'auth';
        if (failures >= (auth ? 3 : MAX_WATCH_FAILURES)) {
          this.kind.gaveUp?.(error);
          failures = 0;
        }
        // a dropped connection is normal: re-watch at once the first time
        await sleep(
          failures === 1 && !auth ? 50 : Math.min(250 * 2 ** failures, 5000),
        );
      }
    }
  }

  private async relist() {
    const started = Date.now();
    const list = await withRetry(async () => {
      const api = await this.owner.clients(this.cluster);
      return this.kind.list(api, this.namespace);
    }, this.owner.retryOptions);
    if (this.stopped) return;
    this.objects.clear();
    for (const object of list.items) this.remember(object);
    this.resourceVersion = list.metadata?.resourceVersion;
    this.current = true;
    this.kind.listed?.(started);
  }

  private remember(object: T): string | undefined {
    const key = this.kind.key(object);
    if (key === undefined) return undefined;
    const cached = this.objects.get(key);
    if (!cached || !this.kind.replaces || this.kind.replaces(cached, object)) {
      this.objects.set(key, object);
    }
    return key;
  }

  private async watchOnce(): Promise<void> {
    const api = await this.owner.clients(this.cluster);
    if (this.stopped) return;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      let controller: AbortController | undefined;
      let watchdog: NodeJS.Timeout | undefined;
      const finish = (error?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(watchdog);
        controller?.abort();
        this.abortCurrent = undefined;
        if (error) reject(error);
        else resolve();
      };
      // a watch that stays silent past its timeout is hung: give up on it
      const arm = () => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => finish(), (this.timeoutSeconds + 5) * 1000);
      };
      this.abortCurrent = () => finish();
      arm();
      api.watch
        .watch(
          this.kind.path(this.namespace),
          {
            labelSelector: MANAGED_SELECTOR,
            resourceVersion: this.resourceVersion,
            timeoutSeconds: this.timeoutSeconds,
            allowWatchBookmarks: true,
          },
          (type: string, object: any) => {
            if (settled) return;
            arm();
            if (type === 'ERROR') {
              const code = object?.code;
              const error = Object.assign(
                new Error(object?.message ?? 'watch error'),
                { code },
              );
              finish(error);
              return;
            }
            const rv = object?.metadata?.resourceVersion;
            if (rv) this.resourceVersion = rv;
            if (type === 'BOOKMARK') return;
            const key = this.kind.key(object);
            if (key === undefined) return;
            if (type === 'DELETED') {
              // only the object cached under the key (not an older one) counts
              if (
                this.objects.get(key)?.metadata?.name === object.metadata?.name
              ) {
                this.objects.delete(key);
                this.kind.deleted(key);
              }
            } else {
              this.remember(object);
              this.kind.changed(object);
            }
          },
          (error: unknown) => {
            const name = (error as Error)?.name;
            if (!error || name === 'AbortError') finish();
            else finish(error);
          },
        )
        .then(
          c => {
            controller = c;
            if (settled) c.abort();
            // connected: what was missed since the last resourceVersion follows
            else this.current = true;
          },
          error => finish(error),
        );
    });
  }
}

/** The Job and pod watches of one namespace of one cluster. */
interface NamespaceWatches {
  jobs: NamespaceWatch<V1Job>;
  pods: NamespaceWatch<V1Pod>;
  /** stops them, once no deploy of the namespace has been followed for a while */
  idle?: NodeJS.Timeout;
}

/**
 * Runs each deploy as a Kubernetes Job (one per deploy, named after the deploy
 * id), follows it with one Job watch per cluster and namespace, streams the
 * pod's log into the deploy log, and records the outcome when the Job ends.
 * Jobs outlive the backend; {@link KubernetesReconciler} picks them up again.
 */
export class KubernetesJobExecutor implements DeployExecutor {
  readonly kind = 'kubernetes' as const;
  private readonly tracked = new Map<string, Tracked>();
  /** the same, by cluster, namespace and Job name */
  private readonly byJob = new Map<string, Tracked>();
  /** deploys whose Job is being created, with the start in flight */
  private readonly starting = new Map<string, Promise<DeployExecution>>();
  /** deploys whose outcome is being recorded (no longer followed) */
  private readonly recording = new Set<string>();
  private readonly watches = new Map<string, NamespaceWatches>();
  private stopped = false;

  constructor(
    private readonly options: {
      reporter: DeployReporter;
      logger: LoggerService;
      clusters: KubernetesClusters;
      config: SledConfig;
      /** the deploy's recorded log, to resume it after a restart */
      readLog: (deployId: string) => Promise<string>;
      /** runs the reconcile pass at start-up (set by the reconciler) */
      onRecover?: (running: Deploy[]) => Promise<void>;
    },
  ) {}

  set onRecover(fn: (running: Deploy[]) => Promise<void>) {
    this.options.onRecover = fn;
  }

  /** retries that end when the backend stops */
  get retryOptions() {
    return {
      attempts: RETRY_ATTEMPTS,
      baseDelayMs: RETRY_DELAY_MS,
      shouldStop: () => this.stopped,
    };
  }

  get settings() {
    return this.options.config.kubernetes;
  }

  // ---------------------------------------------------------------- executor

  async start(job: DeployJob): Promise<DeployExecution> {
    const id = job.deploy.id;
    const { cluster, namespace } = this.locate(job.environment);
    const { body, specHash } = buildJob(job, this.settings);
    const jobName = body.metadata!.name!;
    if (this.stopped) throw new Error('The backend is shutting down');
    const execution: DeployExecution = {
      executor: 'kubernetes',
      handle: `${cluster}/${namespace}/${jobName}`,
      cluster,
      namespace,
      jobName,
    };
    // already being started or followed here: never a second follower
    const inFlight = this.starting.get(id);
    if (inFlight) return inFlight;
    if (this.isLocal(id)) return execution;
    const starting = (async () => {
      await this.createOrAdopt({ cluster, namespace, jobName }, body, specHash);
      // a stopping backend leaves the Job to the next one (the reconciler)
      if (!this.stopped) this.track({ cluster, namespace, jobName }, id, 0);
      return execution;
    })();
    this.starting.set(id, starting);
    try {
      return await starting;
    } finally {
      this.starting.delete(id);
    }
  }

  async cancel(deploy: Deploy): Promise<void> {
    const location = this.locationOf(deploy);
    const t = this.tracked.get(deploy.id);
    if (t) t.cancelling = true;
    let deleted: boolean;
    try {
      deleted = await this.deleteJob(location);
    } catch (error) {
      if (t) t.cancelling = false;
      throw error;
    }
    if (t) {
      // settling records the outcome itself, unless this backend dropped the
      // deploy: the cancel was asked of it all the same, so it records it
      if (t.settling && !t.forgotten) return;
      t.settling = true;
      t.stopFollow?.();
      this.untrack(t);
    }
    await this.options.reporter.finished(
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
      await this.deleteJob(location).catch(error =>
        this.options.logger.warn(
          `Deploy ${deploy.id} was cancelled, but its Job could not be deleted: ${error}`,
        ),
      );
    }
  }

  /** Deletes a deploy's Job; false when there is none. */
  private async deleteJob(location: JobLocation): Promise<boolean> {
    try {
      await withRetry(async () => {
        const api = await this.clients(location.cluster);
        await api.batch.deleteNamespacedJob({
          name: location.jobName,
          namespace: location.namespace,
          body: { propagationPolicy: 'Background' },
        });
      }, this.retryOptions);
      return true;
    } catch (error) {
      if (classify(error) === 'notFound') return false;
      throw new Error(
        describe(error, {
          ...location,
          action: `delete Job ${location.jobName}`,
        }),
      );
    }
  }

  async recover(running: Deploy[]): Promise<void> {
    await this.options.onRecover?.(running);
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const t of this.tracked.values()) t.stopFollow?.();
    for (const w of this.watches.values()) {
      clearTimeout(w.idle);
      w.jobs.stop();
      w.pods.stop();
    }
    this.watches.clear();
    this.tracked.clear();
    this.byJob.clear();
    this.options.clusters.close();
  }

  // ---------------------------------------------------------------- used by the reconciler

  /** True once the backend shuts down: it starts and follows nothing more. */
  get stopping(): boolean {
    return this.stopped;
  }

  /** True while this process starts or follows the deploy. */
  isLocal(deployId: string): boolean {
    return (
      this.tracked.has(deployId) ||
      this.starting.has(deployId) ||
      this.recording.has(deployId)
    );
  }

  locationOf(deploy: Deploy): JobLocation {
    const env = this.options.config.environments.find(
      e => e.name === deploy.environment,
    );
    return {
      cluster: deploy.execution?.cluster ?? env?.cluster ?? '',
      namespace: deploy.execution?.namespace ?? env?.namespace ?? '',
      jobName: deploy.execution?.jobName ?? jobNameFor(deploy.id),
    };
  }

  async clients(cluster: string): Promise<ClusterClients> {
    return this.options.clusters.clients(cluster);
  }

  /** Reads a Job; undefined when it does not exist. */
  async readJob(location: JobLocation): Promise<V1Job | undefined> {
    try {
      return await withRetry(async () => {
        const api = await this.clients(location.cluster);
        return api.batch.readNamespacedJob({
          name: location.jobName,
          namespace: location.namespace,
        });
      }, this.retryOptions);
    } catch (error) {
      if (classify(error) === 'notFound') return undefined;
      throw error;
    }
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
    if (this.isLocal(deploy.id) || this.stopped) return;
    const recorded = await this.options.readLog(deploy.id);
    if (this.isLocal(deploy.id)) return;
    const t = this.track(location, deploy.id, recorded.length, false);
    const outcome = jobOutcome(job);
    if (outcome) {
      await this.settle(t, outcome);
    } else {
      this.ensureWatch(t);
      this.follow(t);
    }
  }

  /**
   * Stops following a deploy another backend runs now (this one sent no
   * heartbeat for too long), recording nothing: that backend records it.
   */
  forget(deployId: string): void {
    const t = this.tracked.get(deployId);
    if (!t || t.settling) return;
    t.settling = true;
    t.forgotten = true;
    t.stopFollow?.();
    this.untrack(t);
  }

  /** Ends a deploy this process may or may not follow. */
  async giveUp(deployId: string, outcome: DeployOutcome): Promise<void> {
    const t = this.tracked.get(deployId);
    if (t) {
      if (t.settling) return;
      t.settling = true;
      t.stopFollow?.();
      this.untrack(t);
    }
    await this.options.reporter.finished(deployId, outcome);
  }

  // ---------------------------------------------------------------- internals

  private locate(environment: EnvironmentConfig) {
    if (!environment.cluster || !environment.namespace) {
      throw new Error(
        `Environment ${environment.name} has no cluster and namespace`,
      );
    }
    return { cluster: environment.cluster, namespace: environment.namespace };
  }

  private async createOrAdopt(
    location: JobLocation,
    body: V1Job,
    specHash: string,
  ) {
    const { cluster, namespace, jobName } = location;
    try {
      await withRetry(async () => {
        // credentials are fetched fresh for every attempt
        const api = await this.clients(cluster);
        try {
          await api.batch.createNamespacedJob({ namespace, body });
        } catch (error) {
          if (classify(error) !== 'conflict') throw error;
          // the deterministic name makes a retried or repeated create land here
          const existing = await api.batch.readNamespacedJob({
            name: jobName,
            namespace,
          });
          const hash = existing.metadata?.annotations?.[ANNOTATION_SPEC_HASH];
          if (hash !== specHash) {
            throw new KubernetesDeployError(
              `Job ${namespace}/${jobName} already exists in cluster '${cluster}' with a different spec (spec hash ${
                hash ?? 'missing'
              }, expected ${specHash}); SLeD neither runs nor adopts it. Inspect and delete that Job, then deploy again.`,
              'fatal',
            );
          }
          this.options.logger.info(
            `Adopted existing Job ${namespace}/${jobName} in cluster ${cluster}`,
          );
        }
      }, this.retryOptions);
    } catch (error) {
      if (error instanceof KubernetesDeployError) throw error;
      throw new Error(
        describe(error, {
          cluster,
          namespace,
          action: `create Job ${jobName}`,
        }),
      );
    }
  }

  private track(
    location: JobLocation,
    deployId: string,
    seen: number,
    start = true,
  ): Tracked {
    const t: Tracked = {
      deployId,
      ...location,
      since: Date.now(),
      seen,
      settling: false,
      cancelling: false,
    };
    this.tracked.set(deployId, t);
    this.byJob.set(jobKey(t), t);
    if (start) {
      const cached = this.ensureWatch(t).jobs.cached(location.jobName).object;
      const outcome = cached && jobOutcome(cached);
      if (outcome) {
        this.settle(t, outcome);
      } else {
        this.follow(t);
      }
    }
    return t;
  }

  private untrack(t: Tracked) {
    if (this.tracked.get(t.deployId) === t) this.tracked.delete(t.deployId);
    if (this.byJob.get(jobKey(t)) === t) this.byJob.delete(jobKey(t));
    const key = watchKey(t.cluster, t.namespace);
    const stillWatched = [...this.tracked.values()].some(
      o => watchKey(o.cluster, o.namespace) === key,
    );
    const watches = this.watches.get(key);
    if (!stillWatched && watches && !watches.idle) {
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

  /**
   * Starts the watches of the deploy's namespace, unless they run: its Jobs
   * (their outcome) and their pods (when the log can be read).
   */
  private ensureWatch(t: Tracked): NamespaceWatches {
    const { cluster, namespace } = t;
    const key = watchKey(cluster, namespace);
    const running = this.watches.get(key);
    if (running) {
      clearTimeout(running.idle);
      running.idle = undefined;
      return running;
    }
    if (this.stopped) throw new Error('The backend is shutting down');
    const { logger } = this.options;
    const timeout = this.settings.watchTimeoutSeconds;
    const jobs: NamespaceWatch<V1Job> = new NamespaceWatch<V1Job>(
      this,
      {
        plural: 'Jobs',
        path: ns => `/apis/batch/v1/namespaces/${encodeURIComponent(ns)}/jobs`,
        list: (api, ns) =>
          api.batch.listNamespacedJob({
            namespace: ns,
            labelSelector: MANAGED_SELECTOR,
          }),
        key: job => job.metadata?.name,
        listed: started => {
          for (const o of this.trackedIn(cluster, namespace)) {
            const job = jobs.cached(o.jobName).object;
            if (job) this.onJob(cluster, namespace, job);
            else if (o.since < started) this.onVanished(o);
          }
        },
        changed: job => this.onJob(cluster, namespace, job),
        deleted: name => this.onDeleted(cluster, namespace, name),
        gaveUp: error => this.onWatchFailed(cluster, namespace, error),
      },
      cluster,
      namespace,
      timeout,
      logger,
    );
    const wake = (jobName: string) =>
      this.byJob.get(jobKey({ cluster, namespace, jobName }))?.podChanged?.();
    const pods = new NamespaceWatch<V1Pod>(
      this,
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
        listed: () => {
          for (const o of this.trackedIn(cluster, namespace)) {
            o.podChanged?.();
          }
        },
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

  /** Deploys followed in one namespace of one cluster. */
  trackedIn(cluster: string, namespace: string): Tracked[] {
    return [...this.tracked.values()].filter(
      t => t.cluster === cluster && t.namespace === namespace,
    );
  }

  /** A Job changed (from the watch or a list). */
  onJob(cluster: string, namespace: string, job: V1Job) {
    const jobName = job.metadata?.name ?? '';
    const t = this.byJob.get(jobKey({ cluster, namespace, jobName }));
    if (!t || t.settling) return;
    const outcome = jobOutcome(job);
    if (outcome) this.settle(t, outcome);
  }

  /** A followed Job is gone before it ended. */
  onVanished(t: Tracked) {
    if (t.settling || t.cancelling) return;
    // A cancel on another replica deletes the Job and records `cancelled`
    // right after: give it that moment (then our `finished` is a no-op).
    setTimeout(() => {
      if (t.settling || t.cancelling || this.tracked.get(t.deployId) !== t)
        return;
      this.settle(t, {
        status: 'lost',
        message: `lost: the Job ${t.namespace}/${t.jobName} no longer exists in cluster '${t.cluster}' (deleted before SLeD saw it finish); its outcome is unknown`,
      });
    }, LOST_GRACE_MS).unref?.();
  }

  onDeleted(cluster: string, namespace: string, jobName: string) {
    const t = this.byJob.get(jobKey({ cluster, namespace, jobName }));
    if (t) this.onVanished(t);
  }

  /** The watch cannot be kept up: end what it follows, with the reason. */
  onWatchFailed(cluster: string, namespace: string, error: unknown) {
    for (const t of this.trackedIn(cluster, namespace)) {
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

  /** Records the rest of the log and the outcome, once. */
  private async settle(t: Tracked, outcome: DeployOutcome, fetchLog = true) {
    if (t.settling || this.stopped) return;
    t.settling = true;
    t.stopFollow?.();
    t.podChanged?.();
    let exitCode: number | undefined;
    if (fetchLog) {
      try {
        await withRetry(
          async () => {
            const api = await this.clients(t.cluster);
            // the watched pod; its end may arrive just after the Job's, else
            // it is listed
            let { pod, watched } = await this.currentPod(api, t);
            if (watched && !terminatedState(pod)) {
              await this.podChange(t, POD_END_WAIT_MS);
              ({ pod, watched } = await this.currentPod(api, t));
            }
            if (!terminatedState(pod)) pod = await this.findPod(api, t);
            if (!pod) return;
            exitCode = terminatedState(pod)?.exitCode;
            const full = await api.core.readNamespacedPodLog({
              name: pod.metadata!.name!,
              namespace: t.namespace,
              container: CONTAINER_NAME,
            });
            if (typeof full === 'string' && full.length > t.seen) {
              this.options.reporter.appendLog(t.deployId, full.slice(t.seen));
              t.seen = full.length;
            }
          },
          { attempts: 3, baseDelayMs: 200 },
        );
      } catch (error) {
        this.options.logger.warn(
          `Could not read the rest of the log of deploy ${
            t.deployId
          }: ${describe(error, {
            cluster: t.cluster,
            namespace: t.namespace,
            action: 'read the pod log',
          })}`,
        );
      }
    }
    // counted as followed here until recorded: a reconcile pass meanwhile
    // must not attach to it again and write its log tail a second time
    this.recording.add(t.deployId);
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
      this.recording.delete(t.deployId);
    }
  }

  private async findPod(
    api: ClusterClients,
    t: Tracked,
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
  private async currentPod(
    api: ClusterClients,
    t: Tracked,
  ): Promise<{ pod?: V1Pod; watched: boolean }> {
    const cached = this.watches
      .get(watchKey(t.cluster, t.namespace))
      ?.pods.cached(t.jobName);
    if (cached?.current) return { pod: cached.object, watched: true };
    return { pod: await this.findPod(api, t), watched: false };
  }

  /** Waits until the Job's pod changes, or `ms` at most. */
  private podChange(t: Tracked, ms: number): Promise<void> {
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

  /** Streams the pod's log into the deploy log while the Job runs. */
  private follow(t: Tracked) {
    const live = () =>
      !t.settling && !this.stopped && this.tracked.get(t.deployId) === t;
    (async () => {
      let failures = 0;
      while (live()) {
        try {
          const api = await this.clients(t.cluster);
          const { pod, watched } = await this.currentPod(api, t);
          const phase = pod?.status?.phase;
          if (!pod || phase === 'Pending') {
            // the pod watch wakes us; look again now and then all the same
            await this.podChange(t, watched ? 2000 : 250);
            continue;
          }
          if (!live()) return;
          await new Promise<void>((resolve, reject) => {
            let pos = 0;
            const decoder = new StringDecoder('utf8');
            let ended = false;
            const end = () => {
              if (!ended) {
                ended = true;
                resolve();
              }
            };
            const sink = new Writable({
              write: (chunk: Buffer, _encoding, callback) => {
                const text = decoder.write(chunk);
                const stop = pos + text.length;
                if (!ended && live() && stop > t.seen) {
                  this.options.reporter.appendLog(
                    t.deployId,
                    text.slice(Math.max(0, t.seen - pos)),
                  );
                  t.seen = stop;
                }
                pos = stop;
                callback();
              },
            });
            sink.on('finish', end);
            sink.on('close', end);
            sink.on('error', end);
            api.log
              .log(t.namespace, pod.metadata!.name!, CONTAINER_NAME, sink, {
                follow: true,
              })
              .then(controller => {
                t.stopFollow = () => {
                  controller.abort();
                  end();
                };
                if (!live()) t.stopFollow();
              }, reject);
          });
          failures = 0;
          if (phase === 'Succeeded' || phase === 'Failed') return; // settle fetches the rest
          await sleep(300);
        } catch (error) {
          failures++;
          if (!live()) return;
          this.options.logger.debug?.(
            `Log stream of deploy ${t.deployId} failed: ${
              (error as Error).message
            }`,
          );
          await sleep(Math.min(200 * 2 ** failures, 5000));
        }
      }
    })();
  }
}

function watchKey(cluster: string, namespace: string) {
  return `${cluster}\u0000${namespace}`;
}

function jobKey(location: JobLocation) {
  return `${watchKey(location.cluster, location.namespace)}\u0000${
    location.jobName
  }`;
}

/** A pod's creation time (ms): a Date when listed, a string when watched. */
function createdAt(object: { metadata?: V1ObjectMeta }): number {
  const created = object.metadata?.creationTimestamp;
  return created ? new Date(created).getTime() : 0;
}

/** How the deploy container ended, once it has. */
function terminatedState(pod: V1Pod | undefined) {
  return pod?.status?.containerStatuses?.find(c => c.name === CONTAINER_NAME)
    ?.state?.terminated;
}
