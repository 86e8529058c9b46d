import { TestBackend, TestDatabases } from '@backstage/backend-test-utils';
import { Deploy } from '@internal/plugin-sled-common';
import { Knex } from 'knex';
import request from 'supertest';
import { makeTempDir, writeScript } from '../__testUtils__/processes';
import {
  CI,
  serviceEntity,
  startSledBackend,
  USER,
  waitForEnd,
} from '../__testUtils__/sledBackend';

jest.setTimeout(60_000);

const SVC = 'component:default/vanishing';

/**
 * `lost`: a deploy whose Job vanished before SLeD saw it end (the Kubernetes
 * executor's tests make one; here it is written as that executor records it).
 */
describe('the lost status', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let knex: Knex;
  let backend: TestBackend;
  let cleanup: () => void;

  const post = (path: string, body: object, auth = USER) =>
    request(backend.server)
      .post(`/api/sled${path}`)
      .set('Authorization', auth)
      .send(body);
  const get = (path: string) =>
    request(backend.server).get(`/api/sled${path}`).set('Authorization', USER);

  async function deployToEnd(artifactId: string): Promise<Deploy> {
    const res = await post('/deploys', {
      entityRef: SVC,
      environment: 'local',
      artifactId,
    });
    expect(res.status).toBe(202);
    return waitForEnd(backend, res.body.id);
  }

  /** What the Kubernetes executor records when a followed Job vanishes. */
  async function loseDeploy(id: string) {
    await knex('sled_deploys')
      .where({ id })
      .update({
        status: 'lost',
        message: `lost: the Job sled-deploys/sled-${id} no longer exists`,
      });
  }

  let dir: string;
  beforeAll(() => {
    ({ dir, cleanup } = makeTempDir('sled-lost-'));
    writeScript(dir, 'deploy.sh', 'echo "deploying $SLED_ARTIFACT_VERSION"');
  });

  // every test its own database and backend: it runs alone and in any order
  beforeEach(async () => {
    knex = await databases.init('SQLITE_3');
    backend = await startSledBackend({
      knex,
      entities: [serviceEntity('vanishing', dir)],
    });
  });

  afterEach(async () => {
    await backend?.stop();
  });

  afterAll(() => cleanup?.());

  async function register(version: string): Promise<string> {
    const res = await post(
      '/artifacts',
      { entityRef: SVC, version, commitSha: 'abcdef1234567' },
      CI,
    );
    expect(res.status).toBe(201);
    return res.body.id;
  }

  it('lists deploys filtered by status=lost, and names lost among the statuses a bad filter may use', async () => {
    const v1 = await register('1.0.0');
    const v2 = await register('2.0.0');
    expect((await deployToEnd(v1)).status).toBe('succeeded');
    const lost = await deployToEnd(v2);
    await loseDeploy(lost.id);

    const res = await get(
      `/deploys?entityRef=${encodeURIComponent(SVC)}&status=lost`,
    );
    expect(res.status).toBe(200);
    expect(res.body.items.map((d: Deploy) => [d.id, d.status])).toEqual([
      [lost.id, 'lost'],
    ]);
    const both = await get(
      `/deploys?entityRef=${encodeURIComponent(SVC)}&status=lost,succeeded`,
    );
    expect(both.status).toBe(200);
    expect(both.body.items.map((d: Deploy) => d.status)).toEqual([
      'lost',
      'succeeded',
    ]);

    const bad = await get('/deploys?status=vanished');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(
      /queued, running, succeeded, failed, cancelled, lost, rejected, expired, skipped/,
    );
  });

  it('runs a deploy of the version before a lost one again: what runs there is unknown, so it is not skipped', async () => {
    const v3 = await register('3.0.0');
    const v4 = await register('4.0.0');
    expect((await deployToEnd(v3)).status).toBe('succeeded');
    const lost = await deployToEnd(v4);
    await loseDeploy(lost.id);

    const again = await post('/deploys', {
      entityRef: SVC,
      environment: 'local',
      artifactId: v3,
    });
    expect(again.status).toBe(202);
    expect((await waitForEnd(backend, again.body.id)).status).toBe('succeeded');
  });

  it('shows a lost deploy as the last deploy of its environment, and is never what a rollback returns to', async () => {
    const v5 = await register('5.0.0');
    const v6 = await register('6.0.0');
    const v7 = await register('7.0.0');
    expect((await deployToEnd(v5)).status).toBe('succeeded');
    expect((await deployToEnd(v6)).status).toBe('succeeded');
    const lost = await deployToEnd(v7);
    await loseDeploy(lost.id);

    const state = await get(`/state?entityRef=${encodeURIComponent(SVC)}`);
    const local = state.body.environments.find(
      (e: { environment: string }) => e.environment === 'local',
    );
    expect(local.lastDeploy).toMatchObject({ id: lost.id, status: 'lost' });
    expect(local.current.deploy.artifactVersion).toBe('6.0.0');

    const rollback = await post('/rollbacks', {
      entityRef: SVC,
      environment: 'local',
    });
    expect(rollback.status).toBe(202);
    expect(rollback.body.artifactVersion).toBe('5.0.0');
    await waitForEnd(backend, rollback.body.id);
  });
});
