/* eslint-disable new-cap -- openapi-fetch names its methods after HTTP verbs (client.GET) */
import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import {
  ApprovalDecisionRequest,
  ApprovalList,
  Artifact,
  ArtifactChanges,
  ArtifactChangesQuery,
  ArtifactListQuery,
  createSledApiClient,
  CreateDeployRequest,
  CreateLockRequest,
  CreateReleaseRequest,
  CreateRollbackRequest,
  Deploy,
  DeployListQuery,
  DeploymentMatrix,
  DeploymentMatrixQuery,
  DoraMetrics,
  DoraMetricsQuery,
  Environment,
  GateReport,
  Lock,
  Page,
  Release,
  ServiceState,
  SledApiClient,
} from '@internal/plugin-sled-common';
import { SledApi } from './SledApi';

/** The data of a call that resolved: the client rejects every answer that is not 2xx. */
async function dataOf<T>(call: Promise<{ data?: T }>): Promise<T> {
  return (await call).data as T;
}

/**
 * Talks to the sled backend over HTTP.
 *
 * @public
 */
export class SledClient implements SledApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly client: SledApiClient;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.client = createSledApiClient({
      // the fetch API's middlewares build a Request of their own from what
      // they are given: hand them a URL and an init, never a Request whose
      // body one of them would use up ("already been used" in the browser)
      fetch: async request => {
        const body =
          request.method === 'GET' || request.method === 'HEAD'
            ? undefined
            : await request.text();
        return options.fetchApi.fetch(request.url, {
          method: request.method,
          headers: request.headers,
          body: body || undefined,
          signal: request.signal,
        });
      },
    });
  }

  private baseUrl(): Promise<string> {
    return this.discoveryApi.getBaseUrl('sled');
  }

  async listArtifacts(query: ArtifactListQuery): Promise<Page<Artifact>> {
    return dataOf(
      this.client.GET('/artifacts', {
        baseUrl: await this.baseUrl(),
        params: { query: withoutEmpty(query) },
      }),
    );
  }

  async getArtifact(id: string): Promise<Artifact> {
    return dataOf(
      this.client.GET('/artifacts/{id}', {
        baseUrl: await this.baseUrl(),
        params: { path: { id } },
      }),
    );
  }

  async getArtifactChanges(
    id: string,
    query: ArtifactChangesQuery,
  ): Promise<ArtifactChanges> {
    return dataOf(
      this.client.GET('/artifacts/{id}/changes', {
        baseUrl: await this.baseUrl(),
        params: { path: { id }, query },
      }),
    );
  }

  async listEnvironments(): Promise<Environment[]> {
    return dataOf(
      this.client.GET('/environments', { baseUrl: await this.baseUrl() }),
    );
  }

  async createDeploy(request: CreateDeployRequest): Promise<Deploy> {
    return dataOf(
      this.client.POST('/deploys', {
        baseUrl: await this.baseUrl(),
        body: request,
      }),
    );
  }

  async getDoraMetrics(query: DoraMetricsQuery): Promise<DoraMetrics> {
    return dataOf(
      this.client.GET('/metrics/dora', {
        baseUrl: await this.baseUrl(),
        params: { query: withoutEmpty(query) },
      }),
    );
  }

  async getGates(query: {
    entityRef: string;
    environment: string;
    artifactId: string;
  }): Promise<GateReport> {
    return dataOf(
      this.client.GET('/gates', {
        baseUrl: await this.baseUrl(),
        params: { query },
      }),
    );
  }

  async listDeployApprovals(id: string): Promise<ApprovalList> {
    return dataOf(
      this.client.GET('/deploys/{id}/approvals', {
        baseUrl: await this.baseUrl(),
        params: { path: { id } },
      }),
    );
  }

  async decideDeployApproval(
    id: string,
    request: ApprovalDecisionRequest,
  ): Promise<Deploy> {
    return dataOf(
      this.client.POST('/deploys/{id}/approvals', {
        baseUrl: await this.baseUrl(),
        params: { path: { id } },
        body: request,
      }),
    );
  }

  async listReleaseApprovals(id: string): Promise<ApprovalList> {
    return dataOf(
      this.client.GET('/releases/{id}/approvals', {
        baseUrl: await this.baseUrl(),
        params: { path: { id } },
      }),
    );
  }

  async decideReleaseApproval(
    id: string,
    request: ApprovalDecisionRequest,
  ): Promise<Release> {
    return dataOf(
      this.client.POST('/releases/{id}/approvals', {
        baseUrl: await this.baseUrl(),
        params: { path: { id } },
        body: request,
      }),
    );
  }

  async listDeploys(query: DeployListQuery): Promise<Page<Deploy>> {
    const { status, ...rest } = query;
    return dataOf(
      this.client.GET('/deploys', {
        baseUrl: await this.baseUrl(),
        params: {
          query: withoutEmpty({
            ...rest,
            status: status?.length ? status.join(',') : undefined,
          }),
        },
      }),
    );
  }

  async getDeploy(id: string): Promise<Deploy> {
    return dataOf(
      this.client.GET('/deploys/{id}', {
        baseUrl: await this.baseUrl(),
        params: { path: { id } },
      }),
    );
  }

  async getDeployLogs(id: string): Promise<string> {
    return dataOf(
      this.client.GET('/deploys/{id}/logs', {
        baseUrl: await this.baseUrl(),
        params: { path: { id } },
        parseAs: 'text',
      }),
    );
  }

  async followDeployLogs(
    id: string,
    onChunk: (text: string) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const { data: body, response } = await this.client.GET(
      '/deploys/{id}/logs',
      {
        baseUrl: await this.baseUrl(),
        params: { path: { id }, query: { follow: 'true' } },
        parseAs: 'stream',
        signal,
      },
    );
    if (!body) {
      // No streaming support in this environment: deliver what we have.
      onChunk(await response.text());
      return;
    }
    const reader = body.getReader();
    const decoder = new TextDecoder();
    // Not every fetch implementation errors a body that is being read when
    // the request is aborted; cancelling the reader ends the read loop.
    const onAbort = () => {
      reader.cancel().catch(() => {});
    };
    signal?.addEventListener('abort', onAbort);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          break;
        }
        const text = decoder.decode(value, { stream: true });
        if (text) {
          onChunk(text);
        }
      }
      signal?.throwIfAborted();
      const rest = decoder.decode();
      if (rest) {
        onChunk(rest);
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      reader.releaseLock();
    }
  }

  async cancelDeploy(id: string): Promise<Deploy> {
    return dataOf(
      this.client.POST('/deploys/{id}/cancel', {
        baseUrl: await this.baseUrl(),
        params: { path: { id } },
      }),
    );
  }

  async createRollback(request: CreateRollbackRequest): Promise<Deploy> {
    return dataOf(
      this.client.POST('/rollbacks', {
        baseUrl: await this.baseUrl(),
        body: request,
      }),
    );
  }

  async getServiceState(entityRef: string): Promise<ServiceState> {
    return dataOf(
      this.client.GET('/state', {
        baseUrl: await this.baseUrl(),
        params: { query: { entityRef } },
      }),
    );
  }

  async getDeployments(
    query: DeploymentMatrixQuery,
  ): Promise<DeploymentMatrix> {
    return dataOf(
      this.client.GET('/deployments', {
        baseUrl: await this.baseUrl(),
        params: { query: withoutEmpty(query) },
      }),
    );
  }

  async createLock(request: CreateLockRequest): Promise<Lock> {
    return dataOf(
      this.client.POST('/locks', {
        baseUrl: await this.baseUrl(),
        body: request,
      }),
    );
  }

  async listLocks(query: {
    environment?: string;
    entityRef?: string;
    deployGroup?: string;
  }): Promise<Lock[]> {
    return dataOf(
      this.client.GET('/locks', {
        baseUrl: await this.baseUrl(),
        params: { query: withoutEmpty(query) },
      }),
    );
  }

  async deleteLock(id: string): Promise<void> {
    await this.client.DELETE('/locks/{id}', {
      baseUrl: await this.baseUrl(),
      params: { path: { id } },
    });
  }

  async createRelease(request: CreateReleaseRequest): Promise<Release> {
    return dataOf(
      this.client.POST('/releases', {
        baseUrl: await this.baseUrl(),
        body: request,
      }),
    );
  }

  async listReleases(query: {
    deployGroup: string;
    limit?: number;
  }): Promise<Release[]> {
    const page = await dataOf(
      this.client.GET('/releases', {
        baseUrl: await this.baseUrl(),
        params: { query: withoutEmpty(query) },
      }),
    );
    return page.items;
  }

  async getRelease(id: string): Promise<Release> {
    return dataOf(
      this.client.GET('/releases/{id}', {
        baseUrl: await this.baseUrl(),
        params: { path: { id } },
      }),
    );
  }

  async cancelRelease(id: string): Promise<Release> {
    return dataOf(
      this.client.POST('/releases/{id}/cancel', {
        baseUrl: await this.baseUrl(),
        params: { path: { id } },
      }),
    );
  }

  async rollbackRelease(id: string, reason?: string): Promise<Release> {
    return dataOf(
      this.client.POST('/releases/{id}/rollback', {
        baseUrl: await this.baseUrl(),
        params: { path: { id } },
        body: reason ? { reason } : {},
      }),
    );
  }
}

/** The query without its unset and empty values, which the API would refuse. */
function withoutEmpty<T extends object>(query: T): T {
  return Object.fromEntries(
    Object.entries(query).filter(([, v]) => v !== undefined && v !== ''),
  ) as T;
}
