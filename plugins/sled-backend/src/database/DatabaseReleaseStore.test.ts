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
    // runs the migrations; its runners are the releases' runners too
    const deploys = await DatabaseDeployStore.create({ database });
    return Object.assign(await DatabaseReleaseStore.create({ database }), {
      deploys,
    });
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
        runner: 'runner-a',
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
        runner: 'runner-a',
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

    it('hands running releases over only from backends that are gone', async () => {
      const store = await createStore(databaseId);
      await store.deploys.heartbeat('runner-a');
      await store.deploys.heartbeat('runner-b');
      const base = {
        environment: 'local',
        dryRun: false,
        requestedBy: 'user:default/a',
        members,
      };
      const onA = await store.createRelease({
        ...base,
        runner: 'runner-a',
        deployGroup: 'deploygroup:default/g',
      });
      const onB = await store.createRelease({
        ...base,
        runner: 'runner-b',
        deployGroup: 'deploygroup:default/h',
      });
      const ended = await store.createRelease({
        ...base,
        runner: 'runner-b',
        deployGroup: 'deploygroup:default/i',
      });
      await store.finishRelease(ended.id, { status: 'succeeded' });
      const periodic = { timeoutMs: 30_000, unowned: false };
      await store.deploys.heartbeat('runner-c');
      expect(await store.takeOverRunning('runner-c', periodic)).toEqual([]);

      await store.deploys.removeRunner('runner-b');
      await store.deploys.heartbeat('runner-d');
      const [c, d] = await Promise.all([
        store.takeOverRunning('runner-c', periodic),
        store.takeOverRunning('runner-d', periodic),
      ]);
      const taken = [...c, ...d];
      expect(taken.map(r => r.id)).toEqual([onB.id]);
      // with its members, to resume it
      expect(taken[0].members.map(m => m.entityRef)).toEqual([
        'component:default/db',
        'component:default/api',
      ]);
      expect(await store.takeOverRunning('runner-c', periodic)).toEqual([]);
      expect((await store.getRelease(onA.id))!.status).toBe('running');
    });

    it('lists newest first, by group and status', async () => {
      const store = await createStore(databaseId);
      const base = {
        runner: 'runner-a',
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
