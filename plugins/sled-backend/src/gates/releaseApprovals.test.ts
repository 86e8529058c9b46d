import {
  mockCredentials,
  TestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { Release } from '@internal/plugin-sled-common';
import { Knex } from 'knex';
import request from 'supertest';
import { recordingNotifications } from '../__testUtils__/notifications';
import {
  eventually,
  makeTempDir,
  writeScript,
} from '../__testUtils__/processes';
import {
  CI,
  recordingAuditor,
  serviceEntity,
  startSledBackend,
} from '../__testUtils__/sledBackend';
import { catalogUserInfo } from '../__testUtils__/userInfo';

jest.setTimeout(60_000);

const GROUP = 'deploygroup:default/money';
const A = 'component:default/wallet';
const B = 'component:default/ledger';
const as = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);
const GROUPS: Record<string, string[]> = {
  'user:default/alice': ['group:default/team-a'],
  'user:default/bob': ['group:default/team-a'],
  'user:default/grace': ['group:default/release-managers'],
  'user:default/mallory': ['group:default/team-b'],
};

const deployGroup: Entity = {
  apiVersion: 'sled.dev/v1alpha1',
  kind: 'DeployGroup',
  metadata: { name: 'money', namespace: 'default' },
  spec: { owner: 'team-a', members: [A, B] },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
};

/**
 * A release into an environment that requires approvals asks for them once,
 * for the whole release, not once per member deploy.
 */
describe('release approvals', () => {
  const databases = TestDatabases.create();
  let backend: TestBackend | undefined;
  let knex: Knex;
  let sent: NotificationSendOptions[];
  let audit: ReturnType<typeof recordingAuditor>;
  let cleanup = () => {};

  afterEach(async () => {
    await backend?.stop();
    backend = undefined;
    cleanup();
  });

  const api = () => request(backend!.server);

  async function start(databaseId: Parameters<typeof databases.init>[0]) {
    const temp = makeTempDir('sled-release-approvals-');
    cleanup = temp.cleanup;
    writeScript(
      temp.dir,
      'deploy.sh',
      'echo "deployed $SLED_ARTIFACT_VERSION"',
    );
    knex = await databases.init(databaseId);
    const notifications = recordingNotifications();
    sent = notifications.sent;
    audit = recordingAuditor();
    backend = await startSledBackend({
      knex,
      entities: [
        serviceEntity('wallet', temp.dir, { deployGroup: GROUP }),
        serviceEntity('ledger', temp.dir, { deployGroup: GROUP }),
        deployGroup,
      ],
      sled: {
        environments: [
          {
            name: 'production',
            executor: 'local',
            approvals: {
              required: 1,
              approvers: ['owners', 'group:default/release-managers'],
              expiresAfter: '24h',
            },
          },
        ],
      },
      features: [catalogUserInfo(GROUPS), notifications.factory, audit.factory],
    });
    for (const entityRef of [A, B]) {
      const res = await api()
        .post('/api/sled/artifacts')
        .set('Authorization', CI)
        .send({ entityRef, version: '2.0.0', commitSha: 'abcdef1' });
      expect(res.status).toBe(201);
    }
  }

  async function requestRelease(user = 'alice'): Promise<Release> {
    const res = await api()
      .post('/api/sled/releases')
      .set('Authorization', as(user))
      .send({ deployGroup: GROUP, environment: 'production' });
    expect(res.status).toBe(202);
    return res.body;
  }

  const decide = (user: string, id: string, body: object) =>
    api()
      .post(`/api/sled/releases/${id}/approvals`)
      .set('Authorization', as(user))
      .send(body);

  const getRelease = async (id: string): Promise<Release> =>
    (
      await api()
        .get(`/api/sled/releases/${id}`)
        .set('Authorization', as('alice'))
    ).body;

  it.each(databases.eachSupportedId())(
    'asks once for the whole release, runs every member without asking again, and shows the approver on each member deploy (%p)',
    async databaseId => {
      await start(databaseId);
      const release = await requestRelease('alice');
      expect(release).toMatchObject({
        status: 'awaiting_approval',
        members: [
          { entityRef: A, status: 'pending' },
          { entityRef: B, status: 'pending' },
        ],
      });
      expect(Date.parse(release.approvalExpiresAt!)).toBeGreaterThan(
        Date.now() + 23 * 3600_000,
      );
      // nothing runs and no member deploy exists before the approval
      expect(Number((await knex('sled_deploys').count({ n: '*' }))[0].n)).toBe(
        0,
      );
      // the approvers heard of it once: the group's owners and the release managers, not alice
      await eventually(() =>
        expect(
          sent.filter(s => s.payload.topic === 'sled-approvals'),
        ).toMatchObject([
          {
            recipients: {
              entityRef: [
                'group:default/team-a',
                'group:default/release-managers',
              ],
              excludeEntityRef: 'user:default/alice',
            },
            payload: {
              title: 'Approve the release of money to production?',
              severity: 'high',
              link: '/catalog/default/deploygroup/money/sled-release',
            },
          },
        ]),
      );

      const self = await decide('alice', release.id, { decision: 'approve' });
      expect(self.status).toBe(409);
      expect(self.body.error.message).toBe(
        "You requested this release; production needs another person's approval",
      );
      const stranger = await decide('mallory', release.id, {
        decision: 'approve',
      });
      expect(stranger.status).toBe(403);
      expect(stranger.body.error.message).toBe(
        'Only group:default/team-a or group:default/release-managers may approve releases to production',
      );
      const view = await api()
        .get(`/api/sled/releases/${release.id}/approvals`)
        .set('Authorization', as('grace'));
      expect(view.body).toMatchObject({
        required: 1,
        canDecide: true,
        items: [],
      });

      const approved = await decide('grace', release.id, {
        decision: 'approve',
        comment: 'ship it',
      });
      expect(approved.status).toBe(200);
      expect(approved.body.status).not.toBe('awaiting_approval');
      const done = await eventually(async () => {
        const current = await getRelease(release.id);
        expect(current.status).toBe('succeeded');
        return current;
      });
      expect(done.members.map(m => m.status)).toEqual([
        'succeeded',
        'succeeded',
      ]);
      // no member deploy waited for approval: it was given once, for the release
      const deploys = await knex('sled_deploys').select('status');
      expect(deploys.map(d => d.status)).toEqual(['succeeded', 'succeeded']);
      expect(
        Number((await knex('sled_deploy_approvals').count({ n: '*' }))[0].n),
      ).toBe(0);
      // History shows who approved each member deploy
      for (const member of done.members) {
        const list = await api()
          .get(`/api/sled/deploys/${member.deployId}/approvals`)
          .set('Authorization', as('alice'));
        expect(list.body).toMatchObject({
          items: [
            {
              approver: 'user:default/grace',
              decision: 'approve',
              comment: 'ship it',
            },
          ],
        });
      }
      expect(
        audit.events.filter(e => e.eventId === 'release-approval'),
      ).toMatchObject([
        { severityLevel: 'high', outcome: 'fail' },
        { severityLevel: 'high', outcome: 'fail' },
        { severityLevel: 'high', outcome: 'success' },
      ]);
      // the requester heard it was approved
      expect(
        sent.find(s => s.payload.title.endsWith('approved by 1 approver')),
      ).toMatchObject({
        recipients: { entityRef: ['user:default/alice'] },
        payload: {
          title: 'The release of money to production: approved by 1 approver',
        },
      });
    },
  );

  it('ends the release rejected at a rejection, with no member started', async () => {
    await start('SQLITE_3');
    const release = await requestRelease('alice');
    const res = await decide('bob', release.id, {
      decision: 'reject',
      comment: 'not during the sale',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'rejected',
      message: 'Rejected by user:default/bob: not during the sale',
      members: [{ status: 'not-started' }, { status: 'not-started' }],
    });
    const late = await decide('grace', release.id, { decision: 'approve' });
    expect(late.status).toBe(409);
    expect(late.body.error.message).toBe(
      `Release ${release.id} is not awaiting approval: it is rejected`,
    );
    expect(Number((await knex('sled_deploys').count({ n: '*' }))[0].n)).toBe(0);
  });

  it('ends a release whose approvals did not come in time expired; nobody approves it after', async () => {
    await start('SQLITE_3');
    const release = await requestRelease('alice');
    await knex('sled_releases')
      .where({ id: release.id })
      .update({
        approval_expires_at: new Date(Date.now() - 1000).toISOString(),
      });
    const late = await decide('grace', release.id, { decision: 'approve' });
    expect(late.status).toBe(409);
    expect(late.body.error.message).toBe(
      `Release ${release.id} is not awaiting approval: it is expired`,
    );
    expect(await getRelease(release.id)).toMatchObject({
      status: 'expired',
      message: 'Its approvals did not come in time',
    });
    expect(Number((await knex('sled_deploys').count({ n: '*' }))[0].n)).toBe(0);
  });

  it('cancels a release still awaiting approval', async () => {
    await start('SQLITE_3');
    const release = await requestRelease('alice');
    const res = await api()
      .post(`/api/sled/releases/${release.id}/cancel`)
      .set('Authorization', as('alice'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'cancelled',
      members: [{ status: 'not-started' }, { status: 'not-started' }],
    });
  });
});
