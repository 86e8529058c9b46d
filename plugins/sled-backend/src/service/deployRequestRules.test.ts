import { TestBackend, TestDatabases } from '@backstage/backend-test-utils';
import { Artifact, Deploy } from '@internal/plugin-sled-common';
import { Knex } from 'knex';
import request from 'supertest';
import { makeTempDir, writeScript } from '../__testUtils__/processes';
import {
  CI,
  serviceEntity,
  startSledBackend,
  USER,
  waitForEnd,
  waitForStatus,
} from '../__testUtils__/sledBackend';

const SVC = 'component:default/rules-svc';

/**
 * What a deploy request becomes (queued or skipped) and what a rollback
 * returns to: each rule here once survived a one-line change of the code.
 */
describe('deploy request rules', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let dir: string;
  let cleanup: () => void;
  let knex: Knex;
  let backend: TestBackend;

  const post = (p: string, body: object, auth = USER) =>
    request(backend.server)
      .post(`/api/sled${p}`)
      .set('Authorization', auth)
      .send(body);

  async function register(version: string): Promise<Artifact> {
    const res = await post(
      '/artifacts',
      { entityRef: SVC, version, commitSha: 'abcdef1234567' },
      CI,
    );
    expect(res.status).toBe(201);
    return res.body;
  }

  async function deployed(
    artifact: Artifact,
    extra: object = {},
  ): Promise<Deploy> {
    const res = await post('/deploys', {
      entityRef: SVC,
      environment: 'local',
      artifactId: artifact.id,
      ...extra,
    });
    expect(res.status).toBe(202);
    return waitForEnd(backend, res.body.id);
  }

  beforeAll(() => {
    ({ dir, cleanup } = makeTempDir('sled-rules-'));
    writeScript(
      dir,
      'deploy.sh',
      [
        'case "$SLED_ARTIFACT_VERSION" in',
        '  *-broken) echo broken; exit 3 ;;',
        '  *-slow) sleep 30 & wait ;;',
        'esac',
        'echo "deploying $SLED_ARTIFACT_VERSION $*"',
      ].join('\n'),
    );
  });

  beforeEach(async () => {
    knex = await databases.init('SQLITE_3');
    backend = await startSledBackend({
      knex,
      entities: [serviceEntity('rules-svc', dir)],
    });
  });

  afterEach(async () => {
    await backend?.stop();
  });

  afterAll(() => cleanup?.());

  it('queues the deployed version again while another deploy of the target is still running, rather than skipping it', async () => {
    const v1 = await register('1.0.0');
    expect((await deployed(v1)).status).toBe('succeeded');
    const slow = await register('2.0.0-slow');
    const running = await post('/deploys', {
      entityRef: SVC,
      environment: 'local',
      artifactId: slow.id,
    });
    await waitForStatus(backend, running.body.id, 'running');

    // 1.0.0 succeeded last, but 2.0.0-slow is about to replace it
    const again = await post('/deploys', {
      entityRef: SVC,
      environment: 'local',
      artifactId: v1.id,
    });
    expect({ status: again.status, deploy: again.body.status }).toEqual({
      status: 202,
      deploy: 'queued',
    });
    await post(`/deploys/${running.body.id}/cancel`, {});
    expect((await waitForEnd(backend, again.body.id)).status).toBe('succeeded');

    // with nothing active, the same request is a replay and is skipped
    const replay = await post('/deploys', {
      entityRef: SVC,
      environment: 'local',
      artifactId: v1.id,
    });
    expect({ status: replay.status, deploy: replay.body.status }).toEqual({
      status: 200,
      deploy: 'skipped',
    });
  });

  it('runs a dry run of the version already deployed: a dry run is never skipped', async () => {
    const v1 = await register('1.0.0');
    expect((await deployed(v1)).status).toBe('succeeded');
    const dry = await deployed(v1, { dryRun: true });
    expect(dry).toMatchObject({ status: 'succeeded', dryRun: true });
    const logs = await request(backend.server)
      .get(`/api/sled/deploys/${dry.id}/logs`)
      .set('Authorization', USER);
    expect(logs.text).toContain('deploying 1.0.0 --dry-run');
  });

  it('rolls back from the last successful deploy to the one before it, passing over failed deploys and dry runs', async () => {
    const v1 = await register('1.0.0');
    const v2 = await register('2.0.0');
    const v3 = await register('3.0.0-broken');
    const v4 = await register('4.0.0');
    await deployed(v1);
    const current = await deployed(v2);
    expect((await deployed(v3)).status).toBe('failed');
    expect((await deployed(v4, { dryRun: true })).status).toBe('succeeded');

    const res = await post('/rollbacks', {
      entityRef: SVC,
      environment: 'local',
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      artifactId: v1.id,
      rollbackOf: current.id,
      reason: 'Roll back 2.0.0 to 1.0.0',
    });
    expect((await waitForEnd(backend, res.body.id)).status).toBe('succeeded');
  });
});
