import { TestBackend, TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  readLog,
  registerArtifact,
  SERVICE,
  startSled,
  USER,
  waitForEnd,
} from './__testUtils__/sledTestBackend';
import sledModuleEchoExecutor from './index';

describe('sledModuleEchoExecutor', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let backend: TestBackend | undefined;

  afterEach(async () => {
    await backend?.stop();
    backend = undefined;
  });

  const environments = [
    { name: 'sandbox', executor: 'echo' },
    { name: 'broken', executor: 'echo', echo: { outcome: 'failed' } },
  ];

  it('runs a deploy to an echo environment, recording its log and outcome', async () => {
    backend = await startSled({
      knex: await databases.init('SQLITE_3'),
      features: [sledModuleEchoExecutor],
      sled: { environments },
    });
    const artifact = await registerArtifact(backend);

    const created = await request(backend.server)
      .post('/api/sled/deploys')
      .set('Authorization', USER)
      .send({
        entityRef: SERVICE,
        environment: 'sandbox',
        artifactId: artifact.id,
      });
    expect(created.status).toBe(202);

    const deploy = await waitForEnd(backend, created.body.id);
    expect(deploy).toMatchObject({
      status: 'succeeded',
      exitCode: 0,
      message: 'echo: succeeded',
      execution: { executor: 'echo', handle: `echo:${deploy.id}` },
    });
    const log = await readLog(backend, deploy.id);
    expect(log.split('\n')).toEqual(
      expect.arrayContaining([
        '$ ./deploy.sh --verbose',
        `SLED_DEPLOY_ID=${deploy.id}`,
        `SLED_SERVICE=${SERVICE}`,
        'SLED_ENVIRONMENT=sandbox',
        'SLED_ARTIFACT_VERSION=1.2.3',
        'SLED_DRY_RUN=0',
      ]),
    );
    expect(log.startsWith('$ ./deploy.sh --verbose\n')).toBe(true);

    const environment = await request(backend.server)
      .get('/api/sled/environments')
      .set('Authorization', USER);
    expect(environment.body[0]).toMatchObject({
      name: 'sandbox',
      executor: 'echo',
    });
  });

  it("ends a deploy as the environment's own config says, dry runs with --dry-run", async () => {
    backend = await startSled({
      knex: await databases.init('SQLITE_3'),
      features: [sledModuleEchoExecutor],
      sled: { environments },
    });
    const artifact = await registerArtifact(backend);
    const created = await request(backend.server)
      .post('/api/sled/deploys')
      .set('Authorization', USER)
      .send({
        entityRef: SERVICE,
        environment: 'broken',
        artifactId: artifact.id,
        dryRun: true,
      });
    expect(created.status).toBe(202);
    const deploy = await waitForEnd(backend, created.body.id);
    expect(deploy).toMatchObject({
      status: 'failed',
      exitCode: 1,
      message: 'echo: failed',
    });
    const log = await readLog(backend, deploy.id);
    expect(log).toContain('$ ./deploy.sh --verbose --dry-run\n');
    expect(log).toContain('SLED_DRY_RUN=1\n');
  });

  it("fails start-up on a bad key of an echo environment, naming it (the executor's own validation)", async () => {
    await expect(
      startSled({
        features: [sledModuleEchoExecutor],
        sled: {
          environments: [
            { name: 'local', executor: 'local' },
            { name: 'sandbox', executor: 'echo', echo: { outcome: 'maybe' } },
          ],
        },
      }),
    ).rejects.toThrow(
      "Invalid config at sled.environments[1].echo.outcome: must be succeeded or failed, not 'maybe'",
    );
  });

  it('fails start-up on an environment whose executor no module registered, naming the registered kinds', async () => {
    await expect(
      startSled({
        features: [],
        sled: { environments: [{ name: 'sandbox', executor: 'echo' }] },
      }),
    ).rejects.toThrow(
      "Invalid config at sled.environments[0].executor: unknown executor 'echo', registered: kubernetes, local",
    );
  });
});
