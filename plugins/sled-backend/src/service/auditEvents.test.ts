import { TestBackend, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { Knex } from 'knex';
import request from 'supertest';
import { makeTempDir, writeScript } from '../__testUtils__/processes';
import {
  allowAllButLockOverride,
  CI,
  RecordedAuditEvent,
  recordingAuditor,
  serviceEntity,
  startSledBackend,
  switchablePermissions,
  USER,
  waitForEnd,
} from '../__testUtils__/sledBackend';

const SVC = 'component:default/audited';
const GROUP = 'deploygroup:default/audited-group';

const group: Entity = {
  apiVersion: 'sled.dev/v1alpha1',
  kind: 'DeployGroup',
  metadata: { name: 'audited-group', namespace: 'default' },
  spec: { owner: 'team-a', members: [SVC] },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
};

/** Every state change is an audit event, at high severity in production. */
describe('audit events', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let dir: string;
  let cleanup: () => void;
  let knex: Knex;
  let backend: TestBackend;
  let events: RecordedAuditEvent[];

  const post = (p: string, body: object = {}, auth = USER) =>
    request(backend.server)
      .post(`/api/sled${p}`)
      .set('Authorization', auth)
      .send(body);

  /** The events since the last call. */
  const taken = () => events.splice(0, events.length);

  beforeAll(() => {
    ({ dir, cleanup } = makeTempDir('sled-audit-'));
    writeScript(dir, 'deploy.sh', 'echo "deploying $SLED_ARTIFACT_VERSION"');
  });

  beforeEach(async () => {
    knex = await databases.init('SQLITE_3');
    const auditor = recordingAuditor();
    events = auditor.events;
    backend = await startSledBackend({
      knex,
      entities: [serviceEntity('audited', dir, { deployGroup: GROUP }), group],
      permissions: switchablePermissions(() => allowAllButLockOverride),
      features: [auditor.factory],
    });
  });

  afterEach(async () => {
    await backend?.stop();
  });

  afterAll(() => cleanup?.());

  it('audits artifacts, deploys, rollbacks and locks, with their outcome, at high severity where a reason is required', async () => {
    const v1 = await post(
      '/artifacts',
      { entityRef: SVC, version: '1.0.0', commitSha: 'abcdef1234567' },
      CI,
    );
    const v2 = await post(
      '/artifacts',
      { entityRef: SVC, version: '2.0.0', commitSha: 'abcdef1234567' },
      CI,
    );
    expect(taken()).toEqual([
      {
        eventId: 'artifact-register',
        severityLevel: 'medium',
        meta: expect.objectContaining({
          entityRef: SVC,
          version: '1.0.0',
          artifactId: v1.body.id,
          created: true,
        }),
        outcome: 'success',
      },
      expect.objectContaining({ eventId: 'artifact-register' }),
    ]);

    const local = await post('/deploys', {
      entityRef: SVC,
      environment: 'local',
      artifactId: v1.body.id,
    });
    await waitForEnd(backend, local.body.id);
    const production = async (artifactId: string) => {
      const res = await post('/deploys', {
        entityRef: SVC,
        environment: 'production',
        artifactId,
        reason: 'release train',
      });
      await waitForEnd(backend, res.body.id);
      return res.body.id;
    };
    const p1 = await production(v1.body.id);
    await production(v2.body.id);
    expect(taken()).toEqual([
      {
        eventId: 'deploy-create',
        severityLevel: 'medium',
        meta: expect.objectContaining({
          entityRef: SVC,
          environment: 'local',
          artifactId: v1.body.id,
          dryRun: false,
          deployId: local.body.id,
          status: 'queued',
        }),
        outcome: 'success',
      },
      {
        eventId: 'deploy-create',
        severityLevel: 'high',
        meta: expect.objectContaining({
          environment: 'production',
          deployId: p1,
        }),
        outcome: 'success',
      },
      expect.objectContaining({ eventId: 'deploy-create', outcome: 'success' }),
    ]);

    const rollback = await post('/rollbacks', {
      entityRef: SVC,
      environment: 'production',
      reason: 'bad release',
    });
    expect(rollback.status).toBe(202);
    await waitForEnd(backend, rollback.body.id);
    expect(taken()).toEqual([
      expect.objectContaining({
        eventId: 'deploy-rollback',
        severityLevel: 'high',
        outcome: 'success',
      }),
    ]);

    // a refusal is audited as a failure, with its reason
    const lock = await post('/locks', {
      environment: 'production',
      entityRef: SVC,
      reason: 'incident',
    });
    const refused = await post('/deploys', {
      entityRef: SVC,
      environment: 'production',
      artifactId: v2.body.id,
      reason: 'again',
    });
    expect(refused.status).toBe(409);
    await request(backend.server)
      .delete(`/api/sled/locks/${lock.body.id}`)
      .set('Authorization', USER);
    expect(taken()).toEqual([
      {
        eventId: 'lock-create',
        severityLevel: 'high',
        meta: expect.objectContaining({
          environment: 'production',
          entityRef: SVC,
          reason: 'incident',
          lockId: lock.body.id,
        }),
        outcome: 'success',
      },
      {
        eventId: 'deploy-create',
        severityLevel: 'high',
        meta: expect.objectContaining({ environment: 'production' }),
        outcome: 'fail',
        error: expect.stringMatching(/is locked in production/),
      },
      expect.objectContaining({
        eventId: 'lock-delete',
        severityLevel: 'high',
        outcome: 'success',
      }),
    ]);
  });

  it('audits releases at high severity', async () => {
    await post(
      '/artifacts',
      { entityRef: SVC, version: '1.0.0', commitSha: 'abcdef1234567' },
      CI,
    );
    taken();
    const release = await post('/releases', {
      deployGroup: GROUP,
      environment: 'local',
    });
    expect(release.status).toBe(202);
    expect(taken()).toEqual([
      {
        eventId: 'release-create',
        severityLevel: 'high',
        meta: expect.objectContaining({
          deployGroup: GROUP,
          environment: 'local',
          dryRun: false,
          releaseId: release.body.id,
          members: 1,
        }),
        outcome: 'success',
      },
    ]);
  });
});
