import { TestBackend, TestDatabases } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Knex } from 'knex';
import request from 'supertest';
import { makeTempDir, writeScript } from '../__testUtils__/processes';
import {
  CI,
  Decide,
  NONE,
  serviceEntity,
  snapshotTables,
  startSledBackend,
  switchablePermissions,
  USER,
  waitForEnd,
} from '../__testUtils__/sledBackend';

/**
 * sled:deploy, sled:rollback and sled:status in the actions registry, invoked
 * through the registry's own routes (as the MCP actions backend and the
 * actions service call them), on behalf of the caller.
 */

jest.setTimeout(60_000);

const PAYMENTS = 'component:default/payments';
const ACTIONS = '/api/sled/.backstage/actions/v1/actions';

const allowAll: Decide = () => ({ result: AuthorizeResult.ALLOW });
const deny =
  (...names: string[]): Decide =>
  permission => ({
    result: names.includes(permission.name)
      ? AuthorizeResult.DENY
      : AuthorizeResult.ALLOW,
  });

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())('SLeD actions on %p', id => {
  let backend: TestBackend | undefined;
  let knex: Knex;
  let decide: Decide = allowAll;
  const temp = makeTempDir('sled-actions-');

  beforeAll(() => {
    writeScript(
      temp.dir,
      'deploy.sh',
      'echo "deploying $SLED_ARTIFACT_VERSION"',
    );
  });
  afterAll(() => temp.cleanup());

  beforeEach(async () => {
    decide = allowAll;
    knex = await databases.init(id);
    backend = await startSledBackend({
      knex,
      entities: [serviceEntity('payments', temp.dir)],
      permissions: switchablePermissions(() => decide),
    });
  });

  afterEach(async () => {
    await backend?.stop();
    backend = undefined;
  });

  async function register(version: string): Promise<string> {
    const res = await request(backend!.server)
      .post('/api/sled/artifacts')
      .set('Authorization', CI)
      .send({ entityRef: PAYMENTS, version, commitSha: 'c0ffee1234abcd' });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  function invoke(action: string, input: object, auth = USER) {
    return request(backend!.server)
      .post(`${ACTIONS}/${action}/invoke`)
      .set('Authorization', auth)
      .send(input);
  }

  it('lists the actions with their attributes: deploy and rollback destructive, status read-only', async () => {
    const res = await request(backend!.server)
      .get(ACTIONS)
      .set('Authorization', USER);
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(
      res.body.actions.map((a: any) => [a.id, a.attributes]),
    );
    expect(byId).toEqual({
      'sled:status': { readOnly: true, destructive: false, idempotent: true },
      'sled:deploy': { readOnly: false, destructive: true, idempotent: false },
      'sled:rollback': {
        readOnly: false,
        destructive: true,
        idempotent: false,
      },
    });
  });

  it('an actions-registry call refused without permission: sled:deploy and sled:rollback answer 403 and write nothing', async () => {
    await register('1.0.0');
    decide = deny('sled.deploy.create');
    const before = await snapshotTables(knex);

    const deploy = await invoke('sled:deploy', {
      entityRef: PAYMENTS,
      environment: 'local',
      version: '1.0.0',
    });
    expect(deploy.status).toBe(403);
    expect(deploy.body.error).toMatchObject({ name: 'NotAllowedError' });

    const rollback = await invoke('sled:rollback', {
      entityRef: PAYMENTS,
      environment: 'local',
    });
    expect(rollback.status).toBe(403);
    expect(rollback.body.error).toMatchObject({ name: 'NotAllowedError' });

    // anonymous callers never reach the action
    const anonymous = await invoke(
      'sled:status',
      { entityRef: PAYMENTS },
      NONE,
    );
    expect(anonymous.status).toBe(401);

    expect(await snapshotTables(knex)).toEqual(before);
  });

  it('sled:status is refused to a caller who may not read the service', async () => {
    const artifactId = await register('1.0.0');
    const queued = await invoke('sled:deploy', {
      entityRef: PAYMENTS,
      environment: 'local',
      artifactId,
    });
    expect(queued.status).toBe(200);
    await waitForEnd(backend!, queued.body.output.deployId);

    decide = deny('sled.read');
    const res = await invoke('sled:status', { entityRef: PAYMENTS });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ name: 'NotAllowedError' });
    expect(res.body.output).toBeUndefined();
  });

  it('deploys a version as the caller, answers what runs where, and rolls back', async () => {
    await register('1.0.0');
    await register('1.1.0');

    const first = await invoke('sled:deploy', {
      entityRef: PAYMENTS,
      environment: 'local',
      version: '1.0.0',
    });
    expect(first.status).toBe(200);
    expect(first.body.output).toMatchObject({
      entityRef: PAYMENTS,
      environment: 'local',
      version: '1.0.0',
      requestedBy: 'user:default/mock',
    });
    expect(
      (await waitForEnd(backend!, first.body.output.deployId)).status,
    ).toBe('succeeded');
    const second = await invoke('sled:deploy', {
      entityRef: PAYMENTS,
      environment: 'local',
      version: '1.1.0',
    });
    expect(
      (await waitForEnd(backend!, second.body.output.deployId)).status,
    ).toBe('succeeded');

    // "what runs in local for payments": a component's name is enough
    const status = await invoke('sled:status', {
      entityRef: 'payments',
      environment: 'local',
    });
    expect(status.status).toBe(200);
    expect(status.body.output).toEqual({
      entityRef: PAYMENTS,
      environments: [
        expect.objectContaining({
          environment: 'local',
          version: '1.1.0',
          deployedBy: 'user:default/mock',
          rollbackVersion: '1.0.0',
          lastDeploy: expect.objectContaining({
            deployId: second.body.output.deployId,
            status: 'succeeded',
          }),
        }),
      ],
    });

    const rollback = await invoke('sled:rollback', {
      entityRef: PAYMENTS,
      environment: 'local',
      reason: 'asked by the assistant',
    });
    expect(rollback.status).toBe(200);
    expect(rollback.body.output).toMatchObject({ version: '1.0.0' });
    expect(
      (await waitForEnd(backend!, rollback.body.output.deployId)).status,
    ).toBe('succeeded');
  });

  it('refuses bad input naming the field, and writes nothing', async () => {
    await register('1.0.0');
    const before = await snapshotTables(knex);

    const unknownVersion = await invoke('sled:deploy', {
      entityRef: PAYMENTS,
      environment: 'local',
      version: '9.9.9',
    });
    expect(unknownVersion.status).toBe(400);
    expect(unknownVersion.body.error.message).toBe(
      `version: ${PAYMENTS} has no artifact 9.9.9 you may read`,
    );

    const noArtifact = await invoke('sled:deploy', {
      entityRef: PAYMENTS,
      environment: 'local',
    });
    expect(noArtifact.status).toBe(400);
    expect(noArtifact.body.error.message).toContain('version:');

    // SLeD's own validation, as for the REST API
    const reasonRequired = await invoke('sled:deploy', {
      entityRef: PAYMENTS,
      environment: 'production',
      version: '1.0.0',
    });
    expect(reasonRequired.status).toBe(400);
    expect(reasonRequired.body.error.message).toContain('reason');

    const unknownEnvironment = await invoke('sled:status', {
      entityRef: PAYMENTS,
      environment: 'moon',
    });
    expect(unknownEnvironment.status).toBe(404);
    expect(unknownEnvironment.body.error.message).toContain('environment:');

    expect(await snapshotTables(knex)).toEqual(before);
  });
});
