import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import {
  CreateDeployRequest,
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
