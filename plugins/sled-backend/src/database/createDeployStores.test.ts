import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { createDeployStores } from './createDeployStores';
import { DatabaseDeployStore } from './DatabaseDeployStore';

jest.setTimeout(60_000);

const SVC = 'component:default/svc-stores';
const TEAM = 'group:default/team-a';

describe('createDeployStores', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  it.each(databases.eachSupportedId())(
    'gives the five stores of one migrated database (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { artifacts, queue, runners, logs, locks } =
        await createDeployStores({ database: mockServices.database({ knex }) });

      const { artifact } = await artifacts.registerArtifact(
        { entityRef: SVC, version: '1.0.0', commitSha: 'abcdef1234567' },
        TEAM,
      );
      const { deploy } = await queue.createDeploy({
        entityRef: SVC,
        ownerRef: TEAM,
        environment: 'staging',
        artifact,
        status: 'queued',
        dryRun: false,
        force: false,
        requestedBy: 'user:default/mock',
        launch: { command: ['./deploy.sh'] },
      });
      await runners.heartbeat('runner-a');
      expect(
        (await queue.claimNext(SVC, 'staging', 'runner-a'))?.deploy.id,
      ).toBe(deploy.id);
      // the log store checks the runner the queue recorded
      expect(await logs.appendLog(deploy.id, 0, 'hello\n', 'runner-a')).toBe(
        true,
      );
      expect(await logs.appendLog(deploy.id, 1, 'other\n', 'runner-b')).toBe(
        false,
      );
      expect(await logs.readLog(deploy.id)).toEqual([
        { chunk: 0, text: 'hello\n' },
      ]);
      const lock = await locks.createLock({
        environment: 'staging',
        reason: 'freeze',
        createdBy: 'user:default/mock',
      });
      expect(await locks.getLock(lock.id)).toEqual(lock);

      // a second call (its migrations already applied) reads the same rows
      const again = await createDeployStores({
        database: mockServices.database({ knex }),
      });
      expect(await again.queue.getDeploy(deploy.id)).toMatchObject({
        status: 'running',
      });
    },
  );

  it('leaves migrations to the caller when they are skipped', async () => {
    const knex = await databases.init('SQLITE_3');
    await createDeployStores({
      database: mockServices.database({ knex }),
      skipMigrations: true,
    });
    expect(await knex.schema.hasTable('sled_deploys')).toBe(false);
  });
});

describe('DatabaseDeployStore', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('is each of its stores: what one part writes, the whole reads', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseDeployStore.create({
      database: mockServices.database({ knex }),
    });
    const lock = await store.locks.createLock({
      environment: 'production',
      reason: 'freeze',
      createdBy: 'user:default/mock',
    });
    expect(await store.listLocks({ environment: 'production' })).toEqual([
      lock,
    ]);
    const { artifact } = await store.registerArtifact(
      { entityRef: SVC, version: '2.0.0', commitSha: 'abcdef1234567' },
      TEAM,
    );
    expect(await store.artifacts.getArtifact(artifact.id)).toEqual(artifact);
  });
});
