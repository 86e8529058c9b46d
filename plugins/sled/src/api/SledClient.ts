import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  Artifact,
  ArtifactListQuery,
  CreateDeployRequest,
  CreateLockRequest,
  CreateReleaseRequest,
  CreateRollbackRequest,
  Deploy,
  DeployListQuery,
  Environment,
  Lock,
  Page,
  Release,
  ServiceState,
} from '@internal/plugin-sled-common';
import { SledApi } from './SledApi';

type QueryValue = string | number | undefined;

/**
 * Talks to the sled backend over HTTP.
 *
 * @public
 */
export class SledClient implements SledApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  listArtifacts(query: ArtifactListQuery): Promise<Page<Artifact>> {
    return this.getJson('/artifacts', {
      entityRef: query.entityRef,
      limit: query.limit,
      cursor: query.cursor,
    });
  }

  getArtifact(id: string): Promise<Artifact> {
    return this.getJson(`/artifacts/${encodeURIComponent(id)}`);
  }

  listEnvironments(): Promise<Environment[]> {
    return this.getJson('/environments');
  }

  createDeploy(request: CreateDeployRequest): Promise<Deploy> {
    return this.sendJson('POST', '/deploys', request);
  }

  listDeploys(query: DeployListQuery): Promise<Page<Deploy>> {
    return this.getJson('/deploys', {
      entityRef: query.entityRef,
      environment: query.environment,
      status: query.status?.length ? query.status.join(',') : undefined,
      limit: query.limit,
      cursor: query.cursor,
    });
  }

  getDeploy(id: string): Promise<Deploy> {
    return this.getJson(`/deploys/${encodeURIComponent(id)}`);
  }

  async getDeployLogs(id: string): Promise<string> {
    const response = await this.request(
      `/deploys/${encodeURIComponent(id)}/logs`,
    );
    return response.text();
  }

  async followDeployLogs(
    id: string,
    onChunk: (text: string) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const response = await this.request(
      `/deploys/${encodeURIComponent(id)}/logs`,
      { follow: 'true' },
      { signal },
    );
    if (!response.body) {
      // No streaming support in this environment: deliver what we have.
      onChunk(await response.text());
      return;
    }
    const reader = response.body.getReader();
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

  cancelDeploy(id: string): Promise<Deploy> {
    return this.sendJson('POST', `/deploys/${encodeURIComponent(id)}/cancel`);
  }

  createRollback(request: CreateRollbackRequest): Promise<Deploy> {
    return this.sendJson('POST', '/rollbacks', request);
  }

  getServiceState(entityRef: string): Promise<ServiceState> {
    return this.getJson('/state', { entityRef });
  }

  createLock(request: CreateLockRequest): Promise<Lock> {
    return this.sendJson('POST', '/locks', request);
  }

  listLocks(query: {
    environment?: string;
    entityRef?: string;
    deployGroup?: string;
  }): Promise<Lock[]> {
    return this.getJson('/locks', {
      environment: query.environment,
      entityRef: query.entityRef,
      deployGroup: query.deployGroup,
    });
  }

  async deleteLock(id: string): Promise<void> {
    await this.request(`/locks/${encodeURIComponent(id)}`, undefined, {
      method: 'DELETE',
    });
  }

  createRelease(request: CreateReleaseRequest): Promise<Release> {
    return this.sendJson('POST', '/releases', request);
  }

  async listReleases(query: {
    deployGroup: string;
    limit?: number;
  }): Promise<Release[]> {
    const page = await this.getJson<{ items: Release[] }>('/releases', {
      deployGroup: query.deployGroup,
      limit: query.limit,
    });
    return page.items;
  }

  getRelease(id: string): Promise<Release> {
    return this.getJson(`/releases/${encodeURIComponent(id)}`);
  }

  cancelRelease(id: string): Promise<Release> {
    return this.sendJson('POST', `/releases/${encodeURIComponent(id)}/cancel`);
  }

  rollbackRelease(id: string, reason?: string): Promise<Release> {
    return this.sendJson(
      'POST',
      `/releases/${encodeURIComponent(id)}/rollback`,
      reason ? { reason } : {},
    );
  }

  private async getJson<T>(
    path: string,
    query?: Record<string, QueryValue>,
  ): Promise<T> {
    const response = await this.request(path, query);
    return (await response.json()) as T;
  }

  private async sendJson<T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T> {
    const response = await this.request(path, undefined, {
      method,
      headers:
        body === undefined ? undefined : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await response.json()) as T;
  }

  private async request(
    path: string,
    query?: Record<string, QueryValue>,
    init?: RequestInit,
  ): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('sled');
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== '') {
        params.set(key, String(value));
      }
    }
    const search = params.toString();
    const url = `${baseUrl}${path}${search ? `?${search}` : ''}`;
    const response = await this.fetchApi.fetch(url, init);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }
}
