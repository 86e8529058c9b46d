import { ResponseError } from '@backstage/errors';
import createClient, { Client, Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './generated/openapi';

/**
 * The SLeD REST API as generated from plugins/sled-backend/openapi.yaml:
 * every path with its parameters, bodies and answers.
 *
 * @public
 */
export type SledApiPaths = paths;
/** @public */
export type SledApiComponents = components;
/** @public */
export type SledApiOperations = operations;

/**
 * A client of the SLeD REST API typed by its OpenAPI document
 * (`openapi-fetch`): `client.GET('/deploys/{id}', { params: { path: { id } } })`.
 * An answer that is not 2xx rejects with a `ResponseError` carrying
 * Backstage's error body, so `data` is always there when the call resolves
 * (but for a 204).
 *
 * @public
 */
export type SledApiClient = Client<paths>;

const throwResponseErrors: Middleware = {
  async onResponse({ response }) {
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return undefined;
  },
};

/**
 * Creates a typed client of the SLeD REST API, for the browser (with the
 * fetch of Backstage's `fetchApiRef`) or for Node (a backend caller such as a
 * collator, with the global fetch and a plugin request token).
 *
 * @param options - `baseUrl`: the plugin's base URL (`discovery.getBaseUrl('sled')`),
 *   also settable per call; `fetch`: the fetch to send requests with.
 * @public
 */
export function createSledApiClient(
  options: {
    baseUrl?: string;
    fetch?: (request: Request) => Promise<Response>;
  } = {},
): SledApiClient {
  const client = createClient<paths>(options);
  client.use(throwResponseErrors);
  return client;
}
