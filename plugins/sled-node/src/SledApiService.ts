import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import {
  ArtifactListQuery,
  CreateDeployRequest,
  CreateReleaseRequest,
  CreateRollbackRequest,
  createSledApiClient,
  DeployListQuery,
  SledApiClient,
} from '@internal/plugin-sled-common';
import { SledRequestOptions, SledService } from './SledService';

/**
 * The {@link SledService} over HTTP: the generated client of SLeD's OpenAPI
 * document, at the URL discovery gives, with a plugin request token on
 * behalf of the caller's credentials.
 *
 * @public
 */
export class SledApiService implements SledService {
  private readonly client: SledApiClient;

  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
    },
  ) {
    this.client = createSledApiClient({ fetch: request => fetch(request) });
  }

  async listEnvironments(options: SledRequestOptions) {
    const { data } = await this.client.GET('/environments', {
      ...(await this.call(options)),
    });
    return data!;
  }

  async listDeploys(query: DeployListQuery, options: SledRequestOptions) {
    const { data } = await this.client.GET('/deploys', {
      ...(await this.call(options)),
      params: {
        query: {
          ...query,
          status: query.status?.join(','),
        },
      },
    });
    return data!;
  }

  async getDeploy(id: string, options: SledRequestOptions) {
    return this.orUndefined(async () => {
      const { data } = await this.client.GET('/deploys/{id}', {
        ...(await this.call(options)),
        params: { path: { id } },
      });
      return data!;
    });
  }

  async getDeployLogs(id: string, options: SledRequestOptions) {
    const { data } = await this.client.GET('/deploys/{id}/logs', {
      ...(await this.call(options)),
      params: { path: { id } },
      parseAs: 'text',
    });
    return data ?? '';
  }

  async getArtifact(id: string, options: SledRequestOptions) {
    return this.orUndefined(async () => {
      const { data } = await this.client.GET('/artifacts/{id}', {
        ...(await this.call(options)),
        params: { path: { id } },
      });
      return data!;
    });
  }

  async createDeploy(
    request: CreateDeployRequest,
    options: SledRequestOptions & { idempotencyKey?: string },
  ) {
    const { data } = await this.client.POST('/deploys', {
      ...(await this.call(options)),
      params: {
        header: options.idempotencyKey
          ? { 'Idempotency-Key': options.idempotencyKey }
          : {},
      },
      body: request,
    });
    return data!;
  }

  async *followDeployLogs(
    id: string,
    options: SledRequestOptions & { signal?: AbortSignal },
  ): AsyncGenerator<string> {
    const { data } = await this.client.GET('/deploys/{id}/logs', {
      ...(await this.call(options)),
      params: { path: { id }, query: { follow: 'true' } },
      parseAs: 'stream',
      signal: options.signal,
    });
    if (!data) return;
    const decoder = new TextDecoder();
    const reader = data.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const text = decoder.decode(value, { stream: true });
        if (text) yield text;
      }
      const rest = decoder.decode();
      if (rest) yield rest;
    } finally {
      reader.releaseLock();
    }
  }

  async listArtifacts(query: ArtifactListQuery, options: SledRequestOptions) {
    const { data } = await this.client.GET('/artifacts', {
      ...(await this.call(options)),
      params: { query },
    });
    return data!;
  }

  async getServiceState(entityRef: string, options: SledRequestOptions) {
    const { data } = await this.client.GET('/state', {
      ...(await this.call(options)),
      params: { query: { entityRef } },
    });
    return data!;
  }

  async createRollback(
    request: CreateRollbackRequest,
    options: SledRequestOptions,
  ) {
    const { data } = await this.client.POST('/rollbacks', {
      ...(await this.call(options)),
      body: request,
    });
    return data!;
  }

  async createRelease(
    request: CreateReleaseRequest,
    options: SledRequestOptions,
  ) {
    const { data } = await this.client.POST('/releases', {
      ...(await this.call(options)),
      body: request,
    });
    return data!;
  }

  async getRelease(id: string, options: SledRequestOptions) {
    return this.orUndefined(async () => {
      const { data } = await this.client.GET('/releases/{id}', {
        ...(await this.call(options)),
        params: { path: { id } },
      });
      return data!;
    });
  }

  private async call(options: SledRequestOptions) {
    const [baseUrl, { token }] = await Promise.all([
      this.options.discovery.getBaseUrl('sled'),
      this.options.auth.getPluginRequestToken({
        onBehalfOf: options.credentials,
        targetPluginId: 'sled',
      }),
    ]);
    return { baseUrl, headers: { Authorization: `Bearer ${token}` } };
  }

  private async orUndefined<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      if ((error as Error).name === 'ResponseError') {
        const status = (error as { response?: Response }).response?.status;
        if (status === 404) return undefined;
      }
      throw error;
    }
  }
}
