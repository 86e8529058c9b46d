import {
  mockServices,
  TestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import request from 'supertest';
import { DatabaseDeployStore } from '../../database/DatabaseDeployStore';
import { eventually } from '../../__testUtils__/processes';
import { CI, USER, waitForEnd } from '../../__testUtils__/sledBackend';
import {
  FakeKubernetesApi,
  NAMESPACE,
  kubeService,
  kubernetesConfig,
  requestDeploy,
  startKubernetesBackend,
} from './__testUtils__/kubernetesBackend';
import { jobNameFor } from './jobSpec';

jest.setTimeout(60_000);

const SVC = 'component:default/shop';
const DIGEST = `sha256:${'b'.repeat(64)}`;
const ALLOWED = `registry.example/deployers/shop@${DIGEST}`;

/*
 * D1 on Kubernetes: what a Job runs comes from the catalog entity and config.
 * An artifact may name a deployer image only when it is pinned by digest and
 * allowed by sled.kubernetes.allowedImages; it can never name the command.
 */
describe('the trust boundary of a Kubernetes deploy', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let fake: FakeKubernetesApi;
  let backend: TestBackend;
  let knex: Knex;

  const register = (body: object) =>
    request(backend.server)
      .post('/api/sled/artifacts')
      .set('Authorization', CI)
      .send({ entityRef: SVC, commitSha: 'abcdef1', ...body });

  async function jobContainer(deployId: string) {
    return eventually(() => {
      const job = fake.getJob(NAMESPACE, jobNameFor(deployId));
      expect(job).toBeDefined();
      return job!.spec.template.spec.containers[0];
    });
  }

  beforeAll(async () => {
    fake = await FakeKubernetesApi.start();
  });

  // every test its own database and backend: it runs alone and in any order
  beforeEach(async () => {
    knex = await databases.init('SQLITE_3');
    backend = await startKubernetesBackend({
      knex,
      fake,
      entities: [kubeService('shop')],
      config: kubernetesConfig(fake, {
        allowedImages: ['registry.example/deployers/*'],
      }),
    });
  });

  afterEach(async () => {
    await backend?.stop();
  });

  afterAll(async () => {
    await fake?.stop();
  });

  it('refuses an artifact naming a command, or an image that is not pinned or not allowed', async () => {
    const cases: Array<[object, RegExp]> = [
      [
        { version: '1.0.1', deploy: { command: ['/bin/sh', '-c', 'id'] } },
        /deploy\.command: an artifact cannot choose what runs/,
      ],
      [
        {
          version: '1.0.2',
          deploy: { image: 'registry.example/deployers/shop:latest' },
        },
        /deploy\.image: .*must be pinned by digest/,
      ],
      [
        { version: '1.0.3', deploy: { image: `evil.example/shell@${DIGEST}` } },
        /deploy\.image: .*matches none of sled\.kubernetes\.allowedImages/,
      ],
      [
        {
          version: '1.0.4',
          deploy: { image: `registry.example/deployers/a/b@${DIGEST}` },
        },
        /deploy\.image: .*matches none/,
      ],
    ];
    for (const [body, pattern] of cases) {
      const res = await register(body);
      expect({ status: res.status, message: res.body.error?.message }).toEqual({
        status: 400,
        message: expect.stringMatching(pattern),
      });
    }
    expect(Number((await knex('sled_artifacts').count({ n: '*' }))[0].n)).toBe(
      0,
    );
  });

  it('runs an allowed, pinned image with the catalog’s command', async () => {
    const res = await register({
      version: '2.0.0',
      deploy: { image: ALLOWED },
    });
    expect(res.status).toBe(201);
    const id = await requestDeploy(backend, SVC, res.body.id);
    const container = await jobContainer(id);
    expect(container.image).toBe(ALLOWED);
    expect(container.command).toEqual(['./deploy.sh', '--apply']);
    expect((await waitForEnd(backend, id)).status).toBe('succeeded');
  });

  it('runs the configured image and the catalog’s command for an artifact stored with its own', async () => {
    // as registered before the trust boundary existed: straight into the store
    const store = await DatabaseDeployStore.create({
      database: mockServices.database({ knex }),
    });
    const { artifact } = await store.registerArtifact(
      {
        entityRef: SVC,
        version: '3.0.0',
        commitSha: 'abcdef1',
        deploy: { command: ['/bin/sh', '-c', 'id'] } as any,
      },
      'group:default/team-a',
    );
    const id = await requestDeploy(backend, SVC, artifact.id);
    const container = await jobContainer(id);
    expect(container.image).toBe('ghcr.io/example/sled-deployer:1');
    expect(container.command).toEqual(['./deploy.sh', '--apply']);
    expect((await waitForEnd(backend, id)).status).toBe('succeeded');
  });

  it('refuses to deploy a stored artifact whose image the policy does not allow', async () => {
    const store = await DatabaseDeployStore.create({
      database: mockServices.database({ knex }),
    });
    const { artifact } = await store.registerArtifact(
      {
        entityRef: SVC,
        version: '4.0.0',
        commitSha: 'abcdef1',
        deploy: { image: 'evil.example/shell:latest' },
      },
      'group:default/team-a',
    );
    const before = Number((await knex('sled_deploys').count({ n: '*' }))[0].n);
    const res = await request(backend.server)
      .post('/api/sled/deploys')
      .set('Authorization', USER)
      .send({
        entityRef: SVC,
        environment: 'staging',
        artifactId: artifact.id,
      });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /artifactId: artifact 4\.0\.0 names the deployer image .*must be pinned by digest/,
    );
    expect(Number((await knex('sled_deploys').count({ n: '*' }))[0].n)).toBe(
      before,
    );
  });
});
