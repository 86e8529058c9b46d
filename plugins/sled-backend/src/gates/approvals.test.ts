import {
  mockCredentials,
  TestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { JsonObject } from '@backstage/types';
import { Knex } from 'knex';
import request from 'supertest';
import {
  eventually,
  makeTempDir,
  writeScript,
} from '../__testUtils__/processes';
import { recordingNotifications } from '../__testUtils__/notifications';
import { catalogUserInfo } from '../__testUtils__/userInfo';
import {
  CI,
  recordingAuditor,
  serviceEntity,
  startSledBackend,
  waitForEnd,
} from '../__testUtils__/sledBackend';

jest.setTimeout(60_000);

const SVC = 'component:default/payments';
const as = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);
/** who belongs to which group, as the catalog says */
const GROUPS: Record<string, string[]> = {
  'user:default/alice': ['group:default/team-a'],
  'user:default/bob': ['group:default/team-a'],
  'user:default/grace': ['group:default/release-managers'],
  'user:default/mallory': ['group:default/team-b'],
};

describe('approvals', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let backend: TestBackend | undefined;
  let knex: Knex;
  let cleanup = () => {};
  let sent: NotificationSendOptions[];
  let audit: ReturnType<typeof recordingAuditor>;

  afterEach(async () => {
    await backend?.stop();
    backend = undefined;
    cleanup();
  });

  async function start(approvals: JsonObject) {
    const temp = makeTempDir('sled-approvals-');
    cleanup = temp.cleanup;
    writeScript(
      temp.dir,
      'deploy.sh',
      'echo "deployed $SLED_ARTIFACT_VERSION"',
    );
    knex = await databases.init('SQLITE_3');
    const notifications = recordingNotifications();
    sent = notifications.sent;
    audit = recordingAuditor();
    backend = await startSledBackend({
      knex,
      entities: [serviceEntity('payments', temp.dir)],
      sled: {
        environments: [
          { name: 'staging', executor: 'local' },
          {
            name: 'production',
            executor: 'local',
            requireReason: true,
            approvals,
          },
        ],
      },
      features: [catalogUserInfo(GROUPS), notifications.factory, audit.factory],
    });
  }

  const api = () => request(backend!.server);

  async function requestDeploy(user = 'alice') {
    const artifact = await api()
      .post('/api/sled/artifacts')
      .set('Authorization', CI)
      .send({ entityRef: SVC, version: '1.4.2', commitSha: 'abcdef1' });
    const res = await api()
      .post('/api/sled/deploys')
      .set('Authorization', as(user))
      .send({
        entityRef: SVC,
        environment: 'production',
        artifactId: artifact.body.id,
        reason: 'wallets',
      });
    expect(res.status).toBe(202);
    return res.body;
  }

  const decide = (user: string, id: string, body: object) =>
    api()
      .post(`/api/sled/deploys/${id}/approvals`)
      .set('Authorization', as(user))
      .send(body);

  it('queues the deploy at the second distinct approval, runs it, and keeps who approved', async () => {
    await start({
      required: 2,
      approvers: ['owners', 'group:default/release-managers'],
      expiresAfter: '24h',
    });
    const deploy = await requestDeploy('alice');
    expect(deploy).toMatchObject({ status: 'awaiting_approval' });
    expect(Date.parse(deploy.approvalExpiresAt)).toBeGreaterThan(
      Date.now() + 23 * 3600_000,
    );
    // the approvers heard of it: the owning group and the release managers, not alice
    await eventually(() =>
      expect(sent[0]).toMatchObject({
        recipients: {
          type: 'entity',
          entityRef: ['group:default/team-a', 'group:default/release-managers'],
          excludeEntityRef: 'user:default/alice',
        },
        payload: {
          title: 'Approve 1.4.2 of payments to production?',
          severity: 'high',
          topic: 'sled-approvals',
          link: `/catalog/default/component/payments/sled-deploy?deploy=${deploy.id}`,
        },
      }),
    );

    const first = await decide('bob', deploy.id, {
      decision: 'approve',
      comment: 'looks good',
    });
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('awaiting_approval');
    const again = await decide('bob', deploy.id, { decision: 'approve' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe(
      `You already decided on deploy ${deploy.id}`,
    );

    const second = await decide('grace', deploy.id, { decision: 'approve' });
    expect(second.status).toBe(200);
    expect(second.body.status).not.toBe('awaiting_approval');
    const done = await waitForEnd(backend!, deploy.id);
    expect(done.status).toBe('succeeded');

    const list = await api()
      .get(`/api/sled/deploys/${deploy.id}/approvals`)
      .set('Authorization', as('alice'));
    expect(list.body).toMatchObject({
      required: 2,
      canDecide: false,
      items: [
        {
          approver: 'user:default/bob',
          decision: 'approve',
          comment: 'looks good',
        },
        { approver: 'user:default/grace', decision: 'approve' },
      ],
    });
    // the requester heard it was approved (and then that it succeeded)
    expect(
      sent.filter(s => s.payload.topic === 'sled-approvals').pop(),
    ).toMatchObject({
      recipients: { entityRef: ['user:default/alice'] },
      payload: {
        title: '1.4.2 of payments to production: approved by 2 approvers',
      },
    });
    expect(
      audit.events.filter(e => e.eventId === 'deploy-approval'),
    ).toMatchObject([
      {
        severityLevel: 'high',
        outcome: 'success',
        meta: { decision: 'approve' },
      },
      { severityLevel: 'high', outcome: 'fail' },
      { severityLevel: 'high', outcome: 'success' },
    ]);
  });

  it('refuses the requester approving their own deploy, and someone who is not an approver', async () => {
    await start({ required: 1, approvers: ['owners'] });
    const deploy = await requestDeploy('alice');

    const self = await decide('alice', deploy.id, { decision: 'approve' });
    expect(self.status).toBe(409);
    expect(self.body.error.message).toBe(
      "You requested this deploy; production needs another person's approval",
    );
    const stranger = await decide('mallory', deploy.id, {
      decision: 'approve',
    });
    expect(stranger.status).toBe(403);
    expect(stranger.body.error.message).toBe(
      'Only group:default/team-a may approve deploys to production',
    );
    const view = await api()
      .get(`/api/sled/deploys/${deploy.id}/approvals`)
      .set('Authorization', as('mallory'));
    expect(view.body).toMatchObject({
      canDecide: false,
      refusal: 'Only group:default/team-a may approve deploys to production',
      items: [],
    });
    expect(
      (
        await api()
          .get(`/api/sled/deploys/${deploy.id}`)
          .set('Authorization', as('alice'))
      ).body.status,
    ).toBe('awaiting_approval');
  });

  it('ends the deploy rejected at a rejection, and tells the requester', async () => {
    await start({ required: 2, approvers: ['owners'] });
    const deploy = await requestDeploy('alice');
    const res = await decide('bob', deploy.id, {
      decision: 'reject',
      comment: 'not during the sale',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'rejected',
      message: 'Rejected by user:default/bob: not during the sale',
    });
    expect(sent[sent.length - 1]).toMatchObject({
      recipients: { entityRef: ['user:default/alice'] },
      payload: { title: '1.4.2 of payments to production: rejected' },
    });
    const late = await decide('grace', deploy.id, { decision: 'approve' });
    expect(late.status).toBe(409);
    expect(late.body.error.message).toBe(
      `Deploy ${deploy.id} is not awaiting approval: it is rejected`,
    );
  });

  it('lets the requester approve their own deploy where the environment allows it', async () => {
    await start({ required: 1, allowSelfApproval: true });
    const deploy = await requestDeploy('alice');
    const res = await decide('alice', deploy.id, { decision: 'approve' });
    expect(res.status).toBe(200);
    expect((await waitForEnd(backend!, deploy.id)).status).toBe('succeeded');
  });

  it('ends a deploy whose approvals did not come in time expired; nobody approves it after', async () => {
    await start({ required: 1, approvers: ['owners'], expiresAfter: '1s' });
    const deploy = await requestDeploy('alice');
    // a person who comes back after the expiry finds it expired
    const expiresAt = Date.parse(deploy.approvalExpiresAt);
    await eventually(() => expect(Date.now()).toBeGreaterThan(expiresAt));
    const late = await decide('bob', deploy.id, { decision: 'approve' });
    expect(late.status).toBe(409);
    expect(late.body.error.message).toBe(
      `Deploy ${deploy.id} is not awaiting approval: it is expired`,
    );
    const now = await api()
      .get(`/api/sled/deploys/${deploy.id}`)
      .set('Authorization', as('alice'));
    expect(now.body).toMatchObject({
      status: 'expired',
      message: 'Its approvals did not come in time',
    });
    expect(await knex('sled_deploy_approvals').count({ n: '*' })).toEqual([
      { n: 0 },
    ]);
  });

  it('cancels a deploy that awaits approval', async () => {
    await start({ required: 1, approvers: ['owners'] });
    const deploy = await requestDeploy('alice');
    const res = await api()
      .post(`/api/sled/deploys/${deploy.id}/cancel`)
      .set('Authorization', as('alice'));
    expect(res.body).toMatchObject({
      status: 'cancelled',
      message: 'Cancelled before it started',
    });
  });
});
