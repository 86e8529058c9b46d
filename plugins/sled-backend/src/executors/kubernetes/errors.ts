/** How a failed Kubernetes API call should be handled. */
export type ErrorKind =
  | 'auth'
  | 'retryable'
  | 'conflict'
  | 'notFound'
  | 'gone'
  | 'fatal';

/** The HTTP status of an error from @kubernetes/client-node, if it has one. */
export function statusOf(error: unknown): number | undefined {
  const e = error as { code?: unknown; statusCode?: unknown };
  if (typeof e?.code === 'number') return e.code;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  return undefined;
}

/** A failure with a message meant for the deploy record. */
export class KubernetesDeployError extends Error {
  constructor(message: string, readonly kind: ErrorKind) {
    super(message);
    this.name = 'KubernetesDeployError';
  }
}

export function classify(error: unknown): ErrorKind {
  if (error instanceof KubernetesDeployError) return error.kind;
  const status = statusOf(error);
  if (status === 401 || status === 403) return 'auth';
  if (status === 409) return 'conflict';
  if (status === 404) return 'notFound';
  if (status === 410) return 'gone';
  if (status === 429 || (status !== undefined && status >= 500))
    return 'retryable';
  if (status !== undefined) return 'fatal';
  // no status: timeouts (AbortError/TimeoutError) and network errors
  return 'retryable';
}

/** A message an engineer can act on. */
export function describe(
  error: unknown,
  context: { cluster: string; namespace: string; action: string },
): string {
  const status = statusOf(error);
  const { cluster, namespace, action } = context;
  if (status === 401) {
    return `The Kubernetes API server of cluster '${cluster}' rejected SLeD's credentials (401 Unauthorized) while trying to ${action}: check the cluster's auth in kubernetes.clusterLocatorMethods (token expired or wrong?)`;
  }
  if (status === 403) {
    return `SLeD's identity may not ${action} in namespace '${namespace}' of cluster '${cluster}' (403 Forbidden): grant it jobs create/get/list/watch/delete, pods get/list/watch and pods/log get in that namespace`;
  }
  const body = (error as { body?: unknown })?.body;
  let detail = (error as Error)?.message ?? String(error);
  if (typeof body === 'string') {
    try {
      detail = JSON.parse(body).message ?? detail;
    } catch {
      // not JSON
    }
  }
  if (status !== undefined) {
    return `The Kubernetes API server of cluster '${cluster}' answered ${status} while trying to ${action} in namespace '${namespace}': ${detail}`;
  }
  const name = (error as Error)?.name;
  if (name === 'AbortError' || name === 'TimeoutError') {
    return `The Kubernetes API server of cluster '${cluster}' did not answer in time while trying to ${action} in namespace '${namespace}'`;
  }
  return `Could not reach the Kubernetes API server of cluster '${cluster}' to ${action} in namespace '${namespace}': ${detail}`;
}

export const sleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));

/**
 * Runs `fn`, retrying retryable failures (5xx, 429, timeouts, unreachable)
 * with exponential backoff; everything else is thrown at once.
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  options: {
    attempts: number;
    baseDelayMs: number;
    shouldStop?: () => boolean;
  },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (
        classify(error) !== 'retryable' ||
        attempt >= options.attempts ||
        options.shouldStop?.()
      ) {
        throw error;
      }
      const delay = Math.min(options.baseDelayMs * 2 ** (attempt - 1), 5000);
      await sleep(delay * (0.75 + Math.random() * 0.5));
    }
  }
}
