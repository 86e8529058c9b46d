import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseDeployStore } from './DatabaseDeployStore';
import { DatabaseReleaseStore } from './DatabaseReleaseStore';

jest.setTimeout(60_000);

describe('DatabaseReleaseStore', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  async function createStore(databaseId: Parameters<typeof databases.init>[0]) {
    const database = mockServices.database({
      knex: await databases.init(databaseId),
    });
    await DatabaseDeployStore.create({ database }); // runs the migrations
    return DatabaseReleaseStore.create({ database });
  }

  const members = [
    {
      entityRef: 'component:default/db',
      wave: 0,
      artifactId: 'a-db',
      artifactVersion: '1.0.0',
    },
    {
      entityRef: 'component:default/api',
      wave: 1,
      artifactId: 'a-api',
      artifactVersion: '2.0.0',
    },
  ];

  describe.each(databases.eachSupportedId())('%p', databaseId => {
    it('creates a running release with pending members in group order', async () => {
      const store = await createStore(databaseId);
      const release = await store.createRelease({
        deployGroup: 'deploygroup:default/g',
        environment: 'local',
        dryRun: true,
        requestedBy: 'user:default/alice',
        reason: 'weekly',
        members,
      });
      expect(release).toMatchObject({
        deployGroup: 'deploygroup:default/g',
        environment: 'local',
        status: 'running',
        dryRun: true,
        reason: 'weekly',
        members: [
          {
            entityRef: 'component:default/db',
            wave: 0,
            status: 'pending',
            artifactVersion: '1.0.0',
          },
          {
            entityRef: 'component:default/api',
            wave: 1,
            status: 'pending',
            artifactVersion: '2.0.0',
          },
        ],
      });
      expect(await store.getRelease(release.id)).toEqual(release);
      expect(
        await store.getRelease('00000000-0000-4000-8000-000000000000'),
      ).toBeUndefined();
    });

    it('records member progress and ends a release once', async () => {
      const store = await createStore(databaseId);
      const release = await store.createRelease({
        deployGroup: 'deploygroup:default/g',
        environment: 'local',
        dryRun: false,
        requestedBy: 'user:default/alice',
        members,
      });
      await store.updateMember(release.id, 'component:default/db', {
        deployId: 'd-1',
        status: 'failed',
        message: 'exit 3',
      });
      await store.updateMember(release.id, 'component:default/api', {
        status: 'not-started',
      });
      expect(
        await store.finishRelease(release.id, {
          status: 'failed',
          message: 'db failed',
        }),
      ).toBe(true);
      expect(
        await store.finishRelease(release.id, { status: 'cancelled' }),
      ).toBe(false);
      const ended = (await store.getRelease(release.id))!;
      expect(ended).toMatchObject({ status: 'failed', message: 'db failed' });
      expect(ended.finishedAt).toBeDefined();
      expect(ended.members.map(m => [m.status, m.deployId, m.message])).toEqual(
        [
          ['failed', 'd-1', 'exit 3'],
          ['not-started', undefined, undefined],
        ],
      );
    });

    it('lists newest first, by group and status', async () => {
      const store = await createStore(databaseId);
      const base = {
        environment: 'local',
        dryRun: false,
        requestedBy: 'user:default/a',
        members,
      };
      const first = await store.createRelease({
        ...base,
        deployGroup: 'deploygroup:default/g',
      });
      const other = await store.createRelease({
        ...base,
        deployGroup: 'deploygroup:default/h',
      });
      const second = await store.createRelease({
        ...base,
        deployGroup: 'deploygroup:default/g',
      });
      await store.finishRelease(first.id, { status: 'succeeded' });
      expect(
        (
          await store.listReleases({
            deployGroup: 'deploygroup:default/g',
            limit: 10,
          })
        ).map(r => r.id),
      ).toEqual([second.id, first.id]);
      expect(
        (await store.listReleases({ status: ['running'], limit: 10 })).map(
          r => r.id,
        ),
      ).toEqual([second.id, other.id]);
      expect(await store.listReleases({ limit: 1 })).toHaveLength(1);
    });
  });
});
