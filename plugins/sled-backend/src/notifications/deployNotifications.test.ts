import {
  mockCredentials,
  TestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import request from 'supertest';
import { recordingNotifications } from '../__testUtils__/notifications';
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
const OTHER = 'component:default/ledger';
const GROUP = 'deploygroup:default/money';
const ALICE = 'user:default/alice';
const as = (user: string) => mockCredentials.user.header(user);

const deployGroup: Entity = {
  apiVersion: 'sled.dev/v1alpha1',
  kind: 'DeployGroup',
  metadata: { name: 'money', namespace: 'default' },
  spec: { owner: 'team-money', members: [SVC, OTHER] },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-money' }],
};

describe('notifications of deploy and release ends', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let backend: TestBackend;
  let sent: NotificationSendOptions[];
  let cleanup = () => {};

  beforeEach(async () => {
    const temp = makeTempDir('sled-notify-');
    cleanup = temp.cleanup;
    // the catalog's script decides what a version does: `*-broken` fails
    writeScript(
      temp.dir,
      'deploy.sh',
      [
        'case "$SLED_ARTIFACT_VERSION" in *-broken) echo broken; exit 3 ;; esac',
        'echo "deployed $SLED_ARTIFACT_VERSION"',
      ].join('\n'),
    );
    const notifications = recordingNotifications();
    sent = notifications.sent;
    backend = await startSledBackend({
      knex: await databases.init('SQLITE_3'),
      entities: [
        serviceEntity('payments', temp.dir, { deployGroup: GROUP }),
        serviceEntity('ledger', temp.dir, { deployGroup: GROUP }),
        deployGroup,
      ],
      sled: {
        environments: [
          { name: 'staging', executor: 'local' },
          { name: 'production', executor: 'local', notify: true },
        ],
      },
      features: [notifications.factory],
    });
  });

  afterEach(async () => {
    await backend?.stop();
    cleanup();
  });

  const api = () => request(backend.server);

  async function deploy(
    auth: string,
    environment: string,
    version: string,
    extra: object = {},
  ) {
    const artifact = await api()
      .post('/api/sled/artifacts')
      .set('Authorization', CI)
      .send({ entityRef: SVC, version, commitSha: 'abcdef1' });
    const res = await api()
      .post('/api/sled/deploys')
      .set('Authorization', auth)
      .send({
        entityRef: SVC,
        environment,
        artifactId: artifact.body.id,
        ...extra,
      });
    expect(res.status).toBe(202);
    return waitForEnd(backend, res.body.id);
  }

  /** what was sent about one deploy, once its news is out */
  const about = (id: string) =>
    sent.filter(s => s.payload.link?.endsWith(`?deploy=${id}`));

  it('tells the requester alone of a deploy to an environment without notify', async () => {
    const done = await deploy(as(ALICE), 'staging', '1.0.0');
    expect(done.status).toBe('succeeded');
    await eventually(() => expect(about(done.id)).toHaveLength(1));
    expect(about(done.id)[0]).toEqual({
      recipients: { type: 'entity', entityRef: [ALICE] },
      payload: {
        title: '1.0.0 of payments to staging succeeded',
        description: `${ALICE} deployed 1.0.0 to staging`,
        link: `/catalog/default/component/payments/sled-deploy?deploy=${done.id}`,
        severity: 'normal',
        topic: 'sled-deploys',
      },
    });
  });

  it('tells the owning team, but not the requester twice, what reaches or fails in a notify environment', async () => {
    const ok = await deploy(as(ALICE), 'production', '1.0.0');
    await eventually(() => expect(about(ok.id)).toHaveLength(2));
    expect(about(ok.id)[1]).toMatchObject({
      recipients: {
        type: 'entity',
        entityRef: ['group:default/team-a'],
        excludeEntityRef: ALICE,
      },
      payload: {
        title: '1.0.0 of payments to production succeeded',
        severity: 'normal',
        topic: 'sled-production',
      },
    });

    const broken = await deploy(as(ALICE), 'production', '1.0.1-broken');
    expect(broken.status).toBe('failed');
    await eventually(() => expect(about(broken.id)).toHaveLength(2));
    expect(about(broken.id).map(s => s.payload.severity)).toEqual([
      'high',
      'high',
    ]);
    expect(about(broken.id)[1].payload.title).toBe(
      '1.0.1-broken of payments to production failed',
    );
  });

  it('tells nobody in person of a CI deploy, and the team nothing of a dry run', async () => {
    const byCi = await deploy(CI, 'production', '2.0.0');
    await eventually(() => expect(about(byCi.id)).toHaveLength(1));
    expect(about(byCi.id)[0].recipients).toEqual({
      type: 'entity',
      entityRef: ['group:default/team-a'],
    });

    const dry = await deploy(as(ALICE), 'production', '2.0.1', {
      dryRun: true,
    });
    await eventually(() => expect(about(dry.id)).toHaveLength(1));
    expect(about(dry.id)[0]).toMatchObject({
      recipients: { entityRef: [ALICE] },
      payload: {
        title: 'Dry run of 2.0.1 of payments to production succeeded',
      },
    });
  });

  it("tells the deploy group's owners and the requester when a release ends", async () => {
    for (const entityRef of [SVC, OTHER]) {
      await api()
        .post('/api/sled/artifacts')
        .set('Authorization', CI)
        .send({ entityRef, version: '3.0.0', commitSha: 'abcdef1' });
    }
    const res = await api()
      .post('/api/sled/releases')
      .set('Authorization', as(ALICE))
      .send({ deployGroup: GROUP, environment: 'staging' });
    expect(res.status).toBe(202);
    const releaseNews = () =>
      sent.filter(s => s.payload.topic === 'sled-releases');
    await eventually(() => expect(releaseNews()).toHaveLength(1));
    expect(releaseNews()[0]).toEqual({
      recipients: {
        type: 'entity',
        entityRef: ['group:default/team-money', ALICE],
      },
      payload: {
        title: 'The release of money to staging succeeded',
        description: 'Every member of money was released to staging.',
        link: '/catalog/default/deploygroup/money/sled-release',
        severity: 'normal',
        topic: 'sled-releases',
      },
    });
  });
});
