import {
  ApiRouter,
  createValidatedOpenApiRouter,
} from '@backstage/backend-openapi-utils';
import { InputError } from '@backstage/errors';
import express, { ErrorRequestHandler, RequestHandler } from 'express';
import { spec } from '../schema/openapi.generated';
import { openApiDocument, OPENAPI_DOCUMENT_PATH } from './openApiDocument';
import { inputErrorOf, isOpenApiValidationError } from './validationError';

/** The router of the SLeD REST API, typed from `openapi.yaml`. */
export type SledApiRouter = ApiRouter<typeof spec>;

/** Largest JSON body accepted (413 above). */
const BODY_LIMIT = '1mb';

/**
 * A POST body that is not JSON is not read, as the API has always done:
 * it counts as an empty JSON object, so that a body sent as `text/plain`
 * gets the 400 naming the fields it lacks, and the optional body of
 * `POST /releases/{id}/rollback` may be left out (the validator would
 * refuse the missing media type).
 */
const unreadBodyIsEmptyObject: RequestHandler = (req, _res, next) => {
  if (req.method === 'POST' && !req.is('application/json')) {
    req.headers['content-type'] = 'application/json';
    req.body = {};
  }
  next();
};

/**
 * Backstage's validated router turns every error after its validator into
 * an `InputError` of the validator's message, which names neither an
 * unknown property nor what a pattern means, and makes a 413 a 400. This
 * takes its place: the validator's refusals become the API's own 400
 * (`Invalid body: field: message`, also for a body that is not JSON), and
 * the body parser's 413 stays a 413.
 */
const validationErrors: ErrorRequestHandler = (error, req, _res, next) => {
  if (isOpenApiValidationError(error) && error.status === 400) {
    next(inputErrorOf(error, (req as { openapi?: any }).openapi?.schema));
    return;
  }
  if (error?.type === 'entity.parse.failed') {
    // body-parser: not JSON, or JSON but not an object or array
    next(
      new InputError(
        `Invalid body: body: must be a JSON object (${error.message})`,
      ),
    );
    return;
  }
  next(error);
};

/**
 * express-openapi-validator coerces a query value such as `Infinity` (or
 * 400 digits) to a number and lets it past an integer's `maximum`; no
 * integer of the spec is infinite.
 */
const finiteQueryNumbers: RequestHandler = (req, _res, next) => {
  for (const [key, value] of Object.entries(req.query)) {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      next(new InputError(`Invalid query: ${key}: must be a finite number`));
      return;
    }
  }
  next();
};

/**
 * The validated OpenAPI router of `@backstage/backend-openapi-utils` for
 * the SLeD spec: every documented route's path, query, headers and body are
 * checked against `openapi.yaml` before a handler runs, and the handlers
 * are typed from it. It serves the spec at `/openapi.json` (behind the
 * plugin's default auth policy, as Backstage plugins do).
 */
export function createSledApiRouter(): SledApiRouter {
  const router = createValidatedOpenApiRouter(spec, {
    validatorOptions: {
      // who is calling is the httpAuth service's to decide, per route
      validateSecurity: false,
    },
    middleware: [express.json({ limit: BODY_LIMIT }), unreadBodyIsEmptyObject],
  });
  const errorLayers = router.stack.filter(layer => layer.handle.length === 4);
  if (errorLayers.length !== 1) {
    throw new Error(
      `expected one error transformer in the validated OpenAPI router, found ${errorLayers.length}`,
    );
  }
  (errorLayers[0] as unknown as { handle: ErrorRequestHandler }).handle =
    validationErrors;
  router.use(finiteQueryNumbers);
  // Backstage's own /openapi.json merges the document through openapi-merge,
  // which labels it 3.0.3: this one serves it as it is, OpenAPI 3.1
  const specRoute = router.stack.findIndex(
    layer => layer.route?.path === OPENAPI_DOCUMENT_PATH,
  );
  if (specRoute < 0) throw new Error('the validated router serves no spec');
  router.stack.splice(specRoute, 1);
  router.get(OPENAPI_DOCUMENT_PATH, (req, res) => {
    res.json(openApiDocument(req));
  });
  return router;
}
