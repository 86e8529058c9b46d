import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  TestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { SledService, sledServiceRef } from '@internal/plugin-sled-node';
import {
  registerArtifact,
  SERVICE,
  startSled,
} from './__testUtils__/sledTestBackend';
import sledModuleEchoExecutor from './index';

describe('sledServiceRef, against a started backend', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let backend: TestBackend | undefined;

  afterEach(async () => {
    await backend?.stop();
    backend = undefined;
  });

  /** Another backend plugin, given sledServiceRef by its default factory. */
  async function startWithConsumer() {
    let sled: SledService | undefined;
    const consumer = createBackendPlugin({
      pluginId: 'consumer',
      register(env) {
        env.registerInit({
          deps: { sled: sledServiceRef, logger: coreServices.logger },
          async init(deps) {
            sled = deps.sled;
          },
        });
      },
    });
    backend = await startSled({
      knex: await databases.init('SQLITE_3'),
      features: [sledModuleEchoExecutor, consumer],
      sled: {
        environments: [
          { name: 'sandbox', executor: 'echo', requireReason: true },
        ],
      },
    });
    return { backend, sled: sled! };
  }

  const user = { credentials: mockCredentials.user('user:default/carol') };

  it('reads environments, creates a deploy on behalf of a user, and reads it, its log and its artifact back', async () => {
    const { backend: b, sled } = await startWithConsumer();
    const artifact = await registerArtifact(b, '2.0.0');

    expect(await sled.listEnvironments(user)).toEqual([
      expect.objectContaining({
        name: 'sandbox',
        executor: 'echo',
        requireReason: true,
        checks: [],
      }),
    ]);

    const created = await sled.createDeploy(
      {
        entityRef: SERVICE,
        environment: 'sandbox',
        artifactId: artifact.id,
        reason: 'from another plugin',
      },
      { ...user, idempotencyKey: 'consumer-1' },
    );
    expect(created).toMatchObject({
      entityRef: SERVICE,
      environment: 'sandbox',
      artifactVersion: '2.0.0',
      requestedBy: 'user:default/carol',
    });
    // the same key answers with the same deploy
    const replayed = await sled.createDeploy(
      {
        entityRef: SERVICE,
        environment: 'sandbox',
        artifactId: artifact.id,
        reason: 'from another plugin',
      },
      { ...user, idempotencyKey: 'consumer-1' },
    );
    expect(replayed.id).toBe(created.id);

    let deploy = await sled.getDeploy(created.id, user);
    for (let i = 0; deploy?.status !== 'succeeded' && i < 200; i++) {
      await new Promise(resolve => setTimeout(resolve, 50));
      deploy = await sled.getDeploy(created.id, user);
    }
    expect(deploy).toMatchObject({ id: created.id, status: 'succeeded' });
    expect(await sled.getDeployLogs(created.id, user)).toContain(
      'SLED_ARTIFACT_VERSION=2.0.0\n',
    );
    expect(await sled.getArtifact(artifact.id, user)).toMatchObject({
      id: artifact.id,
      version: '2.0.0',
    });
    const page = await sled.listDeploys(
      { entityRef: SERVICE, status: ['succeeded', 'failed'], limit: 10 },
      user,
    );
    expect(page.items.map(d => d.id)).toEqual([created.id]);
  });

  it('answers undefined for a missing deploy, and rejects with the API error naming the field', async () => {
    const { backend: b, sled } = await startWithConsumer();
    const artifact = await registerArtifact(b);
    expect(
      await sled.getDeploy('00000000-0000-4000-8000-000000000000', user),
    ).toBeUndefined();

    const refused = sled.createDeploy(
      { entityRef: SERVICE, environment: 'sandbox', artifactId: artifact.id },
      user,
    );
    await expect(refused).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 400,
      body: {
        error: {
          message: expect.stringContaining(
            'reason: deploys to sandbox must give a reason',
          ),
        },
      },
    });
  });
});
