import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseDeployStore } from './DatabaseDeployStore';

jest.setTimeout(60_000);

const SVC = 'component:default/svc-claim';

/**
 * The claim of a busy target: the statement itself finds that something runs
 * there (its NOT EXISTS). The partial unique index is the last line of
 * defence only: a claim that reached it would log an ERROR on PostgreSQL and
 * abort any surrounding transaction.
 */
describe('DatabaseDeployStore.claimNext on a busy target', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  it.each(databases.eachSupportedId())(
    'claims nothing, without a constraint violation, while a deploy runs there (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseDeployStore.create({
        database: mockServices.database({ knex }),
      });
      const { artifact } = await store.registerArtifact(
        { entityRef: SVC, version: '1.0.0', commitSha: 'abcdef1234567' },
        'group:default/team-a',
      );
      const queue = async () =>
        (
          await store.createDeploy({
            entityRef: SVC,
            ownerRef: 'group:default/team-a',
            environment: 'staging',
            artifact,
            status: 'queued',
            dryRun: false,
            force: false,
            requestedBy: 'user:default/mock',
            launch: { command: ['./deploy.sh'] },
          })
        ).deploy;
      const first = await queue();
      const second = await queue();
      expect(
        (await store.claimNext(SVC, 'staging', 'runner-a'))?.deploy.id,
      ).toBe(first.id);

      const errors: string[] = [];
      const onError = (error: Error) => errors.push(error.message);
      knex.on('query-error', onError);
      try {
        expect(
          await store.claimNext(SVC, 'staging', 'runner-a'),
        ).toBeUndefined();
      } finally {
        knex.off('query-error', onError);
      }
      expect(errors).toEqual([]);
      expect((await store.getDeploy(second.id))?.status).toBe('queued');
    },
  );

  it.each(databases.eachSupportedId())(
    'hands the claimed deploy over with its launch settings and the artifact it was requested with, not read again (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseDeployStore.create({
        database: mockServices.database({ knex }),
      });
      const { artifact } = await store.registerArtifact(
        {
          entityRef: SVC,
          version: '2.0.0',
          commitSha: 'abcdef1234567',
          image: 'registry.example/svc:2.0.0',
          checks: [{ name: 'unit', status: 'passed' }],
        },
        'group:default/team-a',
      );
      await store.createDeploy({
        entityRef: SVC,
        ownerRef: 'group:default/team-a',
        environment: 'staging',
        artifact,
        status: 'queued',
        dryRun: false,
        force: false,
        requestedBy: 'user:default/mock',
        launch: { command: ['./deploy.sh'], workingDirectory: '/srv/svc' },
      });
      const reads: string[] = [];
      const onQuery = (q: { sql: string }) => reads.push(q.sql);
      knex.on('query', onQuery);
      let claimed;
      try {
        claimed = await store.claimNext(SVC, 'staging', 'runner-a');
      } finally {
        knex.off('query', onQuery);
      }
      expect(claimed?.launch).toEqual({
        command: ['./deploy.sh'],
        workingDirectory: '/srv/svc',
      });
      // CI's check results change after registration: the start gates read them
      const { checks: _checks, ...immutable } = artifact;
      expect(claimed?.artifact).toEqual(immutable);
      expect(reads.some(sql => sql.includes('sled_artifacts'))).toBe(false);
      // the launch settings executors read on a take-over stay as they were
      expect(await store.getLaunch(claimed!.deploy.id)).toEqual({
        command: ['./deploy.sh'],
        workingDirectory: '/srv/svc',
      });
    },
  );
});
