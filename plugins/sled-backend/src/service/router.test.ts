import {
  mockServices,
  startTestBackend,
  TestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  Artifact,
  Deploy,
  sledReadPermission,
} from '@internal/plugin-sled-common';
import fs from 'fs';
import { Knex } from 'knex';
import path from 'path';
import request from 'supertest';
import yaml from 'yaml';
import {
  eventually,
  isAlive,
  makeTempDir,
  writeScript,
} from '../__testUtils__/processes';
import {
  CI,
  Decide,
  defaultSledConfig,
  libraryEntity,
  NONE,
  serviceEntity,
  snapshotTables,
  startSledBackend,
  switchablePermissions,
  USER,
  waitForEnd,
  waitForStatus,
  allowAllButLockOverride,
  MISSING_ID,
} from '../__testUtils__/sledBackend';
import { DatabaseDeployStore } from '../database/DatabaseDeployStore';
import sledPlugin from '../index';
import {
  createSledTargetConditionalDecision,
  sledTargetConditions,
} from '../permissions/rules';

const SVC_A = 'component:default/svc-a';
const SVC_B = 'component:default/svc-b';
const SVC_C = 'component:default/svc-c';
const SVC_D = 'component:default/svc-d';
const SVC_E = 'component:default/svc-e';
const LIB = 'component:default/lib';

/** Every route but /health, with a body where it takes one. */
const ROUTES: Array<
  [method: 'get' | 'post' | 'delete', path: string, body?: object]
> = [
  [
    'post',
    '/artifacts',
    { entityRef: SVC_A, version: '9.9.9', commitSha: 'abcdef1' },
  ],
  ['get', '/artifacts'],
  ['get', `/artifacts/${MISSING_ID}`],
  ['get', '/environments'],
  [
    'post',
    '/deploys',
    { entityRef: SVC_A, environment: 'local', artifactId: MISSING_ID },
  ],
  ['get', '/deploys'],
  ['get', `/deploys/${MISSING_ID}`],
  ['get', `/deploys/${MISSING_ID}/logs`],
  ['post', `/deploys/${MISSING_ID}/cancel`],
  ['post', '/rollbacks', { entityRef: SVC_A, environment: 'local' }],
  ['get', `/state?entityRef=${SVC_A}`],
  ['post', '/locks', { environment: 'local', reason: 'x' }],
  ['get', '/locks'],
  ['delete', `/locks/${MISSING_ID}`],
];

describe('sled router', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let dir: string;
  let cleanup: () => void;
  let knex: Knex;
  let backend: TestBackend;
  let decide: Decide = allowAllButLockOverride;

  const api = () => request(backend.server);
  const get = (p: string, auth = USER) =>
    api().get(`/api/sled${p}`).set('Authorization', auth);
  const post = (p: string, body?: object, auth = USER) =>
    api().post(`/api/sled${p}`).set('Authorization', auth).send(body);
  const del = (p: string, auth = USER) =>
    api().delete(`/api/sled${p}`).set('Authorization', auth);

  async function register(
    entityRef: string,
    version: string,
    extra: object = {},
  ): Promise<Artifact> {
    const res = await post(
      '/artifacts',
      { entityRef, version, commitSha: 'abcdef1234567', ...extra },
      CI,
    );
    expect(res.status).toBe(201);
    return res.body;
  }

  async function deploy(body: object, headers: Record<string, string> = {}) {
    return post('/deploys', body).set(headers);
  }

  /** Runs `refusal` and checks that it wrote nothing at all. */
  async function expectNothingWritten(refusal: () => Promise<unknown>) {
    const before = await snapshotTables(knex);
    await refusal();
    expect(await snapshotTables(knex)).toEqual(before);
  }

  function expectError(res: request.Response, status: number, pattern: RegExp) {
    expect({ status: res.status, body: res.body }).toEqual({
      status,
      body: expect.objectContaining({
        error: expect.objectContaining({
          message: expect.stringMatching(pattern),
        }),
      }),
    });
  }

  beforeAll(async () => {
    ({ dir, cleanup } = makeTempDir('sled-router-'));
    // the catalog's script decides what a version does: artifacts cannot
    writeScript(
      dir,
      'deploy.sh',
      [
        'case "$SLED_ARTIFACT_VERSION" in',
        '  *-slow) exec ./slow.sh ;;',
        '  *-chatty) exec ./chatty.sh ;;',
        'esac',
        'echo "deploying $SLED_ARTIFACT_VERSION to $SLED_ENVIRONMENT $*"',
      ].join('\n'),
    );
    writeScript(
      dir,
      'slow.sh',
      'sleep 30 &\necho $! > "slow-$SLED_DEPLOY_ID.pid"\necho started\nwait',
    );
    writeScript(
      dir,
      'chatty.sh',
      'echo one\nsleep 0.3\necho two\nsleep 0.3\necho three',
    );
  });

  // every test its own database and backend: it runs alone and in any order
  beforeEach(async () => {
    knex = await databases.init('SQLITE_3');
    backend = await startSledBackend({
      knex,
      entities: [
        serviceEntity('svc-a', dir),
        serviceEntity('svc-b', dir),
        serviceEntity('svc-c', dir),
        serviceEntity('svc-d', dir),
        serviceEntity('svc-e', dir, { owner: 'team-b' }),
        libraryEntity('lib'),
      ],
      permissions: switchablePermissions(() => decide),
    });
  });

  afterEach(async () => {
    decide = allowAllButLockOverride;
    await backend?.stop();
  });

  afterAll(() => cleanup?.());

  it('serves /health without credentials', async () => {
    const res = await api().get('/api/sled/health').set('Authorization', NONE);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('serves its OpenAPI document at /openapi.json to any signed-in caller', async () => {
    // as every route but /health: a token is needed, no permission
    expect(
      (await api().get('/api/sled/openapi.json').set('Authorization', NONE))
        .status,
    ).toBe(401);
    const res = await api()
      .get('/api/sled/openapi.json')
      .set('Authorization', USER);
    expect(res.status).toBe(200);
    const documented = yaml.parse(
      fs.readFileSync(path.resolve(__dirname, '../../openapi.yaml'), 'utf8'),
    );
    // openapi.yaml, with its paths under the route the plugin is mounted at
    expect(res.body).toEqual({
      ...documented,
      paths: Object.fromEntries(
        Object.entries(documented.paths).map(([p, item]) => [
          `/api/sled${p}`,
          item,
        ]),
      ),
    });
    expect(res.body.paths['/api/sled/deploys'].post.operationId).toBe(
      'createDeploy',
    );
  });

  it.each(ROUTES.map(([method, p, body]) => ({ method, p, body })))(
    'refuses $method $p without credentials (401)',
    async ({ method, p, body }) => {
      await expectNothingWritten(async () => {
        let req = api()[method](`/api/sled${p}`).set('Authorization', NONE);
        if (body) req = req.send(body);
        const res = await req;
        expect(res.status).toBe(401);
      });
    },
  );

  it('registers artifacts: 201 new, 200 identical replay, 409 different content', async () => {
    const body = {
      entityRef: 'component:svc-a', // normalised to component:default/svc-a
      version: '1.0.0',
      commitSha: 'abcdef1234567',
      image: 'registry.example/svc-a:1.0.0',
      mergeRequest: { url: 'https://git.example/mr/1', title: 'First' },
    };
    const created = await post('/artifacts', body, CI);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      entityRef: SVC_A,
      ownerRef: 'group:default/team-a',
      version: '1.0.0',
      image: 'registry.example/svc-a:1.0.0',
    });

    const replay = await post('/artifacts', { ...body, entityRef: SVC_A }, CI);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(created.body);

    await expectNothingWritten(async () => {
      const conflict = await post(
        '/artifacts',
        { ...body, image: 'registry.example/svc-a:other' },
        CI,
      );
      expectError(conflict, 409, /already registered with different content/);
    });

    const one = await get(`/artifacts/${created.body.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(created.body);
    expect((await get(`/artifacts/${MISSING_ID}`)).status).toBe(404);
    const list = await get(`/artifacts?entityRef=${SVC_A}`);
    expect(list.body.items.map((a: Artifact) => a.id)).toEqual([
      created.body.id,
    ]);
  });

  it('refuses bad artifact registrations with a 400 naming the field, writing nothing', async () => {
    const ok = {
      entityRef: SVC_A,
      version: '5.0.0',
      commitSha: 'abcdef1234567',
    };
    const cases: Array<[object, RegExp]> = [
      [{ ...ok, extra: true }, /unknown field extra/],
      [{ ...ok, version: 'not a version' }, /version/],
      [{ ...ok, commitSha: 'XYZ' }, /commitSha/],
      [{ version: '5.0.0', commitSha: 'abcdef1234567' }, /entityRef/],
      [{ ...ok, deploy: { command: 'rm -rf /' } }, /deploy\.command/],
      [
        { ...ok, mergeRequest: { url: 'not a url', title: 't' } },
        /mergeRequest\.url/,
      ],
      [
        { ...ok, entityRef: 'component:default/nope' },
        /entityRef: no entity 'component:default\/nope'/,
      ],
      [
        { ...ok, entityRef: LIB },
        /entityRef: 'component:default\/lib' is not a deployable service/,
      ],
      [{ ...ok, entityRef: 'not:a:valid:ref:::' }, /entityRef/],
    ];
    for (const [body, pattern] of cases) {
      await expectNothingWritten(async () => {
        expectError(await post('/artifacts', body, CI), 400, pattern);
      });
    }
    await expectNothingWritten(async () => {
      const res = await api()
        .post('/api/sled/artifacts')
        .set('Authorization', CI)
        .set('Content-Type', 'application/json')
        .send('{"entityRef": ');
      expect(res.status).toBe(400);
    });
  });

  it('refuses bodies over 1 MiB with 413, writing nothing', async () => {
    const huge = 'x'.repeat(1024 * 1024 + 10);
    await expectNothingWritten(async () => {
      const res = await post(
        '/artifacts',
        {
          entityRef: SVC_A,
          version: '6.0.0',
          commitSha: 'abcdef1',
          buildUrl: huge,
        },
        CI,
      );
      expect(res.status).toBe(413);
    });
    await expectNothingWritten(async () => {
      const res = await deploy({
        entityRef: SVC_A,
        environment: 'local',
        artifactId: MISSING_ID,
        reason: huge,
      });
      expect(res.status).toBe(413);
    });
  });

  it('deploys, skips a replay, forces, dry-runs and rolls back', async () => {
    const v1 = await register(SVC_A, '1.1.0');
    const v2 = await register(SVC_A, '1.2.0');

    // deploy v1: 202 queued, then it runs and succeeds with its output stored
    const first = await deploy({
      entityRef: SVC_A,
      environment: 'local',
      artifactId: v1.id,
    });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({
      entityRef: SVC_A,
      environment: 'local',
      artifactId: v1.id,
      artifactVersion: '1.1.0',
      status: 'queued',
      requestedBy: 'user:default/mock',
      ownerRef: 'group:default/team-a',
      dryRun: false,
    });
    const done1 = await waitForEnd(backend, first.body.id);
    expect(done1).toMatchObject({
      status: 'succeeded',
      exitCode: 0,
      execution: { executor: 'local' },
    });
    expect(done1.startedAt).toBeDefined();
    expect(done1.finishedAt).toBeDefined();
    const logs = await get(`/deploys/${first.body.id}/logs`);
    expect(logs.status).toBe(200);
    expect(logs.headers['content-type']).toMatch(/^text\/plain/);
    expect(logs.text).toContain('deploying 1.1.0 to local');

    // the same artifact again changes nothing: 200 skipped
    const replay = await deploy({
      entityRef: SVC_A,
      environment: 'local',
      artifactId: v1.id,
    });
    expect(replay.status).toBe(200);
    expect(replay.body.status).toBe('skipped');
    expect(replay.body.message).toMatch(/already deployed/);
    expect(replay.body.id).not.toBe(first.body.id);

    // unless forced
    const forced = await deploy({
      entityRef: SVC_A,
      environment: 'local',
      artifactId: v1.id,
      force: true,
    });
    expect(forced.status).toBe(202);
    expect(forced.body).toMatchObject({ status: 'queued', force: true });
    expect((await waitForEnd(backend, forced.body.id)).status).toBe(
      'succeeded',
    );

    // v2 becomes current
    const second = await deploy({
      entityRef: SVC_A,
      environment: 'local',
      artifactId: v2.id,
    });
    expect(second.status).toBe(202);
    expect((await waitForEnd(backend, second.body.id)).status).toBe(
      'succeeded',
    );
    let state = await get(`/state?entityRef=${SVC_A}`);
    expect(state.status).toBe(200);
    const local = () =>
      state.body.environments.find((e: any) => e.environment === 'local');
    expect(local().current.artifact.id).toBe(v2.id);
    expect(local().current.deploy.id).toBe(second.body.id);
    expect(state.body.environments.map((e: any) => e.environment)).toEqual([
      'local',
      'production',
    ]);

    // a dry run of v1 runs with --dry-run but does not change what is current
    const dry = await deploy({
      entityRef: SVC_A,
      environment: 'local',
      artifactId: v1.id,
      dryRun: true,
    });
    expect(dry.status).toBe(202);
    expect((await waitForEnd(backend, dry.body.id)).status).toBe('succeeded');
    expect((await get(`/deploys/${dry.body.id}/logs`)).text).toContain(
      'deploying 1.1.0 to local --dry-run',
    );
    state = await get(`/state?entityRef=${SVC_A}`);
    expect(local().current.artifact.id).toBe(v2.id);
    expect(local().lastDeploy.id).toBe(dry.body.id);

    // roll back: the previous good artifact, v1
    const rollback = await post('/rollbacks', {
      entityRef: SVC_A,
      environment: 'local',
    });
    expect(rollback.status).toBe(202);
    expect(rollback.body).toMatchObject({
      artifactId: v1.id,
      rollbackOf: second.body.id,
      status: 'queued',
    });
    expect(rollback.body.reason).toMatch(/1\.2\.0.*1\.1\.0/);
    expect((await waitForEnd(backend, rollback.body.id)).status).toBe(
      'succeeded',
    );
    state = await get(`/state?entityRef=${SVC_A}`);
    expect(local().current.artifact.id).toBe(v1.id);

    // history: newest first, filterable, paginated
    const history = await get(`/deploys?entityRef=${SVC_A}&environment=local`);
    expect(history.status).toBe(200);
    expect(history.body.items.map((d: Deploy) => d.id)).toEqual(
      [rollback, dry, second, forced, replay, first].map(r => r.body.id),
    );
    const skipped = await get(`/deploys?entityRef=${SVC_A}&status=skipped`);
    expect(skipped.body.items.map((d: Deploy) => d.id)).toEqual([
      replay.body.id,
    ]);
    const page1 = await get(`/deploys?entityRef=${SVC_A}&limit=4`);
    const page2 = await get(
      `/deploys?entityRef=${SVC_A}&limit=4&cursor=${page1.body.nextCursor}`,
    );
    expect(
      [...page1.body.items, ...page2.body.items].map((d: Deploy) => d.id),
    ).toEqual(history.body.items.map((d: Deploy) => d.id));
    expect(page2.body.nextCursor).toBeUndefined();
  });

  it('requires a reason for production and records it', async () => {
    const v = await register(SVC_A, '3.0.0');
    await expectNothingWritten(async () => {
      expectError(
        await deploy({
          entityRef: SVC_A,
          environment: 'production',
          artifactId: v.id,
        }),
        400,
        /reason/,
      );
      expectError(
        await deploy({
          entityRef: SVC_A,
          environment: 'production',
          artifactId: v.id,
          reason: '   ',
        }),
        400,
        /reason/,
      );
    });
    const ok = await deploy({
      entityRef: SVC_A,
      environment: 'production',
      artifactId: v.id,
      reason: 'release 3',
    });
    expect(ok.status).toBe(202);
    expect(ok.body.reason).toBe('release 3');
    expect((await waitForEnd(backend, ok.body.id)).status).toBe('succeeded');
  });

  it('refuses bad deploy requests with a 400 naming the field, writing nothing', async () => {
    const mine = await register(SVC_D, '1.0.0');
    const other = await register(SVC_B, '7.0.0');
    const ok = { entityRef: SVC_D, environment: 'local', artifactId: mine.id };
    const cases: Array<[object, RegExp, Record<string, string>?]> = [
      [{ ...ok, bogus: 1 }, /unknown field bogus/],
      [{ ...ok, artifactId: 'not-a-uuid' }, /artifactId/],
      [{ ...ok, artifactId: MISSING_ID }, /artifactId: no artifact/],
      [
        { ...ok, artifactId: other.id },
        // another service's artifact answers as a missing one
        /^artifactId: no artifact '[0-9a-f-]+' for component:default\/svc-d$/,
      ],
      [
        { ...ok, environment: 'staging' },
        /environment: unknown environment 'staging'/,
      ],
      [{ ...ok, entityRef: 'component:default/ghost' }, /entityRef: no entity/],
      [{ ...ok, entityRef: LIB }, /entityRef: .*not a deployable service/],
      [{ ...ok, dryRun: 'yes' }, /dryRun/],
      [{ ...ok, force: 1 }, /force/],
      [{ environment: 'local', artifactId: mine.id }, /entityRef/],
      [ok, /Idempotency-Key/, { 'Idempotency-Key': 'k'.repeat(256) }],
    ];
    for (const [body, pattern, headers] of cases) {
      await expectNothingWritten(async () => {
        expectError(await deploy(body, headers), 400, pattern);
      });
    }
    const listed = await get(`/deploys?entityRef=${SVC_D}`);
    expect(listed.body.items).toEqual([]);
  });

  it('refuses bad queries and ids with a 400 naming the field', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/deploys?status=bogus', /status/],
      ['/deploys?status=succeeded,bogus', /status/],
      ['/deploys?cursor=not-a-cursor', /cursor/],
      ['/deploys?limit=0', /limit/],
      ['/deploys?limit=many', /limit/],
      ['/deploys?colour=blue', /unknown field colour/],
      ['/artifacts?cursor=%25%25', /cursor/],
      ['/artifacts?status=queued', /unknown field status/],
      ['/deploys/not-a-uuid', /path/],
      ['/deploys/not-a-uuid/logs', /path/],
      ['/artifacts/not-a-uuid', /path/],
      ['/state', /entityRef/],
      [`/state?entityRef=${LIB}`, /not a deployable service/],
      ['/locks?colour=blue', /unknown field colour/],
    ];
    for (const [p, pattern] of cases) {
      expectError(await get(p), 400, pattern);
    }
    expect((await get(`/deploys/${MISSING_ID}`)).status).toBe(404);
    await expectNothingWritten(async () => {
      expectError(await post('/deploys/not-a-uuid/cancel'), 400, /path/);
      expect((await post(`/deploys/${MISSING_ID}/cancel`)).status).toBe(404);
      expectError(
        await post('/rollbacks', { entityRef: SVC_A, environment: 'nowhere' }),
        400,
        /environment/,
      );
      expectError(
        await post('/rollbacks', {
          entityRef: SVC_A,
          environment: 'local',
          extra: 1,
        }),
        400,
        /extra/,
      );
      expectError(
        await post('/rollbacks', { entityRef: SVC_D, environment: 'local' }),
        409,
        /Nothing to roll back/,
      );
      expectError(
        await post('/locks', { environment: 'local' }),
        400,
        /reason/,
      );
      expectError(
        await post('/locks', { environment: 'nowhere', reason: 'r' }),
        400,
        /environment/,
      );
      expectError(
        await post('/locks', {
          environment: 'local',
          reason: 'r',
          expiresAt: 'tomorrow',
        }),
        400,
        /expiresAt/,
      );
      expectError(
        await post('/locks', {
          environment: 'local',
          reason: 'r',
          entityRef: LIB,
        }),
        400,
        /entityRef/,
      );
      expectError(await del('/locks/not-a-uuid'), 400, /path/);
      expect((await del(`/locks/${MISSING_ID}`)).status).toBe(404);
    });
  });

  it('returns the same deploy for a reused Idempotency-Key, 409 for a different body', async () => {
    const v1 = await register(SVC_E, '1.0.0');
    const v2 = await register(SVC_E, '2.0.0');
    const body = { entityRef: SVC_E, environment: 'local', artifactId: v1.id };
    const first = await deploy(body, { 'Idempotency-Key': 'ci-run-42' });
    expect(first.status).toBe(202);
    const again = await deploy(body, { 'Idempotency-Key': 'ci-run-42' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);

    expect((await waitForEnd(backend, first.body.id)).status).toBe('succeeded');
    await expectNothingWritten(async () => {
      expectError(
        await deploy(
          { ...body, artifactId: v2.id },
          { 'Idempotency-Key': 'ci-run-42' },
        ),
        409,
        /Idempotency-Key 'ci-run-42' was already used/,
      );
    });
    // after it ran, the retry still answers with that deploy rather than a skip
    const late = await deploy(body, { 'Idempotency-Key': 'ci-run-42' });
    expect(late.body.id).toBe(first.body.id);
    // and so it does once the target is locked, which refuses new requests
    const lock = await post('/locks', {
      environment: 'local',
      entityRef: SVC_E,
      reason: 'freeze',
    });
    expect(lock.status).toBe(201);
    const locked = await deploy(body, { 'Idempotency-Key': 'ci-run-42' });
    expect(locked.status).toBe(200);
    expect(locked.body.id).toBe(first.body.id);
    expectError(
      await deploy(body, { 'Idempotency-Key': 'ci-run-43' }),
      409,
      /locked/,
    );
    expect((await del(`/locks/${lock.body.id}`)).status).toBe(204);
    const listed = await get(`/deploys?entityRef=${SVC_E}`);
    expect(listed.body.items.map((d: Deploy) => d.id)).toEqual([first.body.id]);
  });

  it('cancels queued and running deploys, stopping the script', async () => {
    const slow = await register(SVC_B, '1.0.0-slow');
    const running = await deploy({
      entityRef: SVC_B,
      environment: 'local',
      artifactId: slow.id,
    });
    expect(running.status).toBe(202);
    await waitForStatus(backend, running.body.id, 'running');
    await eventually(async () =>
      expect((await get(`/deploys/${running.body.id}/logs`)).text).toContain(
        'started',
      ),
    );
    const childPid = Number(
      fs.readFileSync(path.join(dir, `slow-${running.body.id}.pid`), 'utf8'),
    );
    expect(isAlive(childPid)).toBe(true);

    // a second deploy waits behind the running one
    const queued = await deploy({
      entityRef: SVC_B,
      environment: 'local',
      artifactId: slow.id,
      force: true,
    });
    expect(queued.status).toBe(202);
    expect((await get(`/deploys/${queued.body.id}`)).body.status).toBe(
      'queued',
    );
    const cancelQueued = await post(`/deploys/${queued.body.id}/cancel`);
    expect(cancelQueued.status).toBe(200);
    expect(cancelQueued.body.status).toBe('cancelled');

    const cancelRunning = await post(`/deploys/${running.body.id}/cancel`);
    expect(cancelRunning.status).toBe(200);
    const ended = await waitForEnd(backend, running.body.id);
    expect(ended.status).toBe('cancelled');
    await eventually(() => expect(isAlive(childPid)).toBe(false));

    expectError(
      await post(`/deploys/${running.body.id}/cancel`),
      409,
      /already ended: cancelled/,
    );
    expect(
      (await get(`/deploys?entityRef=${SVC_B}&status=running,queued`)).body
        .items,
    ).toEqual([]);
  });

  it('refuses deploys to a locked target, naming the lock, until it is removed', async () => {
    const v = await register(SVC_C, '1.0.0');
    const lockRes = await post('/locks', {
      environment: 'local',
      entityRef: 'component:svc-c',
      reason: 'database migration',
    });
    expect(lockRes.status).toBe(201);
    const lock = lockRes.body;
    expect(lock).toMatchObject({
      environment: 'local',
      entityRef: SVC_C,
      reason: 'database migration',
      createdBy: 'user:default/mock',
    });

    await expectNothingWritten(async () => {
      const refused = await deploy({
        entityRef: SVC_C,
        environment: 'local',
        artifactId: v.id,
      });
      expectError(
        refused,
        409,
        new RegExp(`locked.*database migration.*lock ${lock.id}`),
      );
    });
    const state = await get(`/state?entityRef=${SVC_C}`);
    expect(
      state.body.environments.find((e: any) => e.environment === 'local').lock
        .id,
    ).toBe(lock.id);
    expect(
      (await get('/locks?environment=local')).body.map((l: any) => l.id),
    ).toContain(lock.id);

    // an environment-wide lock shows on /environments and applies to every service
    const envLock = (
      await post('/locks', { environment: 'production', reason: 'freeze' })
    ).body;
    const envs = await get('/environments');
    expect(envs.status).toBe(200);
    expect(envs.body).toEqual([
      expect.objectContaining({
        name: 'local',
        executor: 'local',
        requireReason: false,
        locks: [],
      }),
      expect.objectContaining({
        name: 'production',
        executor: 'local',
        requireReason: true,
        locks: [expect.objectContaining({ id: envLock.id })],
      }),
    ]);
    await expectNothingWritten(async () => {
      expectError(
        await deploy({
          entityRef: SVC_C,
          environment: 'production',
          artifactId: v.id,
          reason: 'r',
        }),
        409,
        /production is locked/,
      );
    });
    expect((await del(`/locks/${envLock.id}`)).status).toBe(204);

    // with override permission the lock does not apply
    decide = () => ({ result: AuthorizeResult.ALLOW });
    const overridden = await deploy({
      entityRef: SVC_C,
      environment: 'local',
      artifactId: v.id,
      dryRun: true,
    });
    expect(overridden.status).toBe(202);
    await waitForEnd(backend, overridden.body.id);
    decide = allowAllButLockOverride;

    expect((await del(`/locks/${lock.id}`)).status).toBe(204);
    expect((await get('/locks')).body.map((l: any) => l.id)).not.toContain(
      lock.id,
    );
    const allowed = await deploy({
      entityRef: SVC_C,
      environment: 'local',
      artifactId: v.id,
    });
    expect(allowed.status).toBe(202);
    expect((await waitForEnd(backend, allowed.body.id)).status).toBe(
      'succeeded',
    );
  });

  it('follows logs until the deploy ends', async () => {
    const chatty = await register(SVC_D, '2.0.0-chatty');
    const res = await deploy({
      entityRef: SVC_D,
      environment: 'local',
      artifactId: chatty.id,
    });
    expect(res.status).toBe(202);
    const followed = await get(
      `/deploys/${res.body.id}/logs?follow=true`,
    ).buffer(true);
    expect(followed.status).toBe(200);
    expect(followed.text).toBe('one\ntwo\nthree\n');
    // the stream ended because the deploy did
    expect((await get(`/deploys/${res.body.id}`)).body.status).toBe(
      'succeeded',
    );
    // following an ended deploy returns at once with the whole log
    expect((await get(`/deploys/${res.body.id}/logs?follow=true`)).text).toBe(
      'one\ntwo\nthree\n',
    );
    expectError(
      await get(`/deploys/${res.body.id}/logs?follow=yes`),
      400,
      /follow/,
    );
  });

  it('filters lists and reads through conditional permission decisions', async () => {
    const v = await register(SVC_A, '8.0.0');
    const prod = await deploy({
      entityRef: SVC_A,
      environment: 'production',
      artifactId: v.id,
      reason: 'r',
      dryRun: true,
    });
    await waitForEnd(backend, prod.body.id);
    const local = await deploy({
      entityRef: SVC_A,
      environment: 'local',
      artifactId: v.id,
      dryRun: true,
    });
    await waitForEnd(backend, local.body.id);
    const all = (await get('/deploys?limit=500')).body.items as Deploy[];
    expect(all.some(d => d.environment === 'local')).toBe(true);

    decide = permission =>
      permission.name === sledReadPermission.name
        ? createSledTargetConditionalDecision(
            sledReadPermission,
            sledTargetConditions.isEnvironment({
              environments: ['production'],
            }),
          )
        : { result: AuthorizeResult.ALLOW };
    const filtered = await get('/deploys?limit=2');
    expect(filtered.status).toBe(200);
    expect(
      filtered.body.items.every((d: Deploy) => d.environment === 'production'),
    ).toBe(true);
    const pages: Deploy[] = [...filtered.body.items];
    let cursor = filtered.body.nextCursor;
    while (cursor) {
      const next = await get(`/deploys?limit=2&cursor=${cursor}`);
      pages.push(...next.body.items);
      cursor = next.body.nextCursor;
    }
    expect(pages.map(d => d.id)).toEqual(
      all.filter(d => d.environment === 'production').map(d => d.id),
    );

    // a record the caller may not read answers as a missing one does
    const localDeploy = local.body as Deploy;
    expectError(
      await get(`/deploys/${localDeploy.id}`),
      404,
      new RegExp(`^No deploy '${localDeploy.id}'$`),
    );
    expect((await get(`/deploys/${localDeploy.id}/logs`)).status).toBe(404);
    expect((await post(`/deploys/${localDeploy.id}/cancel`)).status).toBe(404);
    expect((await get(`/artifacts/${v.id}`)).status).toBe(404);
    expect((await get(`/deploys/${prod.body.id}`)).status).toBe(200);
    const state = await get(`/state?entityRef=${SVC_A}`);
    expect(state.body.environments.map((e: any) => e.environment)).toEqual([
      'production',
    ]);
    // artifacts belong to no environment, so an environment condition hides them
    const artifacts = await get('/artifacts');
    expect(artifacts.status).toBe(200);
    expect(artifacts.body.items).toEqual([]);
  });

  describe('with every permission denied', () => {
    let denied: TestBackend;
    let deniedKnex: Knex;
    const ids = { artifact: '', deploy: '', lock: '' };

    beforeAll(async () => {
      deniedKnex = await databases.init('SQLITE_3');
      const store = await DatabaseDeployStore.create({
        database: mockServices.database({ knex: deniedKnex }),
      });
      const { artifact } = await store.registerArtifact({
        entityRef: SVC_A,
        version: '1.0.0',
        commitSha: 'abcdef1',
      });
      const { deploy: d } = await store.createDeploy({
        entityRef: SVC_A,
        environment: 'local',
        artifact,
        status: 'skipped',
        dryRun: false,
        force: false,
        requestedBy: 'user:default/mock',
        launch: { command: ['./deploy.sh'] },
      });
      const lock = await store.createLock({
        environment: 'local',
        reason: 'r',
        createdBy: 'u',
      });
      Object.assign(ids, {
        artifact: artifact.id,
        deploy: d.id,
        lock: lock.id,
      });
      denied = await startTestBackend({
        features: [
          sledPlugin,
          catalogServiceMock.factory({
            entities: [serviceEntity('svc-a', dir), libraryEntity('lib')],
          }),
          mockServices.rootConfig.factory({
            data: { sled: defaultSledConfig },
          }),
          mockServices.database.factory({ knex: deniedKnex }),
          mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
        ],
      });
    });

    afterAll(async () => {
      await denied?.stop();
    });

    it('answers 403 on every route (404 for a record it may not read, as for a missing one) and writes nothing', async () => {
      const routes: Array<
        [method: 'get' | 'post' | 'delete', path: string, body?: object]
      > = [
        [
          'post',
          '/artifacts',
          { entityRef: SVC_A, version: '2.0.0', commitSha: 'abcdef1' },
        ],
        ['get', '/artifacts'],
        ['get', `/artifacts/${ids.artifact}`],
        ['get', '/environments'],
        [
          'post',
          '/deploys',
          {
            entityRef: SVC_A,
            environment: 'local',
            artifactId: ids.artifact,
            force: true,
          },
        ],
        ['get', '/deploys'],
        ['get', `/deploys/${ids.deploy}`],
        ['get', `/deploys/${ids.deploy}/logs`],
        ['get', `/deploys/${ids.deploy}/logs?follow=true`],
        ['post', `/deploys/${ids.deploy}/cancel`],
        ['post', '/rollbacks', { entityRef: SVC_A, environment: 'local' }],
        ['get', `/state?entityRef=${SVC_A}`],
        ['post', '/locks', { environment: 'local', reason: 'x' }],
        ['get', '/locks'],
        ['delete', `/locks/${ids.lock}`],
      ];
      const before = await snapshotTables(deniedKnex);
      const statuses: string[] = [];
      for (const [method, p, body] of routes) {
        let req = request(denied.server)
          [method](`/api/sled${p}`)
          .set(
            'Authorization',
            method === 'post' && p === '/artifacts' ? CI : USER,
          );
        if (body) req = req.send(body);
        const res = await req;
        statuses.push(`${method} ${p} ${res.status}`);
      }
      const unreadable = new Set([
        `/artifacts/${ids.artifact}`,
        `/deploys/${ids.deploy}`,
        `/deploys/${ids.deploy}/logs`,
        `/deploys/${ids.deploy}/logs?follow=true`,
        `/deploys/${ids.deploy}/cancel`,
        `/locks/${ids.lock}`,
      ]);
      expect(statuses).toEqual(
        routes.map(
          ([method, p]) => `${method} ${p} ${unreadable.has(p) ? 404 : 403}`,
        ),
      );
      // and exactly the body of an id that names nothing
      for (const [existing, missing] of [
        [`/deploys/${ids.deploy}`, `/deploys/${MISSING_ID}`],
        [`/artifacts/${ids.artifact}`, `/artifacts/${MISSING_ID}`],
      ]) {
        const a = await request(denied.server)
          .get(`/api/sled${existing}`)
          .set('Authorization', USER);
        const b = await request(denied.server)
          .get(`/api/sled${missing}`)
          .set('Authorization', USER);
        expect(a.body.error.message.replace(/'[^']+'/, "'id'")).toBe(
          b.body.error.message.replace(/'[^']+'/, "'id'"),
        );
      }
      expect(await snapshotTables(deniedKnex)).toEqual(before);
      expect(
        (await request(denied.server).get('/api/sled/health')).status,
      ).toBe(200);
    });
  });

  it('fails to start with a config error naming the key', async () => {
    const badKnex = await databases.init('SQLITE_3');
    await expect(
      startSledBackend({
        knex: badKnex,
        entities: [],
        sled: { environments: [{ name: 'local', executor: 'bogus' }] },
      }),
    ).rejects.toThrow(/sled\.environments\[0\]\.executor/);
    await expect(
      startSledBackend({
        knex: badKnex,
        entities: [],
        sled: {
          environments: [
            { name: 'local', executor: 'local' },
            { name: 'local', executor: 'local' },
          ],
        },
      }),
    ).rejects.toThrow(/sled\.environments\[1\]\.name/);
    await expect(
      startSledBackend({
        knex: badKnex,
        entities: [],
        sled: { environments: [{ name: 'prod', executor: 'kubernetes' }] },
      }),
    ).rejects.toThrow(/sled\.environments\[0\].*cluster/);
  });
});
