import { LoggerService } from '@backstage/backend-plugin-api';
import { V1Job } from '@kubernetes/client-node';
import { ClusterAccess } from './ClusterAccess';
import { KubernetesDeployError, classify, describe, withRetry } from './errors';
import { JobLocation } from './JobLocation';
import { ANNOTATION_SPEC_HASH } from './jobSpec';

/**
 * SLeD's Jobs in the clusters: created (or adopted when one of the same spec
 * exists), read and deleted, with retries that end when the backend stops.
 *
 * @public
 */
export class ClusterJobs {
  constructor(
    private readonly options: {
      access: ClusterAccess;
      logger: LoggerService;
    },
  ) {}

  /**
   * Creates a deploy's Job; a Job of that name and spec that exists already
   * (a retried or repeated create) is adopted, one of another spec refused.
   */
  async createOrAdopt(location: JobLocation, body: V1Job, specHash: string) {
    const { access } = this.options;
    const { cluster, namespace, jobName } = location;
    try {
      await withRetry(async () => {
        // credentials are fetched fresh for every attempt
        const api = await access.clients(cluster);
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
      }, access.retryOptions);
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

  /** Reads a Job; undefined when it does not exist. */
  async read(location: JobLocation): Promise<V1Job | undefined> {
    const { access } = this.options;
    try {
      return await withRetry(async () => {
        const api = await access.clients(location.cluster);
        return api.batch.readNamespacedJob({
          name: location.jobName,
          namespace: location.namespace,
        });
      }, access.retryOptions);
    } catch (error) {
      if (classify(error) === 'notFound') return undefined;
      throw error;
    }
  }

  /** Deletes a deploy's Job; false when there is none. */
  async delete(location: JobLocation): Promise<boolean> {
    const { access } = this.options;
    try {
      await withRetry(async () => {
        const api = await access.clients(location.cluster);
        await api.batch.deleteNamespacedJob({
          name: location.jobName,
          namespace: location.namespace,
          body: { propagationPolicy: 'Background' },
        });
      }, access.retryOptions);
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
}
