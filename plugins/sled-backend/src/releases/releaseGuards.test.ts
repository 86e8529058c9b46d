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
  allowAllButLockOverride,
  CI,
  Decide,
  serviceEntity,
  startSledBackend,
  switchablePermissions,
  USER,
} from '../__testUtils__/sledBackend';

const A = 'component:default/guard-a';
const B = 'component:default/guard-b';
const GROUP = 'deploygroup:default/guard-group';

const group: Entity = {
  apiVersion: 'sled.dev/v1alpha1',
  kind: 'DeployGroup',
  metadata: { name: 'guard-group', namespace: 'default' },
  spec: { owner: 'team-a', members: [A, B] },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
};

/**
 * What a release may pass and what its rollback returns to: each rule here
 * once survived a one-line change of the code.
 */
describe('release guards', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let dir: string;
  let cleanup: () => void;
  let knex: Knex;
  let backend: TestBackend;
  let decide: Decide = allowAllButLockOverride;

  const get = (p: string) =>
    request(backend.server).get(`/api/sled${p}`).set('Authorization', USER);
  const post = (p: string, body: object = {}, auth = USER) =>
    request(backend.server)
      .post(`/api/sled${p}`)
      .set('Authorization', auth)
      .send(body);

  async function register(entityRef: string, version: string) {
    const res = await post(
      '/artifacts',
      { entityRef, version, commitSha: 'abcdef1234567' },
      CI,
    );
    expect(res.status).toBe(201);
    return res.body as Artifact;
  }

  async function released(body: object): Promise<Release> {
    const res = await post('/releases', {
      deployGroup: GROUP,
      environment: 'local',
      ...body,
    });
    expect(res.status).toBe(202);
    return eventually(async () => {
      const r = await get(`/releases/${res.body.id}`);
      expect(r.body.status).toBe('succeeded');
      return r.body as Release;
    }, 30_000);
  }

  const versions = (release: Release) =>
    release.members.map(m => [m.entityRef, m.artifactVersion]);

  beforeAll(() => {
    ({ dir, cleanup } = makeTempDir('sled-guards-'));
    writeScript(dir, 'deploy.sh', 'echo "deploying $SLED_ARTIFACT_VERSION"');
  });

  beforeEach(async () => {
    knex = await databases.init('SQLITE_3');
    backend = await startSledBackend({
      knex,
      entities: [
        serviceEntity('guard-a', dir, { deployGroup: GROUP }),
        serviceEntity('guard-b', dir, { deployGroup: GROUP }),
        group,
      ],
      permissions: switchablePermissions(() => decide),
    });
  });

  afterEach(async () => {
    decide = allowAllButLockOverride;
    await backend?.stop();
  });

  afterAll(() => cleanup?.());

  it('passes a member lock only when the caller may override the lock of every member', async () => {
    await register(A, '1.0.0');
    await register(B, '1.0.0');
    const lock = await post('/locks', {
      environment: 'local',
      entityRef: B,
      reason: 'incident',
    });
    expect(lock.status).toBe(201);
    const releaseCount = async () =>
      Number((await knex('sled_releases').count({ n: '*' }))[0].n);

    // may override the lock of guard-a (not locked), not of guard-b (locked)
    decide = permission =>
      permission.name === 'sled.lock.override'
        ? {
            result: AuthorizeResult.CONDITIONAL,
            pluginId: 'sled',
            resourceType: 'sled-lock',
            conditions: {
              rule: 'IS_SERVICE',
              resourceType: 'sled-lock',
              params: { entityRefs: [A] },
            },
          }
        : { result: AuthorizeResult.ALLOW };
    const refused = await post('/releases', {
      deployGroup: GROUP,
      environment: 'local',
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/guard-b is locked in local/);
    expect(await releaseCount()).toBe(0);

    // may override every member's lock: the release passes it
    decide = () => ({ result: AuthorizeResult.ALLOW });
    const release = await released({});
    expect(versions(release)).toEqual([
      [A, '1.0.0'],
      [B, '1.0.0'],
    ]);
  });

  it('rolls a release back to the last successful release before it, passing over dry runs', async () => {
    await register(A, '1.0.0');
    await register(B, '1.0.0');
    const first = await released({});
    await register(A, '2.0.0');
    const dry = await released({ dryRun: true });
    expect(dry.dryRun).toBe(true);
    await register(A, '3.0.0');
    const third = await released({});
    expect(versions(third)).toEqual([
      [A, '3.0.0'],
      [B, '1.0.0'],
    ]);

    const rollback = await post(`/releases/${third.id}/rollback`);
    expect(rollback.status).toBe(202);
    expect(rollback.body).toMatchObject({
      rollbackOf: third.id,
      reason: `Roll back release ${third.id} to release ${first.id}`,
    });
    expect(versions(rollback.body)).toEqual([
      [A, '1.0.0'],
      [B, '1.0.0'],
    ]);
  });
});
