import { TestBackend, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  DeploymentMatrix,
  RELATION_DEPLOY_MEMBER_OF,
} from '@internal/plugin-sled-common';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import request from 'supertest';
import {
  allowAllButLockOverride,
  Decide,
  libraryEntity,
  NONE,
  startSledBackend,
  switchablePermissions,
  USER,
} from '../__testUtils__/sledBackend';

jest.setTimeout(60_000);

const ENVIRONMENTS = ['development', 'test', 'staging', 'canary', 'production'];
const sled = {
  environments: [
    { name: 'development', executor: 'local' },
    { name: 'test', executor: 'local' },
    { name: 'staging', executor: 'local' },
    {
      name: 'canary',
      executor: 'local',
      // opens every day for a day: always frozen
      windows: [
        {
          kind: 'deny',
          schedule: '0 0 * * *',
          duration: '24h',
          reason: 'freeze',
        },
      ],
    },
    // production is promoted from staging, not from canary before it
    { name: 'production', executor: 'local', promotion: { from: 'staging' } },
  ],
};

/** A deployable service with its owner, system and deploy group relations. */
function service(
  name: string,
  options: { owner?: string; system?: string; deployGroup?: string } = {},
): Entity {
  const owner = options.owner ?? 'team-a';
  const relations = [{ type: 'ownedBy', targetRef: `group:default/${owner}` }];
  if (options.system) {
    relations.push({
      type: 'partOf',
      targetRef: `system:default/${options.system}`,
    });
  }
  if (options.deployGroup) {
    relations.push({
      type: RELATION_DEPLOY_MEMBER_OF,
      targetRef: `deploygroup:default/${options.deployGroup}`,
    });
  }
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      title: name.toUpperCase(),
      annotations: { 'sled.dev/deploy-command': './deploy.sh' },
    },
    spec: { type: 'service', lifecycle: 'production', owner },
    relations,
  };
}

const ref = (name: string) => `component:default/${name}`;

/** Deploy rows as the deploy lifecycle leaves them, oldest first (seq order). */
async function insertDeploys(
  knex: Knex,
  deploys: Array<{
    name: string;
    environment: string;
    version: string;
    status?: string;
    dryRun?: boolean;
    owner?: string;
  }>,
) {
  const rows = deploys.map((d, i) => ({
    id: randomUUID(),
    entity_ref: ref(d.name),
    owner_ref: `group:default/${d.owner ?? 'team-a'}`,
    environment: d.environment,
    // one artifact per service and version
    artifact_id: `${d.name}@${d.version}`,
    artifact_version: d.version,
    status: d.status ?? 'succeeded',
    dry_run: d.dryRun ?? false,
    force: false,
    requested_by: 'user:default/alice',
    launch: '{}',
    created_at: new Date(Date.UTC(2026, 11, 1) + i * 1000).toISOString(),
    finished_at: ['succeeded', 'failed'].includes(d.status ?? 'succeeded')
      ? new Date(Date.UTC(2026, 11, 1) + i * 1000 + 500).toISOString()
      : null,
  }));
  for (let i = 0; i < rows.length; i += 500) {
    await knex('sled_deploys').insert(rows.slice(i, i + 500));
  }
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())('GET /deployments on %p', id => {
  let backend: TestBackend | undefined;
  let knex: Knex;
  let decide: Decide = allowAllButLockOverride;

  const start = async (entities: Entity[]) => {
    knex = await databases.init(id);
    backend = await startSledBackend({
      knex,
      entities,
      sled,
      permissions: switchablePermissions(() => decide),
    });
  };

  afterEach(async () => {
    await backend?.stop();
    backend = undefined;
    decide = allowAllButLockOverride;
  });

  const get = (query = '') =>
    request(backend!.server)
      .get(`/api/sled/deployments${query}`)
      .set('Authorization', USER);

  const cell = (matrix: DeploymentMatrix, name: string, env: string) =>
    matrix.services
      .find(s => s.entityRef === ref(name))
      ?.environments.find(e => e.environment === env);

  it('shows what runs where, drift along the promotion path, open deploys, locks and windows', async () => {
    await start([
      service('cart', { system: 'commerce', deployGroup: 'mono' }),
      service('payments', { system: 'commerce', deployGroup: 'mono' }),
      service('search', { owner: 'team-b', system: 'discovery' }),
      libraryEntity('utils'),
    ]);
    await insertDeploys(knex, [
      ...ENVIRONMENTS.map(environment => ({
        name: 'cart',
        environment,
        version: '1.0.0',
      })),
      { name: 'cart', environment: 'development', version: '1.1.0' },
      { name: 'cart', environment: 'test', version: '1.1.0' },
      // neither a failure nor a dry run changes what runs
      { name: 'cart', environment: 'test', version: '1.2.0', status: 'failed' },
      { name: 'cart', environment: 'staging', version: '1.2.0', dryRun: true },
      { name: 'payments', environment: 'development', version: '2.0.0' },
      {
        name: 'payments',
        environment: 'production',
        version: '2.0.0',
        status: 'awaiting_approval',
      },
      {
        name: 'payments',
        environment: 'development',
        version: '2.1.0',
        status: 'running',
      },
    ]);
    // a lock of the deploy group in staging, one of all production
    await knex('sled_locks').insert([
      {
        id: randomUUID(),
        environment: 'staging',
        deploy_group: 'deploygroup:default/mono',
        owner_ref: 'group:default/team-a',
        reason: 'release in progress',
        created_by: 'user:default/alice',
        created_at: new Date().toISOString(),
      },
      {
        id: randomUUID(),
        environment: 'production',
        reason: 'incident',
        created_by: 'user:default/alice',
        created_at: new Date().toISOString(),
      },
    ]);

    const res = await get();
    expect(res.status).toBe(200);
    const matrix = res.body as DeploymentMatrix;
    expect(matrix.environments.map(e => [e.name, e.promotionFrom])).toEqual([
      ['development', undefined],
      ['test', 'development'],
      ['staging', 'test'],
      ['canary', 'staging'],
      ['production', 'staging'],
    ]);
    expect(matrix.environments[3].window).toMatchObject({ open: false });
    expect(matrix.environments[0].window).toBeUndefined();
    expect(matrix.environments[4]).toMatchObject({
      pendingApprovals: 1,
      locks: [{ reason: 'incident' }],
    });
    expect(matrix.services.map(s => s.entityRef)).toEqual([
      ref('cart'),
      ref('payments'),
      ref('search'),
    ]);
    expect(matrix.services[0]).toMatchObject({
      title: 'CART',
      ownerRef: 'group:default/team-a',
      system: 'system:default/commerce',
      deployGroup: 'deploygroup:default/mono',
    });
    expect(
      matrix.services[0].environments.map(e => [
        e.environment,
        e.current?.version,
        e.drift,
      ]),
    ).toEqual([
      ['development', '1.1.0', false],
      ['test', '1.1.0', false],
      ['staging', '1.0.0', true],
      ['canary', '1.0.0', false],
      ['production', '1.0.0', false],
    ]);
    expect(cell(matrix, 'cart', 'development')?.current).toMatchObject({
      artifactId: 'cart@1.1.0',
      deployedAt: expect.any(String),
    });
    // the group's lock in staging, the environment's in production
    expect(cell(matrix, 'cart', 'staging')?.lock).toMatchObject({
      reason: 'release in progress',
    });
    expect(cell(matrix, 'cart', 'production')?.lock).toMatchObject({
      reason: 'incident',
    });
    expect(cell(matrix, 'search', 'staging')?.lock).toBeUndefined();
    expect(cell(matrix, 'payments', 'development')).toMatchObject({
      current: { version: '2.0.0' },
      deploying: true,
      pendingApprovals: 0,
    });
    expect(cell(matrix, 'payments', 'test')).toMatchObject({
      drift: true,
      deploying: false,
    });
    expect(cell(matrix, 'payments', 'test')?.current).toBeUndefined();
    expect(cell(matrix, 'payments', 'production')).toMatchObject({
      pendingApprovals: 1,
      drift: false,
    });
    expect(matrix.facets).toEqual({
      owners: ['group:default/team-a', 'group:default/team-b'],
      systems: ['system:default/commerce', 'system:default/discovery'],
      deployGroups: ['deploygroup:default/mono'],
    });
  });

  it('filters by owner, system and deploy group, refs or bare names', async () => {
    await start([
      service('cart', { system: 'commerce', deployGroup: 'mono' }),
      service('payments', { system: 'commerce' }),
      service('search', { owner: 'team-b', system: 'discovery' }),
    ]);
    const names = async (query: string) => {
      const res = await get(query);
      expect(res.status).toBe(200);
      return (res.body as DeploymentMatrix).services.map(s => s.entityRef);
    };
    expect(await names('?owner=group:default/team-b')).toEqual([ref('search')]);
    expect(await names('?owner=team-a')).toEqual([
      ref('cart'),
      ref('payments'),
    ]);
    expect(await names('?system=commerce&owner=team-a')).toEqual([
      ref('cart'),
      ref('payments'),
    ]);
    expect(await names('?deployGroup=deploygroup:default/mono')).toEqual([
      ref('cart'),
    ]);
    expect(await names('?system=nothing')).toEqual([]);
    const facets = (await get('?owner=team-b')).body.facets;
    expect(facets.owners).toHaveLength(2);

    const bad = await get('?owner=group:');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/owner/);
  });

  it('shows only what the caller may read', async () => {
    await start([service('cart'), service('search', { owner: 'team-b' })]);
    await insertDeploys(knex, [
      { name: 'cart', environment: 'development', version: '1.0.0' },
      { name: 'cart', environment: 'staging', version: '1.0.0' },
      {
        name: 'search',
        environment: 'development',
        version: '3.0.0',
        owner: 'team-b',
      },
    ]);
    const conditional = (conditions: object): PolicyDecision =>
      ({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'sled',
        resourceType: 'sled-target',
        conditions: { resourceType: 'sled-target', ...conditions },
      } as PolicyDecision);

    decide = () =>
      conditional({
        rule: 'IS_SERVICE_OWNER',
        params: { claims: ['group:default/team-a'] },
      });
    let matrix = (await get()).body as DeploymentMatrix;
    expect(matrix.services.map(s => s.entityRef)).toEqual([ref('cart')]);
    expect(matrix.facets.owners).toEqual(['group:default/team-a']);

    // in staging only: staging's cell, and no drift against an unreadable one
    decide = () =>
      conditional({
        rule: 'IS_ENVIRONMENT',
        params: { environments: ['staging'] },
      });
    matrix = (await get()).body as DeploymentMatrix;
    expect(matrix.services.map(s => s.entityRef)).toEqual([
      ref('cart'),
      ref('search'),
    ]);
    expect(matrix.services[0].environments).toEqual([
      expect.objectContaining({
        environment: 'staging',
        current: expect.objectContaining({ version: '1.0.0' }),
        drift: false,
      }),
    ]);
    expect(matrix.services[1].environments).toEqual([
      expect.objectContaining({ environment: 'staging', drift: false }),
    ]);

    decide = () => ({ result: AuthorizeResult.DENY });
    expect((await get()).status).toBe(403);
    const anonymous = await request(backend!.server)
      .get('/api/sled/deployments')
      .set('Authorization', NONE);
    expect(anonymous.status).toBe(401);
  });

  it('reads 1,000 services × 5 environments in a fixed number of queries', async () => {
    const names = Array.from(
      { length: 1000 },
      (_, i) => `svc-${String(i).padStart(4, '0')}`,
    );
    await start(names.map((n, i) => service(n, { owner: `team-${i % 20}` })));
    await insertDeploys(
      knex,
      names.flatMap((name, i) =>
        ENVIRONMENTS.flatMap((environment, e) =>
          // two versions each, the newer not yet everywhere
          [
            { name, environment, version: '1.0.0', owner: `team-${i % 20}` },
            ...(e <= i % 5
              ? [
                  {
                    name,
                    environment,
                    version: '1.1.0',
                    owner: `team-${i % 20}`,
                  },
                ]
              : []),
          ],
        ),
      ),
    );
    let queries = 0;
    const count = () => {
      queries++;
    };
    knex.on('query', count);
    const started = Date.now();
    const res = await get();
    const ms = Date.now() - started;
    knex.off('query', count);

    expect(res.status).toBe(200);
    const matrix = res.body as DeploymentMatrix;
    expect(matrix.services).toHaveLength(1000);
    expect(matrix.services.every(s => s.environments.length === 5)).toBe(true);
    // svc-0001 has 1.1.0 in development and test only
    expect(
      matrix.services[1].environments.map(e => [e.current?.version, e.drift]),
    ).toEqual([
      ['1.1.0', false],
      ['1.1.0', false],
      ['1.0.0', true],
      ['1.0.0', false],
      ['1.0.0', false],
    ]);
    // current deploys, open deploys and locks: no query per service
    expect(queries).toBeLessThanOrEqual(3);
    // eslint-disable-next-line no-console
    console.log(
      `[deployments] GET /deployments, 1,000 services × 5 environments (${id}): ${ms} ms, ${queries} queries`,
    );
  });
});
