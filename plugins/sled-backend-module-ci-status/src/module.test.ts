import { TestBackend, TestDatabases } from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import { Knex } from 'knex';
import request from 'supertest';
import {
  recordCheck,
  registerArtifact,
  requestDeploy,
  SERVICE,
  startSled,
  USER,
  waitForEnd,
} from './__testUtils__/sledTestBackend';
import sledModuleCiStatus from './index';

const REFUSED = "Refused by deploy check 'ci-status': ";
const BUILD_URL = 'https://ci.example.com/builds/42';

describe('the ci-status deploy check, end to end', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let backend: TestBackend | undefined;
  let knex: Knex;

  afterEach(async () => {
    await backend?.stop();
    backend = undefined;
  });

  /** SLeD with this module: `production` runs ci-status, `sandbox` does not. */
  async function start(ciStatus?: JsonObject) {
    knex = await databases.init('SQLITE_3');
    backend = await startSled({
      knex,
      features: [sledModuleCiStatus],
      sled: {
        environments: [
          { name: 'production', executor: 'echo', checks: ['ci-status'] },
          { name: 'sandbox', executor: 'echo' },
        ],
        ...(ciStatus ? { ciStatus } : {}),
      },
    });
    return backend;
  }

  async function deployCount() {
    const [{ n }] = await knex('sled_deploys').count({ n: '*' });
    return Number(n);
  }

  it('refuses an artifact whose check failed with 409, naming version, check and what to do, writing nothing', async () => {
    const b = await start();
    const artifact = await registerArtifact(b, '1.4.2', [
      { name: 'lint', status: 'passed' },
      { name: 'unit-tests', status: 'failed', url: BUILD_URL },
    ]);

    const res = await requestDeploy(b, {
      environment: 'production',
      artifactId: artifact.id,
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(
      `${REFUSED}1.4.2: CI check 'unit-tests' failed (${BUILD_URL}); fix it and register a new build`,
    );
    expect(await deployCount()).toBe(0);

    // a dry run is refused the same way
    const dryRun = await requestDeploy(b, {
      environment: 'production',
      artifactId: artifact.id,
      dryRun: true,
    });
    expect(dryRun.status).toBe(409);
    expect(dryRun.body.error.message).toBe(res.body.error.message);
    expect(await deployCount()).toBe(0);

    // the preview the Deploy tab asks for gives the same reason
    const gates = await request(b.server)
      .get('/api/sled/gates')
      .query({
        entityRef: SERVICE,
        environment: 'production',
        artifactId: artifact.id,
      })
      .set('Authorization', USER);
    expect(gates.status).toBe(200);
    expect(gates.body.allowed).toBe(false);
    expect(gates.body.gates).toContainEqual(
      expect.objectContaining({
        name: 'check:ci-status',
        passed: false,
        message: `1.4.2: CI check 'unit-tests' failed (${BUILD_URL}); fix it and register a new build`,
      }),
    );

    // an environment that does not list the check deploys it
    const sandbox = await requestDeploy(b, {
      environment: 'sandbox',
      artifactId: artifact.id,
    });
    expect(sandbox.status).toBe(202);
  });

  it('refuses an artifact whose checks are pending, or that has none recorded', async () => {
    const b = await start();
    const pending = await registerArtifact(b, '1.4.3', [
      { name: 'unit-tests', status: 'pending', url: BUILD_URL },
    ]);
    const unreported = await registerArtifact(b, '1.4.4');

    const res = await requestDeploy(b, {
      environment: 'production',
      artifactId: pending.id,
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(
      `${REFUSED}1.4.3: CI check 'unit-tests' is still pending (${BUILD_URL}); wait for CI`,
    );

    const none = await requestDeploy(b, {
      environment: 'production',
      artifactId: unreported.id,
    });
    expect(none.status).toBe(409);
    expect(none.body.error.message).toBe(
      `${REFUSED}1.4.4: no CI checks have been reported by CI; wait for CI to report them`,
    );
    expect(await deployCount()).toBe(0);
  });

  it('lets an artifact whose checks all passed deploy, through the check before it starts too', async () => {
    const b = await start();
    const artifact = await registerArtifact(b, '1.5.0', [
      { name: 'lint', status: 'passed' },
      { name: 'unit-tests', status: 'passed', url: BUILD_URL },
    ]);

    const res = await requestDeploy(b, {
      environment: 'production',
      artifactId: artifact.id,
    });
    expect(res.status).toBe(202);
    expect(await waitForEnd(b, res.body.id)).toMatchObject({
      status: 'succeeded',
    });
  });

  it('changes its answer when CI records a check later (failed, then passed on a re-run)', async () => {
    const b = await start();
    const artifact = await registerArtifact(b, '1.6.0', [
      { name: 'unit-tests', status: 'pending' },
    ]);
    await recordCheck(b, artifact.id, {
      name: 'unit-tests',
      status: 'failed',
      url: BUILD_URL,
    });
    const refused = await requestDeploy(b, {
      environment: 'production',
      artifactId: artifact.id,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe(
      `${REFUSED}1.6.0: CI check 'unit-tests' failed (${BUILD_URL}); fix it and register a new build`,
    );

    const rerun = `${BUILD_URL}/rerun`;
    await recordCheck(b, artifact.id, {
      name: 'unit-tests',
      status: 'passed',
      url: rerun,
    });
    const read = await request(b.server)
      .get(`/api/sled/artifacts/${artifact.id}`)
      .set('Authorization', USER);
    expect(read.body.checks).toEqual([
      { name: 'unit-tests', status: 'passed', url: rerun },
    ]);

    const allowed = await requestDeploy(b, {
      environment: 'production',
      artifactId: artifact.id,
    });
    expect(allowed.status).toBe(202);
    expect(await waitForEnd(b, allowed.body.id)).toMatchObject({
      status: 'succeeded',
    });
  });

  it('with sled.ciStatus.required, asks only for the named checks and ignores others', async () => {
    const b = await start({ required: ['unit-tests', 'e2e'] });
    const both = await registerArtifact(b, '2.0.0', [
      { name: 'unit-tests', status: 'passed' },
      { name: 'e2e', status: 'passed' },
      { name: 'lint', status: 'failed', url: BUILD_URL },
      { name: 'perf', status: 'pending' },
    ]);
    const noE2e = await registerArtifact(b, '2.0.1', [
      { name: 'unit-tests', status: 'passed' },
    ]);

    const allowed = await requestDeploy(b, {
      environment: 'production',
      artifactId: both.id,
    });
    expect(allowed.status).toBe(202);

    const refused = await requestDeploy(b, {
      environment: 'production',
      artifactId: noE2e.id,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe(
      `${REFUSED}2.0.1: CI check 'e2e' has not been reported by CI; wait for CI to report it`,
    );
    expect(await deployCount()).toBe(1);
  });

  it.each([
    [
      { required: 'unit-tests' },
      /Module 'ci-status' for plugin 'sled' startup failed; caused by InputError: Invalid config at sled\.ciStatus\.required: must be a list of CI check names/,
    ],
    [
      { required: [] },
      /Module 'ci-status' for plugin 'sled' startup failed; caused by InputError: Invalid config at sled\.ciStatus\.required: name at least one CI check/,
    ],
    [
      { required: ['unit-tests', 'Unit Tests'] },
      /Module 'ci-status' for plugin 'sled' startup failed; caused by InputError: Invalid config at sled\.ciStatus\.required\[1\]: 'Unit Tests' is not a CI check name/,
    ],
  ])(
    'fails start-up on bad config %j, naming the key',
    async (ciStatus, error) => {
      await expect(start(ciStatus)).rejects.toThrow(error);
    },
  );
});
