import { TestBackend, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  Artifact,
  Deploy,
  isFinalDeployStatus,
  isFinalReleaseStatus,
  Lock,
  Release,
  sledPermissions,
  sledReadPermission,
} from '@internal/plugin-sled-common';
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
  MISSING_ID,
  serviceEntity,
  startSledBackend,
  switchablePermissions,
  USER,
  waitForEnd,
  waitForStatus,
} from '../__testUtils__/sledBackend';
import {
  createSledTargetConditionalDecision,
  sledTargetConditions,
} from '../permissions/rules';

/**
 * Every REST route × every sled permission: deny exactly one permission and
 * send the route a valid request. A route that needs the permission refuses
 * (403, or 404 for a record the caller may not read, or 409 for a lock it may
 * not override) and writes nothing; a route that does not need it succeeds.
 */

jest.setTimeout(30_000);

type PermissionName =
  | 'sled.read'
  | 'sled.deploy.create'
  | 'sled.deploy.cancel'
  | 'sled.deploy.approve'
  | 'sled.gate.override'
  | 'sled.artifact.register'
  | 'sled.lock'
  | 'sled.lock.override'
  | 'sled.release';

const PERMISSIONS: PermissionName[] = [
  'sled.read',
  'sled.deploy.create',
  'sled.deploy.cancel',
  'sled.deploy.approve',
  'sled.gate.override',
  'sled.artifact.register',
  'sled.lock',
  'sled.lock.override',
  'sled.release',
];

/** What a case prepared: `id` is the record the route names in its path. */
type Fixture = { id?: string } & Record<string, any>;

interface Call {
  method: 'get' | 'post' | 'delete';
  path: string;
  body?: object;
  auth?: string;
}

interface RouteSpec {
  name: string;
  /** the permissions the route needs, with the status of a refusal */
  needs: Partial<Record<PermissionName, 403 | 404 | 409>>;
  /** catalog entities of one case, named after its tag */
  entities?: (tag: string) => Entity[];
  /** fresh state for one case, made with every permission allowed */
  prepare?: (tag: string) => Promise<Fixture>;
  call: (fx: Fixture, tag: string) => Call;
  /** more checks of a refusal: what it names, what it left alone */
  refused?: (res: request.Response, fx: Fixture) => Promise<void> | void;
  /** after a success: waits until what it started has ended */
  settle?: (res: request.Response, fx: Fixture) => Promise<void>;
  /** always, with every permission allowed */
  cleanup?: (fx: Fixture) => Promise<void>;
}

const ref = (name: string) => `component:default/${name}`;
const groupRef = (name: string) => `deploygroup:default/${name}`;

const READ = ref('rp-read');
const READ_GROUP = groupRef('rp-read-group');
const LOCKABLE = 'lockable';

/** A field of every member of a release, in order. */
function membersOf<K extends keyof Release['members'][number]>(
  release: Release,
  key: K,
): Array<Release['members'][number][K]> {
  return release.members.map(m => m[key]);
}

function deployGroupEntity(name: string, members: string[]): Entity {
  return {
    apiVersion: 'sled.dev/v1alpha1',
    kind: 'DeployGroup',
    metadata: { name, namespace: 'default' },
    spec: { owner: 'team-a', members },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
  };
}

describe('route permissions', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let dir: string;
  let cleanupDir: (() => void) | undefined;
  let knex: Knex;
  let backend: TestBackend | undefined;

  const denyOnly =
    (name?: string): Decide =>
    permission => ({
      result:
        permission.name === name ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
    });
  const allowAll = denyOnly(undefined);
  let decide: Decide = allowAll;

  const send = (c: Call) => {
    let r = request(backend!.server)
      [c.method](`/api/sled${c.path}`)
      .set('Authorization', c.auth ?? USER);
    if (c.body !== undefined) r = r.send(c.body);
    return r;
  };
  const get = (path: string) => send({ method: 'get', path });
  const post = (path: string, body?: object, auth?: string) =>
    send({ method: 'post', path, body, auth });
  const del = (path: string) => send({ method: 'delete', path });

  let versions = 0;
  async function register(entityRef: string): Promise<Artifact> {
    const res = await post(
      '/artifacts',
      { entityRef, version: `1.0.${++versions}`, commitSha: 'abcdef1234567' },
      CI,
    );
    expect(res.status).toBe(201);
    return res.body;
  }

  async function deployed(
    entityRef: string,
    artifactId: string,
  ): Promise<Deploy> {
    const res = await post('/deploys', {
      entityRef,
      environment: 'local',
      artifactId,
    });
    expect(res.status).toBe(202);
    const done = await waitForEnd(backend!, res.body.id);
    expect(done.status).toBe('succeeded');
    return done;
  }

  /** A deploy of a slow service, running, its output stored. */
  async function running(entityRef: string): Promise<Deploy> {
    const artifact = await register(entityRef);
    const res = await post('/deploys', {
      entityRef,
      environment: 'local',
      artifactId: artifact.id,
    });
    expect(res.status).toBe(202);
    await waitForStatus(backend!, res.body.id, 'running');
    await settledLog(res.body.id);
    return res.body;
  }

  /** Waits for the output of a slow script: nothing more is written after it. */
  async function settledLog(deployId: string) {
    await eventually(async () => {
      expect((await get(`/deploys/${deployId}/logs`)).text).toContain(
        'started',
      );
    }, 20_000);
  }

  async function createLock(body: object): Promise<Lock> {
    const res = await post('/locks', { reason: 'route test', ...body });
    expect(res.status).toBe(201);
    return res.body;
  }

  async function removeLock(id?: string) {
    if (!id) return;
    const res = await del(`/locks/${id}`);
    expect([204, 404]).toContain(res.status);
  }

  async function releaseEnded(id: string): Promise<Release> {
    return eventually(async () => {
      const res = await get(`/releases/${id}`);
      expect(res.status).toBe(200);
      expect(isFinalReleaseStatus(res.body.status)).toBe(true);
      return res.body as Release;
    }, 20_000);
  }

  async function released(deployGroup: string): Promise<Release> {
    const res = await post('/releases', { deployGroup, environment: 'local' });
    expect(res.status).toBe(202);
    const done = await releaseEnded(res.body.id);
    expect(done.status).toBe('succeeded');
    return done;
  }

  /** Row counts of every sled_ table: "nothing written" means they do not change. */
  async function rowCounts(): Promise<Record<string, number>> {
    const tables = (
      await knex('sqlite_master').where({ type: 'table' }).select('name')
    )
      .map((t: { name: string }) => t.name)
      .filter(name => name.startsWith('sled_'))
      .sort();
    const counts: Record<string, number> = {};
    for (const table of tables) {
      counts[table] = Number((await knex(table).count({ n: '*' }))[0].n);
    }
    return counts;
  }

  const shared = { artifact: '', deploy: '', release: '' };

  /** A deploy to the `approving` environment, waiting for its approval. */
  async function awaitingApproval(entityRef: string): Promise<Deploy> {
    const artifact = await register(entityRef);
    const res = await post('/deploys', {
      entityRef,
      environment: 'approving',
      artifactId: artifact.id,
    });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('awaiting_approval');
    return res.body;
  }

  const ROUTES: RouteSpec[] = [
    {
      name: 'GET /gates',
      needs: { 'sled.read': 403 },
      prepare: async () => ({ artifact: shared.artifact }),
      call: fx => ({
        method: 'get',
        path: `/gates?entityRef=${READ}&environment=gated&artifactId=${fx.artifact}`,
      }),
      settle: async res => {
        expect(res.status).toBe(200);
        expect(res.body.allowed).toBe(false);
      },
    },
    {
      name: 'POST /deploys (past the gates)',
      needs: { 'sled.deploy.create': 403, 'sled.gate.override': 403 },
      entities: tag => [serviceEntity(`gdep-${tag}`, dir)],
      prepare: async tag => ({
        artifact: (await register(ref(`gdep-${tag}`))).id,
      }),
      call: (fx, tag) => ({
        method: 'post',
        path: '/deploys',
        body: {
          entityRef: ref(`gdep-${tag}`),
          environment: 'gated',
          artifactId: fx.artifact,
          overrideGates: true,
          reason: 'hotfix',
        },
      }),
      settle: async res => {
        expect(res.status).toBe(202);
        expect(res.body.gatesOverridden).toBe(true);
        await waitForEnd(backend!, res.body.id);
      },
    },
    {
      name: 'GET /deploys/:id/approvals',
      needs: { 'sled.read': 404 },
      entities: tag => [serviceEntity(`lap-${tag}`, dir)],
      prepare: async tag => ({
        id: (await awaitingApproval(ref(`lap-${tag}`))).id,
      }),
      call: fx => ({ method: 'get', path: `/deploys/${fx.id}/approvals` }),
      settle: async res => {
        expect(res.status).toBe(200);
        expect(res.body.required).toBe(1);
      },
    },
    {
      name: 'POST /deploys/:id/approvals',
      needs: { 'sled.read': 404, 'sled.deploy.approve': 403 },
      entities: tag => [serviceEntity(`dap-${tag}`, dir)],
      prepare: async tag => ({
        id: (await awaitingApproval(ref(`dap-${tag}`))).id,
      }),
      call: fx => ({
        method: 'post',
        path: `/deploys/${fx.id}/approvals`,
        body: { decision: 'approve' },
      }),
      settle: async res => {
        expect(res.status).toBe(200);
        expect(res.body.status).not.toBe('awaiting_approval');
        await waitForEnd(backend!, res.body.id);
      },
    },
    {
      name: 'POST /artifacts/:id/checks',
      needs: { 'sled.artifact.register': 403 },
      prepare: async () => ({ id: shared.artifact }),
      call: fx => ({
        method: 'post',
        path: `/artifacts/${fx.id}/checks`,
        body: { name: 'unit-tests', status: 'passed' },
        auth: CI,
      }),
    },
    {
      name: 'POST /artifacts',
      needs: { 'sled.artifact.register': 403 },
      call: () => ({
        method: 'post',
        path: '/artifacts',
        body: {
          entityRef: READ,
          version: `2.0.${++versions}`,
          commitSha: 'abcdef1234567',
        },
        auth: CI,
      }),
    },
    {
      name: 'GET /artifacts',
      needs: { 'sled.read': 403 },
      call: () => ({ method: 'get', path: `/artifacts?entityRef=${READ}` }),
    },
    {
      name: 'GET /artifacts/:id',
      needs: { 'sled.read': 404 },
      prepare: async () => ({ id: shared.artifact }),
      call: fx => ({ method: 'get', path: `/artifacts/${fx.id}` }),
    },
    {
      name: 'GET /artifacts/:id/changes',
      needs: { 'sled.read': 404 },
      prepare: async () => ({ id: shared.artifact }),
      call: fx => ({
        method: 'get',
        path: `/artifacts/${fx.id}/changes?environment=gated`,
      }),
    },
    {
      name: 'GET /deploys',
      needs: { 'sled.read': 403 },
      call: () => ({ method: 'get', path: `/deploys?entityRef=${READ}` }),
    },
    {
      name: 'GET /deploys/:id',
      needs: { 'sled.read': 404 },
      prepare: async () => ({ id: shared.deploy }),
      call: fx => ({ method: 'get', path: `/deploys/${fx.id}` }),
    },
    {
      name: 'GET /deploys/:id/logs',
      needs: { 'sled.read': 404 },
      prepare: async () => ({ id: shared.deploy }),
      call: fx => ({ method: 'get', path: `/deploys/${fx.id}/logs` }),
    },
    {
      name: 'POST /deploys',
      needs: { 'sled.deploy.create': 403 },
      entities: tag => [serviceEntity(`dep-${tag}`, dir)],
      prepare: async tag => ({
        artifact: (await register(ref(`dep-${tag}`))).id,
      }),
      call: (fx, tag) => ({
        method: 'post',
        path: '/deploys',
        body: {
          entityRef: ref(`dep-${tag}`),
          environment: 'local',
          artifactId: fx.artifact,
        },
      }),
      settle: async res => {
        expect(res.status).toBe(202);
        await waitForEnd(backend!, res.body.id);
      },
    },
    {
      name: 'POST /deploys (locked target)',
      needs: { 'sled.deploy.create': 403, 'sled.lock.override': 409 },
      entities: tag => [serviceEntity(`ldep-${tag}`, dir)],
      prepare: async tag => {
        const entityRef = ref(`ldep-${tag}`);
        const artifact = await register(entityRef);
        const lock = await createLock({ environment: 'local', entityRef });
        return { artifact: artifact.id, lock: lock.id };
      },
      call: (fx, tag) => ({
        method: 'post',
        path: '/deploys',
        body: {
          entityRef: ref(`ldep-${tag}`),
          environment: 'local',
          artifactId: fx.artifact,
        },
      }),
      refused: res => {
        if (res.status === 409) {
          expect(res.body.error.message).toMatch(/is locked in local/);
        }
      },
      settle: async res => {
        expect(res.status).toBe(202);
        await waitForEnd(backend!, res.body.id);
      },
      cleanup: async fx => removeLock(fx.lock),
    },
    {
      name: 'POST /deploys/:id/cancel',
      needs: { 'sled.read': 404, 'sled.deploy.cancel': 403 },
      entities: tag => [
        serviceEntity(`cnl-${tag}`, dir, { command: './slow.sh' }),
      ],
      prepare: async tag => ({ id: (await running(ref(`cnl-${tag}`))).id }),
      call: fx => ({ method: 'post', path: `/deploys/${fx.id}/cancel` }),
      refused: async (_res, fx) => {
        // nothing cancelled
        expect((await get(`/deploys/${fx.id}`)).body.status).toBe('running');
      },
      settle: async (_res, fx) => {
        expect((await waitForEnd(backend!, fx.id!)).status).toBe('cancelled');
      },
      cleanup: async fx => {
        if (!fx.id) return;
        const current = (await get(`/deploys/${fx.id}`)).body as Deploy;
        if (!isFinalDeployStatus(current.status)) {
          await post(`/deploys/${fx.id}/cancel`);
        }
        await waitForEnd(backend!, fx.id);
      },
    },
    {
      name: 'POST /rollbacks',
      needs: { 'sled.deploy.create': 403 },
      entities: tag => [serviceEntity(`rb-${tag}`, dir)],
      prepare: async tag => {
        const entityRef = ref(`rb-${tag}`);
        const v1 = await register(entityRef);
        const v2 = await register(entityRef);
        await deployed(entityRef, v1.id);
        await deployed(entityRef, v2.id);
        return { previous: v1.id };
      },
      call: (_fx, tag) => ({
        method: 'post',
        path: '/rollbacks',
        body: { entityRef: ref(`rb-${tag}`), environment: 'local' },
      }),
      settle: async (res, fx) => {
        expect(res.status).toBe(202);
        expect(res.body.artifactId).toBe(fx.previous);
        await waitForEnd(backend!, res.body.id);
      },
    },
    {
      name: 'GET /environments',
      needs: { 'sled.read': 403 },
      call: () => ({ method: 'get', path: '/environments' }),
    },
    {
      name: 'GET /state',
      needs: { 'sled.read': 403 },
      call: () => ({ method: 'get', path: `/state?entityRef=${READ}` }),
    },
    {
      name: 'GET /deployments',
      needs: { 'sled.read': 403 },
      call: () => ({ method: 'get', path: '/deployments' }),
    },
    {
      name: 'POST /locks (service)',
      needs: { 'sled.lock': 403 },
      entities: tag => [serviceEntity(`lk-${tag}`, dir)],
      call: (_fx, tag) => ({
        method: 'post',
        path: '/locks',
        body: {
          environment: 'local',
          entityRef: ref(`lk-${tag}`),
          reason: 'r',
        },
      }),
      settle: async (res, fx) => {
        fx.created = res.body.id;
      },
      cleanup: async fx => removeLock(fx.created),
    },
    {
      name: 'POST /locks (environment)',
      needs: { 'sled.lock': 403 },
      call: () => ({
        method: 'post',
        path: '/locks',
        body: { environment: LOCKABLE, reason: 'r' },
      }),
      settle: async (res, fx) => {
        fx.created = res.body.id;
      },
      cleanup: async fx => removeLock(fx.created),
    },
    {
      name: 'POST /locks (deploy group)',
      needs: { 'sled.release': 403, 'sled.lock': 403 },
      entities: tag => [
        serviceEntity(`lkg-${tag}-a`, dir),
        deployGroupEntity(`lkg-${tag}`, [ref(`lkg-${tag}-a`)]),
      ],
      call: (_fx, tag) => ({
        method: 'post',
        path: '/locks',
        body: {
          environment: 'local',
          deployGroup: groupRef(`lkg-${tag}`),
          reason: 'r',
        },
      }),
      settle: async (res, fx) => {
        fx.created = res.body.id;
      },
      cleanup: async fx => removeLock(fx.created),
    },
    {
      name: 'GET /locks',
      needs: { 'sled.read': 403 },
      call: () => ({ method: 'get', path: '/locks' }),
    },
    {
      name: 'DELETE /locks/:id (service lock)',
      needs: { 'sled.read': 404, 'sled.lock': 403 },
      entities: tag => [serviceEntity(`dl-${tag}`, dir)],
      prepare: async tag => ({
        id: (
          await createLock({
            environment: 'local',
            entityRef: ref(`dl-${tag}`),
          })
        ).id,
      }),
      call: fx => ({ method: 'delete', path: `/locks/${fx.id}` }),
      cleanup: async fx => removeLock(fx.id),
    },
    {
      name: 'DELETE /locks/:id (environment lock)',
      needs: { 'sled.read': 404, 'sled.lock': 403 },
      prepare: async () => ({
        id: (await createLock({ environment: LOCKABLE })).id,
      }),
      call: fx => ({ method: 'delete', path: `/locks/${fx.id}` }),
      cleanup: async fx => removeLock(fx.id),
    },
    {
      name: 'DELETE /locks/:id (deploy group lock)',
      needs: { 'sled.read': 404, 'sled.release': 403, 'sled.lock': 403 },
      entities: tag => [
        serviceEntity(`dlg-${tag}-a`, dir),
        deployGroupEntity(`dlg-${tag}`, [ref(`dlg-${tag}-a`)]),
      ],
      prepare: async tag => ({
        id: (
          await createLock({
            environment: 'local',
            deployGroup: groupRef(`dlg-${tag}`),
          })
        ).id,
      }),
      call: fx => ({ method: 'delete', path: `/locks/${fx.id}` }),
      cleanup: async fx => removeLock(fx.id),
    },
    {
      name: 'POST /releases',
      needs: { 'sled.release': 403, 'sled.deploy.create': 403 },
      entities: tag => [
        deployGroupEntity(`rel-${tag}`, [
          ref(`rel-${tag}-a`),
          ref(`rel-${tag}-b`),
        ]),
        serviceEntity(`rel-${tag}-a`, dir, {
          deployGroup: groupRef(`rel-${tag}`),
        }),
        serviceEntity(`rel-${tag}-b`, dir, {
          deployGroup: groupRef(`rel-${tag}`),
        }),
      ],
      prepare: async tag => {
        await register(ref(`rel-${tag}-a`));
        await register(ref(`rel-${tag}-b`));
        return {};
      },
      call: (_fx, tag) => ({
        method: 'post',
        path: '/releases',
        body: { deployGroup: groupRef(`rel-${tag}`), environment: 'local' },
      }),
      settle: async res => {
        expect(res.status).toBe(202);
        expect((await releaseEnded(res.body.id)).status).toBe('succeeded');
      },
    },
    {
      name: 'GET /releases',
      needs: { 'sled.read': 403 },
      call: () => ({ method: 'get', path: '/releases' }),
    },
    {
      name: 'GET /releases/:id',
      needs: { 'sled.read': 404 },
      prepare: async () => ({ id: shared.release }),
      call: fx => ({ method: 'get', path: `/releases/${fx.id}` }),
    },
    {
      name: 'POST /releases/:id/cancel',
      needs: {
        'sled.read': 404,
        'sled.release': 403,
        'sled.deploy.cancel': 403,
      },
      entities: tag => [
        {
          ...deployGroupEntity(`rc-${tag}`, [
            ref(`rc-${tag}-a`),
            ref(`rc-${tag}-b`),
          ]),
          spec: {
            owner: 'team-a',
            members: [ref(`rc-${tag}-a`), ref(`rc-${tag}-b`)],
            waves: [[ref(`rc-${tag}-a`)], [ref(`rc-${tag}-b`)]],
          },
        },
        serviceEntity(`rc-${tag}-a`, dir, {
          command: './slow.sh',
          deployGroup: groupRef(`rc-${tag}`),
        }),
        serviceEntity(`rc-${tag}-b`, dir, {
          deployGroup: groupRef(`rc-${tag}`),
        }),
      ],
      prepare: async tag => {
        await register(ref(`rc-${tag}-a`));
        await register(ref(`rc-${tag}-b`));
        const res = await post('/releases', {
          deployGroup: groupRef(`rc-${tag}`),
          environment: 'local',
        });
        expect(res.status).toBe(202);
        // a release in flight: its first wave runs, the second waits
        const deployId = await eventually(async () => {
          const r = await get(`/releases/${res.body.id}`);
          expect(r.body.members[0].status).toBe('running');
          return r.body.members[0].deployId as string;
        }, 20_000);
        await settledLog(deployId);
        return { id: res.body.id, deployId };
      },
      call: fx => ({ method: 'post', path: `/releases/${fx.id}/cancel` }),
      refused: async (_res, fx) => {
        // nothing cancelled
        const r = (await get(`/releases/${fx.id}`)).body as Release;
        expect(r.status).toBe('running');
        expect(membersOf(r, 'status')).toEqual(['running', 'pending']);
        expect((await get(`/deploys/${fx.deployId}`)).body.status).toBe(
          'running',
        );
      },
      settle: async (res, fx) => {
        expect(res.body.status).toBe('cancelled');
        expect((await waitForEnd(backend!, fx.deployId)).status).toBe(
          'cancelled',
        );
      },
      cleanup: async fx => {
        if (!fx.id) return;
        const r = (await get(`/releases/${fx.id}`)).body as Release;
        if (!isFinalReleaseStatus(r.status)) {
          await post(`/releases/${fx.id}/cancel`);
        }
        await releaseEnded(fx.id);
        await waitForEnd(backend!, fx.deployId);
      },
    },
    {
      name: 'POST /releases/:id/rollback',
      needs: {
        'sled.read': 404,
        'sled.release': 403,
        'sled.deploy.create': 403,
      },
      entities: tag => [
        deployGroupEntity(`rr-${tag}`, [ref(`rr-${tag}-a`)]),
        serviceEntity(`rr-${tag}-a`, dir, {
          deployGroup: groupRef(`rr-${tag}`),
        }),
      ],
      prepare: async tag => {
        const member = ref(`rr-${tag}-a`);
        const v1 = await register(member);
        await released(groupRef(`rr-${tag}`));
        await register(member);
        const second = await released(groupRef(`rr-${tag}`));
        return { id: second.id, previous: v1.id };
      },
      call: fx => ({
        method: 'post',
        path: `/releases/${fx.id}/rollback`,
        body: {},
      }),
      settle: async (res, fx) => {
        expect(res.status).toBe(202);
        expect(res.body.rollbackOf).toBe(fx.id);
        const done = await releaseEnded(res.body.id);
        expect(done.status).toBe('succeeded');
        expect(membersOf(done, 'artifactId')).toEqual([fx.previous]);
      },
    },
  ];

  interface Case {
    title: string;
    route: RouteSpec;
    denied?: PermissionName;
    expected?: 403 | 404 | 409;
    tag: string;
  }
  const CASES: Case[] = [];
  for (const route of ROUTES) {
    for (const denied of [undefined, ...PERMISSIONS]) {
      const expected = denied ? route.needs[denied] : undefined;
      CASES.push({
        title: `${route.name} with ${denied ?? 'nothing'} denied: ${
          expected ?? '2xx'
        }`,
        route,
        denied,
        expected,
        tag: `c${CASES.length}`,
      });
    }
  }

  beforeAll(async () => {
    ({ dir, cleanup: cleanupDir } = makeTempDir('sled-route-permissions-'));
    writeScript(dir, 'deploy.sh', 'echo "deploying $SLED_ARTIFACT_VERSION"');
    writeScript(dir, 'slow.sh', 'sleep 30 &\necho started\nwait');
    knex = await databases.init('SQLITE_3');
    backend = await startSledBackend({
      knex,
      sled: {
        environments: [
          { name: 'local', executor: 'local' },
          { name: 'production', executor: 'local', requireReason: true },
          { name: LOCKABLE, executor: 'local' },
          {
            name: 'gated',
            executor: 'local',
            promotion: { from: 'local', soak: '1h' },
          },
          {
            name: 'approving',
            executor: 'local',
            approvals: { required: 1, allowSelfApproval: true },
          },
        ],
      },
      entities: [
        serviceEntity('rp-read', dir, { deployGroup: READ_GROUP }),
        deployGroupEntity('rp-read-group', [READ]),
        ...CASES.flatMap(c => c.route.entities?.(c.tag) ?? []),
      ],
      permissions: switchablePermissions(() => decide),
    });
    // what the read routes read: an artifact, a deploy with its log, a release
    const artifact = await register(READ);
    shared.artifact = artifact.id;
    shared.deploy = (await deployed(READ, artifact.id)).id;
    await register(READ);
    shared.release = (await released(READ_GROUP)).id;
  });

  afterAll(async () => {
    decide = allowAll;
    await backend?.stop();
    cleanupDir?.();
  });

  afterEach(() => {
    decide = allowAll;
  });

  it('covers every sled permission and counts every sled_ table', async () => {
    expect([...PERMISSIONS].sort()).toEqual(
      sledPermissions.map(p => p.name).sort(),
    );
    expect(Object.keys(await rowCounts())).toEqual(
      expect.arrayContaining([
        'sled_artifacts',
        'sled_deploys',
        'sled_deploy_logs',
        'sled_locks',
        'sled_idempotency',
        'sled_deploy_approvals',
        'sled_artifact_checks',
        'sled_releases',
        'sled_release_members',
      ]),
    );
  });

  const answerOf = (res: request.Response, id: string) => ({
    status: res.status,
    message: String(res.body?.error?.message).replace(id, '<id>'),
  });

  /** A refusal writes nothing, answers a 404 as for a missing id, names a lock it may not override. */
  async function checkRefusal(
    c: Case,
    fx: Fixture,
    res: request.Response,
    missing: request.Response | undefined,
    before: Record<string, number>,
  ) {
    expect(await rowCounts()).toEqual(before);
    if (missing) {
      expect(answerOf(res, fx.id!)).toEqual(answerOf(missing, MISSING_ID));
    }
    if (c.expected === 409) {
      expect(res.body.error.message).toContain(`lock ${fx.lock}`);
    }
    await c.route.refused?.(res, fx);
  }

  it.each(CASES.map(c => [c.title, c] as const))('%s', async (_title, c) => {
    const { route, denied, expected, tag } = c;
    decide = allowAll;
    let fx: Fixture = {};
    try {
      fx = (await route.prepare?.(tag)) ?? {};
      const call = route.call(fx, tag);
      const before = await rowCounts();
      decide = denyOnly(denied);
      const res = await send(call);
      // a record the caller may not read answers exactly as a missing id does
      const missing =
        expected === 404
          ? await send({ ...call, path: call.path.replace(fx.id!, MISSING_ID) })
          : undefined;
      decide = allowAll;
      expect(`${res.status} ${res.body?.error?.message ?? ''}`).toMatch(
        expected ? new RegExp(`^${expected} `) : /^2\d\d /,
      );
      await (expected
        ? checkRefusal(c, fx, res, missing, before)
        : route.settle?.(res, fx));
    } finally {
      decide = allowAll;
      await route.cleanup?.(fx);
    }
  });

  describe('with conditional read decisions', () => {
    const RULES = [
      {
        rule: 'isService',
        hide: sledTargetConditions.isService({
          entityRefs: [ref('rp-other')],
        }),
        show: sledTargetConditions.isService({ entityRefs: [READ] }),
      },
      {
        rule: 'isServiceOwner',
        hide: sledTargetConditions.isServiceOwner({
          claims: ['group:default/team-z'],
        }),
        show: sledTargetConditions.isServiceOwner({
          claims: ['group:default/team-a'],
        }),
      },
      {
        rule: 'isEnvironment',
        hide: sledTargetConditions.isEnvironment({
          environments: ['production'],
        }),
        show: sledTargetConditions.isEnvironment({ environments: ['local'] }),
      },
    ];

    /** What each read answers, and what it should when the service is visible or hidden. */
    const READS: Array<{
      name: string;
      observe: () => Promise<object>;
      expected: (visible: boolean) => object;
    }> = [
      {
        name: 'GET /deploys',
        observe: async () => {
          const res = await get(`/deploys?entityRef=${READ}&limit=200`);
          const ids: string[] = (res.body.items ?? []).map((d: Deploy) => d.id);
          return {
            status: res.status,
            listed: ids.includes(shared.deploy),
            empty: ids.length === 0,
          };
        },
        expected: visible => ({
          status: 200,
          listed: visible,
          empty: !visible,
        }),
      },
      {
        name: 'GET /deploys/:id',
        observe: async () => {
          const res = await get(`/deploys/${shared.deploy}`);
          return {
            status: res.status,
            id: res.body.id,
            message: res.body.error?.message,
          };
        },
        expected: visible =>
          visible
            ? { status: 200, id: shared.deploy, message: undefined }
            : {
                status: 404,
                id: undefined,
                message: `No deploy '${shared.deploy}'`,
              },
      },
      {
        name: 'GET /releases/:id',
        observe: async () => {
          const res = await get(`/releases/${shared.release}`);
          return {
            status: res.status,
            members: res.body.members && membersOf(res.body, 'entityRef'),
            message: res.body.error?.message,
          };
        },
        expected: visible =>
          visible
            ? { status: 200, members: [READ], message: undefined }
            : {
                status: 404,
                members: undefined,
                message: `No release '${shared.release}'`,
              },
      },
    ];
    const CONDITIONAL = RULES.flatMap(r =>
      (['hide', 'show'] as const).flatMap(which =>
        READS.map(read => ({
          title: `${read.name} with sled.read conditional on ${r.rule} (${
            which === 'hide' ? 'not matching' : 'matching'
          } the service): ${which === 'hide' ? 'hidden' : 'visible'}`,
          condition: r[which],
          visible: which === 'show',
          read,
        })),
      ),
    );

    it.each(CONDITIONAL.map(c => [c.title, c] as const))(
      '%s',
      async (_title, c) => {
        decide = permission =>
          permission.name === sledReadPermission.name
            ? createSledTargetConditionalDecision(
                sledReadPermission,
                c.condition,
              )
            : { result: AuthorizeResult.ALLOW };
        expect(await c.read.observe()).toEqual(c.read.expected(c.visible));
      },
    );
  });
});
