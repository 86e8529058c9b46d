/**
 * Reaching a cluster through @kubernetes/client-node: which one (KUBECONFIG,
 * or the pod's service account in a cluster; never a kubeconfig the script
 * was not pointed at), and the few calls libdeploy makes: read, server-side
 * apply (field manager `sled`, optionally `dryRun=All`), list by label, delete.
 */
import { existsSync } from 'fs';
import type { KubernetesObjectApi } from '@kubernetes/client-node';
import { FIELD_MANAGER } from './labels.ts';
import type { KubernetesObject } from './kinds.ts';

type Obj = Record<string, any>;

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Where the cluster's configuration comes from. */
export type ClusterSource =
  | { kind: 'none'; reason: string }
  | { kind: 'broken'; reason: string }
  | { kind: 'kubeconfig'; files: string[] }
  | { kind: 'in-cluster' };

/**
 * The cluster a deploy script talks to: `KUBECONFIG` when set, else the
 * pod's service account when running in a cluster, else none. A kubeconfig
 * in the home folder is not used unless `KUBECONFIG` names it: a deploy on a
 * laptop never reaches whatever cluster happens to be current there.
 */
export function clusterSource(
  env: Record<string, string | undefined>,
  serviceAccountDir = SERVICE_ACCOUNT,
): ClusterSource {
  if (env.KUBECONFIG?.trim()) {
    const files = env.KUBECONFIG.split(':').filter(Boolean);
    const missing = files.filter(f => !existsSync(f));
    if (missing.length) {
      return {
        kind: 'broken',
        reason: `KUBECONFIG names ${missing.join(', ')}, which ${
          missing.length === 1 ? 'does' : 'do'
        } not exist`,
      };
    }
    return { kind: 'kubeconfig', files };
  }
  if (env.KUBERNETES_SERVICE_HOST) {
    if (!existsSync(`${serviceAccountDir}/token`)) {
      return {
        kind: 'broken',
        reason: `Running in a Kubernetes pod (KUBERNETES_SERVICE_HOST is set) without a service account token (${serviceAccountDir}/token): give the deploy Job a service account whose token is mounted (deploy/deployer/README.md)`,
      };
    }
    return { kind: 'in-cluster' };
  }
  return {
    kind: 'none',
    reason:
      'No Kubernetes cluster configured (no KUBECONFIG, not in a cluster)',
  };
}

/** A failed API call: the status code and the Status body's message and causes. */
export class ApiError extends Error {
  readonly code: number;
  readonly causes: Array<{ field?: string; message?: string; reason?: string }>;

  constructor(code: number, message: string, causes: ApiError['causes'] = []) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.causes = causes;
  }
}

function toApiError(error: unknown, what: string): Error {
  const e = error as { code?: unknown; body?: unknown; message?: string };
  if (typeof e?.code === 'number') {
    let body: Obj | undefined;
    if (typeof e.body === 'string') {
      try {
        body = JSON.parse(e.body);
      } catch {
        body = { message: e.body };
      }
    } else if (e.body && typeof e.body === 'object') {
      body = e.body as Obj;
    }
    return new ApiError(
      e.code,
      `${what}: ${body?.message ?? `HTTP ${e.code}`}`,
      body?.details?.causes ?? [],
    );
  }
  return new Error(`${what}: ${e?.message ?? String(error)}`);
}

type Client = typeof import('@kubernetes/client-node');

/**
 * @kubernetes/client-node, loaded only when a cluster is configured: it takes
 * a second or two to load, which a dry run on a laptop does without. As an ES
 * module (Node running deploy.ts) through import(); in CommonJS (the built
 * package, jest) through require, which loads it as well.
 */
async function loadClient(): Promise<Client> {
  if (typeof require === 'function') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@kubernetes/client-node');
  }
  return import('@kubernetes/client-node');
}

/** Data, not client-node's model instances (dates as text, as the API sends them). */
function plain<T>(value: T): Obj {
  return JSON.parse(JSON.stringify(value));
}

async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no answer within ${ms / 1000} s`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A connected cluster. */
export class Cluster {
  readonly server: string;
  readonly namespace: string;
  private readonly api: KubernetesObjectApi;
  private readonly timeoutMs: number;
  private readonly serverSideApply: string;

  private constructor(options: {
    api: KubernetesObjectApi;
    server: string;
    namespace: string;
    timeoutMs: number;
    serverSideApply: string;
  }) {
    this.api = options.api;
    this.server = options.server;
    this.namespace = options.namespace;
    this.timeoutMs = options.timeoutMs;
    this.serverSideApply = options.serverSideApply;
  }

  /** Loads the configuration and checks the API server answers (`/version`). */
  static async connect(
    source: Extract<ClusterSource, { kind: 'kubeconfig' | 'in-cluster' }>,
    options: { namespace?: string; timeoutMs: number },
  ): Promise<{ cluster: Cluster; version: string }> {
    const k8s = await loadClient();
    const kc = new k8s.KubeConfig();
    if (source.kind === 'kubeconfig') {
      kc.loadFromFile(source.files[0]);
      for (const file of source.files.slice(1)) {
        const more = new k8s.KubeConfig();
        more.loadFromFile(file);
        kc.mergeConfig(more, true);
      }
    } else {
      kc.loadFromCluster();
    }
    const current = kc.getCurrentCluster();
    if (!current) {
      throw new Error(
        'The Kubernetes configuration names no current cluster (current-context)',
      );
    }
    const contextNamespace = kc.getContextObject(
      kc.getCurrentContext(),
    )?.namespace;
    const namespace = options.namespace ?? contextNamespace ?? 'default';
    const versionApi = kc.makeApiClient(k8s.VersionApi);
    let version: string;
    try {
      const info = await withTimeout(
        versionApi.getCode(),
        options.timeoutMs,
        `GET ${current.server}/version`,
      );
      version = info.gitVersion;
    } catch (error) {
      throw toApiError(error, `Cannot reach ${current.server}`);
    }
    const api = k8s.KubernetesObjectApi.makeApiClient(kc);
    return {
      cluster: new Cluster({
        api,
        server: current.server,
        namespace,
        timeoutMs: options.timeoutMs,
        serverSideApply: k8s.PatchStrategy.ServerSideApply,
      }),
      version,
    };
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(run(), this.timeoutMs, what);
    } catch (error) {
      throw toApiError(error, what);
    }
  }

  /** The object as it runs, or undefined when there is none. */
  async read(obj: KubernetesObject): Promise<Obj | undefined> {
    try {
      return plain(
        await this.call(`GET ${obj.kind}/${obj.metadata?.name}`, () =>
          this.api.read({
            apiVersion: obj.apiVersion,
            kind: obj.kind,
            metadata: {
              name: obj.metadata?.name ?? '',
              namespace: obj.metadata?.namespace,
            },
          }),
        ),
      );
    } catch (error) {
      if (error instanceof ApiError && error.code === 404) return undefined;
      throw error;
    }
  }

  /** Server-side apply as field manager `sled` (taking over fields others changed by hand). */
  async apply(
    obj: KubernetesObject,
    options: { dryRun: boolean },
  ): Promise<Obj> {
    return plain(
      await this.call(
        `${options.dryRun ? 'server-side dry run of' : 'apply'} ${obj.kind}/${
          obj.metadata?.name
        }`,
        () =>
          this.api.patch(
            structuredClone(obj) as any,
            undefined,
            options.dryRun ? 'All' : undefined,
            FIELD_MANAGER,
            true,
            this.serverSideApply as any,
          ),
      ),
    );
  }

  async list(
    apiVersion: string,
    kind: string,
    namespace: string,
    selectors: { labelSelector?: string; fieldSelector?: string },
  ): Promise<Obj[]> {
    const list = await this.call(
      `list ${kind} in ${namespace}`,
      () =>
        this.api.list(
          apiVersion,
          kind,
          namespace,
          undefined,
          undefined,
          undefined,
          selectors.fieldSelector,
          selectors.labelSelector,
        ) as Promise<unknown>,
    );
    return ((plain(list).items ?? []) as Obj[]).map(item => ({
      // list items carry no apiVersion and kind
      apiVersion,
      kind,
      ...item,
    }));
  }

  async delete(obj: KubernetesObject): Promise<void> {
    try {
      await this.call(`delete ${obj.kind}/${obj.metadata?.name}`, () =>
        this.api.delete(
          {
            apiVersion: obj.apiVersion,
            kind: obj.kind,
            metadata: {
              name: obj.metadata?.name ?? '',
              namespace: obj.metadata?.namespace,
            },
          },
          undefined,
          undefined,
          undefined,
          undefined,
          'Background',
        ),
      );
    } catch (error) {
      if (error instanceof ApiError && error.code === 404) return;
      throw error;
    }
  }
}
