import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  TestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  SignalPayload,
  signalsServiceRef,
} from '@backstage/plugin-signals-node';
import {
  SLED_ENVIRONMENTS_CHANNEL,
  SLED_HEARTBEAT_CHANNEL,
  sledGroupChannel,
  sledServiceChannel,
} from '@internal/plugin-sled-common';
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

const A = 'component:default/sig-a';
const B = 'component:default/sig-b';
const GROUP = 'deploygroup:default/sig-group';
const as = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);

const group: Entity = {
  apiVersion: 'sled.dev/v1alpha1',
  kind: 'DeployGroup',
  metadata: { name: 'sig-group', namespace: 'default' },
  spec: { owner: 'team-a', members: [A, B] },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
};

/** Every user is in team-a, the services' owner (and so their approver). */
function teamUserInfo() {
  return createServiceFactory({
    service: coreServices.userInfo,
    deps: {},
    factory: () => ({
      async getUserInfo(credentials: any) {
        const ref = credentials.principal.userEntityRef as string;
        return {
          userEntityRef: ref,
          ownershipEntityRefs: [ref, 'group:default/team-a'],
        };
      },
    }),
  });
}

/** A signals service that keeps what it was asked to publish. */
function recordingSignals() {
  const published: SignalPayload[] = [];
  return {
    published,
    factory: createServiceFactory({
      service: signalsServiceRef,
      deps: {},
      factory: () => ({
        async publish(signal: SignalPayload) {
          published.push(signal);
        },
      }),
    }),
  };
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())('sled signals on %p', id => {
  let backend: TestBackend;
  let published: SignalPayload[];
  let dir: string;
  let cleanup: () => void;

  beforeAll(() => {
    ({ dir, cleanup } = makeTempDir('sled-signals-'));
    writeScript(dir, 'deploy.sh', 'echo "deployed $SLED_ARTIFACT_VERSION"');
  });
  afterAll(() => cleanup());

  beforeEach(async () => {
    const signals = recordingSignals();
    published = signals.published;
    backend = await startSledBackend({
      knex: await databases.init(id),
      entities: [
        serviceEntity('sig-a', dir, { deployGroup: GROUP }),
        serviceEntity('sig-b', dir, { deployGroup: GROUP }),
        group,
      ],
      sled: {
        environments: [
          { name: 'local', executor: 'local' },
          {
            name: 'production',
            executor: 'local',
            approvals: { required: 2, approvers: ['owners'] },
          },
        ],
      },
      features: [signals.factory, teamUserInfo()],
    });
  });
  afterEach(() => backend.stop());

  const api = () => request(backend.server);
  const get = (path: string) =>
    api().get(`/api/sled${path}`).set('Authorization', as('alice'));
  const post = (path: string, body: object, auth = as('alice')) =>
    api().post(`/api/sled${path}`).set('Authorization', auth).send(body);

  /** What was published but the heartbeats, as channel and kind. */
  const changes = () =>
    published
      .filter(s => s.channel !== SLED_HEARTBEAT_CHANNEL)
      .map(s => {
        // broadcast, and nothing in the message but the kind of change
        if (
          s.recipients.type !== 'broadcast' ||
          Object.keys(s.message).join() !== 'kind'
        ) {
          throw new Error(`more than a kind of change: ${JSON.stringify(s)}`);
        }
        return `${s.channel} ${s.message.kind}`;
      });

  async function register(entityRef: string, version: string) {
    const res = await post(
      '/artifacts',
      { entityRef, version, commitSha: 'abcdef1' },
      CI,
    );
    expect(res.status).toBe(201);
    return res.body;
  }

  it('beats at startup on the heartbeat channel', async () => {
    await eventually(() =>
      expect(published).toContainEqual({
        recipients: { type: 'broadcast' },
        channel: SLED_HEARTBEAT_CHANNEL,
        message: { kind: 'heartbeat' },
      }),
    );
  });

  it('signals every change of a deploy on its service channel, and nothing for reads', async () => {
    const artifact = await register(A, '1.0.0');
    expect(changes()).toEqual([]);
    const res = await post('/deploys', {
      entityRef: A,
      environment: 'local',
      artifactId: artifact.id,
    });
    expect(res.status).toBe(202);
    // queued, as the request returns (the dispatcher may have claimed it too)
    expect(changes()[0]).toEqual(`${sledServiceChannel(A)} deploy`);
    const deploy = await waitForEnd(backend, res.body.id);
    expect(deploy.status).toBe('succeeded');
    // queued, running, succeeded: each write of it
    await eventually(() =>
      expect(changes()).toEqual([
        `${sledServiceChannel(A)} deploy`,
        `${sledServiceChannel(A)} deploy`,
        `${sledServiceChannel(A)} deploy`,
      ]),
    );

    const before = changes().length;
    const enc = encodeURIComponent(A);
    for (const path of [
      `/state?entityRef=${enc}`,
      `/deploys?entityRef=${enc}`,
      `/deploys/${deploy.id}`,
      `/deploys/${deploy.id}/logs`,
      `/deploys/${deploy.id}/approvals`,
      `/artifacts?entityRef=${enc}`,
      `/artifacts/${artifact.id}`,
      '/environments',
      '/locks',
      `/locks?entityRef=${enc}`,
      '/releases',
      `/gates?entityRef=${enc}&environment=local&artifactId=${artifact.id}`,
    ]) {
      expect([path, (await get(path)).status]).toEqual([path, 200]);
    }
    expect(changes()).toHaveLength(before);
  });

  it('signals a lock where it shows: the service, the group and its members, or every environment', async () => {
    const lock = async (body: object) => {
      const res = await post('/locks', { environment: 'local', ...body });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const unlock = async (lockId: string) =>
      expect(
        (
          await api()
            .delete(`/api/sled/locks/${lockId}`)
            .set('Authorization', as('alice'))
        ).status,
      ).toBe(204);

    const serviceLock = await lock({ entityRef: A, reason: 'service' });
    expect(changes()).toEqual([`${sledServiceChannel(A)} lock`]);
    await unlock(serviceLock);
    expect(changes().slice(1)).toEqual([`${sledServiceChannel(A)} lock`]);

    published.length = 0;
    const groupLock = await lock({ deployGroup: GROUP, reason: 'group' });
    const groupSignals = [
      `${sledGroupChannel(GROUP)} lock`,
      `${sledServiceChannel(A)} lock`,
      `${sledServiceChannel(B)} lock`,
    ];
    expect(changes()).toEqual(groupSignals);
    await unlock(groupLock);
    expect(changes()).toEqual([...groupSignals, ...groupSignals]);

    published.length = 0;
    const everything = await lock({ reason: 'freeze' });
    expect(changes()).toEqual([`${SLED_ENVIRONMENTS_CHANNEL} lock`]);
    await unlock(everything);
    expect(changes()).toEqual([
      `${SLED_ENVIRONMENTS_CHANNEL} lock`,
      `${SLED_ENVIRONMENTS_CHANNEL} lock`,
    ]);

    // a refused lock writes nothing and signals nothing
    published.length = 0;
    const refused = await post('/locks', {
      environment: 'nowhere',
      entityRef: A,
      reason: 'x',
    });
    expect(refused.status).toBe(400);
    expect(changes()).toEqual([]);
  });

  it('signals each approval decision, the one that queues the deploy too', async () => {
    const artifact = await register(B, '2.0.0');
    const res = await post('/deploys', {
      entityRef: B,
      environment: 'production',
      artifactId: artifact.id,
    });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('awaiting_approval');
    const channel = sledServiceChannel(B);
    expect(changes()).toEqual([`${channel} deploy`]);

    const decide = (user: string) =>
      post(
        `/deploys/${res.body.id}/approvals`,
        { decision: 'approve' },
        as(user),
      );
    expect((await decide('bob')).status).toBe(200);
    // one of two: the deploy still waits, its approvals changed
    expect(changes()).toEqual([`${channel} deploy`, `${channel} approval`]);
    expect((await decide('carol')).status).toBe(200);
    expect(changes().slice(2, 4)).toEqual([
      `${channel} approval`,
      `${channel} deploy`,
    ]);
    await waitForEnd(backend, res.body.id);
  });

  it("signals a release's changes on its group's channel", async () => {
    await register(A, '1.0.0');
    await register(B, '1.0.0');
    const res = await post('/releases', {
      deployGroup: GROUP,
      environment: 'local',
    });
    expect(res.status).toBe(202);
    expect(changes()).toContain(`${sledGroupChannel(GROUP)} release`);
    await eventually(async () => {
      const release = await get(`/releases/${res.body.id}`);
      expect(release.body.status).toBe('succeeded');
    }, 30_000);
    // created, each member's progress, ended; the members' deploys on theirs
    await eventually(() => {
      const seen = changes();
      expect(
        seen.filter(s => s === `${sledGroupChannel(GROUP)} release`).length,
      ).toBeGreaterThanOrEqual(4);
      expect(seen).toContain(`${sledServiceChannel(A)} deploy`);
      expect(seen).toContain(`${sledServiceChannel(B)} deploy`);
    });
  });
});
