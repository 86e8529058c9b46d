import { TestBackend, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { DoraMetrics } from '@internal/plugin-sled-common';
import request from 'supertest';
import {
  allowAllButLockOverride,
  Decide,
  NONE,
  serviceEntity,
  startSledBackend,
  switchablePermissions,
  USER,
} from '../__testUtils__/sledBackend';
import {
  A,
  B,
  CURRENT,
  insertDoraLedger,
  PREVIOUS,
  TEAM_A,
} from './__testUtils__/doraLedger';

jest.setTimeout(60_000);

const GROUP = 'deploygroup:default/g';
const group: Entity = {
  apiVersion: 'sled.dev/v1alpha1',
  kind: 'DeployGroup',
  metadata: { name: 'g', namespace: 'default' },
  spec: { owner: 'team-a', members: ['svc-a', 'svc-b'] },
  relations: [{ type: 'ownedBy', targetRef: TEAM_A }],
};

const window = `from=${CURRENT.from.toISOString()}&to=${CURRENT.to.toISOString()}`;

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())('GET /metrics/dora on %p', id => {
  let backend: TestBackend;
  let decide: Decide = allowAllButLockOverride;
  const get = (path: string, auth = USER) =>
    request(backend.server).get(`/api/sled${path}`).set('Authorization', auth);

  beforeAll(async () => {
    const knex = await databases.init(id);
    backend = await startSledBackend({
      knex,
      entities: [
        serviceEntity('svc-a', '/tmp', { owner: 'team-a' }),
        serviceEntity('svc-b', '/tmp', { owner: 'team-b' }),
        serviceEntity('svc-c', '/tmp', { owner: 'team-b' }),
        group,
      ],
      sled: {
        environments: [
          { name: 'staging', executor: 'local' },
          { name: 'production', executor: 'local' },
        ],
        metrics: { rollbackWithin: '2h' },
      },
      permissions: switchablePermissions(() => decide),
    });
    await insertDoraLedger(knex);
  });

  afterAll(() => backend?.stop());
  afterEach(() => {
    decide = allowAllButLockOverride;
  });

  it('answers a service, its group and its owner, with the window before', async () => {
    const service = await get(
      `/metrics/dora?entityRef=${A}&environment=production&${window}`,
    );
    expect(service.status).toBe(200);
    const body = service.body as DoraMetrics;
    expect(body).toMatchObject({
      entityRef: A,
      environment: 'production',
      rollbackWithinSeconds: 7200,
      current: { from: CURRENT.from.toISOString(), changes: 7, deployments: 6 },
      previous: {
        from: PREVIOUS.from.toISOString(),
        changes: 1,
        deployments: 1,
      },
    });
    // within 2 h (config), d14's rollback after 90 minutes makes it failed
    expect(body.current.failures).toBe(5);

    const members = await get(
      `/metrics/dora?deployGroup=g&environment=production&${window}`,
    );
    expect(members.body).toMatchObject({
      deployGroup: GROUP,
      current: { changes: 9, failures: 7 },
    });
    const owned = await get(
      `/metrics/dora?owner=team-b&environment=production&${window}`,
    );
    expect(owned.body).toMatchObject({
      owner: 'group:default/team-b',
      current: { changes: 4, failures: 2 },
    });
  });

  it('counts only the services the caller may read', async () => {
    decide = () =>
      ({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'sled',
        resourceType: 'sled-target',
        conditions: {
          rule: 'IS_SERVICE_OWNER',
          resourceType: 'sled-target',
          params: { claims: [TEAM_A] },
        },
      } as PolicyDecision);
    const all = await get(`/metrics/dora?environment=production&${window}`);
    expect(all.status).toBe(200);
    expect(all.body.current).toMatchObject({ changes: 7, failures: 5 });
    // the group counts its readable member only
    const members = await get(
      `/metrics/dora?deployGroup=g&environment=production&${window}`,
    );
    expect(members.body.current).toMatchObject({ changes: 7 });
    // a service the caller may not read is refused, not answered with zeros
    const other = await get(`/metrics/dora?entityRef=${B}&${window}`);
    expect(other.status).toBe(403);
  });

  it('refuses a caller who may read nothing, and one not signed in', async () => {
    decide = () => ({ result: AuthorizeResult.DENY });
    expect((await get('/metrics/dora')).status).toBe(403);
    expect((await get('/metrics/dora', NONE)).status).toBe(401);
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const two = await get('/metrics/dora?entityRef=svc-a&owner=team-a');
    expect(two.status).toBe(400);
    expect(two.body.error.message).toMatch(
      /entityRef, owner: give at most one/,
    );
    const backwards = await get(
      `/metrics/dora?from=${CURRENT.to.toISOString()}&to=${CURRENT.from.toISOString()}`,
    );
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.message).toMatch(/from: must be before to/);
    const long = await get(
      '/metrics/dora?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z',
    );
    expect(long.body.error.message).toMatch(
      /from: the window is at most 366 days/,
    );
    const env = await get('/metrics/dora?environment=qa');
    expect(env.status).toBe(400);
    expect(env.body.error.message).toMatch(
      /environment: unknown environment 'qa'/,
    );
    const notGroup = await get('/metrics/dora?deployGroup=nope');
    expect(notGroup.status).toBe(400);
    expect(notGroup.body.error.message).toMatch(/deployGroup: no DeployGroup/);
    const date = await get('/metrics/dora?from=yesterday');
    expect(date.status).toBe(400);
    expect(date.body.error.message).toMatch(/from/);
  });

  it('defaults to the 30 days up to now', async () => {
    const res = await get('/metrics/dora');
    expect(res.status).toBe(200);
    const span =
      Date.parse(res.body.current.to) - Date.parse(res.body.current.from);
    expect(span).toBe(30 * 86_400_000);
    expect(res.body.previous.to).toBe(res.body.current.from);
  });
});
