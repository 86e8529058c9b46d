import { TestBackend, TestDatabases } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { makeTempDir, writeScript } from '../__testUtils__/processes';
import {
  allowAllButLockOverride,
  CI,
  Decide,
  MISSING_ID,
  NONE,
  serviceEntity,
  startSledBackend,
  switchablePermissions,
  USER,
  waitForEnd,
} from '../__testUtils__/sledBackend';

jest.setTimeout(60_000);

const SVC = 'component:default/payments';

describe('GET /artifacts/:id/changes', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let backend: TestBackend | undefined;
  let cleanup = () => {};
  let decide: Decide = allowAllButLockOverride;

  beforeEach(async () => {
    const temp = makeTempDir('sled-changes-');
    cleanup = temp.cleanup;
    writeScript(
      temp.dir,
      'deploy.sh',
      'echo "deployed $SLED_ARTIFACT_VERSION"',
    );
    backend = await startSledBackend({
      knex: await databases.init('SQLITE_3'),
      entities: [serviceEntity('payments', temp.dir)],
      permissions: switchablePermissions(() => decide),
    });
  });

  afterEach(async () => {
    await backend?.stop();
    backend = undefined;
    decide = allowAllButLockOverride;
    cleanup();
  });

  const api = () => request(backend!.server);

  async function artifact(version: string, mr: number) {
    const res = await api()
      .post('/api/sled/artifacts')
      .set('Authorization', CI)
      .send({
        entityRef: SVC,
        version,
        commitSha: `abcdef${mr}`,
        mergeRequest: {
          url: `https://git.example.com/payments/-/merge_requests/${mr}`,
          title: `MR ${mr}`,
        },
      });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  const changes = (id: string, query: string, auth = USER) =>
    api()
      .get(`/api/sled/artifacts/${id}/changes?${query}`)
      .set('Authorization', auth);

  it('lists the merge requests since what runs, in version order', async () => {
    const v140 = await artifact('1.4.0', 40);
    const v142 = await artifact('1.4.2', 42);
    await artifact('1.4.1', 41);
    const v143 = await artifact('1.4.3', 43);
    const deployed = await api()
      .post('/api/sled/deploys')
      .set('Authorization', USER)
      .send({ entityRef: SVC, environment: 'local', artifactId: v140 });
    expect((await waitForEnd(backend!, deployed.body.id)).status).toBe(
      'succeeded',
    );

    const forward = await changes(v143, 'environment=local');
    expect(forward.status).toBe(200);
    expect(forward.body).toMatchObject({
      entityRef: SVC,
      environment: 'local',
      direction: 'forward',
      current: { id: v140, version: '1.4.0' },
      candidate: { id: v143, version: '1.4.3' },
      total: 3,
      commits: ['abcdef43', 'abcdef42', 'abcdef41'],
    });
    expect(forward.body.mergeRequests.map((m: any) => m.title)).toEqual([
      'MR 43',
      'MR 42',
      'MR 41',
    ]);

    const limited = await changes(v142, 'environment=local&limit=1');
    expect(limited.body).toMatchObject({ total: 2, artifacts: [{ id: v142 }] });

    const initial = await changes(v142, 'environment=production');
    expect(initial.body.direction).toBe('initial');
  });

  it('refuses bad input naming the field, and hides unreadable services', async () => {
    const id = await artifact('1.0.0', 1);
    const noEnv = await changes(id, '');
    expect(noEnv.status).toBe(400);
    expect(noEnv.body.error.message).toMatch(/environment/);

    const unknown = await changes(id, 'environment=moon');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(
      /^environment: unknown environment 'moon'/,
    );

    const badDeploy = await changes(
      id,
      `environment=local&deployId=${MISSING_ID}`,
    );
    expect(badDeploy.status).toBe(400);
    expect(badDeploy.body.error.message).toMatch(/^deployId: no deploy/);

    expect((await changes(MISSING_ID, 'environment=local')).status).toBe(404);
    expect((await changes(id, 'environment=local', NONE)).status).toBe(401);

    decide = permission => ({
      result:
        permission.name === 'sled.read'
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
    });
    const hidden = await changes(id, 'environment=local');
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.message).toBe(`No artifact '${id}'`);
  });
});
