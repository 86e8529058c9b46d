import { createBackendModule } from '@backstage/backend-plugin-api';
import { TestBackend, TestDatabases } from '@backstage/backend-test-utils';
import { sledDeployChecksExtensionPoint } from '@internal/plugin-sled-node';
import fs from 'fs';
import path from 'path';
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
  USER,
  waitForEnd,
} from '../__testUtils__/sledBackend';

const SVC = 'component:default/held';

/**
 * A cancel that arrives while this backend starts a deploy (its start checks
 * still deciding, the executor not yet called): recorded at once, and the
 * deploy's script never runs.
 */
describe('a cancel while a deploy starts', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let dir: string;
  let cleanup: () => void;
  let backend: TestBackend;
  let release: () => void;
  let entered: Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = makeTempDir('sled-held-'));
    // the script leaves a mark when it runs
    writeScript(dir, 'deploy.sh', 'touch "ran-$SLED_DEPLOY_ID"');
    let enter: () => void;
    entered = new Promise(resolve => (enter = resolve));
    const gate = new Promise<void>(resolve => (release = resolve));
    const heldCheck = createBackendModule({
      pluginId: 'sled',
      moduleId: 'held-check',
      register(env) {
        env.registerInit({
          deps: { checks: sledDeployChecksExtensionPoint },
          async init({ checks }) {
            checks.addCheck({
              name: 'held',
              async evaluate(context) {
                if (context.phase === 'start') {
                  enter();
                  await gate;
                }
                return undefined;
              },
            });
          },
        });
      },
    });
    backend = await startSledBackend({
      knex: await databases.init('SQLITE_3'),
      entities: [serviceEntity('held', dir)],
      sled: {
        environments: [{ name: 'local', executor: 'local', checks: ['held'] }],
      },
      features: [heldCheck],
    });
  });

  afterEach(async () => {
    release?.();
    await backend?.stop();
    cleanup?.();
  });

  it('records cancelled at once and never runs the script', async () => {
    const artifact = await request(backend.server)
      .post('/api/sled/artifacts')
      .set('Authorization', CI)
      .send({ entityRef: SVC, version: '1.0.0', commitSha: 'abcdef1' });
    const created = await request(backend.server)
      .post('/api/sled/deploys')
      .set('Authorization', USER)
      .send({
        entityRef: SVC,
        environment: 'local',
        artifactId: artifact.body.id,
      });
    expect(created.status).toBe(202);
    const id = created.body.id;
    // its start check is deciding: the deploy runs, the script has not started
    await entered;

    const cancelled = await request(backend.server)
      .post(`/api/sled/deploys/${id}/cancel`)
      .set('Authorization', USER);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({
      status: 'cancelled',
      message: 'Cancelled while it started',
    });

    // the check lets it go: nothing starts, the outcome stays
    release();
    // the next deploy of the target runs: the cancelled one no longer holds it
    const next = await request(backend.server)
      .post('/api/sled/deploys')
      .set('Authorization', USER)
      .send({
        entityRef: SVC,
        environment: 'local',
        artifactId: artifact.body.id,
        force: true,
      });
    expect((await waitForEnd(backend, next.body.id)).status).toBe('succeeded');
    await eventually(() =>
      expect(fs.existsSync(path.join(dir, `ran-${next.body.id}`))).toBe(true),
    );
    expect(fs.existsSync(path.join(dir, `ran-${id}`))).toBe(false);
    expect((await waitForEnd(backend, id)).status).toBe('cancelled');
  });
});
