/**
 * Property-based fuzzing of every route of the SLeD REST API (openapi.yaml).
 *
 * Refusals: invalid bodies, queries, paths and headers are answered with a
 * 4xx (never a 5xx) whose message names the field, and no `sled_*` table
 * gains or loses a row. Acceptance: generated valid requests succeed (so the
 * generators are not vacuous). SLED_FUZZ_RUNS sets the runs per property
 * (default 100), SLED_FUZZ_SEED replays a seed fast-check printed.
 *
 * While the refusals run, the services they deploy are locked in both
 * environments (a fixture, CONTAINED), so a deploy, rollback or release that
 * should have been refused but was not is answered 409 after every input
 * check and never starts a process whose log rows would land under later
 * properties; the locks go before the acceptance properties.
 *
 * Each property asserts through fc.assert, which throws the shrunk
 * counterexample: hence no expect() in most tests.
 */
/* eslint-disable jest/expect-expect */
import {
  mockCredentials,
  mockServices,
  TestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { DEPLOY_STATUSES } from '@internal/plugin-sled-common';
import fc from 'fast-check';
import { Knex } from 'knex';
import {
  ApiRequest,
  ApiResponse,
  badIsoDate,
  badUrl,
  badUuid,
  goodUrl,
  isoDate,
  longText,
  nonBoolean,
  nonObject,
  nonString,
  rowCounter,
  safeText,
  segment,
  send,
  setAt,
  sledTables,
  unknownKey,
  withControlChar,
  withKey,
  FUZZ_RUNS,
  fuzzParameters,
} from '../__testUtils__/fuzz';
import { makeTempDir, writeScript } from '../__testUtils__/processes';
import {
  allowAllButLockOverride,
  CI,
  Decide,
  defaultSledConfig,
  libraryEntity,
  MISSING_ID,
  NONE,
  serviceEntity,
  startSledBackend,
  switchablePermissions,
  USER,
} from '../__testUtils__/sledBackend';
import { DatabaseDeployStore } from '../database/DatabaseDeployStore';

const RUNS = FUZZ_RUNS;
const params = fuzzParameters;

const ENVIRONMENTS = ['local', 'production'];
const ART = 'component:default/fuzz-art'; // artifact registrations only: never deployed
const DEP = 'component:default/fuzz-dep';
const DEP2 = 'component:default/fuzz-dep2';
const RB = 'component:default/fuzz-rb'; // two successful deploys: a rollback target
const G1 = 'component:default/fuzz-g1';
const G2 = 'component:default/fuzz-g2';
const LIB = 'component:default/fuzz-lib';
const GROUP = 'deploygroup:default/fuzz-group';
const EMPTY_GROUP = 'deploygroup:default/fuzz-empty';
const OWNER = 'group:default/team-a';
/** deployer images an artifact may name: sled.kubernetes.allowedImages */
const ALLOWED_IMAGES = 'registry.example/deployers/';
const MINUTE = 60_000;
/**
 * Locked while the refusals run. Only the last member of the deploy group is:
 * a release checks each member's artifact and then its locks, member by
 * member, so a lock on the first would answer a bad artifact of the second
 * with a 409.
 */
const CONTAINED = [DEP, DEP2, RB, G2];
const YEAR_2100 = new Date('2100-01-01T00:00:00Z');

// ------------------------------------------------------------------- values

/** The ways a caller may name a component: full ref or kind:name. */
const refForm = (ref: string) =>
  fc.constantFrom(ref, ref.replace(':default/', ':'));
/** The ways a caller may name a deploy group: full, kind:name, or name. */
const groupForm = (ref: string) =>
  fc.constantFrom(ref, ref.replace(':default/', ':'), ref.split('/')[1]);

/** Environments that are not configured (after trimming). */
const unknownEnvironment = safeText(64).filter(
  s => !ENVIRONMENTS.includes(s.trim()),
);
/** Entity refs of entities the catalog does not hold. */
const unknownRef = fc
  .tuple(
    fc.constantFrom('component', 'Component', 'resource', 'api'),
    fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
  )
  .map(([kind, name]) => `${kind}:default/nope-${name}`);
/** Refs the catalog cannot parse. */
const malformedRef = fc.constantFrom(
  'not:a:valid:ref:::',
  ':',
  '/',
  'component:',
  ':default/x',
  'component:default/',
  'a:b/c/d',
);
const future = () =>
  isoDate(new Date(Date.now() + 24 * 60 * MINUTE), YEAR_2100);
const past = () =>
  isoDate(new Date('1900-01-01T00:00:00Z'), new Date(Date.now() - MINUTE));

const limitBad = (max: number) =>
  fc.oneof(
    fc.integer({ min: -1e9, max: 0 }).map(String),
    fc.integer({ min: max + 1, max: 1e9 }).map(String),
    fc.integer({ min: 1, max: max - 1 }).map(n => `${n}.5`),
    fc.stringMatching(/^[a-z]{1,8}$/),
    fc.constantFrom('', ' ', 'Infinity', '-Infinity', 'NaN', '1e999', 'many'),
  );

/** Cursors no page ever hands out (not base64url of a positive integer). */
const cursorBad = fc.oneof(
  longText(65, 200),
  fc
    .string({ unit: 'grapheme-ascii', maxLength: 40 })
    .filter(s => {
      const n = Number(s);
      return !(Number.isSafeInteger(n) && n > 0);
    })
    .map(s => Buffer.from(s).toString('base64url'))
    .filter(c => c.length <= 64),
  fc
    .constantFrom('0', '-1', '1.5', '9007199254740993', '1e400')
    .map(s => Buffer.from(s).toString('base64url')),
);

const statusBad = fc
  .tuple(
    fc.subarray([...DEPLOY_STATUSES]),
    fc
      .string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 })
      .filter(
        s =>
          !s.includes(',') &&
          !(DEPLOY_STATUSES as readonly string[]).includes(s),
      ),
    fc.nat(),
  )
  .map(([good, bad, i]) => {
    const list: string[] = [...good];
    list.splice(i % (list.length + 1), 0, bad);
    return list.join(',');
  });

const idsBad = fc.oneof(
  fc
    .tuple(fc.array(fc.uuid(), { maxLength: 3 }), badUuid)
    .map(([good, bad]) => [...good, bad].join(',')),
  fc
    .array(fc.uuid(), { minLength: 101, maxLength: 110 })
    .map(ids => ids.join(',')),
  fc.constantFrom('', ',', ',,,'),
);

// -------------------------------------------------------------- the patches

/** A change to a valid request that makes it invalid, with what must be named. */
interface Patch {
  what: string;
  /** body edits, in order: a path and its new value (undefined: removed) */
  set?: Array<[string[], unknown]>;
  /** query keys of the valid request to leave out */
  drop?: string[];
  /** query pairs to add */
  query?: Array<[string, string]>;
  headers?: Record<string, string>;
  contentType?: string;
  rawBody?: string;
  /** replaces the id in the route's path (already percent-encoded) */
  id?: string;
  /** the message names every one of these (or one of them, with anyOf) */
  fields: string[];
  anyOf?: boolean;
  /** a 2xx is fine too (only no 5xx, nothing written on refusal) */
  allowOk?: boolean;
}

type Kind =
  | 'text' // trimmed, not blank
  | 'reason' // free text, may be empty
  | 'url'
  | 'bool'
  | 'uuid'
  | 'iso'
  | 'pattern'
  | 'object'
  | 'record';

interface Field {
  path: string[];
  kind: Kind;
  max?: number;
  required?: boolean;
  /** paths removed whenever this one is changed (fields that exclude it) */
  without?: string[][];
  /** its keys, for an object */
  keys?: string[];
}

const named = (path: string[]) => path.join('.');
const fieldAt = (fields: Field[], path: string) =>
  fields.find(f => named(f.path) === path)!;
const topKeys = (fields: Field[]) =>
  fields.filter(f => f.path.length === 1).map(f => f.path[0]);

function wrongTypeOf(kind: Kind): fc.Arbitrary<unknown> {
  if (kind === 'bool') return nonBoolean;
  if (kind === 'object' || kind === 'record') return nonObject;
  return nonString;
}

function patchOf(
  field: Field,
  what: string,
  value: unknown,
  fields = [named(field.path)],
): Patch {
  return {
    what: `${named(field.path)}: ${what}`,
    set: [
      ...(field.without ?? []).map(p => [p, undefined] as [string[], unknown]),
      [field.path, value],
    ],
    fields,
  };
}

/** Wrong types, missing, blank and oversized values, unknown keys of every field. */
function fieldPatches(fields: Field[]): fc.Arbitrary<Patch>[] {
  const out: fc.Arbitrary<Patch>[] = [];
  for (const f of fields) {
    out.push(wrongTypeOf(f.kind).map(v => patchOf(f, 'wrong type', v)));
    if (f.required) out.push(fc.constant(patchOf(f, 'missing', undefined)));
    if (f.kind === 'text') {
      out.push(
        fc.constantFrom('', ' ', '   ').map(v => patchOf(f, 'blank', v)),
      );
    }
    if (f.max && (f.kind === 'text' || f.kind === 'reason')) {
      out.push(
        longText(f.max + 1, f.max + 300).map(v => patchOf(f, 'oversized', v)),
      );
    }
    if (f.max && f.kind === 'url') {
      out.push(
        longText(f.max, f.max + 300).map(v =>
          patchOf(f, 'oversized', `https://example.com/${v}`),
        ),
      );
    }
    if (f.kind === 'uuid') {
      out.push(badUuid.map(v => patchOf(f, 'not a uuid', v)));
    }
    if (f.kind === 'iso') {
      out.push(badIsoDate.map(v => patchOf(f, 'not a date-time', v)));
    }
    if (f.kind === 'object' && f.keys) {
      const keys = f.keys;
      out.push(
        fc.tuple(unknownKey(keys), fc.jsonValue()).map(([key, value]) => ({
          what: `${named(f.path)}: unknown key ${key}`,
          set: [[[...f.path, key], value]],
          fields: [named(f.path), key],
        })),
      );
    }
  }
  return out;
}

/** A patch of the field at `path`, for `.map()`. */
const change =
  (fields: Field[], path: string, what: string) =>
  (value: unknown): Patch =>
    patchOf(fieldAt(fields, path), what, value);

/** Unknown top-level keys (`__proto__`, `constructor` … and random ones). */
function unknownKeyPatch(known: string[]): fc.Arbitrary<Patch> {
  return fc.tuple(unknownKey(known), fc.jsonValue()).map(([key, value]) => ({
    what: `unknown key ${key}`,
    set: [[[key], value]],
    fields: [key],
  }));
}

/** Whole bodies that are any other JSON value, malformed JSON, or not JSON at all. */
function bodyPatches(
  known: string[],
  required: string[],
  options: { emptyIsValid?: boolean } = {},
): fc.Arbitrary<Patch>[] {
  const invalidObject = (v: unknown) =>
    !options.emptyIsValid ||
    (typeof v === 'object' &&
      v !== null &&
      !Array.isArray(v) &&
      Object.keys(v).some(k => k !== 'reason'));
  return [
    fc
      .jsonValue()
      .filter(v => typeof v === 'object' && v !== null && !Array.isArray(v))
      .filter(invalidObject)
      .map(v => ({
        what: 'an arbitrary JSON object',
        set: [[[], v]],
        fields: ['body', ...known, ...Object.keys(v as object)],
        anyOf: true,
      })),
    fc
      .array(fc.jsonValue(), { maxLength: 4 })
      .map(v => ({ what: 'a JSON array', set: [[[], v]], fields: ['body'] })),
    // body-parser refuses a JSON primitive (strict mode) before any field is
    // read: only a 4xx with nothing written is asked for
    fc
      .jsonValue()
      .filter(v => v === null || typeof v !== 'object')
      .map(v => ({ what: 'a JSON primitive', set: [[[], v]], fields: [] })),
    fc
      .string({ unit: 'binary', minLength: 1, maxLength: 60 })
      .filter(s => {
        if (!s.trim()) return false;
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      })
      .map(s => ({ what: 'malformed JSON', rawBody: s, fields: [] })),
    ...(options.emptyIsValid
      ? []
      : [
          fc
            .constantFrom(
              'text/plain',
              'application/x-www-form-urlencoded',
              'application/xml',
              'application/octet-stream',
              'multipart/form-data; boundary=x',
            )
            .map(contentType => ({
              what: `sent as ${contentType}`,
              contentType,
              fields: required,
              anyOf: true,
            })),
        ]),
  ];
}

/** The same text field with a control character or bidi override in it. */
function controlPatches(
  fields: Array<{ field: Field; valid: fc.Arbitrary<string> }>,
): fc.Arbitrary<Patch> {
  return fc.oneof(
    ...fields.map(({ field, valid }) =>
      withControlChar(valid).map(v => patchOf(field, 'control character', v)),
    ),
  );
}

// -------------------------------------------------------------- query fields

type QueryKind =
  | 'text'
  | 'limit'
  | 'cursor'
  | 'status'
  | 'iso'
  | 'ids'
  | 'follow';

interface QueryField {
  key: string;
  kind: QueryKind;
  max?: number;
}

const qpatch = (
  key: string,
  what: string,
  pairs: Array<[string, string]>,
  fields = [key],
): Patch => ({ what: `${key}: ${what}`, drop: [key], query: pairs, fields });

/** A value of each kind a query accepts, for the wrong-type patches. */
const QUERY_SAMPLE: Record<QueryKind, string> = {
  text: 'x',
  limit: '1',
  cursor: 'MQ',
  status: 'queued',
  iso: '2030-01-01T00:00:00Z',
  ids: MISSING_ID,
  follow: 'true',
};

function queryPatches(fields: QueryField[]): fc.Arbitrary<Patch>[] {
  const out: fc.Arbitrary<Patch>[] = [];
  for (const f of fields) {
    const v = QUERY_SAMPLE[f.kind];
    // wrong types: an array (repeated, or k[]) and an object (k[x])
    out.push(
      fc
        .constantFrom<Array<[string, string]>>(
          [[`${f.key}[]`, v]],
          [
            [f.key, v],
            [f.key, v],
          ],
          [[`${f.key}[0]`, v]],
          [[`${f.key}[x]`, v]],
          [
            [`${f.key}[]`, v],
            [`${f.key}[]`, v],
          ],
        )
        .map(pairs => qpatch(f.key, 'wrong type', pairs)),
    );
    if (f.kind === 'text') {
      out.push(
        fc
          .constantFrom('', ' ', '   ')
          .map(s => qpatch(f.key, 'blank', [[f.key, s]])),
      );
    }
    if (f.max) {
      out.push(
        longText(f.max + 1, f.max + 300).map(s =>
          qpatch(f.key, 'oversized', [[f.key, s]]),
        ),
      );
    }
    if (f.kind === 'limit') {
      out.push(
        limitBad(f.max ?? 500).map(s =>
          qpatch(f.key, 'bad limit', [[f.key, s]]),
        ),
      );
    }
    if (f.kind === 'cursor') {
      out.push(cursorBad.map(s => qpatch(f.key, 'bad cursor', [[f.key, s]])));
      out.push(
        fc.string({ unit: 'binary', maxLength: 64 }).map(s => ({
          ...qpatch(f.key, 'arbitrary cursor', [[f.key, s]]),
          allowOk: true,
        })),
      );
    }
    if (f.kind === 'status') {
      out.push(statusBad.map(s => qpatch(f.key, 'bad status', [[f.key, s]])));
    }
    if (f.kind === 'iso') {
      out.push(
        badIsoDate.map(s => qpatch(f.key, 'not a date-time', [[f.key, s]])),
      );
    }
    if (f.kind === 'ids') {
      out.push(idsBad.map(s => qpatch(f.key, 'bad ids', [[f.key, s]])));
    }
    if (f.kind === 'follow') {
      out.push(
        fc
          .string({ unit: 'grapheme-ascii', maxLength: 10 })
          .filter(s => s !== 'true' && s !== 'false')
          .map(s => qpatch(f.key, 'not true/false', [[f.key, s]])),
      );
    }
  }
  out.push(
    fc
      .tuple(
        unknownKey(
          fields.map(f => f.key),
          { query: true },
        ),
        fc.string({ unit: 'grapheme-ascii', maxLength: 10 }),
      )
      .map(([key, value]) => ({
        what: `unknown query key ${key}`,
        query: [[key, value]] as Array<[string, string]>,
        fields: [key],
      })),
  );
  return out;
}

function queryControlPatches(
  fields: Array<{ key: string; valid: fc.Arbitrary<string> }>,
): fc.Arbitrary<Patch> {
  return fc.oneof(
    ...fields.map(({ key, valid }) =>
      withControlChar(valid).map(s =>
        qpatch(key, 'control character', [[key, s]]),
      ),
    ),
  );
}

// ----------------------------------------------------------------- the suite

interface Fixtures {
  dep: string;
  dep2: string;
  g1: string;
  g2: string;
  deploy: string;
}

/** A refusal to check: the request and what its message names. */
interface Case extends Pick<Patch, 'what' | 'fields' | 'anyOf' | 'allowOk'> {
  req: ApiRequest;
  /** POST /artifacts: make the version unique when sending */
  uniqueVersion?: boolean;
}

describe('SLeD REST API fuzz', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let knex: Knex;
  let backend: TestBackend;
  let cleanup: () => void;
  let counts: () => Promise<Record<string, number>>;
  let decide: Decide = allowAllButLockOverride;
  const fx: Fixtures = { dep: '', dep2: '', g1: '', g2: '', deploy: '' };
  let generated = 0;
  let sequence = 0;
  const routesSeen = new Set<string>();

  const denyAll: Decide = () => ({ result: AuthorizeResult.DENY });

  let dir: string;

  /**
   * A database with the fixtures (`fx`), and a backend on it; `locked`: with
   * the fixture locks the refusals run under (see the top of the file).
   */
  async function startFuzzBackend(locked: boolean): Promise<TestBackend> {
    knex = await databases.init('SQLITE_3');

    // fixtures written through the store: finished deploys without running any
    const store = await DatabaseDeployStore.create({
      database: mockServices.database({ knex }),
    });
    const artifact = async (entityRef: string, version: string) =>
      (
        await store.registerArtifact(
          { entityRef, version, commitSha: 'abcdef1234567' },
          OWNER,
        )
      ).artifact;
    const finished = async (
      a: Awaited<ReturnType<typeof artifact>>,
      status: 'succeeded' | 'skipped',
    ) => {
      const { deploy } = await store.createDeploy({
        entityRef: a.entityRef,
        ownerRef: OWNER,
        environment: 'local',
        artifact: a,
        status: status === 'skipped' ? 'skipped' : 'queued',
        dryRun: false,
        force: false,
        requestedBy: 'user:default/mock',
        launch: { command: ['./deploy.sh'] },
      });
      if (status === 'succeeded') {
        await store.finishDeploy(deploy.id, { status: 'succeeded' });
      }
      return deploy;
    };
    const dep = await artifact(DEP, '1.0.0');
    fx.dep = dep.id;
    fx.dep2 = (await artifact(DEP2, '1.0.0')).id;
    fx.g1 = (await artifact(G1, '1.0.0')).id;
    fx.g2 = (await artifact(G2, '1.0.0')).id;
    // a finished deploy to read (its logs and all), and a rollback target
    fx.deploy = (await finished(dep, 'skipped')).id;
    await finished(await artifact(RB, '1.0.0'), 'succeeded');
    await finished(await artifact(RB, '2.0.0'), 'succeeded');

    const group = (name: string, members: string[]): Entity => ({
      apiVersion: 'sled.dev/v1alpha1',
      kind: 'DeployGroup',
      metadata: { name, namespace: 'default' },
      spec: { owner: 'team-a', members },
      relations: [{ type: 'ownedBy', targetRef: OWNER }],
    });
    const started = await startSledBackend({
      knex,
      entities: [
        serviceEntity('fuzz-art', dir),
        serviceEntity('fuzz-dep', dir),
        serviceEntity('fuzz-dep2', dir),
        serviceEntity('fuzz-rb', dir),
        serviceEntity('fuzz-g1', dir, { deployGroup: GROUP }),
        serviceEntity('fuzz-g2', dir, { deployGroup: GROUP }),
        libraryEntity('fuzz-lib'),
        group('fuzz-group', [G1, G2]),
        group('fuzz-empty', []),
      ],
      permissions: switchablePermissions(() => decide),
      sled: {
        ...defaultSledConfig,
        kubernetes: { allowedImages: [`${ALLOWED_IMAGES}*`] },
      },
    });
    counts = rowCounter(knex, await sledTables(knex));
    if (!locked) return started;

    // the fixture locks: see the top of the file
    for (const environment of ENVIRONMENTS) {
      for (const entityRef of CONTAINED) {
        const res = await send(started.server, {
          route: 'POST /locks',
          method: 'post',
          path: '/locks',
          auth: USER,
          body: { environment, entityRef, reason: 'fuzz: refusals only' },
        });
        if (res.status !== 201) {
          throw new Error(`fixture lock: ${res.status} ${res.message}`);
        }
      }
    }
    return started;
  }

  beforeAll(async () => {
    ({ dir, cleanup } = makeTempDir('sled-fuzz-'));
    writeScript(dir, 'deploy.sh', 'exit 0');
    backend = await startFuzzBackend(true);
  });

  afterAll(async () => {
    try {
      await backend?.stop();
      cleanup?.();
    } finally {
      process.stdout.write(
        `fuzz: ${generated} generated cases across ${routesSeen.size} routes\n`,
      );
    }
  });

  afterEach(() => {
    decide = allowAllButLockOverride;
  });

  const describeResponse = (res: ApiResponse) =>
    `${res.status} ${JSON.stringify(res.message ?? res.body)}`.slice(0, 600);

  function withUniqueVersion(req: ApiRequest): ApiRequest {
    const body = req.body as any;
    if (
      !body ||
      typeof body !== 'object' ||
      typeof body.version !== 'string' ||
      body.version.length > 100
    ) {
      return req;
    }
    sequence += 1;
    return {
      ...req,
      body: { ...body, version: `${body.version}.${sequence}` },
    };
  }

  /** Sends a request that must be refused: 4xx naming the fields, nothing written. */
  async function expectRefused(c: Case): Promise<void> {
    generated += 1;
    routesSeen.add(c.req.route);
    const req = c.uniqueVersion ? withUniqueVersion(c.req) : c.req;
    const before = await counts();
    const res = await send(backend.server, req);
    const after = await counts();
    const problems: string[] = [];
    const ok = res.status >= 200 && res.status < 300;
    if (!(c.allowOk && ok)) {
      if (res.status < 400 || res.status >= 500) {
        problems.push(`answered ${res.status}, not a 4xx`);
      } else if (c.fields.length) {
        const message = res.message ?? '';
        const hit = c.anyOf
          ? c.fields.some(f => message.includes(f))
          : c.fields.every(f => message.includes(f));
        if (!hit) {
          problems.push(
            `the message names ${
              c.anyOf ? 'none' : 'not all'
            } of ${JSON.stringify(c.fields)}`,
          );
        }
      }
    }
    const changed = Object.keys(after).filter(t => after[t] !== before[t]);
    if (changed.length) {
      problems.push(
        `rows changed: ${changed
          .map(t => `${t} ${before[t]} -> ${after[t]}`)
          .join(', ')}`,
      );
    }
    if (problems.length) {
      throw new Error(
        `${c.req.route} with ${c.what}: ${problems.join(
          '; ',
        )}\n    response: ${describeResponse(res)}`,
      );
    }
  }

  /** Sends a request that must succeed with one of `statuses`. */
  async function expectAccepted(
    req: ApiRequest,
    statuses: number[],
    options: { unchanged?: boolean } = {},
  ): Promise<ApiResponse> {
    generated += 1;
    routesSeen.add(req.route);
    const before = options.unchanged ? await counts() : undefined;
    const res = await send(backend.server, req);
    if (!statuses.includes(res.status)) {
      throw new Error(
        `${req.route}: expected ${statuses.join(
          ' or ',
        )}, got ${describeResponse(res)}`,
      );
    }
    if (before) {
      expect(await counts()).toEqual(before);
    }
    return res;
  }

  const run = (arb: fc.Arbitrary<Case>, numRuns = RUNS) =>
    fc.assert(fc.asyncProperty(arb, expectRefused), params(numRuns));

  // ------------------------------------------------------------ the routes

  const bodyRequest =
    (route: string, path: string, auth = USER) =>
    (body: unknown, patch?: Patch): ApiRequest => {
      const full = (patch?.set ?? []).reduce(
        (b, [p, v]) => setAt(b, p, v),
        body,
      );
      const [method] = route.split(' ');
      return {
        route,
        method: method.toLowerCase() as ApiRequest['method'],
        path: patch?.id ? path.replace(':id', patch.id) : path,
        auth,
        ...(patch?.rawBody !== undefined
          ? { rawBody: patch.rawBody }
          : { body: full }),
        ...(patch?.contentType ? { contentType: patch.contentType } : {}),
        ...(patch?.headers ? { headers: patch.headers } : {}),
      };
    };

  const queryRequest =
    (route: string, path: string) =>
    (query: Record<string, string>, patch?: Patch): ApiRequest => ({
      route,
      method: 'get',
      path: patch?.id ? path.replace(':id', patch.id) : path,
      auth: USER,
      query: [
        ...Object.entries(query).filter(([k]) => !patch?.drop?.includes(k)),
        ...(patch?.query ?? []),
      ],
    });

  const toCase = (req: ApiRequest, patch: Patch): Case => ({
    req,
    what: patch.what,
    fields: patch.fields,
    ...(patch.anyOf ? { anyOf: true } : {}),
    ...(patch.allowOk ? { allowOk: true } : {}),
  });

  /** Cases: every patch of a valid base. */
  function cases<B>(
    base: fc.Arbitrary<B>,
    patches: fc.Arbitrary<Patch> | fc.Arbitrary<Patch>[],
    build: (base: B, patch: Patch) => ApiRequest,
    extra: Partial<Case> = {},
  ): fc.Arbitrary<Case> {
    const patch = Array.isArray(patches) ? fc.oneof(...patches) : patches;
    return fc
      .tuple(base, patch)
      .map(([b, p]) => ({ ...toCase(build(b, p), p), ...extra }));
  }

  const pathPatches: fc.Arbitrary<Patch> = badUuid.map(id => ({
    what: `path id ${JSON.stringify(id)}`,
    id: segment(id),
    fields: ['path'],
  }));

  // POST /artifacts --------------------------------------------------------

  const artifactFields: Field[] = [
    { path: ['entityRef'], kind: 'text', max: 255, required: true },
    { path: ['version'], kind: 'pattern', required: true },
    { path: ['image'], kind: 'text', max: 512 },
    { path: ['commitSha'], kind: 'pattern', required: true },
    {
      path: ['mergeRequest'],
      kind: 'object',
      keys: ['url', 'title', 'mergedAt'],
    },
    { path: ['mergeRequest', 'url'], kind: 'url', max: 2048, required: true },
    { path: ['mergeRequest', 'title'], kind: 'text', max: 512, required: true },
    { path: ['mergeRequest', 'mergedAt'], kind: 'iso' },
    { path: ['buildUrl'], kind: 'url', max: 2048 },
    { path: ['deploy'], kind: 'object', keys: ['command', 'image'] },
    { path: ['deploy', 'image'], kind: 'text', max: 512 },
  ];
  const deployerImage = fc
    .tuple(
      fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,19}$/),
      fc.option(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/), {
        nil: undefined,
      }),
      fc.stringMatching(/^[0-9a-f]{64}$/),
    )
    .map(
      ([name, tag, digest]) =>
        `${ALLOWED_IMAGES}${name}${tag ? `:${tag}` : ''}@sha256:${digest}`,
    );
  const artifactKeys = topKeys(artifactFields);
  const artifactBody = (full: boolean) =>
    fc.record(
      {
        entityRef: refForm(ART),
        version: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,15}$/),
        image: safeText(512),
        commitSha: fc.stringMatching(/^[0-9a-f]{7,64}$/),
        mergeRequest: fc.record(
          {
            url: goodUrl,
            title: safeText(512),
            mergedAt: isoDate(new Date('2000-01-01'), YEAR_2100),
          },
          full ? undefined : { requiredKeys: ['url', 'title'] },
        ),
        buildUrl: goodUrl,
        deploy: fc.record(
          { image: deployerImage },
          full ? undefined : { requiredKeys: [] },
        ),
      },
      full
        ? undefined
        : { requiredKeys: ['entityRef', 'version', 'commitSha'] },
    );
  const artifactRequest = bodyRequest('POST /artifacts', '/artifacts', CI);
  const artifactCases = (patches: fc.Arbitrary<Patch>[]) =>
    cases(artifactBody(true), patches, artifactRequest, {
      uniqueVersion: true,
    });

  it('POST /artifacts refuses invalid bodies', () =>
    run(
      artifactCases([
        ...fieldPatches(artifactFields),
        unknownKeyPatch(artifactKeys),
        ...bodyPatches(artifactKeys, ['entityRef', 'version', 'commitSha']),
        fc
          .string({ unit: 'grapheme-ascii', maxLength: 140 })
          .filter(v => !/^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/.test(v))
          .map(change(artifactFields, 'version', 'bad version')),
        fc
          .string({ unit: 'grapheme-ascii', maxLength: 70 })
          .filter(v => !/^[0-9a-f]{7,64}$/.test(v))
          .map(change(artifactFields, 'commitSha', 'bad commit SHA')),
        fc
          .oneof(unknownRef, malformedRef, fc.constant(LIB), fc.constant(GROUP))
          .map(change(artifactFields, 'entityRef', 'not a deployable service')),
        // what runs comes from the catalog: an artifact names no command
        fc.jsonValue().map(v => ({
          what: 'deploy.command: given',
          set: [[['deploy', 'command'], v]] as Array<[string[], unknown]>,
          fields: ['deploy.command'],
        })),
        fc
          .oneof(
            safeText(200),
            fc
              .tuple(
                fc.constantFrom('evil.example/x', 'registry.example/other/y'),
                fc.stringMatching(/^[0-9a-f]{64}$/),
              )
              .map(([repo, digest]) => `${repo}@sha256:${digest}`),
            deployerImage.map(i => i.replace('@sha256:', ':latest#')),
          )
          .map(
            change(
              artifactFields,
              'deploy.image',
              'image not pinned or allowed',
            ),
          ),
      ]),
    ));

  it('POST /artifacts refuses links that are no http(s) URL', () =>
    run(
      artifactCases([
        badUrl.map(change(artifactFields, 'mergeRequest.url', 'bad URL')),
        badUrl.map(change(artifactFields, 'buildUrl', 'bad URL')),
      ]),
    ));

  it('POST /artifacts refuses control characters in text fields', () =>
    run(
      artifactCases([
        controlPatches([
          { field: fieldAt(artifactFields, 'entityRef'), valid: refForm(ART) },
          { field: fieldAt(artifactFields, 'image'), valid: safeText(500) },
          {
            field: fieldAt(artifactFields, 'mergeRequest.title'),
            valid: safeText(500),
          },
          {
            field: fieldAt(artifactFields, 'deploy.image'),
            valid: deployerImage,
          },
        ]),
      ]),
    ));

  // POST /deploys ----------------------------------------------------------

  const deployFields: Field[] = [
    { path: ['entityRef'], kind: 'text', max: 255, required: true },
    { path: ['environment'], kind: 'text', max: 64, required: true },
    { path: ['artifactId'], kind: 'uuid', required: true },
    { path: ['dryRun'], kind: 'bool' },
    { path: ['force'], kind: 'bool' },
    { path: ['reason'], kind: 'reason', max: 2000 },
  ];
  const deployKeys = topKeys(deployFields);
  const deployBody = (full: boolean) =>
    fc
      .record(
        {
          target: fc.constantFrom<'dep' | 'dep2'>('dep', 'dep2'),
          short: fc.boolean(),
          environment: fc.constantFrom(...ENVIRONMENTS),
          dryRun: fc.boolean(),
          force: fc.boolean(),
          reason: safeText(2000),
        },
        full ? undefined : { requiredKeys: ['target', 'short', 'environment'] },
      )
      .map(({ target, short, reason, ...rest }) => ({
        entityRef: (target === 'dep' ? DEP : DEP2).replace(
          ':default/',
          short ? ':' : ':default/',
        ),
        artifactId: fx[target],
        ...rest,
        // production asks for a reason
        ...(reason !== undefined || rest.environment === 'production'
          ? { reason: reason ?? 'fuzz' }
          : {}),
      }));
  const idempotencyKey = fc
    .stringMatching(/^[A-Za-z0-9._:-]{1,40}$/)
    .map(k => `fuzz-${k}`);
  const deployRequest = bodyRequest('POST /deploys', '/deploys');
  const deployCases = (patches: fc.Arbitrary<Patch>[]) =>
    cases(
      fc.tuple(deployBody(true), fc.option(idempotencyKey, { nil: undefined })),
      patches,
      ([body, key], patch) => {
        const req = deployRequest(body, patch);
        const headers = {
          ...(key ? { 'Idempotency-Key': key } : {}),
          ...patch.headers,
        };
        return Object.keys(headers).length ? { ...req, headers } : req;
      },
    );

  it('POST /deploys refuses invalid bodies and Idempotency-Keys', () =>
    run(
      deployCases([
        ...fieldPatches(deployFields),
        unknownKeyPatch(deployKeys),
        ...bodyPatches(deployKeys, ['entityRef', 'environment', 'artifactId']),
        unknownEnvironment.map(
          change(deployFields, 'environment', 'unknown environment'),
        ),
        fc
          .oneof(unknownRef, malformedRef, fc.constant(LIB), fc.constant(GROUP))
          .map(change(deployFields, 'entityRef', 'not a deployable service')),
        fc
          .oneof(
            fc.uuid().filter(u => ![fx.dep, fx.dep2].includes(u)),
            fc.constantFrom(MISSING_ID, fx.g1, fx.g2),
          )
          .map(
            change(deployFields, 'artifactId', 'no artifact of this service'),
          ),
        fc.constantFrom(undefined, '', '   ').map(reason => ({
          what: 'production without a reason',
          set: [
            [['environment'], 'production'],
            [['reason'], reason],
          ] as Array<[string[], unknown]>,
          fields: ['reason'],
        })),
        fc.oneof(fc.constant(''), longText(256, 1000)).map(key => ({
          what: 'bad Idempotency-Key',
          headers: { 'Idempotency-Key': key },
          fields: ['Idempotency-Key'],
        })),
      ]),
    ));

  it('POST /deploys refuses control characters in text fields', () =>
    run(
      deployCases([
        controlPatches([
          { field: fieldAt(deployFields, 'entityRef'), valid: refForm(DEP) },
          {
            field: fieldAt(deployFields, 'environment'),
            valid: fc.constantFrom(...ENVIRONMENTS),
          },
          { field: fieldAt(deployFields, 'reason'), valid: safeText(1000) },
        ]),
      ]),
    ));

  // POST /rollbacks --------------------------------------------------------

  const rollbackFields: Field[] = [
    { path: ['entityRef'], kind: 'text', max: 255, required: true },
    { path: ['environment'], kind: 'text', max: 64, required: true },
    { path: ['reason'], kind: 'reason', max: 2000 },
  ];
  const rollbackKeys = topKeys(rollbackFields);
  const rollbackBody = (full: boolean) =>
    fc.record(
      {
        entityRef: refForm(RB),
        environment: fc.constant('local'),
        reason: safeText(2000),
      },
      full ? undefined : { requiredKeys: ['entityRef', 'environment'] },
    );
  const rollbackRequest = bodyRequest('POST /rollbacks', '/rollbacks');
  const rollbackCases = (patches: fc.Arbitrary<Patch>[]) =>
    cases(rollbackBody(true), patches, rollbackRequest);

  it('POST /rollbacks refuses invalid bodies', () =>
    run(
      rollbackCases([
        ...fieldPatches(rollbackFields),
        unknownKeyPatch(rollbackKeys),
        ...bodyPatches(rollbackKeys, ['entityRef', 'environment']),
        unknownEnvironment.map(
          change(rollbackFields, 'environment', 'unknown environment'),
        ),
        fc
          .oneof(unknownRef, malformedRef, fc.constant(LIB))
          .map(change(rollbackFields, 'entityRef', 'not a deployable service')),
      ]),
    ));

  it('POST /rollbacks refuses control characters in text fields', () =>
    run(
      rollbackCases([
        controlPatches([
          { field: fieldAt(rollbackFields, 'entityRef'), valid: refForm(RB) },
          {
            field: fieldAt(rollbackFields, 'environment'),
            valid: fc.constant('local'),
          },
          { field: fieldAt(rollbackFields, 'reason'), valid: safeText(1000) },
        ]),
      ]),
    ));

  // POST /locks ------------------------------------------------------------

  const lockFields: Field[] = [
    { path: ['environment'], kind: 'text', max: 64, required: true },
    {
      path: ['entityRef'],
      kind: 'text',
      max: 255,
      without: [['deployGroup']],
    },
    {
      path: ['deployGroup'],
      kind: 'text',
      max: 255,
      without: [['entityRef']],
    },
    { path: ['reason'], kind: 'text', max: 2000, required: true },
    { path: ['expiresAt'], kind: 'iso' },
  ];
  const lockKeys = topKeys(lockFields);
  const lockBody = (full: boolean) =>
    fc
      .record(
        {
          environment: fc.constantFrom(...ENVIRONMENTS),
          target: fc.oneof(
            fc.constant({}),
            fc
              .oneof(refForm(DEP), refForm(DEP2), refForm(G1))
              .map(entityRef => ({ entityRef })),
            groupForm(GROUP).map(deployGroup => ({ deployGroup })),
          ),
          reason: safeText(2000),
          expiresAt: future(),
        },
        full
          ? undefined
          : { requiredKeys: ['environment', 'target', 'reason'] },
      )
      .map(({ target, ...rest }) => ({ ...rest, ...target }));
  const lockRequest = bodyRequest('POST /locks', '/locks');
  const lockCases = (patches: fc.Arbitrary<Patch>[]) =>
    cases(lockBody(true), patches, lockRequest);

  it('POST /locks refuses invalid bodies', () =>
    run(
      lockCases([
        ...fieldPatches(lockFields),
        unknownKeyPatch(lockKeys),
        ...bodyPatches(lockKeys, ['environment', 'reason']),
        unknownEnvironment.map(
          change(lockFields, 'environment', 'unknown environment'),
        ),
        fc
          .oneof(unknownRef, malformedRef, fc.constant(LIB), fc.constant(GROUP))
          .map(change(lockFields, 'entityRef', 'not a deployable service')),
        fc
          .oneof(
            unknownRef,
            fc.constant(DEP),
            fc.constant(EMPTY_GROUP.replace('empty', 'gone')),
          )
          .map(change(lockFields, 'deployGroup', 'no deploy group')),
        fc.tuple(refForm(DEP), groupForm(GROUP)).map(([entityRef, group]) => ({
          what: 'both entityRef and deployGroup',
          set: [
            [['entityRef'], entityRef],
            [['deployGroup'], group],
          ] as Array<[string[], unknown]>,
          fields: ['deployGroup'],
        })),
      ]),
    ));

  it('POST /locks refuses an expiresAt in the past', () =>
    run(
      lockCases([past().map(change(lockFields, 'expiresAt', 'in the past'))]),
    ));

  it('POST /locks refuses control characters in text fields', () =>
    run(
      lockCases([
        controlPatches([
          {
            field: fieldAt(lockFields, 'environment'),
            valid: fc.constantFrom(...ENVIRONMENTS),
          },
          { field: fieldAt(lockFields, 'entityRef'), valid: refForm(DEP) },
          {
            field: fieldAt(lockFields, 'deployGroup'),
            valid: groupForm(GROUP),
          },
          { field: fieldAt(lockFields, 'reason'), valid: safeText(1000) },
        ]),
      ]),
    ));

  // POST /releases ---------------------------------------------------------

  const releaseFields: Field[] = [
    { path: ['deployGroup'], kind: 'text', max: 255, required: true },
    { path: ['environment'], kind: 'text', max: 64, required: true },
    { path: ['artifacts'], kind: 'record' },
    { path: ['dryRun'], kind: 'bool' },
    { path: ['reason'], kind: 'reason', max: 2000 },
  ];
  const releaseKeys = topKeys(releaseFields);
  const memberArtifacts = () =>
    fc
      .subarray([
        [G1, fx.g1],
        [G2, fx.g2],
      ])
      .chain(entries =>
        fc
          .tuple(...entries.map(() => fc.constantFrom('full', 'upper')))
          .map(forms =>
            Object.fromEntries(
              entries.map(([ref, id], i) => [
                forms[i] === 'upper' ? ref.toUpperCase() : ref,
                id,
              ]),
            ),
          ),
      );
  const releaseBody = (full: boolean) =>
    fc
      .record(
        {
          deployGroup: groupForm(GROUP),
          environment: fc.constantFrom(...ENVIRONMENTS),
          artifacts: memberArtifacts(),
          dryRun: fc.boolean(),
          reason: safeText(2000),
        },
        full ? undefined : { requiredKeys: ['deployGroup', 'environment'] },
      )
      .map(({ reason, ...rest }) => ({
        ...rest,
        ...(reason !== undefined || rest.environment === 'production'
          ? { reason: reason ?? 'fuzz' }
          : {}),
      }));
  const releaseRequest = bodyRequest('POST /releases', '/releases');
  const releaseCases = (patches: fc.Arbitrary<Patch>[]) =>
    cases(releaseBody(true), patches, releaseRequest);

  it('POST /releases refuses invalid bodies', () =>
    run(
      releaseCases([
        ...fieldPatches(releaseFields),
        unknownKeyPatch(releaseKeys),
        ...bodyPatches(releaseKeys, ['deployGroup', 'environment']),
        unknownEnvironment.map(
          change(releaseFields, 'environment', 'unknown environment'),
        ),
        fc
          .oneof(
            unknownRef,
            malformedRef,
            fc.constantFrom(DEP, LIB, EMPTY_GROUP, 'fuzz-empty'),
          )
          .map(
            change(
              releaseFields,
              'deployGroup',
              'no deploy group with members',
            ),
          ),
        fc
          .tuple(
            fc.oneof(
              fc.constantFrom(DEP, LIB, 'component:default/nope', ''),
              unknownRef,
            ),
            fc.oneof(fc.uuid(), fc.constantFrom(fx.dep, fx.g1)),
          )
          .map(([key, id]) =>
            patchOf(
              fieldAt(releaseFields, 'artifacts'),
              `non-member key ${key}`,
              { [key]: id },
            ),
          ),
        fc
          .tuple(
            fc.constantFrom(G1, G2),
            fc.oneof(
              badUuid,
              nonString,
              fc.constantFrom(MISSING_ID, fx.dep, fx.dep2),
            ),
          )
          .map(([key, id]) =>
            patchOf(
              fieldAt(releaseFields, 'artifacts'),
              `bad artifact for ${key}`,
              {
                [key]: id,
              },
            ),
          ),
        fc.constantFrom(undefined, '', '   ').map(reason => ({
          what: 'production without a reason',
          set: [
            [['environment'], 'production'],
            [['reason'], reason],
          ] as Array<[string[], unknown]>,
          fields: ['reason'],
        })),
      ]),
    ));

  it('POST /releases refuses __proto__ and other prototype keys in artifacts', () =>
    run(
      releaseCases([
        fc
          .tuple(
            memberArtifacts(),
            fc.oneof(
              { weight: 3, arbitrary: fc.constant('__proto__') },
              {
                weight: 1,
                arbitrary: fc.constantFrom(
                  'constructor',
                  'prototype',
                  'toString',
                  'hasOwnProperty',
                ),
              },
            ),
            fc.oneof(fc.uuid(), fc.constantFrom(fx.g1, fx.g2)),
          )
          .map(([members, key, id]) =>
            patchOf(
              fieldAt(releaseFields, 'artifacts'),
              `key ${key}`,
              withKey(members, key, id),
            ),
          ),
      ]),
    ));

  it('POST /releases refuses control characters in text fields', () =>
    run(
      releaseCases([
        controlPatches([
          {
            field: fieldAt(releaseFields, 'deployGroup'),
            valid: groupForm(GROUP),
          },
          {
            field: fieldAt(releaseFields, 'environment'),
            valid: fc.constantFrom(...ENVIRONMENTS),
          },
          { field: fieldAt(releaseFields, 'reason'), valid: safeText(1000) },
        ]),
      ]),
    ));

  // POST /releases/:id/rollback --------------------------------------------

  const releaseRollbackFields: Field[] = [
    { path: ['reason'], kind: 'reason', max: 2000 },
  ];
  const releaseRollbackRequest = bodyRequest(
    'POST /releases/:id/rollback',
    `/releases/:id/rollback`,
  );
  const releaseRollbackCases = (patches: fc.Arbitrary<Patch>[]) =>
    cases(fc.record({ reason: safeText(2000, 0) }), patches, (body, patch) =>
      releaseRollbackRequest(body, { id: MISSING_ID, ...patch }),
    );

  it('POST /releases/:id/rollback refuses bad ids and invalid bodies', () =>
    run(
      releaseRollbackCases([
        pathPatches,
        ...fieldPatches(releaseRollbackFields),
        unknownKeyPatch(['reason']),
        ...bodyPatches(['reason'], [], { emptyIsValid: true }),
      ]),
    ));

  it('POST /releases/:id/rollback refuses control characters in the reason', () =>
    run(
      releaseRollbackCases([
        controlPatches([
          {
            field: fieldAt(releaseRollbackFields, 'reason'),
            valid: safeText(1000),
          },
        ]),
      ]),
    ));

  // routes that take only an id ----------------------------------------------

  const idRoutes: Array<[string, string, 'get' | 'post' | 'delete']> = [
    ['GET /deploys/:id', '/deploys/:id', 'get'],
    ['POST /deploys/:id/cancel', '/deploys/:id/cancel', 'post'],
    ['GET /artifacts/:id', '/artifacts/:id', 'get'],
    ['DELETE /locks/:id', '/locks/:id', 'delete'],
    ['GET /releases/:id', '/releases/:id', 'get'],
    ['POST /releases/:id/cancel', '/releases/:id/cancel', 'post'],
  ];

  it.each(idRoutes)('%s refuses ids that are no UUID', (route, path, method) =>
    run(
      pathPatches.map(patch =>
        toCase(
          { route, method, path: path.replace(':id', patch.id!), auth: USER },
          patch,
        ),
      ),
    ),
  );

  // queries ------------------------------------------------------------------

  const text255 = safeText(255);
  const deploysQuery: QueryField[] = [
    { key: 'entityRef', kind: 'text', max: 255 },
    { key: 'environment', kind: 'text', max: 64 },
    { key: 'status', kind: 'status' },
    { key: 'createdAfter', kind: 'iso' },
    { key: 'limit', kind: 'limit', max: 500 },
    { key: 'cursor', kind: 'cursor', max: 64 },
  ];
  const deploysValid = (full: boolean) =>
    fc.record(
      {
        entityRef: fc.oneof(refForm(DEP), text255),
        environment: fc.oneof(fc.constantFrom(...ENVIRONMENTS), safeText(64)),
        status: fc
          .subarray([...DEPLOY_STATUSES], { minLength: 1 })
          .map(s => s.join(',')),
        createdAfter: isoDate(new Date('2000-01-01'), YEAR_2100),
        limit: fc.integer({ min: 1, max: 500 }).map(String),
      },
      full ? undefined : { requiredKeys: [] },
    ) as fc.Arbitrary<Record<string, string>>;
  const artifactsQuery: QueryField[] = [
    { key: 'entityRef', kind: 'text', max: 255 },
    { key: 'ids', kind: 'ids' },
    { key: 'limit', kind: 'limit', max: 500 },
    { key: 'cursor', kind: 'cursor', max: 64 },
  ];
  const artifactsValid = (full: boolean) =>
    fc.record(
      {
        entityRef: fc.oneof(refForm(DEP), text255),
        ids: fc
          .array(fc.oneof(fc.uuid(), fc.constant(fx.dep)), {
            minLength: 1,
            maxLength: 100,
          })
          .map(ids => ids.join(',')),
        limit: fc.integer({ min: 1, max: 500 }).map(String),
      },
      full ? undefined : { requiredKeys: [] },
    ) as fc.Arbitrary<Record<string, string>>;
  const stateQuery: QueryField[] = [
    { key: 'entityRef', kind: 'text', max: 255 },
  ];
  const stateValid = () =>
    fc.record({
      entityRef: fc.oneof(refForm(DEP), refForm(RB), refForm(G1)),
    });
  const locksQuery: QueryField[] = [
    { key: 'environment', kind: 'text', max: 64 },
    { key: 'entityRef', kind: 'text', max: 255 },
    { key: 'deployGroup', kind: 'text', max: 255 },
  ];
  // with an entityRef, the locks that apply to that service: it must be one,
  // and the environment a configured one
  const locksValid = (full: boolean) =>
    fc.oneof(
      fc.record(
        {
          environment: fc.constantFrom(...ENVIRONMENTS),
          entityRef: fc.oneof(refForm(DEP), refForm(G1)),
          deployGroup: fc.oneof(groupForm(GROUP), text255),
        },
        full ? undefined : { requiredKeys: ['entityRef'] },
      ),
      fc.record(
        {
          environment: fc.oneof(fc.constantFrom(...ENVIRONMENTS), safeText(64)),
          deployGroup: fc.oneof(groupForm(GROUP), text255),
        },
        { requiredKeys: [] },
      ),
    ) as fc.Arbitrary<Record<string, string>>;
  const releasesQuery: QueryField[] = [
    { key: 'deployGroup', kind: 'text', max: 255 },
    { key: 'limit', kind: 'limit', max: 200 },
  ];
  const releasesValid = (full: boolean) =>
    fc.record(
      {
        deployGroup: groupForm(GROUP),
        limit: fc.integer({ min: 1, max: 200 }).map(String),
      },
      full ? undefined : { requiredKeys: [] },
    ) as fc.Arbitrary<Record<string, string>>;
  const logsQuery: QueryField[] = [{ key: 'follow', kind: 'follow' }];

  const queryRoutes = () =>
    [
      {
        route: 'GET /deploys',
        path: '/deploys',
        fields: deploysQuery,
        valid: deploysValid,
        control: [
          { key: 'entityRef', valid: refForm(DEP) },
          { key: 'environment', valid: fc.constantFrom(...ENVIRONMENTS) },
        ],
      },
      {
        route: 'GET /artifacts',
        path: '/artifacts',
        fields: artifactsQuery,
        valid: artifactsValid,
        control: [{ key: 'entityRef', valid: refForm(DEP) }],
      },
      {
        route: 'GET /state',
        path: '/state',
        fields: stateQuery,
        valid: stateValid,
        control: [{ key: 'entityRef', valid: refForm(DEP) }],
        extra: [
          fc.constant<Patch>({
            what: 'entityRef: missing',
            drop: ['entityRef'],
            fields: ['entityRef'],
          }),
          fc
            .oneof(unknownRef, malformedRef, fc.constantFrom(LIB, GROUP))
            .map(v =>
              qpatch('entityRef', 'not a deployable service', [
                ['entityRef', v],
              ]),
            ),
        ],
      },
      {
        route: 'GET /locks',
        path: '/locks',
        fields: locksQuery,
        valid: locksValid,
        extra: [
          fc
            .oneof(unknownRef, malformedRef, fc.constantFrom(LIB, GROUP))
            .map(v =>
              qpatch('entityRef', 'not a deployable service', [
                ['entityRef', v],
              ]),
            ),
          fc.tuple(refForm(DEP), unknownEnvironment).map(([ref, env]) => ({
            what: 'environment: unknown, with an entityRef',
            drop: ['entityRef', 'environment'],
            query: [
              ['entityRef', ref],
              ['environment', env],
            ] as Array<[string, string]>,
            fields: ['environment'],
          })),
        ],
        control: [
          { key: 'environment', valid: fc.constantFrom(...ENVIRONMENTS) },
          { key: 'entityRef', valid: refForm(DEP) },
          { key: 'deployGroup', valid: groupForm(GROUP) },
        ],
      },
      {
        route: 'GET /releases',
        path: '/releases',
        fields: releasesQuery,
        valid: releasesValid,
        control: [{ key: 'deployGroup', valid: groupForm(GROUP) }],
        extra: [
          fc
            .oneof(unknownRef, malformedRef, fc.constantFrom(DEP, 'fuzz-gone'))
            .map(v =>
              qpatch('deployGroup', 'no deploy group', [['deployGroup', v]]),
            ),
        ],
      },
      {
        route: 'GET /deploys/:id/logs',
        path: `/deploys/${fx.deploy}/logs`,
        fields: logsQuery,
        valid: () =>
          fc.record(
            { follow: fc.constantFrom('true', 'false') },
            { requiredKeys: [] },
          ) as fc.Arbitrary<Record<string, string>>,
        control: [],
        extra: [
          pathPatches.map(p => ({
            ...p,
            // a bad id refuses before the query is read
            drop: ['follow'],
          })),
        ],
      },
    ] as Array<{
      route: string;
      path: string;
      fields: QueryField[];
      valid: (full: boolean) => fc.Arbitrary<Record<string, string>>;
      control: Array<{ key: string; valid: fc.Arbitrary<string> }>;
      extra?: fc.Arbitrary<Patch>[];
    }>;

  const queryRouteNames = [
    'GET /deploys',
    'GET /artifacts',
    'GET /state',
    'GET /locks',
    'GET /releases',
    'GET /deploys/:id/logs',
  ];
  const queryRoute = (name: string) =>
    queryRoutes().find(r => r.route === name)!;
  const queryBuild = (r: ReturnType<typeof queryRoute>) => {
    const build = queryRequest(r.route, r.path);
    return (q: Record<string, string>, patch: Patch) => {
      const req = build(q, patch);
      return patch.id ? { ...req, path: `/deploys/${patch.id}/logs` } : req;
    };
  };

  it.each(queryRouteNames)('%s refuses invalid queries', name => {
    const r = queryRoute(name);
    // mutate a query with every parameter, so that the one changed is the one named
    return run(
      cases(
        r.valid(true),
        [...queryPatches(r.fields), ...(r.extra ?? [])],
        queryBuild(r),
      ),
    );
  });

  it.each(queryRouteNames.filter(n => n !== 'GET /deploys/:id/logs'))(
    '%s refuses control characters in query text',
    name => {
      const r = queryRoute(name);
      return run(
        cases(r.valid(true), queryControlPatches(r.control), queryBuild(r)),
      );
    },
  );

  // authorization comes after validation where the brief says so -------------

  it('refuses an unknown environment with a 400 even when every permission is denied', async () => {
    const requests = fc.oneof(
      fc
        .tuple(deployBody(false), unknownEnvironment)
        .map(([b, env]) => deployRequest({ ...b, environment: env })),
      fc
        .tuple(rollbackBody(false), unknownEnvironment)
        .map(([b, env]) => rollbackRequest({ ...b, environment: env })),
      fc
        .tuple(lockBody(false), unknownEnvironment)
        .map(([b, env]) => lockRequest({ ...b, environment: env })),
      fc
        .tuple(releaseBody(false), unknownEnvironment)
        .map(([b, env]) => releaseRequest({ ...b, environment: env })),
    );
    decide = denyAll;
    await run(
      requests.map(req => ({
        req,
        what: 'unknown environment, every permission denied',
        fields: ['environment'],
      })),
    );
  });

  // credentials ----------------------------------------------------------------

  it('refuses every route without valid credentials (401), writing nothing', () => {
    const badAuth = fc.oneof(
      fc.constantFrom(
        NONE,
        mockCredentials.user.invalidHeader(),
        mockCredentials.service.invalidHeader(),
      ),
      fc
        .stringMatching(/^[A-Za-z0-9._~+/-]{1,80}=*$/)
        .filter(t => !t.startsWith('mock'))
        .map(t => `Bearer ${t}`),
    );
    const id = (path: string) => path.replace(':id', MISSING_ID);
    const anyRequest: fc.Arbitrary<ApiRequest> = fc.oneof(
      artifactBody(false).map(b => artifactRequest(b)),
      deployBody(false).map(b => deployRequest(b)),
      rollbackBody(false).map(b => rollbackRequest(b)),
      lockBody(false).map(b => lockRequest(b)),
      releaseBody(false).map(b => releaseRequest(b)),
      fc.constant(
        releaseRollbackRequest({}, { what: '', fields: [], id: MISSING_ID }),
      ),
      fc.constantFrom(
        ...idRoutes.map(
          ([route, path, method]): ApiRequest => ({
            route,
            method,
            path: id(path),
            auth: USER,
          }),
        ),
      ),
      fc.constantFrom(
        ...[
          ['GET /deploys', '/deploys'],
          ['GET /artifacts', '/artifacts'],
          ['GET /environments', '/environments'],
          ['GET /locks', '/locks'],
          ['GET /releases', '/releases'],
          ['GET /deploys/:id/logs', `/deploys/${fx.deploy}/logs`],
        ].map(
          ([route, path]): ApiRequest => ({
            route,
            method: 'get',
            path,
            auth: USER,
          }),
        ),
        {
          route: 'GET /state',
          method: 'get',
          path: '/state',
          query: [['entityRef', DEP]],
          auth: USER,
        },
      ),
    );
    return run(
      fc.tuple(anyRequest, badAuth).map(([req, auth]) => ({
        req: { ...req, auth },
        what: `Authorization ${JSON.stringify(auth)}`,
        fields: [],
      })),
    );
  });

  // acceptance -------------------------------------------------------------------

  /**
   * Valid requests, accepted: on a database and backend of their own without
   * the fixture locks, so the refusals above run alone and in any order (the
   * helpers above read `backend`, `knex` and `fx`: swapped for this block).
   */
  describe('accepting valid requests', () => {
    let refusals: { backend: TestBackend; knex: Knex; fx: Fixtures };
    let counted: typeof counts;

    beforeAll(async () => {
      refusals = { backend, knex, fx: { ...fx } };
      counted = counts;
      backend = await startFuzzBackend(false);
    });

    afterAll(async () => {
      await backend?.stop();
      ({ backend, knex } = refusals);
      Object.assign(fx, refusals.fx);
      counts = counted;
    });

    it('answers valid queries of every GET route with 200, writing nothing', () => {
      const gets: fc.Arbitrary<ApiRequest> = fc.oneof(
        ...queryRouteNames.map(name => {
          const r = queryRoute(name);
          return r.valid(false).map(q => queryRequest(r.route, r.path)(q));
        }),
        fc.constantFrom<ApiRequest>(
          {
            route: 'GET /environments',
            method: 'get',
            path: '/environments',
            auth: USER,
          },
          {
            route: 'GET /deploys/:id',
            method: 'get',
            path: `/deploys/${fx.deploy}`,
            auth: USER,
          },
          {
            route: 'GET /artifacts/:id',
            method: 'get',
            path: `/artifacts/${fx.dep}`,
            auth: USER,
          },
        ),
      );
      return fc.assert(
        fc.asyncProperty(gets, async req => {
          await expectAccepted(req, [200], { unchanged: true });
        }),
        params(),
      );
    });

    it('registers valid artifacts (201)', () =>
      fc.assert(
        fc.asyncProperty(artifactBody(false), async body => {
          const req = withUniqueVersion(artifactRequest(body));
          const res = await expectAccepted(req, [201]);
          expect(res.body).toMatchObject({
            entityRef: ART,
            version: (req.body as any).version,
            commitSha: body.commitSha,
          });
        }),
        params(),
      ));

    it('creates valid locks (201) and removes them (204)', () =>
      fc.assert(
        fc.asyncProperty(lockBody(false), async body => {
          const res = await expectAccepted(lockRequest(body), [201]);
          expect(res.body.environment).toBe(body.environment);
          await expectAccepted(
            {
              route: 'DELETE /locks/:id',
              method: 'delete',
              path: `/locks/${segment(res.body.id)}`,
              auth: USER,
            },
            [204],
          );
        }),
        params(),
      ));

    it('queues valid deploys (202, or 200 when skipped)', () =>
      fc.assert(
        fc.asyncProperty(
          deployBody(false),
          fc.option(idempotencyKey, { nil: undefined }),
          async (body, key) => {
            sequence += 1;
            const req = deployRequest(body);
            const res = await expectAccepted(
              key
                ? {
                    ...req,
                    headers: { 'Idempotency-Key': `${key}-${sequence}` },
                  }
                : req,
              [200, 202],
            );
            expect(res.body.artifactId).toBe(body.artifactId);
          },
        ),
        params(),
      ));

    it('queues valid rollbacks (202, or 200 when skipped)', () =>
      fc.assert(
        fc.asyncProperty(rollbackBody(false), async body => {
          const res = await expectAccepted(rollbackRequest(body), [200, 202]);
          expect(res.body.entityRef).toBe(RB);
        }),
        params(),
      ));

    it('starts valid releases (202)', () =>
      fc.assert(
        fc.asyncProperty(releaseBody(false), async body => {
          const res = await expectAccepted(releaseRequest(body), [202]);
          expect(res.body.deployGroup).toBe(GROUP);
        }),
        params(),
      ));
  });
});
