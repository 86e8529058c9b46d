import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  AnonymousStrategy,
  AwsIamStrategy,
  AzureIdentityStrategy,
  GoogleServiceAccountStrategy,
  ServiceAccountStrategy,
} from '@backstage/plugin-kubernetes-backend';
import {
  ANNOTATION_KUBERNETES_AUTH_PROVIDER,
  ANNOTATION_KUBERNETES_AWS_ASSUME_ROLE,
  ANNOTATION_KUBERNETES_AWS_EXTERNAL_ID,
} from '@backstage/plugin-kubernetes-common';
import {
  AuthenticationStrategy,
  ClusterDetails,
} from '@backstage/plugin-kubernetes-node';
import { createHash } from 'crypto';
import fs from 'fs';
import https from 'https';
import {
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  Log,
  RequestContext,
  ResponseContext,
  ServerConfiguration,
  Watch,
  createConfiguration,
} from '@kubernetes/client-node';

/**
 * Auth providers that need a signed-in user's token: SLeD deploys run in the
 * background, with nobody's browser session, so these are refused.
 */
const USER_TOKEN_PROVIDERS = ['google', 'oidc', 'aks'];

/** The clients for one cluster, built with credentials fetched just now. */
export interface ClusterClients {
  cluster: string;
  kubeConfig: KubeConfig;
  batch: BatchV1Api;
  core: CoreV1Api;
  watch: Watch;
  log: Log;
}

/**
 * A KubeConfig whose watch and log requests (`Watch`, `Log`) also use the
 * pooled agent: the library otherwise makes a new agent, so a new TLS
 * connection, for each of them.
 */
class PooledKubeConfig extends KubeConfig {
  constructor(private readonly pooledAgent?: https.Agent) {
    super();
  }

  async applyToFetchOptions(opts: https.RequestOptions) {
    const init = await super.applyToFetchOptions(opts);
    return this.pooledAgent ? { ...init, agent: this.pooledAgent } : init;
  }
}

/**
 * Reads the clusters of `kubernetes.clusterLocatorMethods` of type `config`
 * (as the kubernetes plugin's ConfigClusterLocator does: SLeD keeps no copy of
 * cluster credentials) and builds clients with the kubernetes plugin's auth
 * strategies.
 */
export class KubernetesClusters {
  private constructor(
    private readonly clusters: Map<string, ClusterDetails>,
    private readonly strategies: Map<string, AuthenticationStrategy>,
    private readonly requestTimeoutMs: number,
  ) {}

  /**
   * Keep-alive agents per cluster (and client certificate). The client
   * library makes a new agent, so a new TLS connection, for every request;
   * reusing one keeps Job creation fast. Credentials travel in headers (or
   * key the agent), so they are still fetched fresh for every client.
   *
   * No `maxSockets`: with a cap, requests queue in the agent and Node hands a
   * freed socket to the next one while node-fetch (inside the client library)
   * still checks the finished chunked response, which it then wrongly fails
   * with "Premature close" (node-fetch/node-fetch#1767). Concurrency is
   * bounded above this instead: by the deploy queue (one deploy per target)
   * and by `sled.releases.parallelism`.
   */
  private readonly agents = new Map<string, https.Agent>();

  private agentFor(
    details: ClusterDetails,
    cert?: string,
    key?: string,
  ): https.Agent {
    const id = `${details.name}\u0000${
      cert ? createHash('sha256').update(cert).digest('hex') : ''
    }`;
    let agent = this.agents.get(id);
    if (!agent) {
      agent = new https.Agent({
        keepAlive: true,
        ca: caOf(details),
        rejectUnauthorized: !details.skipTLSVerify,
        cert,
        key,
      });
      this.agents.set(id, agent);
    }
    return agent;
  }

  /** Closes pooled connections (backend shut-down). */
  close() {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  /**
   * Checks, at start-up, that each named cluster exists in the kubernetes
   * plugin's config with an auth provider that works without a user.
   */
  static fromConfig(options: {
    config: Config;
    logger: LoggerService;
    /** environment name → cluster name */
    required: Array<{ environment: string; cluster: string }>;
    requestTimeoutMs: number;
  }): KubernetesClusters {
    const { config, logger } = options;
    const serviceAccount = new ServiceAccountStrategy();
    // The strategy loads @kubernetes/client-node with a dynamic import() on
    // every call; hand it the copy already loaded (the same single version).
    // This also lets it run under Jest, which cannot dynamic-import ESM.
    (
      serviceAccount as unknown as { injectedKubernetesClient: unknown }
    ).injectedKubernetesClient = {
      KubeConfig,
    };
    const strategies = new Map<string, AuthenticationStrategy>([
      ['serviceAccount', serviceAccount],
      ['googleServiceAccount', new GoogleServiceAccountStrategy({ config })],
      ['aws', new AwsIamStrategy({ config })],
      ['azure', new AzureIdentityStrategy(logger)],
      ['localKubectlProxy', new AnonymousStrategy()],
    ]);
    const clusters = new Map<string, ClusterDetails>();
    const methods =
      config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
    for (const method of methods) {
      if (method.getString('type') !== 'config') continue;
      for (const c of method.getOptionalConfigArray('clusters') ?? []) {
        const name = c.getString('name');
        const authMetadataBlock =
          c.getOptional<Record<string, string>>('authMetadata');
        const authProvider =
          authMetadataBlock?.[ANNOTATION_KUBERNETES_AUTH_PROVIDER] ??
          c.getOptionalString('authProvider');
        const serviceAccountToken = c.getOptionalString('serviceAccountToken');
        const assumeRole = c.getOptionalString('assumeRole');
        const externalId = c.getOptionalString('externalId');
        clusters.set(name, {
          name,
          url: c.getString('url'),
          skipTLSVerify: c.getOptionalBoolean('skipTLSVerify') ?? false,
          caData: c.getOptionalString('caData'),
          caFile: c.getOptionalString('caFile'),
          authMetadata: {
            ...(authProvider && {
              [ANNOTATION_KUBERNETES_AUTH_PROVIDER]: authProvider,
            }),
            ...(serviceAccountToken && { serviceAccountToken }),
            ...(assumeRole && {
              [ANNOTATION_KUBERNETES_AWS_ASSUME_ROLE]: assumeRole,
            }),
            ...(externalId && {
              [ANNOTATION_KUBERNETES_AWS_EXTERNAL_ID]: externalId,
            }),
            ...authMetadataBlock,
          },
        });
      }
    }
    for (const { environment, cluster } of options.required) {
      const details = clusters.get(cluster);
      const where = `sled.environments '${environment}' names cluster '${cluster}'`;
      if (!details) {
        throw new Error(
          `Invalid config: ${where}, which is not a cluster of kubernetes.clusterLocatorMethods (type 'config'); configured: ${
            [...clusters.keys()].join(', ') || 'none'
          }`,
        );
      }
      const provider =
        details.authMetadata[ANNOTATION_KUBERNETES_AUTH_PROVIDER];
      if (provider && USER_TOKEN_PROVIDERS.includes(provider)) {
        throw new Error(
          `Invalid config: ${where}, whose authProvider '${provider}' needs a signed-in user's token; deploys run in the background without one. Use serviceAccount, googleServiceAccount, aws or azure for this cluster.`,
        );
      }
      if (!provider || !strategies.has(provider)) {
        throw new Error(
          `Invalid config: ${where}, whose authProvider '${
            provider ?? '(none)'
          }' is not supported for deploys; use one of ${[
            ...strategies.keys(),
          ].join(', ')}`,
        );
      }
    }
    return new KubernetesClusters(
      clusters,
      strategies,
      options.requestTimeoutMs,
    );
  }

  /** Clients for a cluster, with credentials fetched fresh. */
  async clients(clusterName: string): Promise<ClusterClients> {
    const details = this.clusters.get(clusterName);
    if (!details)
      throw new Error(`Unknown Kubernetes cluster '${clusterName}'`);
    const provider = details.authMetadata[ANNOTATION_KUBERNETES_AUTH_PROVIDER];
    const strategy = this.strategies.get(provider)!;
    const credential = await strategy.getCredential(details, {});
    const agent = details.url.startsWith('https:')
      ? this.agentFor(
          details,
          credential.type === 'x509 client certificate'
            ? credential.cert
            : undefined,
          credential.type === 'x509 client certificate'
            ? credential.key
            : undefined,
        )
      : undefined;
    const kubeConfig = new PooledKubeConfig(agent);
    const user: Record<string, string> = { name: 'sled' };
    if (credential.type === 'bearer token') user.token = credential.token;
    if (credential.type === 'x509 client certificate') {
      user.certData = credential.cert;
      user.keyData = credential.key;
    }
    kubeConfig.loadFromOptions({
      clusters: [
        {
          name: details.name,
          server: details.url,
          caData: details.caData,
          caFile: details.caFile,
          skipTLSVerify: details.skipTLSVerify,
        },
      ],
      users: [user],
      contexts: [{ name: 'sled', cluster: details.name, user: 'sled' }],
      currentContext: 'sled',
    });
    const timeoutMs = this.requestTimeoutMs;
    const timeout = {
      async pre(context: RequestContext) {
        context.setSignal(AbortSignal.timeout(timeoutMs));
        if (agent) context.setAgent(agent);
        return context;
      },
      async post(context: ResponseContext) {
        return context;
      },
    };
    const configuration = createConfiguration({
      baseServer: new ServerConfiguration(details.url, {}),
      authMethods: { default: kubeConfig },
      promiseMiddleware: [timeout],
    });
    return {
      cluster: clusterName,
      kubeConfig,
      batch: new BatchV1Api(configuration),
      core: new CoreV1Api(configuration),
      watch: new Watch(kubeConfig),
      log: new Log(kubeConfig),
    };
  }
}

function caOf(details: ClusterDetails): Buffer | undefined {
  if (details.caData) return Buffer.from(details.caData, 'base64');
  if (details.caFile) return fs.readFileSync(details.caFile);
  return undefined;
}
