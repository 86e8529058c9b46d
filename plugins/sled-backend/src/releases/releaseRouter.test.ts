import { TestBackend, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Artifact, Release } from '@internal/plugin-sled-common';
import { Knex } from 'knex';
import request from 'supertest';
import {
  eventually,
  makeTempDir,
  writeScript,
} from '../__testUtils__/processes';
import {
  CI,
  Decide,
  NONE,
  serviceEntity,
  startSledBackend,
  switchablePermissions,
  USER,
  waitForEnd,
  allowAllButLockOverride,
  MISSING_ID,
} from '../__testUtils__/sledBackend';

jest.setTimeout(60_000);

const A = 'component:default/rel-a';
const B = 'component:default/rel-b';
const C = 'component:default/rel-c';
const GROUP = 'deploygroup:default/rel-group';
const D = 'component:default/rel-d';
const E = 'component:default/rel-e';
const PARTIAL = 'deploygroup:default/rel-partial';

const deployGroup = (
  name: string,
  members: string[],
  waves?: string[][],
): Entity => ({
  apiVersion: 'sled.dev/v1alpha1',
  kind: 'DeployGroup',
  metadata: { name, namespace: 'default' },
  spec: { owner: 'team-a', members, ...(waves ? { waves } : {}) },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
});

describe('releases API', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let knex: Knex;
  let backend: TestBackend;
  let cleanup: () => void;
  let decide: Decide = allowAllButLockOverride;

  const api = () => request(backend.server);
  const get = (p: string, auth = USER) =>
    api().get(`/api/sled${p}`).set('Authorization', auth);
  const post = (p: string, body?: object, auth = USER) =>
    api().post(`/api/sled${p}`).set('Authorization', auth).send(body);

  async function register(
    entityRef: string,
    version: string,
  ): Promise<Artifact> {
    const res = await post(
      '/artifacts',
      { entityRef, version, commitSha: 'abcdef1234567' },
      CI,
    );
    expect(res.status).toBe(201);
    return res.body;
  }

  async function waitForRelease(
    id: string,
    status: Release['status'],
  ): Promise<Release> {
    return eventually(async () => {
      const res = await get(`/releases/${id}`);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe(status);
      return res.body as Release;
    }, 30_000);
  }

  /** An artifact for every member of GROUP (each test has its own database). */
  async function registerGroup(): Promise<Record<string, Artifact>> {
    return {
      [A]: await register(A, '0.0.1'),
      [B]: await register(B, '1.0.0'),
      [C]: await register(C, '1.0.0'),
    };
  }

  const releaseCount = async () =>
    Number((await knex('sled_releases').count({ n: '*' }))[0].n);

  let dir: string;
  beforeAll(() => {
    ({ dir, cleanup } = makeTempDir('sled-releases-'));
    // the catalog's script decides what a version does: artifacts cannot
    writeScript(
      dir,
      'deploy.sh',
      [
        'case "$SLED_ARTIFACT_VERSION" in',
        '  *-broken) exec ./fail.sh ;;',
        '  *-slow) exec ./slow.sh ;;',
        'esac',
        'echo "deploying $SLED_ARTIFACT_VERSION to $SLED_ENVIRONMENT"',
      ].join('\n'),
    );
    writeScript(dir, 'fail.sh', 'echo broken; exit 3');
    writeScript(dir, 'slow.sh', 'sleep 30 &\nwait');
  });

  // every test its own database and backend: it runs alone and in any order
  beforeEach(async () => {
    knex = await databases.init('SQLITE_3');
    backend = await startSledBackend({
      knex,
      entities: [
        serviceEntity('rel-a', dir, { deployGroup: GROUP }),
        serviceEntity('rel-b', dir, { deployGroup: GROUP }),
        serviceEntity('rel-c', dir, { owner: 'team-b', deployGroup: GROUP }),
        deployGroup('rel-group', [A, B, C], [[A], [B, C]]),
        deployGroup('empty-ish', ['component:default/nowhere']),
        serviceEntity('rel-d', dir, { deployGroup: PARTIAL }),
        serviceEntity('rel-e', dir, { deployGroup: PARTIAL }),
        deployGroup('rel-partial', [D, E]),
      ],
      permissions: switchablePermissions(() => decide),
    });
  });

  afterEach(async () => {
    decide = allowAllButLockOverride;
    await backend?.stop();
  });

  afterAll(() => cleanup?.());

  it.each([
    ['post', '/releases', { deployGroup: GROUP, environment: 'local' }],
    ['get', '/releases', undefined],
    ['get', `/releases/${MISSING_ID}`, undefined],
    ['post', `/releases/${MISSING_ID}/cancel`, undefined],
    ['post', `/releases/${MISSING_ID}/rollback`, {}],
  ] as const)(
    'refuses %s %s without credentials (401)',
    async (method, path, body) => {
      const res = await api()
        [method](`/api/sled${path}`)
        .set('Authorization', NONE)
        .send(body);
      expect(res.status).toBe(401);
      expect(await releaseCount()).toBe(0);
    },
  );

  it('refuses a release without the release permission on the group (403), writing nothing', async () => {
    await register(A, '0.0.1');
    const asked: Array<string | undefined> = [];
    decide = p => {
      if (p.name === 'sled.release') {
        asked.push('resourceType' in p ? p.resourceType : undefined);
      }
      return {
        result:
          p.name === 'sled.release'
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
      };
    };
    const res = await post('/releases', {
      deployGroup: 'rel-group',
      environment: 'local',
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      `Not allowed: sled.release for ${GROUP}`,
    );
    // the policy decides on sled's deploy-group resource (by ownership, in the example policy)
    expect(asked).toEqual(['sled-deploy-group']);
    expect(await releaseCount()).toBe(0);
    expect(
      (
        await post('/locks', {
          environment: 'local',
          deployGroup: GROUP,
          reason: 'r',
        })
      ).status,
    ).toBe(403);
    expect((await get('/locks')).body).toEqual([]);
  });

  it('refuses a release when the caller may not deploy one of the members (403)', async () => {
    decide = p =>
      p.name === 'sled.deploy.create'
        ? {
            result: AuthorizeResult.CONDITIONAL,
            pluginId: 'sled',
            resourceType: 'sled-target',
            conditions: {
              rule: 'IS_SERVICE_OWNER',
              resourceType: 'sled-target',
              params: { claims: ['group:default/team-a'] },
            },
          }
        : {
            result:
              p.name === 'sled.lock.override'
                ? AuthorizeResult.DENY
                : AuthorizeResult.ALLOW,
          };
    const res = await post('/releases', {
      deployGroup: GROUP,
      environment: 'local',
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/rel-c/);
    expect(await releaseCount()).toBe(0);
  });

  it.each([
    [{ deployGroup: GROUP }, /environment/],
    [
      { deployGroup: GROUP, environment: 'nowhere' },
      /environment: unknown environment/,
    ],
    [
      { deployGroup: 'deploygroup:default/missing', environment: 'local' },
      /deployGroup: no DeployGroup/,
    ],
    [{ deployGroup: A, environment: 'local' }, /deployGroup: no DeployGroup/],
    [
      {
        deployGroup: GROUP,
        environment: 'local',
        artifacts: { 'component:default/other': MISSING_ID },
      },
      /artifacts: .*not a member/,
    ],
    [
      {
        deployGroup: GROUP,
        environment: 'local',
        artifacts: { [A]: MISSING_ID },
      },
      /artifacts: no artifact/,
    ],
  ])('rejects %j (400), writing nothing', async (body, message) => {
    const res = await post('/releases', body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
    expect(await releaseCount()).toBe(0);
  });

  it('releases every member in waves with its newest artifact, one status for the whole', async () => {
    await register(A, '0.0.1');
    const b = await register(B, '1.0.0');
    const c1 = await register(C, '1.0.0');
    await register(C, '1.1.0');
    const res = await post('/releases', {
      deployGroup: 'rel-group',
      environment: 'local',
      artifacts: { [C]: c1.id },
      reason: 'weekly',
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      deployGroup: GROUP,
      environment: 'local',
      status: 'running',
    });
    const done = await waitForRelease(res.body.id, 'succeeded');
    expect(
      done.members.map(m => [m.entityRef, m.wave, m.artifactVersion, m.status]),
    ).toEqual([
      [A, 0, '0.0.1', 'succeeded'],
      [B, 1, '1.0.0', 'succeeded'],
      [C, 1, '1.0.0', 'succeeded'],
    ]);
    const deploys = await Promise.all(
      done.members.map(async m => (await get(`/deploys/${m.deployId}`)).body),
    );
    expect(
      deploys.every(d => d.releaseId === done.id && d.reason === 'weekly'),
    ).toBe(true);
    expect(deploys[1].artifactId).toBe(b.id);
    // wave 1 started only after wave 0 ended
    expect(deploys[1].startedAt >= deploys[0].finishedAt).toBe(true);
    expect(deploys[2].startedAt >= deploys[0].finishedAt).toBe(true);

    const list = await get(
      `/releases?deployGroup=${encodeURIComponent(GROUP)}`,
    );
    expect(list.status).toBe(200);
    expect(list.body.items[0].id).toBe(done.id);
  });

  it('a failed member stops later waves', async () => {
    await registerGroup();
    await register(A, '0.0.2-broken');
    const res = await post('/releases', {
      deployGroup: GROUP,
      environment: 'local',
    });
    expect(res.status).toBe(202);
    const done = await waitForRelease(res.body.id, 'failed');
    expect(done.message).toMatch(/rel-a failed/);
    expect(done.members.map(m => m.status)).toEqual([
      'failed',
      'not-started',
      'not-started',
    ]);
  });

  it('rolls back a release to the artifacts of the previous successful one', async () => {
    await registerGroup();
    const first = await post('/releases', {
      deployGroup: GROUP,
      environment: 'local',
    });
    await waitForRelease(first.body.id, 'succeeded');
    // a failed release in between is not what a rollback returns to
    await register(A, '0.0.2-broken');
    const failed = await post('/releases', {
      deployGroup: GROUP,
      environment: 'local',
    });
    await waitForRelease(failed.body.id, 'failed');
    await register(A, '0.0.3');
    await register(C, '1.1.0');
    const second = await post('/releases', {
      deployGroup: GROUP,
      environment: 'local',
    });
    const secondDone = await waitForRelease(second.body.id, 'succeeded');
    expect(secondDone.members.map(m => m.artifactVersion)).toEqual([
      '0.0.3',
      '1.0.0',
      '1.1.0',
    ]);

    const rollback = await post(`/releases/${secondDone.id}/rollback`, {});
    expect(rollback.status).toBe(202);
    expect(rollback.body.rollbackOf).toBe(secondDone.id);
    const rolledBack = await waitForRelease(rollback.body.id, 'succeeded');
    expect(rolledBack.members.map(m => m.artifactVersion)).toEqual([
      '0.0.1',
      '1.0.0',
      '1.0.0',
    ]);
  });

  it('refuses a release while a member is locked (409), writing nothing', async () => {
    await registerGroup();
    const lock = await post('/locks', {
      environment: 'local',
      entityRef: B,
      reason: 'incident',
    });
    expect(lock.status).toBe(201);
    const before = await releaseCount();
    const res = await post('/releases', {
      deployGroup: GROUP,
      environment: 'local',
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/locked/);
    expect(await releaseCount()).toBe(before);
    await api()
      .delete(`/api/sled/locks/${lock.body.id}`)
      .set('Authorization', USER);
  });

  it.each([
    [
      { environment: 'local', deployGroup: GROUP, entityRef: A, reason: 'r' },
      /lock either one service \(entityRef\) or a deploy group \(deployGroup\), not both/,
    ],
    [
      {
        environment: 'local',
        deployGroup: 'deploygroup:default/missing',
        reason: 'r',
      },
      /deployGroup: no DeployGroup/,
    ],
    [
      { environment: 'local', deployGroup: A, reason: 'r' },
      /deployGroup: no DeployGroup/,
    ],
    [
      { environment: 'nowhere', deployGroup: GROUP, reason: 'r' },
      /environment/,
    ],
    [{ environment: 'local', deployGroup: GROUP }, /reason/],
  ])(
    'rejects the group lock %j (400), writing nothing',
    async (body, message) => {
      const res = await post('/locks', body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
      expect((await get('/locks')).body).toEqual([]);
    },
  );

  it('locks a whole deploy group: member deploys and releases are refused, naming the group, until unlocked', async () => {
    await registerGroup();
    const asked: Array<[string, string | undefined]> = [];
    decide = p => {
      asked.push([p.name, 'resourceType' in p ? p.resourceType : undefined]);
      return allowAllButLockOverride(p);
    };
    const lockRes = await post('/locks', {
      environment: 'local',
      deployGroup: 'rel-group',
      reason: 'quarterly freeze',
    });
    expect(lockRes.status).toBe(201);
    const lock = lockRes.body;
    expect(lock).toMatchObject({
      environment: 'local',
      deployGroup: GROUP,
      reason: 'quarterly freeze',
      createdBy: 'user:default/mock',
    });
    expect(lock.entityRef).toBeUndefined();
    // locking a group is part of releasing it: sled.release on the group,
    // and sled.lock on its members there
    expect(asked).toContainEqual(['sled.release', 'sled-deploy-group']);
    expect(asked).toContainEqual(['sled.lock', 'sled-lock']);

    // a single deploy of a member is refused, naming the group and the lock
    const artifact = (
      await get(`/artifacts?entityRef=${encodeURIComponent(B)}`)
    ).body.items[0];
    const refused = await post('/deploys', {
      entityRef: B,
      environment: 'local',
      artifactId: artifact.id,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(
      new RegExp(
        `rel-b is locked in local with its deploy group ${GROUP} by user:default/mock: quarterly freeze \\(lock ${lock.id}\\)`,
      ),
    );
    // so is a release of the group, writing nothing
    const before = await releaseCount();
    const release = await post('/releases', {
      deployGroup: GROUP,
      environment: 'local',
    });
    expect(release.status).toBe(409);
    expect(release.body.error.message).toMatch(/quarterly freeze/);
    expect(await releaseCount()).toBe(before);
    // other environments are not locked
    const production = await post('/deploys', {
      entityRef: B,
      environment: 'production',
      artifactId: artifact.id,
      reason: 'hotfix',
      dryRun: true,
    });
    expect(production.status).toBe(202);

    // members show the group lock in their state; the environment itself is not locked
    const state = await get(`/state?entityRef=${encodeURIComponent(C)}`);
    expect(
      state.body.environments.find((e: any) => e.environment === 'local').lock
        .id,
    ).toBe(lock.id);
    const envs = await get('/environments');
    expect(envs.body.find((e: any) => e.name === 'local').locks).toEqual([]);
    expect(
      (await get(`/locks?deployGroup=${encodeURIComponent(GROUP)}`)).body.map(
        (l: any) => l.id,
      ),
    ).toEqual([lock.id]);
    expect(
      (
        await get(
          `/locks?entityRef=${encodeURIComponent(
            A,
          )}&deployGroup=${encodeURIComponent(GROUP)}`,
        )
      ).body.map((l: any) => l.id),
    ).toEqual([lock.id]);

    // unlocking needs sled.release on the group too
    decide = p => ({
      result:
        p.name === 'sled.release'
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
    });
    expect(
      (
        await api()
          .delete(`/api/sled/locks/${lock.id}`)
          .set('Authorization', USER)
      ).status,
    ).toBe(403);
    decide = allowAllButLockOverride;
    expect(
      (
        await api()
          .delete(`/api/sled/locks/${lock.id}`)
          .set('Authorization', USER)
      ).status,
    ).toBe(204);
    const deployed = await post('/deploys', {
      entityRef: B,
      environment: 'local',
      artifactId: artifact.id,
      force: true,
    });
    expect(deployed.status).toBe(202);
    await waitForEnd(backend, deployed.body.id);
  });

  it('cancel cancels what has not finished', async () => {
    await registerGroup();
    await register(A, '0.0.4-slow');
    const res = await post('/releases', {
      deployGroup: GROUP,
      environment: 'local',
    });
    expect(res.body.error).toBeUndefined();
    await eventually(async () => {
      const r = await get(`/releases/${res.body.id}`);
      expect(r.body.members[0].status).toBe('running');
    }, 20_000);
    const cancelled = await post(`/releases/${res.body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(
      cancelled.body.members.map((m: { status: string }) => m.status),
    ).toEqual(['cancelled', 'not-started', 'not-started']);
    const again = await post(`/releases/${res.body.id}/cancel`);
    expect(again.status).toBe(409);
  });

  it('leaves out members without an artifact and releases the others; refuses when no member has one (400)', async () => {
    const before = await releaseCount();
    const none = await post('/releases', {
      deployGroup: PARTIAL,
      environment: 'local',
    });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toBe(
      `artifacts: no member of ${PARTIAL} has a registered artifact to release`,
    );
    expect(await releaseCount()).toBe(before);

    const d = await register(D, '4.0.0');
    const res = await post('/releases', {
      deployGroup: PARTIAL,
      environment: 'local',
    });
    expect(res.status).toBe(202);
    expect(
      res.body.members.map((m: { entityRef: string }) => m.entityRef),
    ).toEqual([D]);
    const done = await waitForRelease(res.body.id, 'succeeded');
    expect(done.members).toEqual([
      expect.objectContaining({
        entityRef: D,
        artifactId: d.id,
        status: 'succeeded',
      }),
    ]);
  });
});
