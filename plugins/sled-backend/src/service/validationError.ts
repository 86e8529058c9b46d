import { InputError } from '@backstage/errors';
import { spec } from '../schema/openapi.generated';

/** One finding of the OpenAPI validator (express-openapi-validator). */
export interface ValidationErrorItem {
  /** e.g. `/body/mergeRequest/url`, `/query/limit`, `/params/id` */
  path: string;
  message: string;
  /** e.g. `pattern.openapi.validation` */
  errorCode?: string;
}

/** What the validator throws: an HTTP error with its findings. */
export interface OpenApiValidationError {
  status: number;
  message: string;
  errors: ValidationErrorItem[];
}

export const isOpenApiValidationError = (
  error: unknown,
): error is OpenApiValidationError =>
  typeof (error as OpenApiValidationError)?.status === 'number' &&
  Array.isArray((error as OpenApiValidationError)?.errors);

type Schema = Record<string, any>;

/** The keywords whose refusal a schema may explain with `x-error-message`. */
const EXPLAINED = new Set([
  'pattern',
  'not',
  'additionalProperties',
  'propertyNames',
]);

const WHERE: Record<string, string> = {
  body: 'body',
  query: 'query',
  params: 'path',
  headers: 'header',
};

function resolve(schema: Schema | undefined): Schema | undefined {
  let current = schema;
  for (let hops = 0; current?.$ref && hops < 16; hops++) {
    const name = String(current.$ref).replace('#/components/schemas/', '');
    current = (spec.components.schemas as Record<string, Schema>)[name];
  }
  return current;
}

function parameterSchema(
  operation: Schema | undefined,
  location: string,
  name: string,
): Schema | undefined {
  const parameters: Schema[] = (operation?.parameters ?? []).map((p: Schema) =>
    p.$ref
      ? (spec.components.parameters as Record<string, Schema>)[
          String(p.$ref).replace('#/components/parameters/', '')
        ]
      : p,
  );
  const where = location === 'params' ? 'path' : location.replace(/s$/, '');
  return resolve(
    parameters.find(
      p => p.in === where && p.name.toLowerCase() === name.toLowerCase(),
    )?.schema,
  );
}

/** The schema of the value at `segments` under `schema` (properties, records, allOf). */
function schemaAt(
  schema: Schema | undefined,
  segments: string[],
): Schema | undefined {
  let current = resolve(schema);
  for (const segment of segments) {
    if (!current) return undefined;
    const own = current.properties?.[segment];
    const fromAllOf = (current.allOf ?? [])
      .map((s: Schema) => resolve(s)?.properties?.[segment])
      .find(Boolean);
    const byPattern = Object.entries(current.patternProperties ?? {}).find(
      ([pattern]) => new RegExp(pattern, 'u').test(segment),
    )?.[1];
    const record =
      typeof current.additionalProperties === 'object'
        ? current.additionalProperties
        : undefined;
    current = resolve(own ?? fromAllOf ?? byPattern ?? record);
  }
  return current;
}

/** A JSON pointer's segment as the key it names (`~1` is `/`, `~0` is `~`). */
const unescape = (segment: string) =>
  segment.replace(/~1/g, '/').replace(/~0/g, '~');

/**
 * The segments of the value a finding is about. The validator appends an
 * unknown or missing key to the pointer of its object without escaping it,
 * so that key is whatever follows the deepest object the spec describes.
 */
function segmentsOf(item: ValidationErrorItem, keyword: string, body?: Schema) {
  const raw = item.path.split('/').slice(2);
  if (keyword !== 'additionalProperties' && keyword !== 'required') {
    return raw.map(unescape);
  }
  let depth = 0;
  let schema = resolve(body);
  while (depth < raw.length - 1) {
    const next = schema?.properties?.[unescape(raw[depth])];
    if (!next) break;
    schema = resolve(next);
    depth++;
  }
  return [...raw.slice(0, depth).map(unescape), raw.slice(depth).join('/')];
}

function describe(item: ValidationErrorItem, operation?: Schema) {
  const location = item.path.split('/')[1] ?? '';
  const keyword = item.errorCode?.replace(/\.openapi\.validation$/, '') ?? '';
  const bodySchema =
    operation?.requestBody?.content?.['application/json']?.schema;
  const segments = segmentsOf(item, keyword, bodySchema);
  const where = WHERE[location] ?? 'request';
  const unknownQuery = /^Unknown query parameter '(.+)'$/.exec(item.message);
  if (unknownQuery) {
    const name = unknownQuery[1];
    return { where, field: name, message: `unknown field ${name}` };
  }
  if (location === 'body' || location === 'query' || location === 'params') {
    // the schema the refusal is about: for an unknown key, its object
    const about =
      keyword === 'additionalProperties' ? segments.slice(0, -1) : segments;
    const root =
      location === 'body'
        ? bodySchema
        : parameterSchema(operation, location, about[0] ?? '');
    const schema =
      location === 'body' ? schemaAt(root, about) : schemaAt(root, []);
    const explained =
      EXPLAINED.has(keyword) && schema?.['x-error-message']
        ? String(schema['x-error-message'])
        : undefined;
    const field = segments.join('.') || where;
    if (keyword === 'additionalProperties') {
      return {
        where,
        field,
        message: explained ?? `unknown field ${segments[segments.length - 1]}`,
      };
    }
    if (keyword === 'required') return { where, field, message: 'required' };
    return { where, field, message: explained ?? item.message };
  }
  if (location === 'headers') {
    // as the spec spells it (the validator sees it in lower case)
    const sent = segments.join('/');
    const name =
      (operation?.parameters ?? [])
        .map((p: Schema) => p.name as string)
        .find((n: string) => n?.toLowerCase() === sent.toLowerCase()) ?? sent;
    return { where: `header ${name}`, field: name, message: item.message };
  }
  return { where, field: where, message: item.message };
}

/**
 * The 400 of a request the OpenAPI validator refused, in the words the API
 * has always used: `Invalid <body|query|path|header>: <field>: <message>`,
 * with the schema's `x-error-message` where the spec explains a refusal
 * (a pattern, a forbidden property) better than the validator can.
 */
export function inputErrorOf(
  error: OpenApiValidationError,
  operation?: Schema,
): InputError {
  const item = error.errors[0] ?? { path: '', message: error.message };
  const { where, field, message } = describe(item, operation);
  return new InputError(`Invalid ${where}: ${field}: ${message}`);
}
