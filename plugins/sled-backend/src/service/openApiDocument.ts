import { Request } from 'express';
import { spec } from '../schema/openapi.generated';

/** Where a Backstage plugin serves its OpenAPI document (`getOpenApiSpecRoute`). */
export const OPENAPI_DOCUMENT_PATH = '/openapi.json';

/**
 * The OpenAPI document as Backstage plugins serve it at `/openapi.json`
 * (`@backstage/backend-openapi-utils`): every path under the route the
 * plugin is mounted at, so that documents of several plugins can be merged.
 */
export function openApiDocument(req: Request) {
  const mountPath = req.baseUrl;
  return {
    ...spec,
    paths: Object.fromEntries(
      Object.entries(spec.paths).map(([p, item]) => [`${mountPath}${p}`, item]),
    ),
  };
}
