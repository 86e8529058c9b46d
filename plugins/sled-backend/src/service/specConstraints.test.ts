/**
 * openapi.yaml carries every constraint of the API's input, and the router
 * enforces it: generated requests (valid ones, and ones made invalid field
 * by field: wrong types, missing, blank, oversized, control characters,
 * bad ids, dates, URLs, enums and patterns, unknown keys) get the verdict
 * they were made for from the validated OpenAPI router of
 * `@backstage/backend-openapi-utils` that the backend uses: 200 for a valid
 * one, else a 400 whose message names the field. What only code can check
 * (a lock expiring in the future) is the handlers' (router.test.ts).
 */
/* eslint-disable jest/expect-expect */
import express, { ErrorRequestHandler } from 'express';
import fc from 'fast-check';
import request from 'supertest';
import {
  badIsoDate,
  badUrl,
  badUuid,
  FUZZ_RUNS,
  fuzzParameters,
  goodUrl,
  isoDate,
  longText,
  nonBoolean,
  nonObject,
  nonString,
  safeText,
  setAt,
  unknownKey,
  withControlChar,
} from '../__testUtils__/fuzz';
import { createSledApiRouter } from './SledApiRouter';

type Method = 'get' | 'post' | 'delete';

/** Every route with input (express form, with :id). */
const ROUTES: Array<{ method: Method; path: string }> = [
  { method: 'post', path: '/artifacts' },
  { method: 'get', path: '/artifacts' },
  { method: 'get', path: '/artifacts/:id' },
  { method: 'post', path: '/deploys' },
  { method: 'get', path: '/deploys' },
  { method: 'get', path: '/deploys/:id' },
  { method: 'get', path: '/deploys/:id/logs' },
  { method: 'post', path: '/deploys/:id/cancel' },
  { method: 'post', path: '/rollbacks' },
  { method: 'get', path: '/state' },
  { method: 'post', path: '/locks' },
  { method: 'get', path: '/locks' },
  { method: 'delete', path: '/locks/:id' },
  { method: 'post', path: '/releases' },
  { method: 'get', path: '/releases' },
  { method: 'get', path: '/releases/:id' },
  { method: 'post', path: '/releases/:id/cancel' },
  { method: 'post', path: '/releases/:id/rollback' },
];

/** InputError 400, the validator's and body-parser's errors their own status */
const errors: ErrorRequestHandler = (error, _req, res, _next) => {
  const status =
    error?.name === 'InputError' ? 400 : Number(error?.status) || 500;
  res.status(status).json({ message: String(error?.message) });
};

/** The backend's validated router, with handlers that accept what reaches them. */
function specApp() {
  const router = createSledApiRouter() as unknown as express.Router;
  for (const route of ROUTES) {
    router[route.method](route.path, (_req, res) => {
      res.json({ ok: true });
    });
  }
  const app = express();
  // under the spec's server URL, which the validator matches paths against
  app.use('/api/sled', router);
  app.use(errors);
  return app;
}

interface Sample {
  method: Method;
  path: string;
  query?: Array<[string, string]>;
  body?: unknown;
  headers?: Record<string, string>;
  what: string;
  /** what the 400 must name; none: the request is valid */
  names?: string;
}

const UUID = '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
/** keys that would reach an object's prototype: never member entity refs */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];
/** a UUID as the spec's Uuid pattern says (fc.uuid() makes only these) */
const UUID_PATTERN =
  /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/;

// ------------------------------------------------------------------- bodies

type Kind =
  | 'text'
  | 'reason'
  | 'lockReason'
  | 'url'
  | 'bool'
  | 'uuid'
  | 'iso'
  | 'version'
  | 'sha';
interface Field {
  path: string[];
  kind: Kind;
  max?: number;
  required?: boolean;
}

const validOf = (f: Field): fc.Arbitrary<unknown> => {
  switch (f.kind) {
    case 'text':
      return safeText(f.max!);
    case 'reason':
      return fc.oneof(
        safeText(f.max!, 0),
        fc.constantFrom('', 'line one\nline two\ttabbed'),
      );
    case 'lockReason':
      return fc.oneof(safeText(f.max!), fc.constant('line one\nline two'));
    case 'url':
      return goodUrl;
    case 'bool':
      return fc.boolean();
    case 'uuid':
      return fc.uuid();
    case 'iso':
      return isoDate(
        new Date('2100-01-01T00:00:00Z'),
        new Date('2200-01-01T00:00:00Z'),
      );
    case 'version':
      return fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/);
    case 'sha':
      return fc.stringMatching(/^[0-9a-f]{7,64}$/);
    default:
      throw new Error(f.kind);
  }
};

const invalidOf = (f: Field): fc.Arbitrary<unknown>[] => {
  const out: fc.Arbitrary<unknown>[] = [
    f.kind === 'bool' ? nonBoolean : nonString,
  ];
  if (f.kind === 'text' || f.kind === 'lockReason')
    out.push(fc.constantFrom('', ' ', '   '));
  if (f.max && f.kind !== 'url') out.push(longText(f.max + 1, f.max + 300));
  if (['text', 'reason', 'lockReason'].includes(f.kind))
    out.push(withControlChar(safeText(f.max ?? 40)));
  if (f.kind === 'url') {
    out.push(
      badUrl,
      longText(2048, 2300).map(v => `https://example.com/${v}`),
    );
  }
  if (f.kind === 'uuid') out.push(badUuid);
  if (f.kind === 'iso') out.push(badIsoDate);
  if (f.kind === 'version')
    out.push(fc.constantFrom('-1', '.x', 'a b', 'x'.repeat(129), 'v1/2'));
  if (f.kind === 'sha')
    out.push(fc.constantFrom('abc', 'ABCDEF1', 'g123456', 'a'.repeat(65)));
  return out;
};

/** A valid body of the fields (optional ones sometimes left out). */
function validBody(fields: Field[]): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(...fields.map(f => fc.tuple(validOf(f), fc.boolean())))
    .map(values => {
      let b: any = {};
      fields.forEach((f, i) => {
        const [value, keep] = values[i];
        if (f.required || keep) b = setAt(b, f.path, value);
      });
      return b;
    });
}

/** Valid bodies, and bodies made invalid in one field or by one unknown key. */
function bodySamples(
  method: Method,
  path: string,
  fields: Field[],
  objects: string[][] = [[]],
): fc.Arbitrary<Sample> {
  const valid = validBody(fields);
  const broken = fields.flatMap(f => [
    ...invalidOf(f).map(bad =>
      fc.tuple(valid, bad).map(([b, v]) => ({
        body: setAt(b, f.path, v),
        what: `${f.path.join('.')}: ${JSON.stringify(v)}`,
        names: f.path.join('.'),
      })),
    ),
    ...(f.required
      ? [
          valid.map(b => ({
            body: setAt(b, f.path, undefined),
            what: `${f.path.join('.')} missing`,
            names: f.path.join('.'),
          })),
        ]
      : []),
  ]);
  const unknown = objects.map(at =>
    fc
      .tuple(
        valid,
        unknownKey(
          fields
            .filter(f => f.path.length === at.length + 1)
            .map(f => f.path[at.length]),
        ),
        fc.jsonValue(),
      )
      .map(([b, key, v]) => ({
        body: setAt(b, [...at, key], v),
        what: `unknown key ${[...at, key].join('.')}`,
        names: [...at, key].join('.'),
      })),
  );
  return fc
    .oneof(
      valid.map(b => ({ body: b, what: 'valid' })),
      ...broken,
      ...unknown,
      nonObject.map(v => ({ body: v, what: 'not an object', names: 'body' })),
    )
    .map(s => ({ ...s, method, path }));
}

const ENTITY_REF: Field = {
  path: ['entityRef'],
  kind: 'text',
  max: 255,
  required: true,
};
const ENVIRONMENT: Field = {
  path: ['environment'],
  kind: 'text',
  max: 64,
  required: true,
};
const REASON: Field = { path: ['reason'], kind: 'reason', max: 2000 };

// ----------------------------------------------------------------- queries

type QueryKind =
  | 'text'
  | 'limit'
  | 'cursor'
  | 'status'
  | 'iso'
  | 'ids'
  | 'follow';
const STATUSES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'skipped',
];

const queryValid = (kind: QueryKind, max?: number): fc.Arbitrary<string> => {
  switch (kind) {
    case 'text':
      return safeText(max!);
    case 'limit':
      return fc.integer({ min: 1, max: max! }).map(String);
    case 'cursor':
      return fc.string({ unit: 'grapheme-ascii', maxLength: 64 });
    case 'status':
      return fc.subarray(STATUSES, { minLength: 1 }).map(s => s.join(','));
    case 'iso':
      return isoDate(
        new Date('2000-01-01T00:00:00Z'),
        new Date('2100-01-01T00:00:00Z'),
      );
    case 'ids':
      return fc
        .array(fc.uuid(), { minLength: 1, maxLength: 100 })
        .map(ids => ids.join(','));
    case 'follow':
      return fc.constantFrom('true', 'false');
    default:
      throw new Error(kind);
  }
};

const queryInvalid = (
  kind: QueryKind,
  max?: number,
): fc.Arbitrary<string>[] => {
  const out: fc.Arbitrary<string>[] = [];
  if (kind === 'text')
    out.push(
      fc.constantFrom('', ' '),
      longText(max! + 1, max! + 300),
      withControlChar(safeText(max!)),
    );
  if (kind === 'limit') {
    out.push(
      fc.integer({ min: -1e9, max: 0 }).map(String),
      fc.integer({ min: max! + 1, max: 1e9 }).map(String),
      fc.constantFrom('1.5', 'many', '', 'NaN', '1e3'),
    );
  }
  if (kind === 'cursor') out.push(longText(65, 200));
  if (kind === 'status')
    out.push(fc.constantFrom('queued,nope', 'done', 'QUEUED', 'queuedrunning'));
  if (kind === 'iso') out.push(badIsoDate);
  if (kind === 'ids')
    out.push(
      badUuid,
      fc
        .array(fc.uuid(), { minLength: 101, maxLength: 105 })
        .map(ids => ids.join(',')),
      fc.constantFrom('', ','),
    );
  if (kind === 'follow') out.push(fc.constantFrom('yes', '1', 'TRUE', ''));
  return out;
};

function querySamples(
  path: string,
  fields: Array<{
    key: string;
    kind: QueryKind;
    max?: number;
    required?: boolean;
  }>,
): fc.Arbitrary<Sample> {
  const valid = fc
    .tuple(
      ...fields.map(f => fc.tuple(queryValid(f.kind, f.max), fc.boolean())),
    )
    .map(values =>
      fields.flatMap(
        (f, i): Array<[string, string]> =>
          f.required || values[i][1] ? [[f.key, values[i][0]]] : [],
      ),
    );
  const broken = fields.flatMap(f => [
    ...queryInvalid(f.kind, f.max).map(bad =>
      fc.tuple(valid, bad).map(([q, v]) => ({
        query: [...q.filter(([k]) => k !== f.key), [f.key, v]] as Array<
          [string, string]
        >,
        what: `${f.key}=${JSON.stringify(v)}`,
        names: f.key,
      })),
    ),
    // repeated or bracketed: a list or an object, not one value
    valid.map(q => ({
      query: [
        ...q.filter(([k]) => k !== f.key),
        [f.key, 'x'],
        [f.key, 'y'],
      ] as Array<[string, string]>,
      what: `${f.key} twice`,
      names: f.key,
    })),
    ...(f.required
      ? [
          valid.map(q => ({
            query: q.filter(([k]) => k !== f.key),
            what: `${f.key} missing`,
            names: f.key,
          })),
        ]
      : []),
  ]);
  const unknown = fc
    .tuple(
      valid,
      unknownKey(
        fields.map(f => f.key),
        { query: true },
      ),
      fc.string({ unit: 'grapheme-ascii', maxLength: 10 }),
    )
    .map(([q, key, v]) => ({
      query: [...q, [key, v]] as Array<[string, string]>,
      what: `unknown query key ${key}`,
      names: key,
    }));
  return (
    fc
      .oneof(
        valid.map(q => ({ query: q, what: 'valid' })),
        ...broken,
        unknown,
      )
      .map(s => ({ ...s, method: 'get' as const, path }))
      // a lone surrogate cannot be percent-encoded: no client sends one
      .filter(s => s.query.every(([k, v]) => encodable(k) && encodable(v)))
  );
}

function encodable(value: string): boolean {
  try {
    encodeURIComponent(value);
    return true;
  } catch {
    return false;
  }
}

// -------------------------------------------------------------------- check

describe('the validated router enforces every constraint of openapi.yaml', () => {
  const specified = specApp();

  async function verdict(app: express.Express, s: Sample) {
    const q = (s.query ?? [])
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join('&');
    let req = request(app)
      [s.method](`/api/sled${s.path}${q ? `?${q}` : ''}`)
      .set('Authorization', 'Bearer a-token');
    for (const [k, v] of Object.entries(s.headers ?? {})) req = req.set(k, v);
    if (s.body !== undefined)
      req = req
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(s.body));
    const res = await req;
    return {
      status: res.status,
      message: res.body?.message as string | undefined,
    };
  }

  function agree(samples: fc.Arbitrary<Sample>) {
    const seen = { accepted: 0, refused: 0 };
    return fc
      .assert(
        fc.asyncProperty(samples, async s => {
          const { status, message = '' } = await verdict(specified, s);
          const route = `${s.method.toUpperCase()} ${s.path} (${s.what})`;
          if (s.names === undefined) {
            seen.accepted++;
            if (status !== 200) {
              throw new Error(`${route}: refused ${status} ${message}`);
            }
            return;
          }
          seen.refused++;
          if (status !== 400 || !message.includes(s.names)) {
            throw new Error(
              `${route}: ${status} ${message}, not a 400 naming ${s.names}`,
            );
          }
        }),
        fuzzParameters(FUZZ_RUNS * 3),
      )
      .then(() => {
        // neither side is vacuous
        expect(seen.accepted).toBeGreaterThan(0);
        expect(seen.refused).toBeGreaterThan(0);
      });
  }

  it('POST /artifacts', () =>
    agree(
      bodySamples(
        'post',
        '/artifacts',
        [
          ENTITY_REF,
          { path: ['version'], kind: 'version', required: true },
          { path: ['commitSha'], kind: 'sha', required: true },
          { path: ['image'], kind: 'text', max: 512 },
          { path: ['buildUrl'], kind: 'url' },
          { path: ['mergeRequest', 'url'], kind: 'url', required: true },
          {
            path: ['mergeRequest', 'title'],
            kind: 'text',
            max: 512,
            required: true,
          },
          { path: ['mergeRequest', 'mergedAt'], kind: 'iso' },
          { path: ['deploy', 'image'], kind: 'text', max: 512 },
        ],
        [[], ['mergeRequest'], ['deploy']],
      ),
    ));

  it('POST /deploys, with its Idempotency-Key', () =>
    agree(
      fc.oneof(
        bodySamples('post', '/deploys', [
          ENTITY_REF,
          ENVIRONMENT,
          { path: ['artifactId'], kind: 'uuid', required: true },
          { path: ['dryRun'], kind: 'bool' },
          { path: ['force'], kind: 'bool' },
          REASON,
        ]),
        fc
          .oneof(fc.constant(''), longText(1, 255), longText(256, 300))
          .map(key => ({
            method: 'post' as const,
            path: '/deploys',
            body: {
              entityRef: 'component:default/x',
              environment: 'local',
              artifactId: UUID,
            },
            headers: { 'Idempotency-Key': key },
            what: `Idempotency-Key ${JSON.stringify(key)}`,
            names:
              key.length >= 1 && key.length <= 255
                ? undefined
                : 'Idempotency-Key',
          })),
      ),
    ));

  it('POST /rollbacks', () =>
    agree(
      bodySamples('post', '/rollbacks', [ENTITY_REF, ENVIRONMENT, REASON]),
    ));

  it('POST /locks', () =>
    agree(
      fc.oneof(
        bodySamples('post', '/locks', [
          { ...ENVIRONMENT },
          { path: ['entityRef'], kind: 'text', max: 255 },
          { path: ['reason'], kind: 'lockReason', max: 2000, required: true },
          { path: ['expiresAt'], kind: 'iso' },
        ]),
        bodySamples('post', '/locks', [
          { ...ENVIRONMENT },
          { path: ['deployGroup'], kind: 'text', max: 255 },
          { path: ['reason'], kind: 'lockReason', max: 2000, required: true },
        ]),
        // a service and a deploy group at once
        fc.constant({
          method: 'post' as const,
          path: '/locks',
          body: {
            environment: 'local',
            entityRef: 'a',
            deployGroup: 'g',
            reason: 'r',
          },
          what: 'entityRef and deployGroup',
          names: 'entityRef',
        }),
      ),
    ));

  it('POST /releases', () =>
    agree(
      fc.oneof(
        bodySamples('post', '/releases', [
          { path: ['deployGroup'], kind: 'text', max: 255, required: true },
          ENVIRONMENT,
          { path: ['dryRun'], kind: 'bool' },
          REASON,
        ]),
        // the member → artifact map: keys are entity refs, values artifact ids
        fc
          .tuple(
            fc.oneof(
              safeText(255)
                .filter(key => !PROTOTYPE_KEYS.includes(key))
                .map(key => ({ key, ok: true })),
              fc
                .oneof(
                  fc.constantFrom(...PROTOTYPE_KEYS, ' ', ''),
                  longText(256, 300),
                  withControlChar(safeText(40)),
                )
                .map(key => ({ key, ok: false })),
            ),
            fc.oneof(
              fc.uuid().map(value => ({ value, ok: true })),
              fc
                .oneof(badUuid, nonString)
                .map(value => ({ value: value as unknown, ok: false })),
            ),
          )
          .map(([{ key, ok: goodKey }, { value, ok: goodValue }]) => ({
            method: 'post' as const,
            path: '/releases',
            body: setAt(
              { deployGroup: 'g', environment: 'local' },
              ['artifacts', key],
              value,
            ),
            what: `artifacts ${JSON.stringify(key)}: ${JSON.stringify(value)}`,
            names: goodKey && goodValue ? undefined : 'artifacts',
          })),
        nonObject.map(v => ({
          method: 'post' as const,
          path: '/releases',
          body: { deployGroup: 'g', environment: 'local', artifacts: v },
          what: 'artifacts not an object',
          names: 'artifacts',
        })),
      ),
    ));

  it('POST /releases/{id}/rollback', () =>
    agree(bodySamples('post', `/releases/${UUID}/rollback`, [REASON])));

  it('the queries of every list', () =>
    agree(
      fc.oneof(
        querySamples('/deploys', [
          { key: 'entityRef', kind: 'text', max: 255 },
          { key: 'environment', kind: 'text', max: 64 },
          { key: 'status', kind: 'status' },
          { key: 'createdAfter', kind: 'iso' },
          { key: 'limit', kind: 'limit', max: 500 },
          { key: 'cursor', kind: 'cursor' },
        ]),
        querySamples('/artifacts', [
          { key: 'entityRef', kind: 'text', max: 255 },
          { key: 'ids', kind: 'ids' },
          { key: 'limit', kind: 'limit', max: 500 },
          { key: 'cursor', kind: 'cursor' },
        ]),
        querySamples('/state', [
          { key: 'entityRef', kind: 'text', max: 255, required: true },
        ]),
        querySamples('/locks', [
          { key: 'environment', kind: 'text', max: 64 },
          { key: 'entityRef', kind: 'text', max: 255 },
          { key: 'deployGroup', kind: 'text', max: 255 },
        ]),
        querySamples('/releases', [
          { key: 'deployGroup', kind: 'text', max: 255 },
          { key: 'limit', kind: 'limit', max: 200 },
        ]),
        querySamples(`/deploys/${UUID}/logs`, [
          { key: 'follow', kind: 'follow' },
        ]),
      ),
    ));

  it('the ids in every path', () => {
    const idRoutes = ROUTES.filter(r => r.path.includes(':id'));
    return agree(
      fc
        .tuple(
          fc.constantFrom(...idRoutes),
          fc.oneof(
            fc.uuid(),
            badUuid.filter(
              s =>
                !/[/?#%]/.test(s) && s.trim() === s && s !== '.' && s !== '..',
            ),
          ),
        )
        .map(([route, value]) => ({
          method: route.method,
          path: route.path.replace(':id', encodeURIComponent(value)),
          // the one optional body: sent as the clients send it (JSON)
          body: route.path.endsWith('/rollback') ? {} : undefined,
          what: `id ${JSON.stringify(value)}`,
          names: UUID_PATTERN.test(value) ? undefined : 'path: id',
        })),
    );
  });

  it('leaves to code only what a schema cannot say: a lock expiring in the future', async () => {
    const past: Sample = {
      method: 'post',
      path: '/locks',
      body: {
        environment: 'local',
        reason: 'r',
        expiresAt: '2000-01-01T00:00:00Z',
      },
      what: 'expired lock',
    };
    expect((await verdict(specified, past)).status).toBe(200);
  });

  it('an optional body may be left out: POST /releases/{id}/rollback', async () => {
    const res = await request(specified)
      .post(`/api/sled/releases/${UUID}/rollback`)
      .set('Authorization', 'Bearer a-token');
    expect(res.status).toBe(200);
  });
});
