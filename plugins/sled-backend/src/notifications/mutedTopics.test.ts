import {
  mockCredentials,
  TestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import notificationsPlugin from '@backstage/plugin-notifications-backend';
import request from 'supertest';
import {
  eventually,
  makeTempDir,
  writeScript,
} from '../__testUtils__/processes';
import {
  CI,
  serviceEntity,
  startSledBackend,
  waitForEnd,
} from '../__testUtils__/sledBackend';

jest.setTimeout(60_000);

const SVC = 'component:default/payments';
const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';

const user = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { memberOf: ['team-a'] },
  relations: [{ type: 'memberOf', targetRef: 'group:default/team-a' }],
});

const team: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-a', namespace: 'default' },
  spec: { type: 'team', children: [] },
  relations: [
    { type: 'hasMember', targetRef: ALICE },
    { type: 'hasMember', targetRef: BOB },
  ],
};

/**
 * SLeD sends through Backstage's notifications backend, which delivers to
 * each member of the owning group unless they muted the topic in their
 * notification settings.
 */
describe('notifications of a notify environment, through the notifications backend', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let backend: TestBackend;
  let cleanup = () => {};

  beforeEach(async () => {
    const temp = makeTempDir('sled-muted-');
    cleanup = temp.cleanup;
    writeScript(temp.dir, 'deploy.sh', 'echo "deployed"');
    backend = await startSledBackend({
      knex: await databases.init('SQLITE_3'),
      entities: [
        serviceEntity('payments', temp.dir),
        team,
        user('alice'),
        user('bob'),
      ],
      sled: {
        environments: [{ name: 'production', executor: 'local', notify: true }],
      },
      config: { app: { baseUrl: 'http://localhost:3000' } },
      features: [notificationsPlugin],
    });
  });

  afterEach(async () => {
    await backend?.stop();
    cleanup();
  });

  const api = () => request(backend.server);
  const inbox = async (ref: string) =>
    (
      await api()
        .get('/api/notifications')
        .set('Authorization', mockCredentials.user.header(ref))
    ).body.notifications as Array<{
      payload: { title: string; topic: string };
    }>;

  it('reaches every member of the owning team but the one who muted the environment', async () => {
    const muted = await api()
      .post('/api/notifications/settings')
      .set('Authorization', mockCredentials.user.header(BOB))
      .send({
        channels: [
          {
            id: 'Web',
            origins: [
              {
                id: 'plugin:sled',
                enabled: true,
                topics: [{ id: 'sled-production', enabled: false }],
              },
            ],
          },
        ],
      });
    expect(muted.status).toBe(200);

    const artifact = await api()
      .post('/api/sled/artifacts')
      .set('Authorization', CI)
      .send({ entityRef: SVC, version: '1.0.0', commitSha: 'abcdef1' });
    const res = await api()
      .post('/api/sled/deploys')
      .set('Authorization', CI)
      .send({
        entityRef: SVC,
        environment: 'production',
        artifactId: artifact.body.id,
      });
    expect(res.status).toBe(202);
    expect((await waitForEnd(backend, res.body.id)).status).toBe('succeeded');

    // alice's copy and bob's would be written by the same send
    await eventually(async () =>
      expect(await inbox(ALICE)).toMatchObject([
        {
          payload: {
            title: '1.0.0 of payments to production succeeded',
            topic: 'sled-production',
          },
        },
      ]),
    );
    expect(await inbox(BOB)).toEqual([]);
  });
});
