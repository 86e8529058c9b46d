import { TestBackend, TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  eventually,
  liveProcessesInGroup,
  makeTempDir,
  writeScript,
} from '../__testUtils__/processes';
import {
  CI,
  serviceEntity,
  startSledBackend,
  USER,
  waitForStatus,
} from '../__testUtils__/sledBackend';

jest.setTimeout(60_000);

const SVC = 'component:default/ticker';

describe('a local deploy another backend took over', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let backend: TestBackend | undefined;
  let cleanup: () => void = () => {};

  afterEach(async () => {
    await backend?.stop();
    backend = undefined;
    cleanup();
  });

  it('is no longer followed here: its process stops, and this backend records neither output nor outcome', async () => {
    let dir: string;
    ({ dir, cleanup } = makeTempDir('sled-local-take-over-'));
    writeScript(
      dir,
      'deploy.sh',
      'while true; do echo "tick $SLED_DEPLOY_ID"; sleep 0.05; done',
    );
    const knex = await databases.init('SQLITE_3');
    backend = await startSledBackend({
      knex,
      entities: [serviceEntity('ticker', dir)],
    });
    const artifact = await request(backend.server)
      .post('/api/sled/artifacts')
      .set('Authorization', CI)
      .send({ entityRef: SVC, version: '1.0.0', commitSha: 'abcdef1234567' });
    const created = await request(backend.server)
      .post('/api/sled/deploys')
      .set('Authorization', USER)
      .send({
        entityRef: SVC,
        environment: 'local',
        artifactId: artifact.body.id,
      });
    expect(created.status).toBe(202);
    const id = created.body.id;
    const running = await eventually(async () => {
      const deploy = await waitForStatus(backend!, id, 'running');
      expect(deploy.execution?.handle).toMatch(/^pid:\d+$/);
      return deploy;
    });
    const pid = Number(running.execution!.handle!.slice('pid:'.length));
    await eventually(async () =>
      expect(
        await knex('sled_deploy_logs')
          .where({ deploy_id: id })
          .count({ n: '*' }),
      ).not.toEqual([{ n: 0 }]),
    );

    // what a replica does when this backend's heartbeats stopped for too long
    await knex('sled_deploys')
      .where({ id })
      .update({ runner: 'the-other-backend' });

    await eventually(() => expect(liveProcessesInGroup(pid)).toEqual([]));
    const logged = await knex('sled_deploy_logs')
      .where({ deploy_id: id })
      .orderBy('chunk');
    // the deploy is the other backend's to record
    const row = await knex('sled_deploys').where({ id }).first();
    expect(row).toMatchObject({
      status: 'running',
      runner: 'the-other-backend',
    });
    await backend.stop();
    backend = undefined;
    expect(
      await knex('sled_deploy_logs').where({ deploy_id: id }).orderBy('chunk'),
    ).toEqual(logged);
    expect(await knex('sled_deploys').where({ id }).first()).toEqual(row);
  });
});
