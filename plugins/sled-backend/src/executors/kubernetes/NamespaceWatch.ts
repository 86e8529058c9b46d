import { LoggerService } from '@backstage/backend-plugin-api';
import { V1ObjectMeta } from '@kubernetes/client-node';
import { ClusterAccess } from './ClusterAccess';
import { ClusterClients } from './clusters';
import { classify, describe, sleep, withRetry } from './errors';
import { MANAGED_SELECTOR } from './jobSpec';

/** consecutive watch failures (with backoff) before tracked deploys are given up on */
const MAX_WATCH_FAILURES = 8;

/**
 * What a {@link NamespaceWatch} lists and watches, and whom it tells.
 *
 * @public
 */
export interface WatchedKind<T> {
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
 *
 * @public
 */
export class NamespaceWatch<T extends { metadata?: V1ObjectMeta }> {
  private stopped = false;
  private resourceVersion?: string;
  private readonly objects = new Map<string, T>();
  private abortCurrent?: () => void;
  /** the cache is current: listed, and the watch has not failed since */
  private current = false;

  constructor(
    private readonly access: ClusterAccess,
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
      const api = await this.access.clients(this.cluster);
      return this.kind.list(api, this.namespace);
    }, this.access.retryOptions);
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
    const api = await this.access.clients(this.cluster);
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
