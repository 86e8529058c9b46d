import { ClusterClients, KubernetesClusters } from './clusters';

const RETRY_ATTEMPTS = 5;
const RETRY_DELAY_MS = 200;

/**
 * How the parts of the Kubernetes executor reach the clusters: their clients,
 * retries that end when the backend stops, and whether it stops.
 *
 * @public
 */
export interface ClusterAccess {
  /** True once the backend shuts down: it starts and follows nothing more. */
  readonly stopping: boolean;
  /** retries that end when the backend stops */
  readonly retryOptions: {
    attempts: number;
    baseDelayMs: number;
    shouldStop: () => boolean;
  };
  clients(cluster: string): Promise<ClusterClients>;
}

/**
 * The {@link ClusterAccess} of one Kubernetes executor, over its configured
 * clusters; stopped when the backend shuts down.
 *
 * @public
 */
export class KubernetesClusterAccess implements ClusterAccess {
  private stopped = false;

  constructor(
    private readonly clusters: Pick<KubernetesClusters, 'clients' | 'close'>,
  ) {}

  get stopping(): boolean {
    return this.stopped;
  }

  get retryOptions() {
    return {
      attempts: RETRY_ATTEMPTS,
      baseDelayMs: RETRY_DELAY_MS,
      shouldStop: () => this.stopped,
    };
  }

  async clients(cluster: string): Promise<ClusterClients> {
    return this.clusters.clients(cluster);
  }

  /** From now on nothing starts, and retries end. */
  stop(): void {
    this.stopped = true;
  }

  /** Closes the clusters' connections. */
  close(): void {
    this.clusters.close();
  }
}
