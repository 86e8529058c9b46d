import { LoggerService } from '@backstage/backend-plugin-api';
import { DeployReporter } from '@internal/plugin-sled-node';
import { StringDecoder } from 'string_decoder';
import { Writable } from 'stream';
import { ClusterAccess } from './ClusterAccess';
import { describe, sleep, withRetry } from './errors';
import { JobPods } from './JobPods';
import { CONTAINER_NAME } from './jobSpec';
import { terminatedState } from './podState';
import { TrackedDeploy } from './TrackedDeploy';

/** how long the end of a Job waits for the pod watch to show its pod ended */
const POD_END_WAIT_MS = 500;

/**
 * Copies the log of a followed deploy's pod into the deploy log: streamed
 * while the Job runs, and the rest once it ended.
 *
 * @public
 */
export class PodLogFollower {
  constructor(
    private readonly options: {
      access: ClusterAccess;
      pods: JobPods;
      reporter: Pick<DeployReporter, 'appendLog'>;
      logger: LoggerService;
    },
  ) {}

  /**
   * Records the rest of the pod's log, once the Job ended; resolves with the
   * deploy container's exit code, when known.
   */
  async readRest(t: TrackedDeploy): Promise<number | undefined> {
    const { access, pods } = this.options;
    let exitCode: number | undefined;
    try {
      await withRetry(
        async () => {
          const api = await access.clients(t.cluster);
          // the watched pod; its end may arrive just after the Job's, else
          // it is listed
          let { pod, watched } = await pods.currentPod(api, t);
          if (watched && !terminatedState(pod)) {
            await pods.podChange(t, POD_END_WAIT_MS);
            ({ pod, watched } = await pods.currentPod(api, t));
          }
          if (!terminatedState(pod)) pod = await pods.findPod(api, t);
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
        `Could not read the rest of the log of deploy ${t.deployId}: ${describe(
          error,
          {
            cluster: t.cluster,
            namespace: t.namespace,
            action: 'read the pod log',
          },
        )}`,
      );
    }
    return exitCode;
  }

  /**
   * Streams the pod's log into the deploy log while the Job runs, as long as
   * `live` says the deploy is still followed.
   */
  follow(t: TrackedDeploy, live: () => boolean): void {
    const { access, pods } = this.options;
    (async () => {
      let failures = 0;
      while (live()) {
        try {
          const api = await access.clients(t.cluster);
          const { pod, watched } = await pods.currentPod(api, t);
          const phase = pod?.status?.phase;
          if (!pod || phase === 'Pending') {
            // the pod watch wakes us; look again now and then all the same
            await pods.podChange(t, watched ? 2000 : 250);
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
